/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migcmd: cr-migrate's commands (see migcmd.h). */
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

#include "migrate/migcmd.h"
#include "base/dotenv.h"
#include "base/json.h"
#include "base/shquote.h"
#include "migrate/migexec.h"
#include "pg/pgconn.h"

static void emit(struct migcmd *, enum migcmd_line, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
emit(struct migcmd *m, enum migcmd_line kind, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	if ((kind == MIGCMD_SAY || kind == MIGCMD_WARN) && m->quiet)
		return;
	if (kind == MIGCMD_INFO && !m->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->line(m->arg, kind, text);
}

/* The exit status of each module's failures. */
static int
track_exit(enum migtrack_status st)
{
	switch (st) {
	case MIGTRACK_OK:	return EX_OK;
	case MIGTRACK_EUSAGE:	return EX_USAGE;
	case MIGTRACK_EBUSY:	return EX_TEMPFAIL;
	case MIGTRACK_EDATA:	return EX_DATAERR;
	case MIGTRACK_ENOMEM:	return EX_OSERR;
	case MIGTRACK_ESQL:	break;
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
	case MIGEXEC_ENOMEM:	return EX_OSERR;
	case MIGEXEC_ESQL:
	case MIGEXEC_ETRACK:	break;
	}
	return 1;
}

/* A tracking step's failure: its reason, and the exit status (0: none). */
static int
track_failed(struct migcmd *m, enum migtrack_status st, const char *prefix,
    const char *why)
{
	if (st == MIGTRACK_OK)
		return 0;
	emit(m, MIGCMD_ERROR, "%s%s", prefix, why);
	return track_exit(st);
}

static int
oom(struct migcmd *m)
{
	emit(m, MIGCMD_ERROR, "out of memory");
	return EX_OSERR;
}

/* Server notices: a migration's WARNINGs always, its NOTICEs with -v, and
 * never our own ("relation cr_migrations already exists, skipping"). */
static void
notice(void *arg, const PGresult *res)
{
	struct migcmd *m = arg;
	const char *severity, *msg, *detail, *hint;
	char full[2048], line[1024];

	severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (m->running == NULL || m->quiet || severity == NULL)
		return;
	if (!m->verbose && (strcmp(severity, "NOTICE") == 0 ||
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
	emit(m, MIGCMD_WARN, "%s: %s:  %s", m->running,
	    PQresultErrorField(res, PG_DIAG_SEVERITY), line);
}

void
migcmd_init(struct migcmd *m)
{
	m->newest = -1;
	PQsetNoticeReceiver(m->conn, notice, m);
}

/* "osuser@host", recorded with each applied migration beside the role. */
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

/* Append one word to the invocation, quoted for a POSIX shell when
 * needed, a URI's password masked. */
static void
invocation_add(struct migcmd *m, const char *word)
{
	char masked[1024], quoted[2048];

	pgconn_mask(word, masked, sizeof(masked));
	if (shquote(masked, quoted, sizeof(quoted)) == 0) {
		strlcat(m->invocation, " ", sizeof(m->invocation));
		strlcat(m->invocation, quoted, sizeof(m->invocation));
	}
}

/* "cr-migrate" and the options that said where (connection, directory,
 * tracking), so a command in a hint works when pasted where this ran.  A
 * setting that came from the environment is left out: pasted where this
 * ran, the same setting applies. */
static void
invocation_make(struct migcmd *m, const struct migcmd_config *c)
{
	const char *const pairs[][2] = {
		{ "--env-file", c->conn->env_file }, { "-d", c->conn->dbname },
		{ "-h", c->conn->host }, { "-p", c->conn->port }, { "-U", c->conn->user },
		{ "--dir", c->dir }, { "--table", c->table }, { "--json-list", c->json_list }
	};
	size_t i;

	strlcpy(m->invocation, "cr-migrate", sizeof(m->invocation));
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i][1] != NULL) {
			invocation_add(m, pairs[i][0]);
			invocation_add(m, pairs[i][1]);
		}
}

/* Files of the directory that are never run, named so that nobody takes
 * them for applied or pending. */
static void
report_skipped(struct migcmd *m)
{
	const struct migrate_skipped *s;
	size_t i;

	for (i = 0; i < m->set.nskipped; i++) {
		s = &m->set.skipped[i];
		if (s->why == MIGRATE_SKIP_DOWN)
			emit(m, MIGCMD_WARN, "warning: %s: a down migration: "
			    "cr-migrate runs up migrations only and never runs this "
			    "file", s->path);
		else
			emit(m, MIGCMD_WARN, "warning: %s: not run: cr-migrate runs "
			    "only NNN_name.sql files (the app's own migration command "
			    "can: cr-restore-dev --migrate-command)", s->path);
	}
}

int
migcmd_open(struct migcmd *m, const struct migcmd_config *c,
    const struct pgconn_params *params)
{
	struct migtrack_opts topts = { .table = c->table, .json_list = c->json_list };
	enum migrate_status st;
	char why[1024], client[512];

	if ((m->dir = c->dir) == NULL &&
	    (m->dir = setting(params, "CR_MIGRATIONS_DIR")) == NULL)
		m->dir = "migrations";
	if (topts.json_list == NULL)
		topts.json_list = setting(params, "CR_MIGRATIONS_JSON_LIST");
	client_name(client, sizeof(client));
	topts.client = client;
	if ((m->track = migtrack_new(&topts, why, sizeof(why))) == NULL) {
		emit(m, MIGCMD_ERROR, "%s", why);
		return EX_USAGE;
	}
	if ((st = migrate_scan(m->dir, &m->set, why, sizeof(why))) != MIGRATE_OK) {
		emit(m, MIGCMD_ERROR, "%s", why);
		return st == MIGRATE_ENOINPUT ? EX_NOINPUT : st == MIGRATE_EDATA ?
		    EX_DATAERR : st == MIGRATE_EIO ? EX_IOERR : EX_OSERR;
	}
	m->have_set = 1;
	invocation_make(m, c);
	report_skipped(m);
	return 0;
}

static int
lock(struct migcmd *m)
{
	enum migtrack_status st;
	char why[1024];

	st = migtrack_lock(m->track, m->conn, 0, why, sizeof(why));
	if (st == MIGTRACK_EBUSY && m->wait) {
		emit(m, MIGCMD_WARN, "waiting for another cr-migrate on %s to finish",
		    PQdb(m->conn));
		st = migtrack_lock(m->track, m->conn, 1, why, sizeof(why));
	}
	if (st == MIGTRACK_EBUSY) {
		emit(m, MIGCMD_ERROR, "another cr-migrate is running against %s "
		    "(advisory lock %lld); use --wait to wait for it", PQdb(m->conn),
		    (long long)migtrack_lock_key(m->track));
		return EX_TEMPFAIL;
	}
	return track_failed(m, st, "", why);
}

static int
read_plan(struct migcmd *m)
{
	char why[1024];
	int rc;

	if ((rc = track_failed(m, migtrack_read(m->track, m->conn, &m->set,
	    &m->applied, &m->napplied, why, sizeof(why)), "", why)) != 0)
		return rc;
	if (migrate_plan_make(&m->set, m->applied, m->napplied, &m->plan) == -1)
		return oom(m);
	m->have_plan = 1;
	return 0;
}

/* Whether the database has a history cr-migrate can read (*readable), and
 * if not, how many objects of the app it has and one of their names. */
static int
history(struct migcmd *m, int *readable, long *objects, char *example,
    size_t examplelen)
{
	char why[1024];
	int have;
	int rc;

	if ((rc = track_failed(m, migtrack_history(m->track, m->conn, &have, objects,
	    example, examplelen, why, sizeof(why)), "", why)) != 0)
		return rc;
	*readable = have || *objects == 0;
	return 0;
}

/* up on a database that has tables but no history cr-migrate can read
 * (no tracking table, no JSON list): what ran there is unknown, so nothing
 * is run (Flyway's baselineOnMigrate rule).  An empty database is new. */
static int
require_history(struct migcmd *m)
{
	const char *list = migtrack_json_list(m->track);
	char example[512], more[64];
	long objects;
	int readable, rc;

	if ((rc = history(m, &readable, &objects, example, sizeof(example))) != 0)
		return rc;
	if (readable)
		return 0;
	more[0] = '\0';
	if (objects > 1)
		snprintf(more, sizeof(more), " and %ld more", objects - 1);
	emit(m, MIGCMD_ERROR, "%s has tables (%s%s) but no record of applied "
	    "migrations (no %s table%s%s%s): refusing to guess which ran; record "
	    "those it has with: %s baseline VERSION, or name the app's "
	    "own record with --json-list TABLE.COLUMN:KEY (or "
	    "CR_MIGRATIONS_JSON_LIST)", PQdb(m->conn), example, more,
	    migtrack_table(m->track), list ? ", and the JSON list " : "",
	    list ? list : "", list ? " names no table" : "", m->invocation);
	return EX_DATAERR;
}

/* Take the lock, create the table, adopt the JSON list: what up and
 * baseline do before they look at what is applied.  up first makes sure
 * the database's history can be read. */
static int
prepare(struct migcmd *m, int need_history)
{
	size_t adopted, appended;
	char why[1024];
	int rc;

	if ((rc = lock(m)) != 0)
		return rc;
	if (need_history && (rc = require_history(m)) != 0)
		return rc;
	if ((rc = track_failed(m, migtrack_ensure(m->track, m->conn, why,
	    sizeof(why)), "", why)) != 0)
		return rc;
	if ((rc = track_failed(m, migtrack_adopt(m->track, m->conn, &m->set,
	    &adopted, &appended, why, sizeof(why)), "", why)) != 0)
		return rc;
	if (adopted > 0)
		emit(m, MIGCMD_SAY, "Adopted %zu migration(s) from %s", adopted,
		    migtrack_json_list(m->track));
	if (appended > 0)
		emit(m, MIGCMD_INFO, "added %zu migration(s) to %s", appended,
		    migtrack_json_list(m->track));
	return 0;
}

/* Drifted and missing migrations, as warnings (up) or errors (verify);
 * returns how many. */
static size_t
report_problems(struct migcmd *m, enum migcmd_line kind)
{
	const struct migrate_plan_entry *e;
	const char *pre = kind == MIGCMD_WARN ? "warning: " : "";
	size_t i, n = 0;

	for (i = 0; i < m->plan.n; i++) {
		e = &m->plan.v[i];
		if (e->state == MIGRATE_DRIFTED) {
			emit(m, kind, "%s%s: changed since it was applied (recorded "
			    "sha256 %.12s, file %.12s)", pre, e->file->path,
			    e->applied->checksum, e->file->checksum);
			n++;
		} else if (e->state == MIGRATE_MISSING) {
			emit(m, kind, "%s%s: applied (%s) but %s/%s.sql is missing",
			    pre, e->applied->name, e->applied->method, m->dir,
			    e->applied->name);
			n++;
		}
	}
	return n;
}

/* The plan, and the warning that status and verify give on a database
 * whose history cannot be read: they change nothing, but "pending" must
 * not pass for "never ran" there. */
static int
read_and_warn(struct migcmd *m)
{
	char example[512];
	long objects;
	int readable, rc;

	if ((rc = read_plan(m)) != 0 || m->quiet)
		return rc;
	if ((rc = history(m, &readable, &objects, example, sizeof(example))) != 0)
		return rc;
	if (!readable)
		emit(m, MIGCMD_WARN, "warning: %s has tables (%s) but no record of "
		    "applied migrations: those listed as pending may have run "
		    "there; up refuses until told (%s baseline VERSION, or "
		    "--json-list TABLE.COLUMN:KEY)", PQdb(m->conn), example,
		    m->invocation);
	return 0;
}

int
migcmd_status(struct migcmd *m)
{
	return read_and_warn(m);
}

int
migcmd_verify(struct migcmd *m)
{
	int rc;

	if ((rc = read_and_warn(m)) != 0)
		return rc;
	if (report_problems(m, MIGCMD_ERROR) > 0)
		return EX_DATAERR;
	emit(m, MIGCMD_INFO, "%zu applied migration(s) match their files; %zu "
	    "pending", m->plan.n - m->plan.pending, m->plan.pending);
	return EX_OK;
}

/* Refuse what cannot run before running anything. */
static int
check_pending(struct migcmd *m)
{
	struct migexec_failure f;
	enum migexec_status st;
	size_t i;

	for (i = 0; i < m->plan.n; i++) {
		if (m->plan.v[i].state != MIGRATE_PENDING)
			continue;
		if ((st = migexec_check(m->plan.v[i].file, &f)) == MIGEXEC_OK)
			continue;
		/* f.message carries "line N: " where it has a line. */
		emit(m, MIGCMD_ERROR, "%s: %s", m->plan.v[i].file->path, f.message);
		return exec_exit(st);
	}
	return 0;
}

/* A failed migration: what happened, where it left the database, and the
 * command that helps when there is one. */
static int
migration_failed(struct migcmd *m, const struct migration *mig,
    enum migexec_status st, const struct migexec_failure *f)
{
	emit(m, MIGCMD_ERROR, "%s: %s", mig->path, f->message);
	if (migexec_already_exists(f->sqlstate))
		emit(m, MIGCMD_ERROR, "hint: if this database already has %s's "
		    "changes (say, it was restored from a newer production dump), "
		    "record the migrations up to it as applied without running "
		    "them: %s baseline %s", mig->name, m->invocation, mig->number);
	else if (strcmp(f->sqlstate, "25001") == 0 && !mig->no_transaction)
		emit(m, MIGCMD_ERROR, "hint: to run %s outside a transaction, put "
		    "the line \"%s\" at the top of the file", mig->path,
		    MIGRATE_NO_TRANSACTION);
	if (st == MIGEXEC_ETRACK)
		emit(m, MIGCMD_ERROR, "%s ran without a transaction, but is not "
		    "recorded as applied", mig->name);
	else if (f->committed)
		emit(m, MIGCMD_ERROR, "%s runs without a transaction: the "
		    "statements before line %lu stayed committed; it is not "
		    "recorded as applied", mig->name, f->statement_line);
	else if (st == MIGEXEC_ESQL)
		emit(m, MIGCMD_ERROR, "%s was rolled back and is not recorded as "
		    "applied", mig->name);
	return exec_exit(st);
}

int
migcmd_up(struct migcmd *m)
{
	const struct migrate_set *set = &m->set;
	struct migexec_failure f;
	const struct migration *mig;
	enum migexec_status st;
	char example[512];
	long objects, ms;
	size_t i;
	int readable, rc;

	/* With no migration file there is nothing to run: a restored
	 * production database and an empty migrations directory is "nothing
	 * pending", not a refusal.  No tracking table is started on a database
	 * that has tables (an empty table would later pass for "nothing
	 * applied"); on an empty database it is, as before. */
	if (set->n == 0) {
		if ((rc = history(m, &readable, &objects, example,
		    sizeof(example))) != 0)
			return rc;
		if (readable && !m->dry_run && (rc = prepare(m, 0)) != 0)
			return rc;
	} else if (!m->dry_run) {
		if ((rc = prepare(m, 1)) != 0)
			return rc;
	} else if ((rc = require_history(m)) != 0)
		return rc;
	if ((rc = read_plan(m)) != 0)
		return rc;
	if ((m->ran = calloc(m->plan.n + 1, sizeof(*m->ran))) == NULL)
		return oom(m);
	m->newest = m->plan.newest_applied;
	report_problems(m, MIGCMD_WARN);
	if ((rc = check_pending(m)) != 0)
		return rc;
	for (i = 0; i < m->plan.n; i++) {
		if (m->plan.v[i].state != MIGRATE_PENDING)
			continue;
		mig = m->plan.v[i].file;
		if (mig->version < m->plan.newest_applied)
			emit(m, MIGCMD_WARN, "note: %s is older than the newest "
			    "applied migration", mig->name);
		if (m->dry_run) {
			emit(m, MIGCMD_SAY, "Would run migration: %s%s", mig->name,
			    mig->no_transaction ? " (no transaction)" : "");
			continue;
		}
		emit(m, MIGCMD_SAY, "Running migration: %s", mig->name);
		m->running = mig->path;
		st = migexec_apply(m->conn, m->track, mig, &ms, &f);
		m->running = NULL;
		if (st != MIGEXEC_OK)
			return migration_failed(m, mig, st, &f);
		emit(m, MIGCMD_INFO, "%s: %ld ms", mig->name, ms);
		m->ran[m->nran++] = mig;
		if (mig->version > m->newest)
			m->newest = mig->version;
	}
	if (m->dry_run)
		emit(m, MIGCMD_SAY, "Would apply %zu new migration(s)", m->plan.pending);
	else if (m->nran == 0)
		emit(m, MIGCMD_SAY, "No pending migrations");
	else
		emit(m, MIGCMD_SAY, "Applied %zu new migration(s)", m->nran);
	return EX_OK;
}

int
migcmd_baseline(struct migcmd *m, const char *arg)
{
	const struct migration **v;
	const char *errstr;
	char why[1024];
	int64_t upto;
	size_t i, n = 0;
	int rc;

	upto = strtonum(arg, 0, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		emit(m, MIGCMD_ERROR, "baseline %s: version is %s", arg, errstr);
		return EX_USAGE;
	}
	if (migrate_find(&m->set, upto) == NULL) {
		emit(m, MIGCMD_ERROR, "baseline %s: no migration numbered %s in %s",
		    arg, arg, m->dir);
		return EX_USAGE;
	}
	if (!m->dry_run && (rc = prepare(m, 0)) != 0)
		return rc;
	if ((rc = read_plan(m)) != 0)
		return rc;
	if ((v = calloc(m->plan.n + 1, sizeof(*v))) == NULL)
		return oom(m);
	for (i = 0; i < m->plan.n; i++)
		if (m->plan.v[i].state == MIGRATE_PENDING && m->plan.v[i].version <= upto)
			v[n++] = m->plan.v[i].file;
	if (!m->dry_run && (rc = track_failed(m, migtrack_baseline(m->track,
	    m->conn, v, n, why, sizeof(why)), "baseline: ", why)) != 0) {
		free(v);
		return rc;
	}
	for (i = 0; i < n; i++)
		emit(m, MIGCMD_SAY, "%s migration: %s", m->dry_run ?
		    "Would baseline" : "Baselined", v[i]->name);
	free(v);
	emit(m, MIGCMD_SAY, "%s %zu migration(s) as applied without running them",
	    m->dry_run ? "Would record" : "Recorded", n);
	return EX_OK;
}

/* --json: docs/json.md's "migrate" objects. */
/* ,"key":["name",...] of the plan entries in state. */
static void
names_json(struct jw *w, const char *key, const struct migrate_plan *plan,
    enum migrate_state state)
{
	size_t i;

	jw_array(w, key);
	for (i = 0; i < plan->n; i++)
		if (plan->v[i].state == state)
			jw_str(w, NULL, plan->v[i].file != NULL ?
			    plan->v[i].file->name : plan->v[i].applied->name);
	jw_end(w);
}

static void
version_json(struct jw *w, const char *key, int64_t version)
{
	if (version < 0)
		jw_null(w, key);
	else
		jw_int(w, key, version);
}

static void
status_json(struct jw *w, PGconn *conn, const struct migrate_plan *plan)
{
	const struct migrate_plan_entry *e;
	size_t i;

	jw_str(w, "database", PQdb(conn));
	jw_uint(w, "applied", plan->n - plan->pending);
	names_json(w, "pending", plan, MIGRATE_PENDING);
	names_json(w, "drifted", plan, MIGRATE_DRIFTED);
	names_json(w, "missing", plan, MIGRATE_MISSING);
	version_json(w, "newest_applied", plan->newest_applied);
	jw_array(w, "migrations");
	for (i = 0; i < plan->n; i++) {
		e = &plan->v[i];
		jw_object(w, NULL);
		jw_int(w, "version", e->version);
		jw_str(w, "name", e->file ? e->file->name : e->applied->name);
		jw_str(w, "state", migrate_state_name(e->state));
		jw_str(w, "applied_at", e->applied && *e->applied->applied_at ?
		    e->applied->applied_at : NULL);
		jw_str(w, "method", e->applied ? e->applied->method : NULL);
		jw_end(w);
	}
	jw_end(w);
}

static void
up_json(struct jw *w, const struct migcmd *m)
{
	size_t i;

	jw_str(w, "database", PQdb(m->conn));
	jw_bool(w, "dry_run", m->dry_run);
	jw_array(w, "ran");
	for (i = 0; i < m->nran; i++)
		jw_str(w, NULL, m->ran[i]->name);
	jw_end(w);
	jw_uint(w, "ran_count", m->nran);
	jw_uint(w, "applied", m->plan.n - m->plan.pending + m->nran);
	if (m->dry_run)
		names_json(w, "pending", &m->plan, MIGRATE_PENDING);
	else {
		jw_array(w, "pending");
		jw_end(w);
	}
	version_json(w, "newest_applied", m->newest);
}

int
migcmd_json(const struct migcmd *m, FILE *fp)
{
	struct jw w;

	jw_begin(&w, fp);
	if (m->ran != NULL)
		up_json(&w, m);
	else
		status_json(&w, m->conn, &m->plan);
	return jw_finish(&w);
}

void
migcmd_free(struct migcmd *m)
{
	if (m->have_plan)
		migrate_plan_free(&m->plan);
	if (m->applied != NULL)
		migtrack_applied_free(m->applied, m->napplied);
	free(m->ran);
	if (m->have_set)
		migrate_set_free(&m->set);
	if (m->track != NULL)
		migtrack_free(m->track);
	m->track = NULL;
	m->have_set = 0;
	m->ran = NULL;
	m->applied = NULL;
	m->have_plan = 0;
}
