/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-restore: execute a SQL dump into a PostgreSQL database through libpq,
 * refusing psql meta-commands; --clean replaces the target atomically. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "guard.h"
#include "gzin.h"
#include "io.h"
#include "parallel.h"
#include "pgconn.h"
#include "pgexec.h"
#include "replace.h"
#include "restore.h"
#include "restoreplan.h"

#define MAXEXT	32
#define MAXTABLES	256

static volatile sig_atomic_t interrupted;
static PGcancel *volatile cancel;

/* The input: a file or stdin, gzip or plain (told apart by the magic). */
struct source {
	const char	*name;
	int		 fd;
	struct gzin	*gz;
};

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: cr-restore [-1av] [-d dbname] [-h host] [-p port] [-U user] "
	    "[--env-file file] [--clean [--keep-old] | --test] [--yes] [--role role] "
	    "[--extension name] [-j jobs] [-t table[=other]] [--no-tuning] "
	    "[--allow-production] [--trust-dump] [file | dbname]\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

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

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static ssize_t
source_read(void *arg, void *buf, size_t len)
{
	struct source *src = arg;
	ssize_t n;

	if ((n = gzin_read(src->gz, buf, len)) == -1)
		errno = gzin_errkind(src->gz) == GZIN_EDATA ? EILSEQ : EIO;
	return n;
}

static int
source_rewind(struct source *src)
{
	gzin_close(src->gz);
	src->gz = NULL;
	if (lseek(src->fd, 0, SEEK_SET) == -1)
		return -1;
	if ((src->gz = gzin_open(src->fd, GZIN_AUTO)) == NULL)
		return -1;
	return 0;
}

static PGconn *
connect_or_exit(const struct pgconn_params *params, const char *dbname)
{
	enum pgconn_status st;
	PGconn *conn;
	const char *hint;
	char msg[1024];

	if ((conn = pgconn_open(params, dbname, &st, msg, sizeof(msg))) != NULL)
		return conn;
	warnx("connecting to %s: %s", dbname != NULL ? dbname : "the database", msg);
	if ((hint = pgconn_hint(st)) != NULL)
		warnx("hint: %s", hint);
	exit(pgconn_exit_code(st));
}

/* Ask on the terminal for the database name.  Returns 1 when typed, 0 when
 * not, -1 when there is no terminal. */
static int
confirm(const char *target, int exists, PGconn *maint)
{
	char line[256];
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	dprintf(fd, "cr-restore: this replaces database \"%s\" on %s port %s%s "
	    "with the dump.\nType the database name to confirm: ", target,
	    PQhost(maint), PQport(maint), exists ? "" : " (it does not exist yet)");
	while (n + 1 < sizeof(line) && (r = read(fd, line + n, 1)) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(fd);
	return strcmp(line, target) == 0;
}

static int
restore_exit_code(enum restore_status rc)
{
	switch (rc) {
	case RESTORE_OK:	return 0;
	case RESTORE_EDATA:	return EX_DATAERR;
	case RESTORE_EIO:	return EX_IOERR;
	case RESTORE_ENOMEM:	return EX_OSERR;
	case RESTORE_EUSAGE:	return EX_USAGE;
	case RESTORE_EPERM:	return EX_NOPERM;
	default:		return 1;
	}
}

/* Report a failed restore_run or restore_scan. */
static void
report(const struct source *src, enum restore_status rc, const char *msg)
{
	if ((rc == RESTORE_EDATA || rc == RESTORE_EIO) && src->gz != NULL &&
	    gzin_errkind(src->gz) != GZIN_ENONE)
		warnx("%s: %s", src->name, gzin_error(src->gz));
	else
		warnx("%s", msg);
}

/* What main decided; shared by the two ways of restoring. */
struct job {
	struct pgconn_params	*params;
	struct source		 src;
	struct stat		 sb;
	struct restore_opts	 ropts;
	struct restore_stats	 st;
	double			 t0;		/* io_clock() at the start */
	double			 last_progress;
	int			 progress_shown;
	int			 clean, test, yes, single, allow_prod, verbose, keep_old;
};

/* A size in IEC units: "812 B", "3.4 KiB", "1.2 GiB". */
static const char *
iec(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}

static void
summary(const struct job *j, const char *target, int ended)
{
	char sessions[64] = "", size[32], peak[32];

	if (j->clean)
		snprintf(sessions, sizeof(sessions), "; %d session%s ended", ended,
		    ended == 1 ? "" : "s");
	fprintf(stderr, "cr-restore: %s: %llu bytes (%s), %llu statements, %llu tables, "
	    "%llu rows in %.2f s%s\n", target, (unsigned long long)j->st.bytes,
	    iec(j->st.bytes, size, sizeof(size)),
	    (unsigned long long)j->st.statements, (unsigned long long)j->st.tables,
	    (unsigned long long)j->st.rows, io_clock() - j->t0, sessions);
	if (j->ropts.jobs > 1)
		fprintf(stderr, "cr-restore: -j %u: %s of COPY data spilled to temporary files "
		    "in %s, at most %s at once\n", j->ropts.jobs,
		    iec(j->st.spilled, size, sizeof(size)),
		    j->ropts.tmpdir != NULL ? j->ropts.tmpdir : "/tmp",
		    iec(j->st.spill_peak, peak, sizeof(peak)));
}

/* On a terminal, a status line rewritten at most twice a second. */
static void
progress(void *arg, const struct restore_stats *st)
{
	struct job *j = arg;
	double t = io_clock();
	char size[32];

	if (t - j->last_progress < 0.5)
		return;
	j->last_progress = t;
	j->progress_shown = 1;
	fprintf(stderr, "\rcr-restore: %s, %llu statements, %llu tables, %llu rows ",
	    iec(st->bytes, size, sizeof(size)), (unsigned long long)st->statements,
	    (unsigned long long)st->tables, (unsigned long long)st->rows);
}

static void
progress_clear(struct job *j)
{
	if (j->progress_shown)
		fputs("\r\033[K", stderr);
	j->progress_shown = 0;
}

/* Server notices, one line each: warnings always, the rest with -v. */
static void
notice(void *arg, unsigned long line, const char *severity, const char *msg)
{
	struct job *j = arg;
	char one[1024];

	if (!j->verbose && strcmp(severity, "WARNING") != 0)
		return;
	progress_clear(j);
	pgconn_oneline(msg, one, sizeof(one));
	fprintf(stderr, "cr-restore: line %lu: %s: %s\n", line, severity, one);
}

/* What -t leaves out of the selection: always said. */
static void
skipped(void *arg, unsigned long line, const char *msg)
{
	struct job *j = arg;

	progress_clear(j);
	fprintf(stderr, "cr-restore: line %lu: %s\n", line, msg);
}

/* The production guard's name and marker checks: exits 77 on a hit. */
static void
guard_target(const struct job *j, PGconn *conn, const char *target)
{
	char reason[512];
	int n = 0;

	if (j->allow_prod)
		return;
	if (guard_name(target, NULL, reason, sizeof(reason)) ||
	    (n = guard_marker(conn, target, reason, sizeof(reason))) == 1)
		errx(EX_NOPERM, "refusing to restore into \"%s\": %s "
		    "(--allow-production overrides)", target, reason);
	if (n == -1)
		errx(1, "%s", reason);
}

/* restore_run on conn, which a signal cancels meanwhile (on_signal). */
static enum restore_status
run_cancellable(struct job *j, PGconn *conn, char *errbuf, size_t errlen)
{
	enum restore_status rc;
	PGcancel *c;

	cancel = PQgetCancel(conn);
	rc = restore_run(conn, &j->ropts, source_read, &j->src, &j->st, errbuf, errlen);
	progress_clear(j);
	c = cancel;
	cancel = NULL;
	PQfreeCancel(c);
	return rc;
}

/* Without --clean: into the existing database. */
static int
restore_in_place(struct job *j)
{
	enum restore_status rc;
	PGconn *conn;
	const char *target;
	char errbuf[2048];
	int status = 0;

	conn = connect_or_exit(j->params, NULL);
	target = PQdb(conn);
	guard_target(j, conn, target);
	j->ropts.dbname = target;
	/* Nothing undoes a half-applied restore here: a file is read once
	 * without executing, so bad input is refused before any statement
	 * runs.  A pipe cannot be read twice; -1 covers it. */
	if (!j->single && S_ISREG(j->sb.st_mode)) {
		rc = restore_scan(source_read, &j->src, &j->ropts, &j->st, errbuf,
		    sizeof(errbuf));
		if (rc != RESTORE_OK) {
			report(&j->src, rc, errbuf);
			warnx("nothing was executed");
			PQfinish(conn);
			return restore_exit_code(rc);
		}
		if (source_rewind(&j->src) == -1)
			err(EX_IOERR, "%s: rewind", j->src.name);
	}
	catch_signals();
	rc = run_cancellable(j, conn, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report(&j->src, rc, errbuf);
		if (j->single)
			warnx("rolled back: \"%s\" is as it was", target);
		else if (j->st.statements > 0)
			warnx("statements before that were executed and stay; "
			    "--clean or -1 make a restore all-or-nothing");
		status = restore_exit_code(rc);
	} else if (j->verbose)
		summary(j, target, 0);
	PQfinish(conn);
	return status;
}

/* A command for the user to copy: psql on the maintenance database. */
static void
psql_command(PGconn *maint, const char *fmt, const char *a, const char *b, char *out,
    size_t outlen)
{
	char qa[160], qb[160], sql[400], shell[900];

	if (pgexec_ident(maint, a, qa, sizeof(qa)) == -1 ||
	    (b != NULL && pgexec_ident(maint, b, qb, sizeof(qb)) == -1)) {
		snprintf(out, outlen, "psql (name too long to quote here)");
		return;
	}
	snprintf(sql, sizeof(sql), fmt, qa, b != NULL ? qb : "");
	if (replace_shell_quote(sql, shell, sizeof(shell)) == -1)
		snprintf(out, outlen, "psql (name too long to quote here)");
	else
		snprintf(out, outlen, "psql -d postgres -c %s", shell);
}

static void
dropdb_command(const char *name, char *out, size_t outlen)
{
	char q[200];

	if (replace_shell_quote(name, q, sizeof(q)) == -1)
		snprintf(out, outlen, "dropdb (name too long to quote here)");
	else
		snprintf(out, outlen, "dropdb %s", q);
}

/* What interrupted runs left for target, each with the command that
 * clears it when running that command is safe. */
static void
report_leftovers(PGconn *maint, const char *target)
{
	struct replace_leftovers l;
	char errbuf[512], cmd[1024];
	int i;

	if (replace_leftovers(maint, target, &l, errbuf, sizeof(errbuf)) == -1) {
		warnx("warning: %s", errbuf);
		return;
	}
	for (i = 0; i < l.nscratch && i < 4; i++) {
		dropdb_command(l.scratch[i], cmd, sizeof(cmd));
		if (l.target_exists)
			warnx("warning: \"%s\" is a scratch database an interrupted run left "
			    "(\"%s\" was never replaced by it): drop it with: %s",
			    l.scratch[i], target, cmd);
		else
			warnx("warning: \"%s\" is a scratch database an interrupted run left; "
			    "\"%s\" does not exist", l.scratch[i], target);
	}
	if (l.nscratch > 4)
		warnx("warning: and %d more scratch databases like them", l.nscratch - 4);
	for (i = 0; i < l.nold && i < 4; i++) {
		if (l.target_exists) {
			dropdb_command(l.old[i], cmd, sizeof(cmd));
			warnx("warning: \"%s\" is the database an interrupted run replaced "
			    "(\"%s\" holds the restored data): drop it with: %s",
			    l.old[i], target, cmd);
		} else {
			psql_command(maint, "ALTER DATABASE %s RENAME TO %s", l.old[i], target,
			    cmd, sizeof(cmd));
			warnx("warning: \"%s\" holds the data of \"%s\", which does not exist: "
			    "rename it back with: %s", l.old[i], target, cmd);
		}
	}
	if (l.nold > 4)
		warnx("warning: and %d more replaced databases like them", l.nold - 4);
	if (l.target_blocked) {
		psql_command(maint, "ALTER DATABASE %s ALLOW_CONNECTIONS true", target, NULL,
		    cmd, sizeof(cmd));
		warnx("warning: \"%s\" refuses connections (datallowconn = false), as a run "
		    "killed while swapping leaves it: allow them again with: %s", target, cmd);
	}
}

/* After a failure with --clean or --test: look where everything is, say so,
 * and drop the scratch database when it is no one's only copy.  Returns 1
 * when the swap turns out to have taken place after all. */
static int
after_failure(PGconn *maint, const char *target, const char *scratch, const char *aside,
    int existed, int keep)
{
	char errbuf[512], cmd[1024];
	int t = -1, s = -1, a = -1, allow = 1;

	if (PQstatus(maint) != CONNECTION_OK)
		PQreset(maint);
	if (PQstatus(maint) != CONNECTION_OK) {
		pgconn_oneline(PQerrorMessage(maint), errbuf, sizeof(errbuf));
		warnx("cannot look where the data is now: %s; \"%s\" holds the old or the "
		    "restored data, never neither; the next run names what is left over",
		    errbuf, target);
		return 0;
	}
	if ((s = replace_db_state(maint, scratch, NULL, errbuf, sizeof(errbuf))) == -1 ||
	    (a = replace_db_state(maint, aside, NULL, errbuf, sizeof(errbuf))) == -1 ||
	    (t = replace_db_state(maint, target, &allow, errbuf, sizeof(errbuf))) == -1) {
		warnx("cannot look where the data is now: %s; the next run names what is "
		    "left over", errbuf);
		return 0;
	}
	if (s == 0 && t == 1 && (a == 1 || !existed)) {
		/* The swap committed before the failure. */
		warnx("\"%s\" holds the restored data", target);
		if (a == 1 && !keep) {
			if (replace_drop(maint, aside, errbuf, sizeof(errbuf)) == -1) {
				dropdb_command(aside, cmd, sizeof(cmd));
				warnx("%s: the old database is left as \"%s\": drop it with: %s",
				    errbuf, aside, cmd);
			}
		}
		return 1;
	}
	if (s == 1 && replace_drop(maint, scratch, errbuf, sizeof(errbuf)) == -1) {
		dropdb_command(scratch, cmd, sizeof(cmd));
		warnx("%s (it holds a copy only: drop it with: %s)", errbuf, cmd);
	}
	if (a == 1) {
		psql_command(maint, "ALTER DATABASE %s RENAME TO %s", aside, target, cmd, sizeof(cmd));
		warnx("\"%s\" holds the old data of \"%s\"%s%s", aside, target,
		    t == 0 ? ", which does not exist: rename it back with: " : "",
		    t == 0 ? cmd : "");
	} else if (existed && t == 1 && allow)
		warnx("\"%s\" is as it was", target);
	else if (existed && t == 1) {
		psql_command(maint, "ALTER DATABASE %s ALLOW_CONNECTIONS true", target, NULL, cmd,
		    sizeof(cmd));
		warnx("\"%s\" holds its old data but refuses connections: allow them with: %s",
		    target, cmd);
	} else if (!existed && t == 0)
		warnx("\"%s\" was not created", target);
	else
		warnx("\"%s\" %s", target, t == 1 ? "exists" : "does not exist");
	return 0;
}

/* Into a fresh scratch database; test: drop it again, clean: put it in
 * the target's place. */
static int
restore_scratch(struct job *j, PGconn *maint, const char *target, int exists)
{
	enum restore_status rc;
	enum pgconn_status cst;
	struct pgexec_error pe;
	PGconn *conn;
	char errbuf[2048], scratch[128], aside[128], owner[128] = "", cmd[1024];
	int status = 0, ended = 0, sealed = 0, swapped = 0;

	catch_signals();
	replace_scratch_name(target, (long)getpid(), scratch, sizeof(scratch));
	if (j->keep_old)
		replace_kept_name(target, time(NULL), aside, sizeof(aside));
	else
		replace_old_name(target, (long)getpid(), aside, sizeof(aside));
	/* The replacement is the same database with new contents: the
	 * target's owner; a new one belongs to --role. */
	if (j->clean && exists &&
	    replace_db_owner(maint, target, owner, sizeof(owner), errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (owner[0] == '\0' && j->ropts.role != NULL)
		strlcpy(owner, j->ropts.role, sizeof(owner));
	if (replace_scratch_create(maint, scratch, target, owner, &pe) == -1) {
		if (pgexec_sqlstate_is(&pe, "42501"))
			warnx("%s (no privilege: a scratch database needs a role with "
			    "CREATEDB that may act as the target's owner)", pe.message);
		else
			warnx("%s", pe.message);
		return pgexec_exit_code(&pe);
	}
	if (j->verbose)
		fprintf(stderr, "cr-restore: restoring into scratch database %s\n", scratch);

	if ((conn = pgconn_open_like(maint, scratch, &cst, errbuf, sizeof(errbuf))) == NULL) {
		warnx("connecting to %s: %s", scratch, errbuf);
		status = pgconn_exit_code(cst);
	} else {
		rc = run_cancellable(j, conn, errbuf, sizeof(errbuf));
		PQfinish(conn);
		if (rc != RESTORE_OK) {
			report(&j->src, rc, errbuf);
			status = restore_exit_code(rc);
		} else if (interrupted) {
			warnx("interrupted");
			status = 1;
		}
	}
	if (status == 0 && j->clean) {
		if (replace_scratch_seal(maint, scratch, &ended, errbuf, sizeof(errbuf)) == -1 ||
		    (exists && replace_carry(maint, target, scratch, errbuf, sizeof(errbuf)) == -1)) {
			warnx("%s", errbuf);
			status = 1;
		} else
			sealed = 1;
		if (j->verbose && sealed && ended > 0)
			fprintf(stderr, "cr-restore: %d session%s on the scratch database ended\n",
			    ended, ended == 1 ? "" : "s");
	}
	if (status == 0 && j->clean) {
		if (replace_swap(maint, scratch, target, aside, j->keep_old, &ended, errbuf,
		    sizeof(errbuf)) == -1) {
			warnx("%s", errbuf);
			status = 1;
		} else
			swapped = 1;
	}
	if (swapped) {
		if (!exists)
			;
		else if (j->keep_old)
			warnx("the replaced database is kept as \"%s\" (to roll back, see "
			    "cr-restore(1))", aside);
		else if (replace_drop(maint, aside, errbuf, sizeof(errbuf)) == -1) {
			dropdb_command(aside, cmd, sizeof(cmd));
			warnx("%s: \"%s\" holds the restored data; the old database is left "
			    "as \"%s\": drop it with: %s", errbuf, target, aside, cmd);
		}
	} else if (j->test && status == 0) {
		if (replace_drop(maint, scratch, errbuf, sizeof(errbuf)) == -1) {
			dropdb_command(scratch, cmd, sizeof(cmd));
			warnx("%s (drop it with: %s)", errbuf, cmd);
		}
	} else if (status != 0) {
		if (after_failure(maint, target, scratch, aside, exists, j->keep_old))
			status = 0;
	}
	if (status == 0 && j->verbose)
		summary(j, target, ended);
	return status;
}

/* --clean and --test, through a maintenance connection to another
 * database of the same server.  The target is the database libpq resolves
 * from the user's settings, whatever their source. */
static int
restore_replace(struct job *j)
{
	enum pgconn_status st;
	PGconn *conn, *maint;
	const char *maintdb, *hint;
	char errbuf[1024], target[256];
	int exists, status;

	conn = pgconn_open_resolved(j->params, target, sizeof(target), &st, errbuf,
	    sizeof(errbuf));
	if (conn == NULL && (target[0] == '\0' ||
	    (st != PGCONN_ENODB && st != PGCONN_EREFUSED))) {
		warnx("connecting to %s: %s", target[0] != '\0' ? target : "the database",
		    errbuf);
		if ((hint = pgconn_hint(st)) != NULL)
			warnx("hint: %s", hint);
		exit(pgconn_exit_code(st));
	}
	maintdb = strcmp(target, "postgres") == 0 ? "template1" : "postgres";
	if (conn != NULL) {
		maint = pgconn_open_like(conn, maintdb, &st, errbuf, sizeof(errbuf));
		PQfinish(conn);
		if (maint == NULL) {
			warnx("connecting to %s: %s", maintdb, errbuf);
			exit(pgconn_exit_code(st));
		}
	} else
		maint = connect_or_exit(j->params, maintdb);
	if (strcmp(target, maintdb) == 0 || strcmp(target, "template0") == 0 ||
	    strcmp(target, "template1") == 0)
		errx(EX_USAGE, "refusing to replace the system database \"%s\"", target);
	j->ropts.dbname = target;
	if ((exists = replace_db_state(maint, target, NULL, errbuf, sizeof(errbuf))) == -1)
		errx(1, "%s", errbuf);

	if (j->clean) {
		guard_target(j, maint, target);
		if (!j->yes) {
			switch (confirm(target, exists, maint)) {
			case -1:
				errx(EX_USAGE, "--clean replaces database \"%s\": confirm on a "
				    "terminal, or pass --yes", target);
			case 0:
				errx(1, "not confirmed: nothing was done to \"%s\"", target);
			}
		}
	}
	report_leftovers(maint, target);
	status = restore_scratch(j, maint, target, exists);
	PQfinish(maint);
	return status;
}

/* A path, or a name with a dump's suffix: never taken for a database name. */
static int
looks_like_file(const char *s)
{
	static const char *const suffixes[] = { ".sql", ".gz", ".dump", ".txt" };
	size_t i, n = strlen(s), k;

	if (strchr(s, '/') != NULL)
		return 1;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		k = strlen(suffixes[i]);
		if (n > k && strcmp(s + n - k, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
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
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "help",		no_argument,		NULL, 'H' },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL,			0,			NULL, 0 }
	};
	struct pgconn_opts copts = { .appname = "cr-restore" };
	struct job j = { .src = { .name = "stdin", .fd = STDIN_FILENO } };
	const char *extensions[MAXEXT], *tables[MAXTABLES];
	struct restoreplan *plan;
	char errbuf[1024], reason[512];
	int ch, status;
	size_t next = 0, ntables = 0, i;
	long long jobs = 1;
	const char *errstr, *buffer;

	while ((ch = getopt_long(argc, argv, "1ad:h:j:p:t:U:vy?", longopts, NULL)) != -1) {
		if (pgconn_getopt(&copts, ch, optarg))
			continue;
		switch (ch) {
		case '1':
			j.single = 1;
			break;
		case 'c':
			j.clean = 1;
			break;
		case 'T':
			j.test = 1;
			break;
		case 't':
			if (ntables == MAXTABLES)
				errx(EX_USAGE, "at most %d -t options", MAXTABLES);
			tables[ntables++] = optarg;
			break;
		case 'a':
			j.ropts.data_only = 1;
			break;
		case 'j':
			jobs = strtonum(optarg, 0, 256, &errstr);
			if (errstr != NULL)
				errx(EX_USAGE, "-j %s: %s (0 to 256; 0: one per online core)",
				    optarg, errstr);
			if (jobs == 0 && (jobs = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
				jobs = 1;
			break;
		case 'N':
			j.ropts.no_tuning = 1;
			break;
		case 'y':
			j.yes = 1;
			break;
		case 'x':
			if (next == MAXEXT)
				errx(EX_USAGE, "at most %d --extension options", MAXEXT);
			extensions[next++] = optarg;
			break;
		case 'P':
			j.allow_prod = 1;
			break;
		case 'K':
			j.keep_old = 1;
			break;
		case 'R':
			if (*optarg == '\0')
				errx(EX_USAGE, "--role: empty role name");
			j.ropts.role = optarg;
			break;
		case 'D':
			j.ropts.trust_dump = 1;
			break;
		case 'H':
			print_usage(stdout);
			return 0;
		case '?':
			/* -? asks for help; getopt also says '?' for a bad option */
			if (optind > 1 && strcmp(argv[optind - 1], "-?") == 0) {
				print_usage(stdout);
				return 0;
			}
			usage();
		case 'v':
			j.verbose = 1;
			break;
		case 'V':
			printf("cr-restore %s\n", CR_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (j.clean && j.test) || (j.keep_old && !j.clean))
		usage();
	j.verbose |= isatty(STDERR_FILENO);
	if (j.single && jobs > 1)
		errx(EX_USAGE, "-1 and -j %lld: one transaction cannot span connections", jobs);
	j.ropts.jobs = (unsigned)jobs;
	j.ropts.tmpdir = parallel_spill_dir(getenv("TMPDIR"));
	/* The COPY data held in memory for -j's workers (tests make it tiny
	 * to force the spill files). */
	if ((buffer = getenv("CR_RESTORE_BUFFER")) != NULL) {
		j.ropts.buffer = strtonum(buffer, 1, (long long)1 << 40, &errstr);
		if (errstr != NULL)
			errx(EX_USAGE, "CR_RESTORE_BUFFER=%s: %s", buffer, errstr);
	}
	/* -t names are checked before anything is opened. */
	if ((plan = restoreplan_new(j.ropts.data_only)) == NULL)
		err(EX_OSERR, NULL);
	for (i = 0; i < ntables; i++)
		if (restoreplan_add(plan, tables[i], errbuf, sizeof(errbuf)) == -1)
			errx(EX_USAGE, "%s", errbuf);
	restoreplan_free(plan);

	/* Without -d, an operand that is no file and does not look like one
	 * names the database, as psql's does: `... | cr-restore --clean app_dev`. */
	if (argc == 1 && copts.dbname == NULL && strcmp(argv[0], "-") != 0 &&
	    !looks_like_file(argv[0]) && access(argv[0], F_OK) == -1 && errno == ENOENT) {
		copts.dbname = argv[0];
		argc = 0;
	}
	if (argc == 1 && strcmp(argv[0], "-") != 0) {
		j.src.name = argv[0];
		if ((j.src.fd = open(argv[0], O_RDONLY | O_CLOEXEC)) == -1) {
			if (errno == ENOENT && copts.dbname == NULL)
				errx(EX_NOINPUT, "%s: no such file (the database is given with -d)",
				    argv[0]);
			err(EX_NOINPUT, "%s", argv[0]);
		}
	} else if (isatty(STDIN_FILENO))
		errx(EX_USAGE, "the dump comes from a file or a pipe, not the terminal");
	if (fstat(j.src.fd, &j.sb) == -1)
		err(EX_NOINPUT, "%s", j.src.name);
	if (S_ISDIR(j.sb.st_mode))
		errx(EX_NOINPUT, "%s: is a directory (a directory-format dump is for pg_restore)",
		    j.src.name);
	if ((j.src.gz = gzin_open(j.src.fd, GZIN_AUTO)) == NULL)
		err(EX_OSERR, "%s", j.src.name);

	if ((j.params = pgconn_params_new(&copts, errbuf, sizeof(errbuf))) == NULL)
		errx(EX_USAGE, "%s", errbuf);
	for (size_t w = 0; pgconn_params_warning(j.params, w) != NULL; w++)
		warnx("%s", pgconn_params_warning(j.params, w));
	/* The production guard, before anything is touched, on the env file
	 * as pgconn read it.  --test restores into a scratch database only
	 * and never touches the target. */
	if (!j.test && !j.allow_prod &&
	    guard_env(pgconn_params_env(j.params), reason, sizeof(reason)))
		errx(EX_NOPERM, "refusing to restore: %s (--allow-production overrides)", reason);

	j.ropts.single_transaction = j.single;
	j.ropts.extensions = extensions;
	j.ropts.nextensions = next;
	j.ropts.interrupted = &interrupted;
	j.ropts.notice = notice;
	j.ropts.notice_arg = &j;
	j.ropts.skipped = skipped;
	j.ropts.tables = tables;
	j.ropts.ntables = ntables;
	if (isatty(STDERR_FILENO)) {
		j.ropts.progress = progress;
		j.ropts.progress_arg = &j;
	}
	signal(SIGPIPE, SIG_IGN);
	j.t0 = io_clock();

	if (j.clean || j.test)
		status = restore_replace(&j);
	else
		status = restore_in_place(&j);
	gzin_close(j.src.gz);
	if (j.src.fd != STDIN_FILENO)
		close(j.src.fd);
	pgconn_params_free(j.params);
	return status;
}
