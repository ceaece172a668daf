/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cliopt: what getopt_long would say about a bad option, for the tools
 * that parse with opterr 0 and an optstring starting with ':' so that -?
 * (a request for help) can be told from a mistake; and --help's option
 * lines and --list-options, made from the tool's own getopt tables so that
 * neither can leave an option out. */
#ifndef CR_CLIOPT_H
#define CR_CLIOPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* getopt_long returned ch ('?' or ':') for argv[optind - 1].  Returns 1
 * when it was -?, a request for help; else 0 with the message getopt
 * would print (no program name, no newline) in buf. */
int cliopt_bad(int ch, char *const argv[], const char *optstring, char *buf, size_t len);

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

/* The tool's tables, once at the start of main (help ends with a NULL
 * name).  Handles `TOOL --list-options` (unless the table has an option of
 * that name): every option the tool takes, one a line ("-t", "--table"),
 * refused ones left out; exits. */
void cliopt_use(int argc, char *const argv[], const char *prog,
    const struct option *longopts, const char *optstring,
    const struct cliopt_help *help);
/* --help's part after the synopsis: a line per option in the help table's
 * order, then any option of the getopt tables it does not describe, the
 * refused ones, and "See prog(1)." */
void cliopt_print_help(FILE *);

#endif
