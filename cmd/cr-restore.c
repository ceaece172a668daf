/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-restore: execute a SQL dump into a PostgreSQL database through libpq,
 * refusing psql meta-commands; --clean replaces the target atomically.
 * The run is lib/restore/restorecmd; this is its options and its messages. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/askpass.h"
#include "base/cliopt.h"
#include "base/json.h"
#include "pg/pgconn.h"
#include "restore/pgrestore.h"
#include "restore/restorecmd.h"

#define OPTSTRING	"1ad:h:j:p:t:U:vy"
enum { OPT_PROGRESS = 0x100, OPT_NO_PROGRESS, OPT_JSON };

static int json_out;	/* --json: a failure is an error object on stdout too */

/* A failure: its line on stderr and, with --json, the error object on
 * stdout (docs/json.md); then the exit. */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (jw_vfail(stderr, json_out ? stdout : NULL, "cr-restore", code, fmt, ap) == -1)
		warn("stdout");
	va_end(ap);
	exit(code);
}

static const char synopsis[] = "usage: cr-restore [-1av] [-d dbname] [-h host] [-p port] "
    "[-U user] [--env-file file] [--clean [--keep-old] | --test] [--yes] "
    "[--role role | --as-login] "
    "[--extension name] [-j jobs] [-t table[=other]] [--no-tuning] "
    "[--accept-rows table] [--allow-production] [--salvage] [--trust-dump] "
    "[file | dbname]";

static void
print_usage(FILE *f)
{
	fprintf(f, "%s\n", synopsis);
}

static const struct cliopt_help help[] = {
	PGCONN_HELP,
	{ "clean",		NULL,	"replace the target database atomically" },
	{ "keep-old",		NULL,	"with --clean: keep the replaced database, renamed" },
	{ "test",		NULL,	"restore into a scratch database, prove it, drop it" },
	{ "yes",		NULL,	"do not ask before --clean replaces a database" },
	{ "single-transaction",	NULL,	"everything in one transaction" },
	{ "extension",		"NAME",	"CREATE EXTENSION IF NOT EXISTS first; repeatable" },
	{ "role",		"ROLE",	"SET ROLE before the script, as pg_restore --role" },
	{ "as-login",		NULL,	"a superuser login runs the script itself, not as the owner" },
	{ "accept-rows",	"TABLE", "TABLE may hold other rows than the dump's; repeatable" },
	{ "salvage",		NULL,	"restore what a damaged cr-gz backup still holds" },
	{ "jobs",		"N",	"load on N connections: big tables, idle server cores" },
	{ "no-tuning",		NULL,	"leave the session settings alone" },
	{ "table",		"TABLE[=OTHER]", "restore only this table (as OTHER); repeatable" },
	{ "data-only",		NULL,	"load only rows (COPY blocks)" },
	{ "allow-production",	NULL,	"restore even though the target looks like production" },
	{ "trust-dump",		NULL,	"run every statement, not only what pg_dump writes (dangerous)" },
	{ "verbose",		NULL,	"report the scratch database and a summary; twice: -j's schedule" },
	{ "progress",		NULL,	"a progress line even when stderr is not a terminal" },
	{ "no-progress",	NULL,	"no progress line, even on a terminal" },
	{ "json",		NULL,	"the outcome as one JSON object on stdout" },
	{ "help",		NULL,	"print this help and exit" },
	{ "version",		NULL,	"print the version and exit" },
	/* pg_restore's, refused with the reason (lib/restore/pgrestore) */
	{ "c", NULL, NULL }, { "C", NULL, NULL }, { "e", NULL, NULL },
	{ "O", NULL, NULL }, { "no-owner", NULL, NULL }, { "x", NULL, NULL },
	{ "l", NULL, NULL }, { "L", NULL, NULL }, { "f", NULL, NULL },
	{ NULL,			NULL,	NULL }
};

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	if (json_out && jw_error(stdout, "cr-restore", EX_USAGE, synopsis) == -1)
		warn("stdout");
	exit(EX_USAGE);
}

/* The options into r and copts (getopt_long through lib/cliopt), and
 * what they exclude checked before anything is opened. */
static const char *
parse_options(int argc, char *argv[], struct restorecmd *r, struct pgconn_opts *copts)
{
	static const struct option longopts[] = {
		PGCONN_LONGOPTS,
		{ "clean",		no_argument,		NULL, 'c' },
		{ "test",		no_argument,		NULL, 'T' },
		{ "table",		required_argument,	NULL, 't' },
		{ "data-only",		no_argument,		NULL, 'a' },
		{ "jobs",		required_argument,	NULL, 'j' },
		{ "no-tuning",		no_argument,		NULL, 'N' },
		{ "yes",		no_argument,		NULL, 'y' },
		{ "single-transaction",	no_argument,		NULL, '1' },
		{ "extension",		required_argument,	NULL, 'x' },
		{ "allow-production",	no_argument,		NULL, 'P' },
		{ "keep-old",		no_argument,		NULL, 'K' },
		{ "role",		required_argument,	NULL, 'R' },
		{ "trust-dump",		no_argument,		NULL, 'D' },
		{ "as-login",		no_argument,		NULL, 'L' },
		{ "accept-rows",	required_argument,	NULL, 'A' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "salvage",		no_argument,		NULL, 'S' },
		{ "help",		no_argument,		NULL, 'H' },
		{ "progress",		no_argument,		NULL, OPT_PROGRESS },
		{ "no-progress",	no_argument,		NULL, OPT_NO_PROGRESS },
		{ "json",		no_argument,		NULL, OPT_JSON },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL,			0,			NULL, 0 }
	};
	long long jobs = 1;
	int ch;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-restore",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help, .synopsis = print_usage, .refused = pgrestore_refused });
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		if (pgconn_getopt(copts, ch, optarg))
			continue;
		switch (ch) {
		case '1':
			r->single = 1;
			break;
		case 'S':
			r->salvage = 1;
			break;
		case 'c':
			r->clean = 1;
			break;
		case 'T':
			r->test = 1;
			break;
		case 't':
			if (r->ntables == RESTORECMD_MAXTABLES)
				cliopt_fail("at most %d -t options", RESTORECMD_MAXTABLES);
			r->tables[r->ntables++] = optarg;
			break;
		case 'a':
			r->ropts.data_only = 1;
			break;
		case 'j':
			jobs = cliopt_num(optarg, 0, 256);	/* 0: one per core */
			if (jobs == 0 && (jobs = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
				jobs = 1;
			break;
		case 'N':
			r->ropts.no_tuning = 1;
			break;
		case 'y':
			r->yes = 1;
			break;
		case 'x':
			if (r->nextensions == RESTORECMD_MAXEXT)
				cliopt_fail("at most %d --extension options", RESTORECMD_MAXEXT);
			r->extensions[r->nextensions++] = optarg;
			break;
		case 'P':
			r->allow_prod = 1;
			break;
		case 'K':
			r->keep_old = 1;
			break;
		case 'L':
			r->as_login = 1;
			break;
		case 'R':
			if (*optarg == '\0')
				cliopt_fail("--role: empty role name");
			r->ropts.role = optarg;
			break;
		case 'D':
			r->ropts.trust_dump = 1;
			break;
		case 'A':
			if (r->naccept == RESTORECMD_MAXTABLES)
				cliopt_fail("at most %d --accept-rows options", RESTORECMD_MAXTABLES);
			if (strchr(optarg, '.') == NULL)
				cliopt_fail("--accept-rows %s: name the table with its schema "
				    "(public.%s)", optarg, optarg);
			r->accept[r->naccept++] = optarg;
			break;
		case 'v':
			r->verbose++;
			break;
		case OPT_PROGRESS:
			r->progress_mode = PROGRESS_ON;
			break;
		case OPT_JSON:
			r->json = stdout;
			break;
		case OPT_NO_PROGRESS:
			r->progress_mode = PROGRESS_OFF;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	json_out = r->json != NULL;
	if (argc > 1 || (r->clean && r->test) || (r->keep_old && !r->clean) ||
	    (r->as_login && r->ropts.role != NULL))
		usage();
	r->verbose |= isatty(STDERR_FILENO);
	if (r->salvage && jobs > 1)
		fail(EX_USAGE, "--salvage and -j %lld: a salvage restores on one connection", jobs);
	if (r->single && jobs > 1)
		fail(EX_USAGE, "-1 and -j %lld: one transaction cannot span connections", jobs);
	r->ropts.jobs = (unsigned)jobs;
	return argc == 1 ? argv[0] : NULL;
}

/* A failure restorecmd left to say: its line, its hint, and with --json
 * the error object. */
static void
say_failure(const struct restorecmd *r, int code)
{
	warnx("%s", r->error);
	if (r->hint != NULL)
		warnx("hint: %s", r->hint);
	if (json_out && jw_error(stdout, "cr-restore", code, r->error) == -1)
		warn("stdout");
}

int
main(int argc, char *argv[])
{
	struct pgconn_opts copts = { .appname = "cr-restore", .ask_password = askpass_tty };
	struct restorecmd r = { .confirm = askpass_confirm };
	const char *operand;
	int status;

	operand = parse_options(argc, argv, &r, &copts);
	if ((status = restorecmd_open(&r, operand, &copts, stderr)) == 0)
		status = restorecmd_run(&r);
	if (status != 0 && r.error[0] != '\0')
		say_failure(&r, status);
	restorecmd_free(&r);
	return status;
}
