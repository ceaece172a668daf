/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-restore: execute a SQL dump into a PostgreSQL database through libpq,
 * refusing psql meta-commands; --clean replaces the target atomically. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

#include "base/askpass.h"
#include "base/cliopt.h"
#include "pg/guard.h"
#include "gz/gzin.h"
#include "base/io.h"
#include "base/json.h"
#include "restore/parallel.h"
#include "restore/pgrestore.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"
#include "base/progress.h"
#include "restore/replace.h"
#include "restore/report.h"
#include "restore/restore.h"
#include "restore/source.h"
#include "restore/target.h"
#include "sql/restoreplan.h"

#define MAXEXT	32
#define OPTSTRING	"1ad:h:j:p:t:U:vy"
enum { OPT_PROGRESS = 0x100, OPT_NO_PROGRESS, OPT_JSON };
#define MAXTABLES	256

static volatile sig_atomic_t interrupted;
static PGcancel *volatile cancel;

static int json_out;	/* --json: a failure before the outcome is an object too */

/* A failure that leaves nothing else to print: the line on stderr and,
 * with --json, the error object on stdout (docs/json.md). */
static void
json_fail(int code, const char *msg)
{
	if (json_out && jw_error(stdout, "cr-restore", code, msg) == -1)
		warn("stdout");
}

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

/* fail, with errno's text after fmt's (as err(3)). */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail_errno(int code, const char *fmt, ...)
{
	char msg[2048];
	const char *why = strerror(errno);
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	snprintf(msg + n, sizeof(msg) - n, ": %s", why);
	fail(code, "%s", msg);
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
	json_fail(EX_USAGE, synopsis);
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

/* No connection to dbname: the line every tool says (pgconn_failure) and
 * its hint, with --json the error object; the exit. */
static void __attribute__((noreturn))
connect_failed(enum pgconn_status st, const char *dbname, const char *msg)
{
	const char *hint;
	char line[1200];
	int code;

	code = pgconn_failure(st, dbname, msg, line, sizeof(line), &hint);
	warnx("%s", line);
	if (hint != NULL)
		warnx("hint: %s", hint);
	json_fail(code, line);
	exit(code);
}

static PGconn *
connect_or_exit(const struct pgconn_params *params, const char *dbname)
{
	enum pgconn_status st;
	PGconn *conn;
	char msg[1024];

	if ((conn = pgconn_open(params, dbname, &st, msg, sizeof(msg))) == NULL)
		connect_failed(st, dbname, msg);
	return conn;
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

/* What main decided; shared by the two ways of restoring. */
struct job {
	struct pgconn_params	*params;
	struct source		 src;
	struct stat		 sb;
	struct restore_opts	 ropts;
	struct restore_stats	 st;
	double			 t0;		/* io_clock() at the start */
	struct progress		 bar;		/* lib/progress */
	struct report		 rep;		/* lib/restore/report */
	enum progress_mode	 progress_mode;
	int			 clean, test, yes, single, allow_prod, verbose, keep_old;
	int			 json;		/* --json: the outcome on stdout */
	int			 as_login;	/* --as-login */
	char			 owner[128];	/* the role the script runs as
						 * when none is given */
	/* --extension, then the target's extensions only a superuser could
	 * create, when the script runs as the owner in a scratch database. */
	const char		*ext[MAXEXT + TARGET_MAXEXT];
	/* the options' lists, which ropts points into */
	const char		*extensions[MAXEXT], *tables[MAXTABLES], *accept[MAXTABLES];
	size_t			 nextensions, ntables, naccept;
	const char		*operand;	/* the file or database, or NULL */
};

/* --json: the outcome as one object on stdout (docs/json.md); the reason
 * for a failure is on stderr, as without --json. */
static void
json_report(const struct job *j, const char *target, int status)
{
	if (report_json(stdout, &j->st, target, j->test ? "test" : j->clean ? "clean" :
	    "in_place", status, io_clock() - j->t0) == -1)
		fail_errno(EX_IOERR, "stdout");
}

/* The progress line (lib/progress): the input read against its size,
 * and what has run. */
static void
progress(void *arg, const struct restore_stats *st)
{
	struct job *j = arg;
	char extra[128];

	snprintf(extra, sizeof(extra), "%llu statements, %llu tables, %llu rows",
	    (unsigned long long)st->statements, (unsigned long long)st->tables,
	    (unsigned long long)st->rows);
	/* -j FILE: the file is read by offset, not through src.gz */
	progress_update(&j->bar, st->file_bytes > 0 ? st->file_bytes :
	    source_bytes_in(&j->src), extra, 0);
}

static void
progress_clear(struct job *j)
{
	progress_clear_line(&j->bar);
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
		fail(EX_NOPERM, "refusing to restore into \"%s\": %s "
		    "(--allow-production overrides)", target, reason);
	if (n == -1)
		fail(1, "%s", reason);
}

/* -v: which database, and which setting named it. */
static void
say_target(const struct job *j, const char *target)
{
	const char *from = pgconn_params_source(j->params);

	if (j->verbose)
		fprintf(stderr, "cr-restore: database %s (from %s)\n", target,
		    from != NULL ? from : "libpq's default, the user name");
}

/* Who the script runs as: --role, else the database's owner when a
 * superuser login would run it (lib/restore/target decides). */
static void
choose_role(struct job *j, PGconn *conn, const char *owner)
{
	char why[512];

	if (j->ropts.role != NULL || j->as_login || !target_runs_as_owner(conn, owner, why,
	    sizeof(why)))
		return;
	strlcpy(j->owner, owner, sizeof(j->owner));
	j->ropts.role = j->owner;
	j->ropts.role_is_owner = 1;
	if (j->verbose)
		fprintf(stderr, "cr-restore: %s\n", why);
}

/* Run as the owner or --role, the script may not create an extension only
 * a superuser may; the target has it, so the scratch database gets it
 * first, from the superuser login, while nothing of the dump is in it. */
static void
add_target_extensions(struct job *j, const struct target *t)
{
	size_t n = j->ropts.nextensions, i;
	int k;

	for (i = 0; i < n; i++)
		j->ext[i] = j->ropts.extensions[i];
	for (k = 0; k < t->next; k++) {
		j->ext[n++] = t->ext[k];
		if (j->verbose)
			fprintf(stderr, "cr-restore: extension %s first, as the login: \"%s\" "
			    "has it and only a superuser may create it\n", t->ext[k],
			    j->ropts.dbname);
	}
	j->ropts.extensions = j->ext;
	j->ropts.nextensions = n;
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

/* Read the whole input once without executing (restore_scan): bad input
 * is refused before any statement runs.  Returns 0, or the exit status
 * of the refusal, said. */
static int
scan_first(struct job *j, const char *target)
{
	enum restore_status rc;
	char errbuf[2048];

	rc = restore_scan(source_read, &j->src, &j->ropts, &j->st, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report_failure(&j->rep, &j->src, rc, errbuf);
		warnx("nothing was executed");
		memset(&j->st, 0, sizeof(j->st));	/* the scan's, not run */
		if (j->json)
			json_report(j, target, restore_exit_code(rc));
		return restore_exit_code(rc);
	}
	if (source_rewind(&j->src) == -1)
		fail_errno(EX_IOERR, "%s: rewind", j->src.name);
	return 0;
}

/* Without --clean: into the existing database. */
static int
restore_in_place(struct job *j)
{
	enum restore_status rc;
	PGconn *conn;
	const char *target;
	char errbuf[2048], owner[128];
	int status = 0;

	conn = connect_or_exit(j->params, NULL);
	target = PQdb(conn);
	say_target(j, target);
	guard_target(j, conn, target);
	j->ropts.dbname = target;
	if (!j->as_login && j->ropts.role == NULL) {
		if (replace_db_owner(conn, target, owner, sizeof(owner), errbuf,
		    sizeof(errbuf)) == -1)
			fail(1, "%s", errbuf);
		choose_role(j, conn, owner);
	}
	/* Nothing undoes a half-applied restore here: a file is read once
	 * without executing, so bad input is refused before any statement
	 * runs.  A pipe cannot be read twice; -1 covers it. */
	if (!j->single && S_ISREG(j->sb.st_mode)) {
		if (j->ropts.jobs > 1 && !j->src.salvage)	/* -j FILE: random access */
			j->ropts.index = restore_index_new(j->src.fd);
		if ((status = scan_first(j, target)) != 0) {
			PQfinish(conn);
			return status;
		}
	}
	catch_signals();
	rc = run_cancellable(j, conn, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report_failure(&j->rep, &j->src, rc, errbuf);
		report_in_place_failure(&j->rep, target, j->single, &j->st);
		status = restore_exit_code(rc);
	} else if (j->verbose)
		report_summary(&j->rep, &j->st, target, 0, 0, io_clock() - j->t0);
	if (j->json)
		json_report(j, target, status);
	PQfinish(conn);
	return status;
}

/* replace_run's restore into the scratch database. */
static int
load_scratch(void *arg, PGconn *conn)
{
	struct job *j = arg;
	enum restore_status rc;
	char errbuf[2048];

	rc = run_cancellable(j, conn, errbuf, sizeof(errbuf));
	if (rc != RESTORE_OK) {
		report_failure(&j->rep, &j->src, rc, errbuf);
		return restore_exit_code(rc);
	}
	if (interrupted) {
		warnx("interrupted");
		return 1;
	}
	return 0;
}

static void
scratch_created(void *arg, const char *scratch)
{
	const struct job *j = arg;

	if (j->verbose)
		fprintf(stderr, "cr-restore: restoring into scratch database %s\n", scratch);
}

/* Into a fresh scratch database (lib/replace conducts): test: drop it
 * again, clean: put it in the target's place. */
static int
restore_scratch(struct job *j, const struct target *t)
{
	PGconn *maint = t->maint;
	const char *target = t->name;
	struct replace_opts ro = { .target = target, .exists = t->exists, .test = j->test,
	    .keep_old = j->keep_old, .pid = (long)getpid(), .now = time(NULL),
	    .load = load_scratch, .created = scratch_created, .arg = j };
	struct replace_outcome o;
	char errbuf[2048], owner[128] = "";
	int status;

	catch_signals();
	/* -j FILE: read through first (bad input is refused before the scratch
	 * database is made), so the workers read their COPY data from the
	 * file themselves (random access, restore_index_new). */
	if (j->ropts.jobs > 1 && S_ISREG(j->sb.st_mode) && !j->src.salvage &&
	    (j->ropts.index = restore_index_new(j->src.fd)) != NULL &&
	    (status = scan_first(j, target)) != 0)
		return status;
	if (target_scratch_owner(t, j->clean, j->ropts.role == NULL && !j->as_login,
	    j->ropts.role, owner, sizeof(owner), errbuf, sizeof(errbuf)) == -1)
		fail(1, "%s", errbuf);
	choose_role(j, maint, owner);
	if (j->ropts.role != NULL && target_superuser(maint))
		add_target_extensions(j, t);
	ro.owner = owner;
	replace_run(maint, &ro, &o);
	report_outcome(&j->rep, target, &o);
	if (o.state == REPLACE_NOT_STARTED) {
		json_fail(o.status, o.error);
		return o.status;
	}
	if (o.status == 0 && j->verbose)
		report_summary(&j->rep, &j->st, target, j->clean, o.ended,
		    io_clock() - j->t0);
	if (j->json)
		json_report(j, target, o.status);
	return o.status;
}

/* --clean and --test, through a maintenance connection to another
 * database of the same server.  The target is the database libpq resolves
 * from the user's settings, whatever their source. */
static int
restore_replace(struct job *j)
{
	struct target t = { .resolved = 0 };
	PGconn *maint;
	const char *target = t.name;
	char errbuf[1024];
	enum target_status ts;
	int exists, status;

	ts = target_open(j->params, &t, errbuf, sizeof(errbuf));
	if (t.resolved)
		say_target(j, target);
	switch (ts) {
	case TARGET_ECONNECT:
		connect_failed(t.failed, t.failed_db, errbuf);
	case TARGET_ESYSTEM:
		fail(EX_USAGE, "refusing to replace the system database \"%s\"", target);
	case TARGET_ERROR:
		fail(1, "%s", errbuf);
	case TARGET_OK:
		break;
	}
	maint = t.maint;
	exists = t.exists;
	j->ropts.dbname = target;

	if (j->clean) {
		guard_target(j, maint, target);
		if (!j->yes) {
			switch (confirm(target, exists, maint)) {
			case -1:
				fail(EX_USAGE, "--clean replaces database \"%s\": confirm on a "
				    "terminal, or pass --yes", target);
			case 0:
				fail(1, "not confirmed: nothing was done to \"%s\"", target);
			}
		}
	}
	/* One replacement of a target at a time, and the scratch database of
	 * a running one is not a leftover. */
	switch (replace_lock(maint, target, j->test, errbuf, sizeof(errbuf))) {
	case -1:
		fail(1, "%s", errbuf);
	case 0:
		if (j->clean)
			fail(EX_TEMPFAIL, "a restore of \"%s\" is running (another cr-restore "
			    "--clean or --test of it): nothing was done; try again when it has "
			    "finished", target);
		break;	/* --test beside a --clean: its scratch is not ours to judge */
	default:
		report_leftovers(&j->rep, maint, target);
	}
	status = restore_scratch(j, &t);
	PQfinish(maint);
	return status;
}

/* The options into j and copts (getopt_long through lib/cliopt), and
 * what they exclude checked before anything is opened. */
static void
parse_options(int argc, char *argv[], struct job *j, struct pgconn_opts *copts)
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
	struct restoreplan *plan;
	char errbuf[1024];
	int ch;
	size_t i;
	long long jobs = 1;
	const char *errstr, *buffer;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-restore",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help, .synopsis = print_usage, .refused = pgrestore_refused });
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		if (pgconn_getopt(copts, ch, optarg))
			continue;
		switch (ch) {
		case '1':
			j->single = 1;
			break;
		case 'S':
			j->src.salvage = j->ropts.salvage = 1;
			break;
		case 'c':
			j->clean = 1;
			break;
		case 'T':
			j->test = 1;
			break;
		case 't':
			if (j->ntables == MAXTABLES)
				errx(EX_USAGE, "at most %d -t options", MAXTABLES);
			j->tables[j->ntables++] = optarg;
			break;
		case 'a':
			j->ropts.data_only = 1;
			break;
		case 'j':
			jobs = cliopt_num(optarg, 0, 256);	/* 0: one per core */
			if (jobs == 0 && (jobs = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
				jobs = 1;
			break;
		case 'N':
			j->ropts.no_tuning = 1;
			break;
		case 'y':
			j->yes = 1;
			break;
		case 'x':
			if (j->nextensions == MAXEXT)
				errx(EX_USAGE, "at most %d --extension options", MAXEXT);
			j->extensions[j->nextensions++] = optarg;
			break;
		case 'P':
			j->allow_prod = 1;
			break;
		case 'K':
			j->keep_old = 1;
			break;
		case 'L':
			j->as_login = 1;
			break;
		case 'R':
			if (*optarg == '\0')
				errx(EX_USAGE, "--role: empty role name");
			j->ropts.role = optarg;
			break;
		case 'D':
			j->ropts.trust_dump = 1;
			break;
		case 'A':
			if (j->naccept == MAXTABLES)
				errx(EX_USAGE, "at most %d --accept-rows options", MAXTABLES);
			if (strchr(optarg, '.') == NULL)
				errx(EX_USAGE, "--accept-rows %s: name the table with its schema "
				    "(public.%s)", optarg, optarg);
			j->accept[j->naccept++] = optarg;
			break;
		case 'v':
			j->verbose++;
			break;
		case OPT_PROGRESS:
			j->progress_mode = PROGRESS_ON;
			break;
		case OPT_JSON:
			j->json = 1;
			break;
		case OPT_NO_PROGRESS:
			j->progress_mode = PROGRESS_OFF;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	json_out = j->json;
	j->operand = argc == 1 ? argv[0] : NULL;
	if (argc > 1 || (j->clean && j->test) || (j->keep_old && !j->clean) ||
	    (j->as_login && j->ropts.role != NULL))
		usage();
	j->verbose |= isatty(STDERR_FILENO);
	if (j->src.salvage && jobs > 1)
		fail(EX_USAGE, "--salvage and -j %lld: a salvage restores on one connection", jobs);
	if (j->single && jobs > 1)
		fail(EX_USAGE, "-1 and -j %lld: one transaction cannot span connections", jobs);
	j->ropts.jobs = (unsigned)jobs;
	j->ropts.tmpdir = parallel_spill_dir(getenv("TMPDIR"));
	/* The COPY data held in memory for -j's workers (tests make it tiny
	 * to force the spill files). */
	if ((buffer = getenv("CR_RESTORE_BUFFER")) != NULL) {
		j->ropts.buffer = strtonum(buffer, 1, (long long)1 << 40, &errstr);
		if (errstr != NULL)
			fail(EX_USAGE, "CR_RESTORE_BUFFER=%s: %s", buffer, errstr);
	}
	/* -t names are checked before anything is opened. */
	if ((plan = restoreplan_new(j->ropts.data_only)) == NULL)
		fail(EX_OSERR, "%s", strerror(errno));
	for (i = 0; i < j->ntables; i++)
		if (restoreplan_add(plan, j->tables[i], errbuf, sizeof(errbuf)) == -1)
			fail(EX_USAGE, "%s", errbuf);
	restoreplan_free(plan);
}

/* The dump: the operand's file, else stdin; or the operand names the
 * database (lib/restore/source says which). */
static void
open_input(struct job *j, struct pgconn_opts *copts)
{
	char errbuf[2048];
	int code;

	/* Without -d, an operand that is a URI or conninfo string, or is no
	 * file and does not look like one, names the database, as psql's
	 * does: `... | cr-restore --clean app_dev`. */
	if (j->operand != NULL && copts->dbname == NULL && strcmp(j->operand, "-") != 0) {
		switch (source_operand(j->operand, STDIN_FILENO)) {
		case SOURCE_OPERAND_AMBIGUOUS:
			fail(EX_USAGE, "\"%s\" is both a file here and maybe a database name, "
			    "and stdin is not a terminal: say which: -d %s for the database, "
			    "./%s or < %s for the file", j->operand, j->operand, j->operand,
			    j->operand);
		case SOURCE_OPERAND_DATABASE:
			copts->dbname = j->operand;
			j->operand = NULL;
			break;
		case SOURCE_OPERAND_FILE:
			break;
		}
	}
	if ((code = source_open_input(&j->src, j->operand, copts->dbname != NULL, &j->sb, errbuf,
	    sizeof(errbuf))) != 0)
		fail(code, "%s", errbuf);
}

/* The connection settings, and the refusals they alone decide. */
static void
settings(struct job *j, struct pgconn_opts *copts)
{
	char errbuf[1024], reason[512];

	if ((j->params = pgconn_params_new(copts, errbuf, sizeof(errbuf))) == NULL)
		fail(EX_USAGE, "%s", errbuf);
	for (size_t w = 0; pgconn_params_warning(j->params, w) != NULL; w++)
		warnx("%s", pgconn_params_warning(j->params, w));
	/* --clean replaces the database it names: never one libpq falls
	 * back to (the user's name), never one nobody named. */
	if (j->clean && pgconn_params_source(j->params) == NULL)
		fail(EX_USAGE, "--clean needs the database to replace named: -d NAME, a URI or "
		    "conninfo operand, PGDATABASE, DATABASE_URL or --env-file "
		    "(libpq would fall back to the user name)");
	/* The production guard, before anything is touched, on the env file
	 * as pgconn read it.  --test restores into a scratch database only
	 * and never touches the target. */
	if (!j->test && !j->allow_prod &&
	    guard_env(pgconn_params_env(j->params), reason, sizeof(reason)))
		fail(EX_NOPERM, "refusing to restore: %s (--allow-production overrides)", reason);
}

/* What the restore reports to, and the clock. */
static void
start(struct job *j)
{
	j->ropts.single_transaction = j->single;
	j->ropts.extensions = j->extensions;
	j->ropts.nextensions = j->nextensions;
	j->ropts.interrupted = &interrupted;
	j->ropts.notice = report_notice;
	j->ropts.notice_arg = &j->rep;
	j->ropts.report = report_schedule;
	j->ropts.skipped = report_skipped;
	j->ropts.accept_rows = j->accept;
	j->ropts.naccept_rows = j->naccept;
	j->ropts.proof_note = report_proof_note;
	j->ropts.tables = j->tables;
	j->ropts.ntables = j->ntables;
	progress_start(&j->bar, stderr, j->progress_mode, "cr-restore",
	    S_ISREG(j->sb.st_mode) ? (uint64_t)j->sb.st_size : 0);
	j->rep = (struct report){ .fp = stderr, .bar = &j->bar, .verbose = j->verbose,
	    .jobs = j->ropts.jobs, .tmpdir = j->ropts.tmpdir };
	if (j->bar.fp != NULL) {
		j->ropts.progress = progress;
		j->ropts.progress_arg = j;
	}
	signal(SIGPIPE, SIG_IGN);
	j->t0 = io_clock();
}

int
main(int argc, char *argv[])
{
	struct pgconn_opts copts = { .appname = "cr-restore", .ask_password = askpass_tty };
	struct job j = { .src = { .name = "stdin", .fd = STDIN_FILENO } };
	int status;

	parse_options(argc, argv, &j, &copts);
	open_input(&j, &copts);
	settings(&j, &copts);
	start(&j);
	status = j.clean || j.test ? restore_replace(&j) : restore_in_place(&j);
	if (j.src.salvage)
		status = report_salvage(&j.rep, &j.src, status);
	source_close(&j.src);
	restore_index_free(j.ropts.index);
	if (j.src.fd != STDIN_FILENO)
		close(j.src.fd);
	pgconn_params_free(j.params);
	return status;
}
