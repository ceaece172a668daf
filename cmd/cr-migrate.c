/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-migrate: apply a directory's pending NNN_name.sql migrations to a
 * database exactly once, in order, each in its own transaction, and say
 * what is applied, pending or changed. */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "base/askpass.h"
#include "base/cliopt.h"
#include "base/dotenv.h"
#include "base/json.h"
#include "base/shquote.h"
#include "migrate/migcmd.h"
#include "migrate/migrate.h"
#include "migrate/migtrack.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"

#define OPTSTRING	"d:h:p:qU:v"

static int quiet, verbose, json;

#define COMMANDS	"status, up, baseline VERSION, verify"

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: cr-migrate [-qv] [--json] [-d dbname] [-h host] [-p port] "
	    "[-U user]\n                  [--env-file file] [--dir dir] [--table name]\n"
	    "                  [--json-list table.column:key] [--dry-run] [--wait] "
	    "command\ncommands: " COMMANDS "\n");
}

static const struct cliopt_help help_lines[] = {
	PGCONN_HELP,
	{ "dir",	"DIR",		"the migrations directory (CR_MIGRATIONS_DIR)" },
	{ "table",	"NAME",		"the tracking table (cr_migrations)" },
	{ "json-list",	"TABLE.COLUMN:KEY", "also keep the app's own JSON list in step" },
	{ "dry-run",	NULL,		"with up: print what would run, run nothing" },
	{ "wait",	NULL,		"wait for another cr-migrate instead of exiting 75" },
	{ "json",	NULL,		"with status or up: one JSON object on stdout" },
	{ "quiet",	NULL,		"print nothing but errors" },
	{ "verbose",	NULL,		"also each migration's duration on stderr" },
	{ "help",	NULL,		"print this help and exit" },
	{ "version",	NULL,		"print the version and exit" },
	{ NULL,		NULL,		NULL }
};

static _Noreturn void
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

static _Noreturn void
unknown_command(const char *command)
{
	warnx("unknown command \"%s\"", command);
	fprintf(stderr, "cr-migrate: commands: " COMMANDS "\n");
	exit(EX_USAGE);
}

static char first_error[1024];	/* migcmd's first ERROR line, for --json */

/* A failure: its line on stderr and, with --json, the error object on
 * stdout; then the exit. */
static _Noreturn void fail(int, const char *, ...) __attribute__((format(printf, 2, 3)));
static _Noreturn void
fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jw_vfail(stderr, json ? stdout : NULL, "cr-migrate", code, fmt, ap);
	va_end(ap);
	exit(code);
}

static PGconn *
connect_db(const struct pgconn_params *params)
{
	enum pgconn_status st;
	PGconn *conn;
	char why[1024], msg[1200];
	const char *hint;
	int code;

	if ((conn = pgconn_open(params, NULL, &st, why, sizeof(why))) == NULL) {
		code = pgconn_failure(st, NULL, why, msg, sizeof(msg), &hint);
		if (hint == NULL)
			fail(code, "%s", msg);
		warnx("%s", msg);
		warnx("hint: %s", hint);
		if (json)
			jw_error(stdout, "cr-migrate", code, msg);
		exit(code);
	}
	return conn;
}

/* migcmd's lines: progress on stdout (stderr with --json, where stdout is
 * the JSON), the rest on stderr. */
static void
line(void *arg, enum migcmd_line kind, const char *text)
{
	(void)arg;
	if (kind == MIGCMD_ERROR && first_error[0] == '\0')
		strlcpy(first_error, text, sizeof(first_error));
	if (kind != MIGCMD_SAY) {
		warnx("%s", text);
		return;
	}
	fprintf(json ? stderr : stdout, "%s\n", text);
	fflush(json ? stderr : stdout);
}

/* status: one line per migration (state, name, applied at, method). */
static void
status_print(const struct migcmd *m)
{
	const struct migrate_plan *p = &m->plan;
	const struct migrate_plan_entry *e;
	size_t i;

	if (json) {
		if (migcmd_json(m, stdout) == -1)
			err(EX_IOERR, "stdout");
		return;
	}
	for (i = 0; i < p->n; i++) {
		e = &p->v[i];
		printf("%s\t%s\t%s\t%s\n", migrate_state_name(e->state),
		    e->file ? e->file->name : e->applied->name,
		    e->applied && *e->applied->applied_at ? e->applied->applied_at : "-",
		    e->applied ? e->applied->method : "-");
	}
}

/* A mistake in the command line after the options: said, as an error
 * object too with --json, then the usage. */
static _Noreturn void usage_error(const char *, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void
usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx("%s", msg);
	if (json)
		jw_error(stdout, "cr-migrate", EX_USAGE, msg);
	usage();
}

/* The command and its arguments: one of the four, with what it takes. */
static void
check_command(int argc, char *argv[])
{
	const char *command;

	if (argc < 1) {
		usage_error("no command given");
	}
	command = argv[0];
	if (strcmp(command, "status") != 0 && strcmp(command, "up") != 0 &&
	    strcmp(command, "verify") != 0 && strcmp(command, "baseline") != 0)
		unknown_command(command);
	if (strcmp(command, "baseline") == 0 && argc != 2) {
		usage_error("baseline takes one version: cr-migrate baseline VERSION");
	}
	if (strcmp(command, "baseline") != 0 && argc != 1) {
		usage_error("%s takes no arguments (\"%s\" given)", command, argv[1]);
	}
	if (json && strcmp(command, "status") != 0 && strcmp(command, "up") != 0) {
		usage_error("--json is for status and up");
	}
}

/* Run the command; its output, then its exit status. */
static int
run(struct migcmd *m, int argc, char *argv[])
{
	const char *command = argv[0];
	int rc;

	(void)argc;
	migcmd_init(m);
	if (strcmp(command, "up") == 0) {
		if ((rc = migcmd_up(m)) == EX_OK && json &&
		    migcmd_json(m, stdout) == -1)
			err(EX_IOERR, "stdout");
	} else if (strcmp(command, "baseline") == 0)
		rc = migcmd_baseline(m, argv[1]);
	else if (strcmp(command, "verify") == 0)
		rc = migcmd_verify(m);
	else if ((rc = migcmd_status(m)) == EX_OK) {
		status_print(m);
		if (fflush(stdout) == EOF || ferror(stdout))
			err(EX_IOERR, "stdout");
		if (verbose)
			warnx("%zu applied, %zu pending, %zu drifted, %zu missing",
			    m->plan.n - m->plan.pending - m->plan.drifted -
			    m->plan.missing, m->plan.pending, m->plan.drifted,
			    m->plan.missing);
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	enum {
		OPT_DIR = CHAR_MAX + 1, OPT_TABLE, OPT_JSON_LIST,
		OPT_DRY_RUN, OPT_WAIT, OPT_VERSION, OPT_JSON, OPT_HELP
	};
	static const struct option longopts[] = {
		PGCONN_LONGOPTS,
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "dir",	required_argument,	NULL, OPT_DIR },
		{ "table",	required_argument,	NULL, OPT_TABLE },
		{ "json-list",	required_argument,	NULL, OPT_JSON_LIST },
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ "wait",	no_argument,		NULL, OPT_WAIT },
		{ "version",	no_argument,		NULL, OPT_VERSION },
		{ "json",	no_argument,		NULL, OPT_JSON },
		{ "help",	no_argument,		NULL, OPT_HELP },
		{ NULL,		0,			NULL, 0 }
	};
	struct pgconn_opts conn_opts = { .appname = "cr-migrate",
	    .ask_password = askpass_tty };
	struct migcmd_config cfg = { .conn = &conn_opts };
	struct migcmd m = { .line = line };
	struct pgconn_params *params;
	char why[1024];
	int ch, rc;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-migrate",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help_lines, .synopsis = print_usage });
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		if (pgconn_getopt(&conn_opts, ch, optarg))
			continue;
		switch (ch) {
		case 'q':		quiet = 1; verbose = 0; break;
		case 'v':		verbose = 1; quiet = 0; break;
		case OPT_DIR:		cfg.dir = optarg; break;
		case OPT_TABLE:		cfg.table = optarg; break;
		case OPT_JSON_LIST:	cfg.json_list = optarg; break;
		case OPT_DRY_RUN:	m.dry_run = 1; break;
		case OPT_WAIT:		m.wait = 1; break;
		case OPT_JSON:		json = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	check_command(argc, argv);

	/* The env file is read once, here: its connection settings and
	 * the migration settings. */
	if ((params = pgconn_params_new(&conn_opts, why, sizeof(why))) == NULL)
		fail(EX_USAGE, "%s", why);
	for (size_t w = 0; pgconn_params_warning(params, w) != NULL; w++)
		warnx("%s", pgconn_params_warning(params, w));
	m.quiet = quiet;
	m.verbose = verbose;
	if ((rc = migcmd_open(&m, &cfg, params)) != 0) {
		if (json)	/* migcmd said why on stderr */
			jw_error(stdout, "cr-migrate", rc, first_error);
		migcmd_free(&m);
		pgconn_params_free(params);
		return rc;
	}
	m.conn = connect_db(params);
	if (verbose)
		fprintf(stderr, "cr-migrate: database %s (from %s)\n", PQdb(m.conn),
		    pgconn_params_source(params) != NULL ? pgconn_params_source(params) :
		    "libpq's default, the user name");
	rc = run(&m, argc, argv);
	if (rc != EX_OK && json)
		jw_error(stdout, "cr-migrate", rc, first_error);
	migcmd_free(&m);
	PQfinish(m.conn);
	pgconn_params_free(params);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return rc;
}
