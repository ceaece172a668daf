/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-dump: pg_dump to stdout as plain SQL between a cr header and a trailer
 * that proves the dump complete (byte count and CRC-32), or no trailer.
 * The run itself is lib/dump/dumpjob's; this is its options and its words. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/askpass.h"
#include "base/cliopt.h"
#include "dump/dumpjob.h"
#include "dump/dumprun.h"
#include "pg/pgconn.h"

#define OPTSTRING	"d:h:p:U:ast:T:n:N:vVF:OxwZ:f:j:Cc"

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: cr-dump [-asvOwx] [--check | --connection-facts] [-d dbname]\n"
	    "               [-h host] [-p port] [-U user] [--env-file file] [-n schema]\n"
	    "               [-N schema] [-t table] [-T table] [--exclude-table-data table]\n"
	    "               [-F p] [dbname]\n");
}

static const struct cliopt_help help[] = {
	PGCONN_HELP,
	{ "check",		NULL,	"connect and check the privileges only; dump nothing" },
	{ "connection-facts",	NULL,	"print database, user and server as key=value lines" },
	{ "schema-only",	NULL,	"the schema only, no data" },
	{ "data-only",		NULL,	"the data only, no schema" },
	{ "table",		"TABLE", "only tables matching the pattern; repeatable" },
	{ "exclude-table",	"TABLE", "not tables matching the pattern; repeatable" },
	{ "exclude-table-data",	"TABLE", "their definition but not their data; repeatable" },
	{ "schema",		"SCHEMA", "only schemas matching the pattern; repeatable" },
	{ "exclude-schema",	"SCHEMA", "not schemas matching the pattern; repeatable" },
	{ "format",		"p",	"plain SQL, the only format (others refused with the reason)" },
	{ "no-owner",		NULL,	"accepted for pg_dump command lines; cr-restore decides owners" },
	{ "no-acl",		NULL,	"accepted for pg_dump command lines" },
	{ "no-privileges",	NULL,	"the same as --no-acl" },
	{ "no-password",	NULL,	"never ask for a password on the terminal" },
	{ "verbose",		NULL,	"print the pg_dump command line and its progress" },
	{ "help",		NULL,	"print this help and exit" },
	{ "version",		NULL,	"print the version and exit" },
	{ "compress",		NULL,	NULL },
	{ "file",		NULL,	NULL },
	{ "jobs",		NULL,	NULL },
	{ "create",		NULL,	NULL },
	{ "clean",		NULL,	NULL },
	{ "inserts",		NULL,	NULL },
	{ "column-inserts",	NULL,	NULL },
	{ "rows-per-insert",	NULL,	NULL },
	{ NULL,			NULL,	NULL }
};

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

/* A pg_dump option cr-dump will not pass on: why, and what to do instead. */
static void __attribute__((noreturn))
refuse(const char *option, const char *why)
{
	fprintf(stderr, "cr-dump: %s: %s\n", option, why);
	exit(EX_USAGE);
}

/* -F: plain is what cr-dump writes; the archive formats are refused. */
static void
check_format(const char *format)
{
	char opt[64];

	if (dumpjob_format_refusal(format) == NULL)
		return;
	snprintf(opt, sizeof(opt), "-F %s", format);
	refuse(opt, dumpjob_format_refusal(format));
}

/* A pg_dump option, passed on and recorded in the header. */
static void
add_arg(struct dumpjob *j, const char *opt, const char *value)
{
	if (dumpjob_add_arg(j, opt, value) == -1) {
		if (errno == E2BIG)
			errx(EX_USAGE, "too many options");
		err(EX_OSERR, NULL);
	}
}

/* A step of the run failed: its words, its exit status (or its signal). */
static void __attribute__((noreturn))
die(const struct dumpjob_fail *f)
{
	warnx("%s", f->msg);
	if (f->hint[0] != '\0')
		fprintf(stderr, "cr-dump: hint: %s\n", f->hint);
	if (f->signal != 0) {
		signal(f->signal, SIG_DFL);
		raise(f->signal);
	}
	exit(f->code);
}

static void
say(const char *line)
{
	warnx("%s", line);
}

static void
parse_options(int argc, char *argv[], struct dumpjob *j)
{
	enum {
		OPT_CHECK = CHAR_MAX + 1, OPT_CONNECTION_FACTS, OPT_EXCLUDE_TABLE_DATA, OPT_INSERTS,
		OPT_COLUMN_INSERTS, OPT_ROWS_PER_INSERT, OPT_HELP
	};
	static const struct option longopts[] = {
		PGCONN_LONGOPTS,
		{ "schema-only",	no_argument,		NULL, 's' },
		{ "data-only",		no_argument,		NULL, 'a' },
		{ "table",		required_argument,	NULL, 't' },
		{ "exclude-table",	required_argument,	NULL, 'T' },
		{ "exclude-table-data",	required_argument,	NULL, OPT_EXCLUDE_TABLE_DATA },
		{ "schema",		required_argument,	NULL, 'n' },
		{ "exclude-schema",	required_argument,	NULL, 'N' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "check",		no_argument,		NULL, OPT_CHECK },
		{ "connection-facts",	no_argument,		NULL, OPT_CONNECTION_FACTS },
		{ "version",		no_argument,		NULL, 'V' },
		{ "help",		no_argument,		NULL, OPT_HELP },
		/* pg_dump's, for what cr-dump always does. */
		{ "format",		required_argument,	NULL, 'F' },
		{ "no-owner",		no_argument,		NULL, 'O' },
		{ "no-acl",		no_argument,		NULL, 'x' },
		{ "no-privileges",	no_argument,		NULL, 'x' },
		{ "no-password",	no_argument,		NULL, 'w' },
		/* pg_dump's, refused with the reason. */
		{ "compress",		required_argument,	NULL, 'Z' },
		{ "file",		required_argument,	NULL, 'f' },
		{ "jobs",		required_argument,	NULL, 'j' },
		{ "create",		no_argument,		NULL, 'C' },
		{ "clean",		no_argument,		NULL, 'c' },
		{ "inserts",		no_argument,		NULL, OPT_INSERTS },
		{ "column-inserts",	no_argument,		NULL, OPT_COLUMN_INSERTS },
		{ "rows-per-insert",	required_argument,	NULL, OPT_ROWS_PER_INSERT },
		{ NULL,			0,			NULL, 0 }
	};
	static const char inserts_why[] = "cr-verify and cr-restore prove a dump's "
	    "row counts from its COPY blocks, so a dump of INSERTs would restore "
	    "unproven; drop it (COPY is also faster to restore)";
	int ch;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-dump",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help, .synopsis = print_usage });
	dumpjob_init(j, CR_VERSION);
	j->copts.ask_password = askpass_tty;
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		if (pgconn_getopt(&j->copts, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (!j->schema_only)
				add_arg(j, "--schema-only", NULL);
			j->schema_only = 1;
			break;
		case 'a':
			if (!j->data_only)
				add_arg(j, "--data-only", NULL);
			j->data_only = 1;
			break;
		case 't':
			add_arg(j, "--table", optarg);
			j->selective = 1;
			break;
		case 'T':
			add_arg(j, "--exclude-table", optarg);
			j->selective = 1;
			break;
		case OPT_EXCLUDE_TABLE_DATA:
			add_arg(j, "--exclude-table-data", optarg);
			j->selective = 1;
			break;
		case 'n':
			add_arg(j, "--schema", optarg);
			j->selective = 1;
			break;
		case 'N':
			add_arg(j, "--exclude-schema", optarg);
			j->selective = 1;
			break;
		case 'v':
			j->verbose = 1;
			break;
		case OPT_CHECK:
			j->check = 1;
			break;
		case OPT_CONNECTION_FACTS:
			j->connection_facts = 1;
			break;
		case 'F':
			check_format(optarg);
			break;
		case 'w':	/* as pg_dump's: never ask for a password */
			j->copts.ask_password = NULL;
			break;
		case 'O':
		case 'x':
			break;	/* always so */
		case 'Z':
			refuse("-Z", "cr-dump does not compress; pipe its output into "
			    "cr-gz (cr-dump app | cr-gz > app.sql.gz)");
		case 'f':
			refuse("-f", "cr-dump writes to standard output; redirect it "
			    "(cr-dump app > app.sql)");
		case 'j':
			refuse("-j", "parallel dumps need -F d, and cr keeps plain SQL, "
			    "which psql restores; drop -j (cr-gz compresses on every core)");
		case 'C':
			refuse("-C", "no CREATE DATABASE in the dump; cr-restore --clean "
			    "creates or replaces the database atomically");
		case 'c':
			refuse("-c", "no DROP statements in the dump; cr-restore --clean "
			    "replaces the whole database atomically");
		case OPT_INSERTS:
			refuse("--inserts", inserts_why);
		case OPT_COLUMN_INSERTS:
			refuse("--column-inserts", inserts_why);
		case OPT_ROWS_PER_INSERT:
			refuse("--rows-per-insert", inserts_why);
		}
	}
	if (j->schema_only && j->data_only)
		refuse("-a and -s", "cannot be used together (a dump of nothing)");
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 1 && j->copts.dbname != NULL))
		usage();
	if (argc == 1)
		j->copts.dbname = argv[0];
}

/* --connection-facts, --check: the facts on stdout (--check: after the
 * privilege check, with pg_dump's). */
static int
check(struct dumpjob *j, struct dumpjob_facts *facts)
{
	struct dumpjob_fail f;

	if ((!j->connection_facts && dumpjob_precheck(j, facts, &f) == -1) ||
	    dumpjob_print_facts(stdout, facts, !j->connection_facts, &f) == -1)
		die(&f);
	PQfinish(facts->conn);
	dumpjob_free(j);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "standard output");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct dumpjob job;
	struct dumpjob_facts facts = { 0 };
	struct dumpjob_out out = { 0 };
	struct dumpjob_fail f;
	struct dumprun *run;

	parse_options(argc, argv, &job);
	if (dumpjob_guard_stdio(&f) == -1 ||	/* stdio open, SIGPIPE ignored */
	    dumpjob_preflight(&job, &facts, say, stdout, &f) == -1)	/* connect, facts, pg_dump */
		die(&f);
	if (job.check || job.connection_facts)
		return check(&job, &facts);	/* facts on stdout; --check: privileges first */
	dumpjob_catch_signals(&out);		/* a signal stops the run, no trailer */
	dumpjob_show(&out, stderr, job.verbose);	/* progress, pg_dump's messages */
	if ((run = dumpjob_start(&job, &facts, &out, &f)) == NULL ||	/* pg_dump, privileges, header */
	    dumpjob_pump(run, &out, &f) == -1 ||	/* pg_dump's output to stdout */
	    dumpjob_finish(run, &out, &facts, &f) == -1)	/* its exit status, the trailer */
		die(&f);
	dumpjob_free(&job);
	return 0;
}
