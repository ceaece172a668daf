/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* restorecmd: one cr-restore run (restorecmd.h). */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "base/io.h"
#include "base/json.h"
#include "base/sig.h"
#include "pg/guard.h"
#include "restore/parallel.h"
#include "restore/replace.h"
#include "restore/restorecmd.h"
#include "sql/restoreplan.h"

static volatile sig_atomic_t interrupted;
static PGcancel *volatile cancel;

static void
on_signal(int sig)
{
	char buf[256];
	PGcancel *c = cancel;

	(void)sig;
	interrupted = 1;
	/* PQcancel is safe in a signal handler: the running statement ends. */
	if (c != NULL)
		PQcancel(c, buf, sizeof(buf));
}

/* The failure for the tool to say; returns code. */
static int __attribute__((format(printf, 3, 4)))
failed(struct restorecmd *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return code;
}

/* A line of cr-restore's on the report's stream. */
static void __attribute__((format(printf, 2, 3)))
say(const struct restorecmd *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report_line(&r->rep, line);
}

/* No connection to dbname: the line every tool says (pgconn_failure) and
 * its hint. */
static int
connect_failed(struct restorecmd *r, enum pgconn_status st, const char *dbname,
    const char *msg)
{
	return pgconn_failure(st, dbname, msg, r->error, sizeof(r->error), &r->hint);
}

/* --json: the outcome as one object (docs/json.md); the reason for a
 * failure is on the report's stream, as without --json. */
static int
json_report(struct restorecmd *r, const char *target, int status)
{
	if (r->json != NULL && report_json(r->json, &r->st, target, r->test ? "test" :
	    r->clean ? "clean" : "in_place", status, io_clock() - r->t0) == -1)
		return failed(r, EX_IOERR, "stdout: %s", strerror(errno));
	return status;
}

/* The progress line (lib/progress): the input read against its size,
 * and what has run. */
static void
progress(void *arg, const struct restore_stats *st)
{
	struct restorecmd *r = arg;
	char extra[128];

	snprintf(extra, sizeof(extra), "%llu statements, %llu tables, %llu rows",
	    (unsigned long long)st->statements, (unsigned long long)st->tables,
	    (unsigned long long)st->rows);
	/* -j FILE: the file is read by offset, not through src.gz */
	progress_update(&r->bar, st->file_bytes > 0 ? st->file_bytes :
	    source_bytes_in(&r->src), extra, 0);
}

/* The options' checks that need more than the options: -t names, -j's
 * buffer, and the input. */
static int
open_input(struct restorecmd *r, const char *operand, struct pgconn_opts *copts)
{
	struct restoreplan *plan;
	const char *buffer, *errstr;
	size_t i;
	int code;

	/* -t names are checked before anything is opened. */
	if ((plan = restoreplan_new(r->ropts.data_only)) == NULL)
		return failed(r, EX_OSERR, "%s", strerror(errno));
	for (i = 0; i < r->ntables; i++)
		if (restoreplan_add(plan, r->tables[i], r->error, sizeof(r->error)) == -1) {
			restoreplan_free(plan);
			return EX_USAGE;
		}
	restoreplan_free(plan);
	/* The COPY data held in memory for -j's workers (tests make it tiny
	 * to force the spill files). */
	if ((buffer = getenv("CR_RESTORE_BUFFER")) != NULL) {
		r->ropts.buffer = strtonum(buffer, 1, (long long)1 << 40, &errstr);
		if (errstr != NULL)
			return failed(r, EX_USAGE, "CR_RESTORE_BUFFER=%s: %s", buffer, errstr);
	}
	r->ropts.tmpdir = parallel_spill_dir(getenv("TMPDIR"));

	/* Without -d, an operand that is a URI or conninfo string, or is no
	 * file and does not look like one, names the database, as psql's
	 * does: `... | cr-restore --clean app_dev`. */
	if (operand != NULL && copts->dbname == NULL && strcmp(operand, "-") != 0) {
		switch (source_operand(operand, STDIN_FILENO)) {
		case SOURCE_OPERAND_AMBIGUOUS:
			return failed(r, EX_USAGE, "\"%s\" is both a file here and maybe a "
			    "database name, and stdin is not a terminal: say which: -d %s for "
			    "the database, ./%s or < %s for the file", operand, operand,
			    operand, operand);
		case SOURCE_OPERAND_DATABASE:
			copts->dbname = operand;
			operand = NULL;
			break;
		case SOURCE_OPERAND_FILE:
			break;
		}
	}
	r->src.name = "stdin";
	r->src.fd = STDIN_FILENO;
	r->src.salvage = r->ropts.salvage = r->salvage;
	if ((code = source_open_input(&r->src, operand, copts->dbname != NULL, &r->sb,
	    r->error, sizeof(r->error))) != 0)
		return code;
	return 0;
}

/* The connection settings, and the refusals they alone decide. */
static int
settings(struct restorecmd *r, struct pgconn_opts *copts)
{
	char reason[512];

	if ((r->params = pgconn_params_new(copts, r->error, sizeof(r->error))) == NULL)
		return EX_USAGE;
	for (size_t w = 0; pgconn_params_warning(r->params, w) != NULL; w++)
		say(r, "%s", pgconn_params_warning(r->params, w));
	/* --clean replaces the database it names: never one libpq falls
	 * back to (the user's name), never one nobody named. */
	if (r->clean && pgconn_params_source(r->params) == NULL)
		return failed(r, EX_USAGE, "--clean needs the database to replace named: "
		    "-d NAME, a URI or conninfo operand, PGDATABASE, DATABASE_URL or "
		    "--env-file (libpq would fall back to the user name)");
	/* The production guard, before anything is touched, on the env file
	 * as pgconn read it.  --test restores into a scratch database only
	 * and never touches the target. */
	if (!r->test && !r->allow_prod &&
	    guard_env(pgconn_params_env(r->params), reason, sizeof(reason)))
		return failed(r, EX_NOPERM, "refusing to restore: %s (--allow-production "
		    "overrides)", reason);
	return 0;
}

int
restorecmd_open(struct restorecmd *r, const char *operand, struct pgconn_opts *copts,
    FILE *err)
{
	int code;

	r->rep = (struct report){ .fp = err, .verbose = r->verbose,
	    .jobs = r->ropts.jobs };
	if ((code = open_input(r, operand, copts)) != 0 || (code = settings(r, copts)) != 0)
		return code;
	r->ropts.single_transaction = r->single;
	r->ropts.extensions = r->extensions;
	r->ropts.nextensions = r->nextensions;
	r->ropts.interrupted = &interrupted;
	r->ropts.notice = report_notice;
	r->ropts.notice_arg = &r->rep;
	r->ropts.report = report_schedule;
	r->ropts.skipped = report_skipped;
	r->ropts.accept_rows = r->accept;
	r->ropts.naccept_rows = r->naccept;
	r->ropts.proof_note = report_proof_note;
	r->ropts.tables = r->tables;
	r->ropts.ntables = r->ntables;
	progress_start(&r->bar, err, r->progress_mode, "cr-restore",
	    S_ISREG(r->sb.st_mode) ? (uint64_t)r->sb.st_size : 0);
	r->rep.bar = &r->bar;
	r->rep.tmpdir = r->ropts.tmpdir;
	if (r->bar.fp != NULL) {
		r->ropts.progress = progress;
		r->ropts.progress_arg = r;
	}
	r->t0 = io_clock();
	return 0;
}

/* The production guard's name and marker checks. */
static int
guard_target(struct restorecmd *r, PGconn *conn, const char *target)
{
	char reason[512];
	int n = 0;

	if (r->allow_prod)
		return 0;
	if (guard_name(target, NULL, reason, sizeof(reason)) ||
	    (n = guard_marker(conn, target, reason, sizeof(reason))) == 1)
		return failed(r, EX_NOPERM, "refusing to restore into \"%s\": %s "
		    "(--allow-production overrides)", target, reason);
	if (n == -1)
		return failed(r, 1, "%s", reason);
	return 0;
}

/* -v: which database, and which setting named it. */
static void
say_target(const struct restorecmd *r, const char *target)
{
	const char *from = pgconn_params_source(r->params);

	if (r->verbose)
		say(r, "database %s (from %s)", target,
		    from != NULL ? from : "libpq's default, the user name");
}

/* Who the script runs as: --role, else the database's owner when a
 * superuser login would run it (lib/restore/target decides). */
static void
choose_role(struct restorecmd *r, PGconn *conn, const char *owner)
{
	char why[512];

	if (r->ropts.role != NULL || r->as_login || !target_runs_as_owner(conn, owner, why,
	    sizeof(why)))
		return;
	strlcpy(r->owner, owner, sizeof(r->owner));
	r->ropts.role = r->owner;
	r->ropts.role_is_owner = 1;
	if (r->verbose)
		say(r, "%s", why);
}

/* Run as the owner or --role, the script may not create an extension only
 * a superuser may; the target has it, so the scratch database gets it
 * first, from the superuser login, while nothing of the dump is in it. */
static void
add_target_extensions(struct restorecmd *r, const struct target *t)
{
	size_t n = r->ropts.nextensions, i;
	int k;

	for (i = 0; i < n; i++)
		r->ext[i] = r->ropts.extensions[i];
	for (k = 0; k < t->next; k++) {
		r->ext[n++] = t->ext[k];
		if (r->verbose)
			say(r, "extension %s first, as the login: \"%s\" has it and only a "
			    "superuser may create it", t->ext[k], r->ropts.dbname);
	}
	r->ropts.extensions = r->ext;
	r->ropts.nextensions = n;
}

/* From now on a signal cancels the statement running on conn (on_signal);
 * NULL: on none. */
static void
cancel_on(PGconn *conn)
{
	PGcancel *c = cancel;

	cancel = NULL;
	PQfreeCancel(c);
	if (conn != NULL)
		cancel = PQgetCancel(conn);
}

/* restore_run on conn, which a signal cancels meanwhile. */
static enum restore_status
run_cancellable(struct restorecmd *r, PGconn *conn, char *errbuf, size_t errlen)
{
	enum restore_status rc;

	cancel_on(conn);
	rc = restore_run(conn, &r->ropts, source_read, &r->src, &r->st, errbuf, errlen);
	progress_clear_line(&r->bar);
	cancel_on(NULL);
	return rc;
}

/* Read the whole input once without executing (restore_scan): bad input
 * is refused before any statement runs.  Returns 0, or the exit status
 * of the refusal, said. */
static int
scan_first(struct restorecmd *r, const char *target)
{
	enum restore_status rc;
	char errbuf[2048];

	rc = restore_scan(source_read, &r->src, &r->ropts, &r->st, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report_failure(&r->rep, &r->src, rc, errbuf);
		say(r, "nothing was executed");
		memset(&r->st, 0, sizeof(r->st));	/* the scan's, not run */
		return json_report(r, target, restore_exit_code(rc));
	}
	if (source_rewind(&r->src) == -1)
		return failed(r, EX_IOERR, "%s: rewind: %s", r->src.name, strerror(errno));
	return 0;
}

/* Without --clean: into the existing database, on conn. */
static int
in_place(struct restorecmd *r, PGconn *conn)
{
	enum restore_status rc;
	const char *target = PQdb(conn);
	char errbuf[2048], owner[128];
	int status;

	say_target(r, target);
	if ((status = guard_target(r, conn, target)) != 0)
		return status;
	r->ropts.dbname = target;
	if (!r->as_login && r->ropts.role == NULL) {
		if (replace_db_owner(conn, target, owner, sizeof(owner), r->error,
		    sizeof(r->error)) == -1)
			return 1;
		choose_role(r, conn, owner);
	}
	/* Nothing undoes a half-applied restore here: a file is read once
	 * without executing, so bad input is refused before any statement
	 * runs.  A pipe cannot be read twice; -1 covers it. */
	if (!r->single && S_ISREG(r->sb.st_mode)) {
		if (r->ropts.jobs > 1 && !r->salvage)	/* -j FILE: random access */
			r->ropts.index = restore_index_new(r->src.fd);
		if ((status = scan_first(r, target)) != 0)
			return status;
	}
	sig_catch_stop(on_signal);
	rc = run_cancellable(r, conn, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report_failure(&r->rep, &r->src, rc, errbuf);
		report_in_place_failure(&r->rep, target, r->single, &r->st);
		status = restore_exit_code(rc);
	} else if (r->verbose)
		report_summary(&r->rep, &r->st, target, 0, 0, io_clock() - r->t0);
	return json_report(r, target, status);
}

/* replace_run's restore into the scratch database. */
static int
load_scratch(void *arg, PGconn *conn)
{
	struct restorecmd *r = arg;
	enum restore_status rc;
	char errbuf[2048];

	rc = run_cancellable(r, conn, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report_failure(&r->rep, &r->src, rc, errbuf);
		return restore_exit_code(rc);
	}
	if (interrupted) {
		say(r, "interrupted");
		return 1;
	}
	return 0;
}

/* replace_run's stop: a signal cancels conn's running statement (maint,
 * from sealing to the swap's commit); was one caught? */
static int
stop_point(void *arg, PGconn *conn)
{
	(void)arg;
	cancel_on(conn);
	return interrupted != 0;
}

static void
scratch_created(void *arg, const char *scratch)
{
	const struct restorecmd *r = arg;

	if (r->verbose)
		say(r, "restoring into scratch database %s", scratch);
}

/* Into a fresh scratch database (lib/replace conducts): test: drop it
 * again, clean: put it in the target's place. */
static int
scratch(struct restorecmd *r, const struct target *t)
{
	PGconn *maint = t->maint;
	const char *target = t->name;
	struct replace_opts ro = { .target = target, .exists = t->exists, .test = r->test,
	    .keep_old = r->keep_old, .pid = (long)getpid(), .now = time(NULL),
	    .load = load_scratch, .created = scratch_created, .stop = stop_point, .arg = r };
	struct replace_outcome o;
	char owner[128] = "";
	int status, superuser;

	sig_catch_stop(on_signal);
	/* -j FILE: read through first (bad input is refused before the scratch
	 * database is made), so the workers read their COPY data from the
	 * file themselves (random access, restore_index_new). */
	if (r->ropts.jobs > 1 && S_ISREG(r->sb.st_mode) && !r->salvage &&
	    (r->ropts.index = restore_index_new(r->src.fd)) != NULL &&
	    (status = scan_first(r, target)) != 0)
		return status;
	if (target_scratch_owner(t, r->clean, r->ropts.role == NULL && !r->as_login,
	    r->ropts.role, owner, sizeof(owner), r->error, sizeof(r->error)) == -1)
		return 1;
	choose_role(r, maint, owner);
	superuser = target_superuser(maint);
	if (r->ropts.role != NULL && superuser)
		add_target_extensions(r, t);
	ro.owner = owner;
	/* Extensions created as a superuser login run their install scripts
	 * with its rights, in schema public: the scratch database is the
	 * login's until they are in (the owner, who may not be trusted,
	 * cannot write in it meanwhile), then given to its owner. */
	if (r->ropts.role != NULL && superuser && r->ropts.nextensions > 0 &&
	    owner[0] != '\0') {
		r->ropts.give_to = owner;
		ro.owner = NULL;
	}
	replace_run(maint, &ro, &o);
	report_outcome(&r->rep, target, &o);
	if (o.state == REPLACE_NOT_STARTED) {
		/* said by report_outcome; the error object too */
		if (r->json != NULL)
			(void)jw_error(r->json, "cr-restore", o.status, o.error);
		return o.status;
	}
	if (o.status == 0 && r->verbose)
		report_summary(&r->rep, &r->st, target, r->clean, o.ended,
		    io_clock() - r->t0);
	return json_report(r, target, o.status);
}

/* --clean's question on the terminal, or --yes.  Returns 0 to go on. */
static int
confirmed(struct restorecmd *r, const struct target *t)
{
	char prompt[1024];

	if (r->yes)
		return 0;
	snprintf(prompt, sizeof(prompt), "cr-restore: this replaces database \"%s\" on %s "
	    "port %s%s with the dump.\nType the database name to confirm: ", t->name,
	    PQhost(t->maint), PQport(t->maint), t->exists ? "" :
	    " (it does not exist yet)");
	switch (r->confirm != NULL ? r->confirm(prompt, t->name) : -1) {
	case -1:
		return failed(r, EX_USAGE, "--clean replaces database \"%s\": confirm on a "
		    "terminal, or pass --yes", t->name);
	case 0:
		return failed(r, 1, "not confirmed: nothing was done to \"%s\"", t->name);
	}
	return 0;
}

/* --clean and --test, through a maintenance connection to another
 * database of the same server.  The target is the database libpq resolves
 * from the user's settings, whatever their source. */
static int
replace(struct restorecmd *r, struct target *t)
{
	const char *target = t->name;
	char errbuf[1024];
	enum target_status ts;
	int status;

	ts = target_open(r->params, t, errbuf, sizeof(errbuf));
	if (t->resolved)
		say_target(r, target);
	switch (ts) {
	case TARGET_ECONNECT:
		return connect_failed(r, t->failed, t->failed_db, errbuf);
	case TARGET_ESYSTEM:
		return failed(r, EX_USAGE, "refusing to replace the system database \"%s\"",
		    target);
	case TARGET_ERROR:
		return failed(r, 1, "%s", errbuf);
	case TARGET_OK:
		break;
	}
	r->ropts.dbname = target;
	if (r->clean && ((status = guard_target(r, t->maint, target)) != 0 ||
	    (status = confirmed(r, t)) != 0))
		return status;
	/* One replacement of a target at a time, and the scratch database of
	 * a running one is not a leftover. */
	switch (replace_lock(t->maint, target, r->test, r->error, sizeof(r->error))) {
	case -1:
		return 1;
	case 0:
		if (r->clean)
			return failed(r, EX_TEMPFAIL, "a restore of \"%s\" is running (another "
			    "cr-restore --clean or --test of it): nothing was done; try again "
			    "when it has finished", target);
		break;	/* --test beside a --clean: its scratch is not ours to judge */
	default:
		report_leftovers(&r->rep, t->maint, target);
	}
	return scratch(r, t);
}

int
restorecmd_run(struct restorecmd *r)
{
	struct target t = { .resolved = 0 };
	enum pgconn_status cs;
	PGconn *conn;
	char msg[1024];
	int status;

	signal(SIGPIPE, SIG_IGN);
	if (r->clean || r->test) {
		status = replace(r, &t);
		if (t.maint != NULL)
			PQfinish(t.maint);
	} else if ((conn = pgconn_open(r->params, NULL, &cs, msg, sizeof(msg))) == NULL)
		status = connect_failed(r, cs, NULL, msg);
	else {
		status = in_place(r, conn);
		PQfinish(conn);
	}
	if (r->salvage && r->error[0] == '\0')
		status = report_salvage(&r->rep, &r->src, status);
	return status;
}

void
restorecmd_free(struct restorecmd *r)
{
	source_close(&r->src);
	restore_index_free(r->ropts.index);
	r->ropts.index = NULL;
	if (r->src.fd != STDIN_FILENO && r->src.fd != -1)
		close(r->src.fd);
	pgconn_params_free(r->params);
	r->params = NULL;
}
