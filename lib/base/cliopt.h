/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cliopt: the command line of every cr tool, one way (as PostgreSQL's
 * fe_utils/option_utils.c is for its tools): getopt_long with one wording
 * for a mistake, -? and --help and --version handled here, long options by
 * their whole names only, numeric values through one function; and --help's
 * option lines and --list-options, made from the tool's own getopt tables
 * so that neither can leave an option out.
 *
 * This module alone in lib/ prints and exits: it is the tools' command
 * line, and a usage error ends the tool before it has done anything.
 *
 * A mistake is two lines on stderr, then exit 64 (EX_USAGE):
 *	cr-X: unrecognized option '--foo'
 *	cr-X: unrecognized option '-z'
 *	cr-X: unrecognized option '--vers' (did you mean --verbose or --version?)
 *	cr-X: option '--table' requires an argument
 *	cr-X: option '-t' requires an argument
 *	cr-X: option '--json' takes no argument
 *	cr-X: invalid value for -j: 'x' (a whole number from 0 to 256)
 *	Try 'cr-X --help' for more information.
 * With --json anywhere among the options of a tool that has it, the error
 * object of docs/json.md is also printed on stdout (exit 64).
 * An abbreviation of a long option is refused (with the names it could
 * mean): a script's "--vers" would change meaning, or stop working, the
 * day an option starting so is added. */
#ifndef CR_CLIOPT_H
#define CR_CLIOPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* One option's line in --help.  name: a long option of the getopt table
 * ("table"), or a short-only option's letter ("c"); its short letter and
 * whether it takes an argument come from the tables.  A name starting with
 * '-' is shown as it is ("-1..-12").  text NULL: an option the tool only
 * refuses (with its reason), named on one line after the others. */
struct cliopt_help {
	const char	*name;
	const char	*arg;		/* the argument's name, e.g. "TABLE" */
	const char	*text;		/* one line */
};

struct cliopt_tool {
	const char		*prog;		/* "cr-gz" */
	const char		*version;	/* CR_VERSION */
	const char		*optstring;	/* getopt's, without a leading ':' */
	const struct option	*longopts;	/* with "help" and "version" */
	const struct cliopt_help *help;		/* ends with a NULL name */
	void			(*synopsis)(FILE *);	/* the "usage: ..." lines */
	/* An option the tool knows and refuses (another tool's, e.g.
	 * pg_restore's -c): the reason, or NULL.  letter is the short option
	 * given, or 0 for a long one named name (without "--").  May be NULL. */
	const char		*(*refused)(int letter, const char *name);
};

/* The tool's tables, once at the start of main.  Handles
 * `TOOL --list-options` (unless the table has an option of that name):
 * every option the tool takes, one a line ("-t", "--table"), refused ones
 * left out; exits. */
void cliopt_init(int argc, char *argv[], const struct cliopt_tool *);

/* getopt_long's next option (-1 at the end; optarg, optind as getopt's;
 * *longindex, when not NULL, the long option's index or -1).  Does not
 * return for a mistake (the message, the "Try" line, exit 64), for -? and
 * --help (the synopsis and the option lines on stdout, exit 0), or for
 * --version ("cr-X VERSION" on stdout, exit 0). */
int cliopt_next(int argc, char *argv[], int *longindex);

/* The option cliopt_next returned last, as it was given ("-j", "--jobs"),
 * for a message about its value. */
const char *cliopt_current(void);

/* arg as a whole number from min to max, else the mistake's message
 *	cr-X: invalid value for OPT: 'ARG' (a whole number from MIN to MAX)
 * (OPT: cliopt_current()) and exit 64. */
long long cliopt_num(const char *arg, long long min, long long max);

/* A usage error of the tool's own, printf-style: "cr-X: " fmt, the "Try"
 * line, exit 64. */
void cliopt_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* --help's part after the synopsis: a line per option in the help table's
 * order, then any option of the getopt tables it does not describe, the
 * refused ones, and "See prog(1)." */
void cliopt_print_help(FILE *);

#endif
