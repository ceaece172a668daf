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
#include "migrate/migexec.h"
#include "migrate/migrate.h"
#include "migrate/migtrack.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"

#define OPTSTRING	"d:h:p:qU:v"

static int quiet, verbose, json;
static const char *notice_file;	/* the migration running, for its notices */

/* "cr-migrate" and the options that said where (connection, directory,
 * tracking), so a command in a hint works when pasted where this ran. */
static char invocation[4096] = "cr-migrate";

/* Append one word to invocation, quoted for a POSIX shell when needed. */
static void
invocation_add(const char *word)
{
	char masked[1024], quoted[2048];
	size_t n = 0;
	const char *p;

	pgconn_mask(word, masked, sizeof(masked));	/* a URI's password */
	if (masked[0] != '\0' && strspn(masked, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == strlen(masked)) {
		strlcpy(quoted, masked, sizeof(quoted));
	} else {
		quoted[n++] = '\'';
		for (p = masked; *p != '\0' && n + 5 < sizeof(quoted); p++) {
			if (*p == '\'') {
				memcpy(quoted + n, "'\\''", 4);
				n += 4;
			} else
				quoted[n++] = *p;
		}
		quoted[n++] = '\'';
		quoted[n] = '\0';
	}
	strlcat(invocation, " ", sizeof(invocation));
	strlcat(invocation, quoted, sizeof(invocation));
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

/* Progress lines the app's developers know, on stdout (stderr with
 * --json, where stdout is the JSON); -q silences them. */
static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
say(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vfprintf(json ? stderr : stdout, fmt, ap);
	va_end(ap);
	fputc('\n', json ? stderr : stdout);
	fflush(json ? stderr : stdout);
}

/* Server notices: a migration's WARNINGs always, its NOTICEs with -v, and
 * never our own ("relation cr_migrations already exists, skipping"). */
static void
notice(void *arg, const PGresult *res)
{
	const char *severity, *msg, *detail, *hint;
	char full[2048], line[1024];

	(void)arg;
	severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (notice_file == NULL || quiet || severity == NULL)
		return;
	if (!verbose && (strcmp(severity, "NOTICE") == 0 ||
	    strcmp(severity, "INFO") == 0 || strcmp(severity, "DEBUG") == 0 ||
	    strcmp(severity, "LOG") == 0))
		return;
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	/* with its DETAIL and HINT, as errors are shown */
	snprintf(full, sizeof(full), "%s%s%s%s%s", msg ? msg : "",
	    detail != NULL ? " DETAIL: " : "", detail != NULL ? detail : "",
	    hint != NULL ? " HINT: " : "", hint != NULL ? hint : "");
	pgconn_oneline(full, line, sizeof(line));
	warnx("%s: %s:  %s", notice_file,
	    PQresultErrorField(res, PG_DIAG_SEVERITY), line);
}

static int
track_exit(enum migtrack_status st)
{
	switch (st) {
	case MIGTRACK_OK:	return EX_OK;
	case MIGTRACK_EUSAGE:	return EX_USAGE;
	case MIGTRACK_EBUSY:	return EX_TEMPFAIL;
	case MIGTRACK_EDATA:	return EX_DATAERR;
	case MIGTRACK_ESQL:
	case MIGTRACK_ENOMEM:	break;
	}
	return 1;
}

static int
exec_exit(enum migexec_status st)
{
	switch (st) {
	case MIGEXEC_OK:	return EX_OK;
	case MIGEXEC_ENOINPUT:	return EX_NOINPUT;
	case MIGEXEC_EDATA:	return EX_DATAERR;
	case MIGEXEC_EIO:	return EX_IOERR;
	case MIGEXEC_ESQL:
	case MIGEXEC_ETRACK:
	case MIGEXEC_ENOMEM:	break;
	}
	return 1;
}

static void
track_check(enum migtrack_status st, const char *why)
{
	if (st != MIGTRACK_OK)
		errx(track_exit(st), "%s", why);
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
	PQsetNoticeReceiver(conn, notice, NULL);
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

/* "osuser@host", recorded with each row next to the database role. */
static void
client_name(char *out, size_t outlen)
{
	struct passwd *pw;
	char host[256];

	if (gethostname(host, sizeof(host)) == -1)
		strlcpy(host, "?", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	pw = getpwuid(geteuid());
	snprintf(out, outlen, "%s@%s", pw ? pw->pw_name : "?", host);
}

static void
lock_or_exit(struct migtrack *t, PGconn *conn, int wait)
{
	enum migtrack_status st;
	char why[1024];

	st = migtrack_lock(t, conn, 0, why, sizeof(why));
	if (st == MIGTRACK_EBUSY && wait) {
		if (!quiet)
			warnx("waiting for another cr-migrate on %s to finish",
			    PQdb(conn));
		st = migtrack_lock(t, conn, 1, why, sizeof(why));
	}
	if (st == MIGTRACK_EBUSY)
		errx(EX_TEMPFAIL, "another cr-migrate is running against %s "
		    "(advisory lock %lld); use --wait to wait for it", PQdb(conn),
		    (long long)migtrack_lock_key(t));
	track_check(st, why);
}

static void
read_plan(struct migtrack *t, PGconn *conn, const struct migrate_set *set,
    struct migrate_applied **applied, size_t *napplied, struct migrate_plan *plan)
{
	char why[1024];

	track_check(migtrack_read(t, conn, set, applied, napplied, why,
	    sizeof(why)), why);
	if (migrate_plan_make(set, *applied, *napplied, plan) == -1)
		err(1, "plan");
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

static int
cmd_status(PGconn *conn, const struct migrate_plan *plan)
{
	const struct migrate_plan_entry *e;
	size_t i;

	for (i = 0; !json && i < plan->n; i++) {
		e = &plan->v[i];
		printf("%s\t%s\t%s\t%s\n", migrate_state_name(e->state),
		    e->file ? e->file->name : e->applied->name,
		    e->applied && *e->applied->applied_at ? e->applied->applied_at : "-",
		    e->applied ? e->applied->method : "-");
	}
	if (json)
		status_json(conn, plan);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	if (verbose)
		warnx("%zu applied, %zu pending, %zu drifted, %zu missing",
		    plan->n - plan->pending - plan->drifted - plan->missing,
		    plan->pending, plan->drifted, plan->missing);
	return EX_OK;
}

/* Warn about drifted and missing migrations; returns how many. */
static size_t
report_problems(const struct migrate_plan *plan, const char *dir, int as_warning)
{
	const struct migrate_plan_entry *e;
	size_t i, n = 0;

	for (i = 0; i < plan->n; i++) {
		e = &plan->v[i];
		if (e->state == MIGRATE_DRIFTED) {
			warnx("%s%s: changed since it was applied (recorded "
			    "sha256 %.12s, file %.12s)", as_warning ? "warning: " : "",
			    e->file->path, e->applied->checksum, e->file->checksum);
			n++;
		} else if (e->state == MIGRATE_MISSING) {
			warnx("%s%s: applied (%s) but %s/%s.sql is missing",
			    as_warning ? "warning: " : "", e->applied->name,
			    e->applied->method, dir, e->applied->name);
			n++;
		}
	}
	return n;
}

static int
cmd_verify(const struct migrate_plan *plan, const char *dir)
{
	size_t n;

	if ((n = report_problems(plan, dir, 0)) > 0)
		return EX_DATAERR;
	if (verbose)
		warnx("%zu applied migration(s) match their files; %zu pending",
		    plan->n - plan->pending, plan->pending);
	return EX_OK;
}

/* Refuse what cannot run before running anything. */
static void
check_pending(const struct migrate_plan *plan)
{
	struct migexec_failure f;
	enum migexec_status st;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		if (plan->v[i].state != MIGRATE_PENDING)
			continue;
		if ((st = migexec_check(plan->v[i].file, &f)) == MIGEXEC_OK)
			continue;
		/* f.message carries "line N: " where it has a line. */
		errx(exec_exit(st), "%s: %s", plan->v[i].file->path, f.message);
	}
}

/* Report a failed migration and exit. */
static _Noreturn void
migration_failed(const struct migration *m, enum migexec_status st,
    const struct migexec_failure *f)
{
	warnx("%s: %s", m->path, f->message);
	if (migexec_already_exists(f->sqlstate))
		warnx("hint: if this database already has %s's changes (say, it "
		    "was restored from a newer production dump), record the "
		    "migrations up to it as applied without running them: "
		    "%s baseline %s", m->name, invocation, m->number);
	else if (strcmp(f->sqlstate, "25001") == 0 && !m->no_transaction)
		warnx("hint: to run %s outside a transaction, put the line "
		    "\"%s\" at the top of the file", m->path, MIGRATE_NO_TRANSACTION);
	if (st == MIGEXEC_ETRACK)
		warnx("%s ran without a transaction, but is not recorded as "
		    "applied", m->name);
	else if (f->committed)
		warnx("%s runs without a transaction: the statements before line "
		    "%lu stayed committed; it is not recorded as applied",
		    m->name, f->statement_line);
	else if (st == MIGEXEC_ESQL)
		warnx("%s was rolled back and is not recorded as applied", m->name);
	exit(exec_exit(st));
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

/* up on a database that has tables but no history cr-migrate can read
 * (no tracking table, no JSON list): what ran there is unknown, so nothing
 * is run (Flyway's baselineOnMigrate rule).  An empty database is new. */
static void
require_history(struct migtrack *t, PGconn *conn)
{
	enum migtrack_status st;
	char why[1024], example[512], more[64];
	long objects;
	int history;

	st = migtrack_history(t, conn, &history, &objects, example, sizeof(example),
	    why, sizeof(why));
	track_check(st, why);
	if (history || objects == 0)
		return;
	more[0] = '\0';
	if (objects > 1)
		snprintf(more, sizeof(more), " and %ld more", objects - 1);
	errx(EX_DATAERR, "%s has tables (%s%s) but no record of applied "
	    "migrations (no %s table%s%s%s): refusing to guess which ran; record "
	    "those it has with: %s baseline VERSION, or name the app's "
	    "own record with --json-list TABLE.COLUMN:KEY (or "
	    "CR_MIGRATIONS_JSON_LIST)", PQdb(conn), example, more,
	    migtrack_table(t), migtrack_json_list(t) ? ", and the JSON list " : "",
	    migtrack_json_list(t) ? migtrack_json_list(t) : "",
	    migtrack_json_list(t) ? " names no table" : "", invocation);
}

/* Whether what ran on the database is known: it has a history cr-migrate
 * can read, or nothing of the app's at all. */
static int
history_readable(struct migtrack *t, PGconn *conn)
{
	char why[1024], example[512];
	long objects;
	int history;

	track_check(migtrack_history(t, conn, &history, &objects, example,
	    sizeof(example), why, sizeof(why)), why);
	return history || objects == 0;
}

/* status and verify change nothing, but do not let "pending" pass for
 * "never ran" on a database whose history cr-migrate cannot read. */
static void
warn_no_history(struct migtrack *t, PGconn *conn)
{
	char why[1024], example[512];
	long objects;
	int history;

	if (quiet)
		return;
	track_check(migtrack_history(t, conn, &history, &objects, example,
	    sizeof(example), why, sizeof(why)), why);
	if (!history && objects > 0)
		warnx("warning: %s has tables (%s) but no record of applied "
		    "migrations: those listed as pending may have run there; "
		    "up refuses until told (%s baseline VERSION, or "
		    "--json-list TABLE.COLUMN:KEY)", PQdb(conn), example, invocation);
}

/* Take the lock, create the table, adopt the JSON list: what up and
 * baseline do before they look at what is applied.  up first makes sure
 * the database's history can be read. */
static void
prepare(struct migtrack *t, PGconn *conn, const struct migrate_set *set, int wait,
    int need_history)
{
	size_t adopted, appended;
	char why[1024];

	lock_or_exit(t, conn, wait);
	if (need_history)
		require_history(t, conn);
	track_check(migtrack_ensure(t, conn, why, sizeof(why)), why);
	track_check(migtrack_adopt(t, conn, set, &adopted, &appended,
	    why, sizeof(why)), why);
	if (adopted > 0)
		say("Adopted %zu migration(s) from %s", adopted,
		    migtrack_json_list(t));
	if (appended > 0 && verbose)
		warnx("added %zu migration(s) to %s", appended, migtrack_json_list(t));
}

static int
cmd_up(struct migtrack *t, PGconn *conn, const struct migrate_set *set,
    const char *dir, int dry_run, int wait)
{
	struct migrate_applied *applied;
	struct migexec_failure f;
	struct migrate_plan plan;
	const struct migration *m, **ran;
	enum migexec_status st;
	size_t napplied, i, done = 0;
	int64_t newest;
	long ms;

	/* With no migration file there is nothing to run: a restored
	 * production database and an empty migrations directory is "nothing
	 * pending", not a refusal.  No tracking table is started on a database
	 * that has tables (an empty table would later pass for "nothing
	 * applied"); on an empty database it is, as before. */
	if (set->n == 0 && !history_readable(t, conn))
		;
	else if (!dry_run)
		prepare(t, conn, set, wait, set->n > 0);
	else if (set->n > 0)
		require_history(t, conn);
	read_plan(t, conn, set, &applied, &napplied, &plan);
	if ((ran = calloc(plan.n + 1, sizeof(*ran))) == NULL)
		err(1, NULL);
	newest = plan.newest_applied;
	if (!quiet)
		report_problems(&plan, dir, 1);
	check_pending(&plan);
	for (i = 0; i < plan.n; i++) {
		if (plan.v[i].state != MIGRATE_PENDING)
			continue;
		m = plan.v[i].file;
		if (m->version < plan.newest_applied && !quiet)
			warnx("note: %s is older than the newest applied migration",
			    m->name);
		if (dry_run) {
			say("Would run migration: %s%s", m->name,
			    m->no_transaction ? " (no transaction)" : "");
			continue;
		}
		say("Running migration: %s", m->name);
		notice_file = m->path;
		st = migexec_apply(conn, t, m, &ms, &f);
		notice_file = NULL;
		if (st != MIGEXEC_OK)
			migration_failed(m, st, &f);
		if (verbose)
			warnx("%s: %ld ms", m->name, ms);
		ran[done++] = m;
		if (m->version > newest)
			newest = m->version;
	}
	if (dry_run)
		say("Would apply %zu new migration(s)", plan.pending);
	else if (done == 0)
		say("No pending migrations");
	else
		say("Applied %zu new migration(s)", done);
	if (json) {
		printf(JSON_OPEN "\"database\":");
		json_string(PQdb(conn));
		printf(",\"dry_run\":%s,\"ran\":[", dry_run ? "true" : "false");
		for (i = 0; i < done; i++) {
			if (i > 0)
				putchar(',');
			json_string(ran[i]->name);
		}
		printf("],\"ran_count\":%zu,\"applied\":%zu", done,
		    plan.n - plan.pending + done);
		if (dry_run)
			json_names("pending", &plan, MIGRATE_PENDING);
		else
			printf(",\"pending\":[]");
		json_version("newest_applied", newest);
		printf("}\n");
	}
	free(ran);
	migrate_plan_free(&plan);
	migtrack_applied_free(applied, napplied);
	return EX_OK;
}

static int
cmd_baseline(struct migtrack *t, PGconn *conn, const struct migrate_set *set,
    const char *dir, const char *arg, int dry_run, int wait)
{
	struct migrate_applied *applied;
	struct migrate_plan plan;
	const struct migration **v;
	enum migtrack_status st;
	const char *errstr;
	char why[1024];
	int64_t upto;
	size_t napplied, i, done = 0;

	upto = strtonum(arg, 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		errx(EX_USAGE, "baseline %s: version is %s", arg, errstr);
	if (migrate_find(set, upto) == NULL)
		errx(EX_USAGE, "baseline %s: no migration numbered %s in %s",
		    arg, arg, dir);
	if (!dry_run)
		prepare(t, conn, set, wait, 0);
	read_plan(t, conn, set, &applied, &napplied, &plan);
	if ((v = calloc(plan.n + 1, sizeof(*v))) == NULL)
		err(1, NULL);
	for (i = 0; i < plan.n; i++)
		if (plan.v[i].state == MIGRATE_PENDING && plan.v[i].version <= upto)
			v[done++] = plan.v[i].file;
	if (!dry_run && (st = migtrack_baseline(t, conn, v, done, why,
	    sizeof(why))) != MIGTRACK_OK)
		errx(track_exit(st), "baseline: %s", why);
	for (i = 0; i < done; i++)
		say("%s migration: %s", dry_run ? "Would baseline" : "Baselined",
		    v[i]->name);
	free(v);
	say("%s %zu migration(s) as applied without running them",
	    dry_run ? "Would record" : "Recorded", done);
	migrate_plan_free(&plan);
	migtrack_applied_free(applied, napplied);
	return EX_OK;
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
	struct migrate_set set;
	struct migrate_applied *applied;
	struct migrate_plan plan;
	struct migtrack *track;
	struct pgconn_params *params;
	enum migrate_status mst;
	const char *dir = NULL, *command, *dir_given = NULL, *json_list_given = NULL;
	char why[1024], client[512];
	size_t napplied;
	int ch, dry_run = 0, wait = 0, rc;
	PGconn *conn;

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
		case OPT_DRY_RUN:	dry_run = 1; break;
		case OPT_WAIT:		wait = 1; break;
		case OPT_JSON:		json = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
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

	client_name(client, sizeof(client));
	track_opts.client = client;
	if ((track = migtrack_new(&track_opts, why, sizeof(why))) == NULL)
		errx(EX_USAGE, "%s", why);
	if ((mst = migrate_scan(dir, &set, why, sizeof(why))) != MIGRATE_OK)
		errx(mst == MIGRATE_ENOINPUT ? EX_NOINPUT : mst == MIGRATE_EDATA ?
		    EX_DATAERR : mst == MIGRATE_EIO ? EX_IOERR : 1, "%s", why);
	/* track_opts.json_list may have come from a setting: pasted
	 * where this ran, the same setting applies. */
	invocation_make(&conn_opts, dir_given, &(struct migtrack_opts){
	    .table = track_opts.table, .json_list = json_list_given });
	report_skipped(&set);
	conn = connect_db(params);
	if (verbose)
		fprintf(stderr, "cr-migrate: database %s (from %s)\n", PQdb(conn),
		    pgconn_params_source(params) != NULL ? pgconn_params_source(params) :
		    "libpq's default, the user name");

	if (strcmp(command, "up") == 0)
		rc = cmd_up(track, conn, &set, dir, dry_run, wait);
	else if (strcmp(command, "baseline") == 0)
		rc = cmd_baseline(track, conn, &set, dir, argv[1], dry_run, wait);
	else {
		read_plan(track, conn, &set, &applied, &napplied, &plan);
		warn_no_history(track, conn);
		rc = strcmp(command, "status") == 0 ? cmd_status(conn, &plan) :
		    cmd_verify(&plan, dir);
		migrate_plan_free(&plan);
		migtrack_applied_free(applied, napplied);
	}
	PQfinish(conn);
	migtrack_free(track);
	migrate_set_free(&set);
	pgconn_params_free(params);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return rc;
}
