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

/* "cr-migrate" and the options that said where (connection, directory,
 * tracking), so a command in a hint works when pasted where this ran. */
static char invocation[4096] = "cr-migrate";

/* Append one word to invocation, quoted for a POSIX shell when needed. */
static void
invocation_add(const char *word)
{
	char masked[1024], quoted[2048];

	pgconn_mask(word, masked, sizeof(masked));	/* a URI's password */
	if (shquote(masked, quoted, sizeof(quoted)) == 0) {
		strlcat(invocation, " ", sizeof(invocation));
		strlcat(invocation, quoted, sizeof(invocation));
	}
}

static void
invocation_make(const struct pgconn_opts *c, const char *dir,
    const struct migtrack_opts *t)
{
	const char *const pairs[][2] = {
		{ "--env-file", c->env_file }, { "-d", c->dbname }, { "-h", c->host },
		{ "-p", c->port }, { "-U", c->user }, { "--dir", dir },
		{ "--table", t->table }, { "--json-list", t->json_list }
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i][1] != NULL) {
			invocation_add(pairs[i][0]);
			invocation_add(pairs[i][1]);
		}
}

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

/* One JSON string on stdout. */
static void
json_string(const char *s)
{
	char *q;

	if ((q = json_quote(s)) == NULL)
		err(1, NULL);
	fputs(q, stdout);
	free(q);
}

/* ,"key":["name",...] of the plan entries in state. */
static void
json_names(const char *key, const struct migrate_plan *plan, enum migrate_state state)
{
	size_t i, n = 0;

	printf(",\"%s\":[", key);
	for (i = 0; i < plan->n; i++) {
		if (plan->v[i].state != state)
			continue;
		if (n++ > 0)
			putchar(',');
		json_string(plan->v[i].file != NULL ? plan->v[i].file->name :
		    plan->v[i].applied->name);
	}
	putchar(']');
}

static void
json_version(const char *key, int64_t version)
{
	if (version < 0)
		printf(",\"%s\":null", key);
	else
		printf(",\"%s\":%lld", key, (long long)version);
}

static PGconn *
connect_db(const struct pgconn_params *params)
{
	enum pgconn_status st;
	PGconn *conn;
	char why[1024];
	const char *hint;

	if ((conn = pgconn_open(params, NULL, &st, why, sizeof(why))) == NULL) {
		if ((hint = pgconn_hint(st)) != NULL)
			errx(pgconn_exit_code(st), "cannot connect: %s (%s)", why, hint);
		errx(pgconn_exit_code(st), "cannot connect: %s", why);
	}
	return conn;
}

/* A setting an option did not give: the process environment's key, else
 * the env file's (--env-file, else CR_ENV_FILE) as pgconn read it. */
static const char *
setting(const struct pgconn_params *params, const char *key)
{
	const struct dotenv *env;
	const char *v;

	if ((v = getenv(key)) != NULL && *v != '\0')
		return v;
	if ((env = pgconn_params_env(params)) == NULL)
		return NULL;
	if ((v = dotenv_get(env, key)) != NULL && *v != '\0')
		return v;
	return NULL;
}

/* migcmd's lines: progress on stdout (stderr with --json, where stdout is
 * the JSON), the rest on stderr. */
static void
line(void *arg, enum migcmd_line kind, const char *text)
{
	(void)arg;
	if (kind != MIGCMD_SAY) {
		warnx("%s", text);
		return;
	}
	fprintf(json ? stderr : stdout, "%s\n", text);
	fflush(json ? stderr : stdout);
}

static void
status_json(PGconn *conn, const struct migrate_plan *plan)
{
	const struct migrate_plan_entry *e;
	size_t i;

	printf(JSON_OPEN "\"database\":");
	json_string(PQdb(conn));
	printf(",\"applied\":%zu", plan->n - plan->pending);
	json_names("pending", plan, MIGRATE_PENDING);
	json_names("drifted", plan, MIGRATE_DRIFTED);
	json_names("missing", plan, MIGRATE_MISSING);
	json_version("newest_applied", plan->newest_applied);
	printf(",\"migrations\":[");
	for (i = 0; i < plan->n; i++) {
		e = &plan->v[i];
		printf("%s{\"version\":%lld,\"name\":", i > 0 ? "," : "",
		    (long long)e->version);
		json_string(e->file ? e->file->name : e->applied->name);
		printf(",\"state\":\"%s\",\"applied_at\":", migrate_state_name(e->state));
		if (e->applied && *e->applied->applied_at)
			json_string(e->applied->applied_at);
		else
			printf("null");
		printf(",\"method\":");
		if (e->applied)
			json_string(e->applied->method);
		else
			printf("null");
		putchar('}');
	}
	printf("]}\n");
}

/* status: one line per migration (state, name, applied at, method). */
static void
status_print(const struct migcmd *m)
{
	const struct migrate_plan *p = &m->plan;
	const struct migrate_plan_entry *e;
	size_t i;

	if (json) {
		status_json(m->conn, p);
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

static void
up_json(const struct migcmd *m)
{
	size_t i;

	printf(JSON_OPEN "\"database\":");
	json_string(PQdb(m->conn));
	printf(",\"dry_run\":%s,\"ran\":[", m->dry_run ? "true" : "false");
	for (i = 0; i < m->nran; i++) {
		if (i > 0)
			putchar(',');
		json_string(m->ran[i]->name);
	}
	printf("],\"ran_count\":%zu,\"applied\":%zu", m->nran,
	    m->plan.n - m->plan.pending + m->nran);
	if (m->dry_run)
		json_names("pending", &m->plan, MIGRATE_PENDING);
	else
		printf(",\"pending\":[]");
	json_version("newest_applied", m->newest);
	printf("}\n");
}

/* Files of the directory that are never run, named so that nobody takes
 * them for applied or pending. */
static void
report_skipped(const struct migrate_set *set)
{
	const struct migrate_skipped *s;
	size_t i;

	for (i = 0; !quiet && i < set->nskipped; i++) {
		s = &set->skipped[i];
		if (s->why == MIGRATE_SKIP_DOWN)
			warnx("warning: %s: a down migration: cr-migrate runs up "
			    "migrations only and never runs this file", s->path);
		else
			warnx("warning: %s: not run: cr-migrate runs only "
			    "NNN_name.sql files (the app's own migration command "
			    "can: cr-restore-dev --migrate-command)", s->path);
	}
}

/* The command and its arguments: one of the four, with what it takes. */
static void
check_command(int argc, char *argv[])
{
	const char *command;

	if (argc < 1) {
		warnx("no command given");
		usage();
	}
	command = argv[0];
	if (strcmp(command, "status") != 0 && strcmp(command, "up") != 0 &&
	    strcmp(command, "verify") != 0 && strcmp(command, "baseline") != 0)
		unknown_command(command);
	if (strcmp(command, "baseline") == 0 && argc != 2) {
		warnx("baseline takes one version: cr-migrate baseline VERSION");
		usage();
	}
	if (strcmp(command, "baseline") != 0 && argc != 1) {
		warnx("%s takes no arguments (\"%s\" given)", command, argv[1]);
		usage();
	}
	if (json && strcmp(command, "status") != 0 && strcmp(command, "up") != 0) {
		warnx("--json is for status and up");
		usage();
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
		if ((rc = migcmd_up(m)) == EX_OK && json)
			up_json(m);
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
	struct pgconn_opts conn_opts = { .appname = "cr-migrate" };
	struct migtrack_opts track_opts = { 0 };
	struct migcmd m = { 0 };
	struct migrate_set set;
	struct pgconn_params *params;
	enum migrate_status mst;
	const char *dir = NULL, *dir_given = NULL, *json_list_given = NULL;
	char why[1024], client[512];
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
		case OPT_DIR:		dir = dir_given = optarg; break;
		case OPT_TABLE:		track_opts.table = optarg; break;
		case OPT_JSON_LIST:
			track_opts.json_list = json_list_given = optarg;
			break;
		case OPT_DRY_RUN:	m.dry_run = 1; break;
		case OPT_WAIT:		m.wait = 1; break;
		case OPT_JSON:		json = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	check_command(argc, argv);

	/* The env file is read once, here: its connection settings and
	 * the migration settings below. */
	if ((params = pgconn_params_new(&conn_opts, why, sizeof(why))) == NULL)
		errx(EX_USAGE, "%s", why);
	for (size_t w = 0; pgconn_params_warning(params, w) != NULL; w++)
		warnx("%s", pgconn_params_warning(params, w));
	/* the option, else the environment, else the env file */
	if (dir == NULL && (dir = setting(params, "CR_MIGRATIONS_DIR")) == NULL)
		dir = "migrations";
	if (track_opts.json_list == NULL)
		track_opts.json_list = setting(params, "CR_MIGRATIONS_JSON_LIST");

	migcmd_client_name(client, sizeof(client));
	track_opts.client = client;
	if ((m.track = migtrack_new(&track_opts, why, sizeof(why))) == NULL)
		errx(EX_USAGE, "%s", why);
	if ((mst = migrate_scan(dir, &set, why, sizeof(why))) != MIGRATE_OK)
		errx(mst == MIGRATE_ENOINPUT ? EX_NOINPUT : mst == MIGRATE_EDATA ?
		    EX_DATAERR : mst == MIGRATE_EIO ? EX_IOERR : EX_OSERR, "%s", why);
	/* track_opts.json_list may have come from a setting: pasted
	 * where this ran, the same setting applies. */
	invocation_make(&conn_opts, dir_given, &(struct migtrack_opts){
	    .table = track_opts.table, .json_list = json_list_given });
	report_skipped(&set);
	m.conn = connect_db(params);
	if (verbose)
		fprintf(stderr, "cr-migrate: database %s (from %s)\n", PQdb(m.conn),
		    pgconn_params_source(params) != NULL ? pgconn_params_source(params) :
		    "libpq's default, the user name");

	m.set = &set;
	m.dir = dir;
	m.invocation = invocation;
	m.quiet = quiet;
	m.verbose = verbose;
	m.line = line;
	rc = run(&m, argc, argv);
	migcmd_free(&m);
	PQfinish(m.conn);
	migtrack_free(m.track);
	migrate_set_free(&set);
	pgconn_params_free(params);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return rc;
}
