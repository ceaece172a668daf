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

#include <bsd/string.h>

#include "dotenv.h"
#include "guard.h"
#include "gzin.h"
#include "pgconn.h"
#include "restore.h"

#define MAXEXT	32

static volatile sig_atomic_t interrupted;
static PGcancel *volatile cancel;

/* The input: a file or stdin, gzip or plain (told apart by the magic). */
struct source {
	const char	*name;
	int		 fd;
	struct gzin	*gz;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: cr-restore [-1v] [-d dbname] [-h host] [-p port] [-U user] "
	    "[--env-file file] [--clean | --test] [--yes] [--extension name] "
	    "[--allow-production] [file | dbname]\n");
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

/* The database a connection setting names before connecting, or NULL. */
static const char *
named_database(const struct pgconn_params *params, char *buf, size_t len)
{
	PQconninfoOption *opts, *o;
	const char *d = pgconn_params_dbname(params);
	char *msg = NULL;

	if (d != NULL && (strchr(d, '=') != NULL || strncmp(d, "postgres://", 11) == 0 ||
	    strncmp(d, "postgresql://", 13) == 0)) {
		if ((opts = PQconninfoParse(d, &msg)) == NULL) {
			PQfreemem(msg);
			return NULL;
		}
		buf[0] = '\0';
		for (o = opts; o->keyword != NULL; o++)
			if (strcmp(o->keyword, "dbname") == 0 && o->val != NULL)
				strlcpy(buf, o->val, len);
		PQconninfoFree(opts);
		d = buf[0] != '\0' ? buf : NULL;
	}
	if (d == NULL || *d == '\0')
		d = getenv("PGDATABASE");
	return d != NULL && *d != '\0' ? d : NULL;
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

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* What main decided; shared by the two ways of restoring. */
struct job {
	struct pgconn_params	*params;
	struct source		 src;
	struct stat		 sb;
	struct restore_opts	 ropts;
	struct restore_stats	 st;
	struct timespec		 t0;
	double			 last_progress;
	int			 progress_shown;
	int			 clean, test, yes, single, allow_prod, verbose;
};

static void
summary(const struct job *j, const char *target, int ended)
{
	char sessions[64] = "";

	if (j->clean)
		snprintf(sessions, sizeof(sessions), "; %d session%s ended", ended,
		    ended == 1 ? "" : "s");
	fprintf(stderr, "cr-restore: %s: %llu bytes, %llu statements, %llu tables, "
	    "%llu rows in %.2f s%s\n", target, (unsigned long long)j->st.bytes,
	    (unsigned long long)j->st.statements, (unsigned long long)j->st.tables,
	    (unsigned long long)j->st.rows, seconds_since(&j->t0), sessions);
}

/* On a terminal, a status line rewritten at most twice a second. */
static void
progress(void *arg, const struct restore_stats *st)
{
	struct job *j = arg;
	struct timespec now;
	double t;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = now.tv_sec + now.tv_nsec / 1e9;
	if (t - j->last_progress < 0.5)
		return;
	j->last_progress = t;
	j->progress_shown = 1;
	fprintf(stderr, "\rcr-restore: %.1f MB, %llu statements, %llu tables, %llu rows ",
	    st->bytes / 1048576.0, (unsigned long long)st->statements,
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

/* Without --clean: into the existing database. */
static int
restore_in_place(struct job *j)
{
	enum restore_status rc;
	PGconn *conn;
	PGcancel *c;
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
		rc = restore_scan(source_read, &j->src, target, &j->st, errbuf, sizeof(errbuf));
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
	cancel = PQgetCancel(conn);
	rc = restore_run(conn, &j->ropts, source_read, &j->src, &j->st, errbuf, sizeof(errbuf));
	progress_clear(j);
	c = cancel;
	cancel = NULL;
	PQfreeCancel(c);
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

/* Into a fresh scratch database; test: drop it again, clean: put it in
 * the target's place. */
static int
restore_scratch(struct job *j, PGconn *maint, const char *target, int exists)
{
	enum restore_status rc;
	enum pgconn_status cst;
	PGconn *conn;
	PGcancel *c;
	char errbuf[2048], scratch[128];
	int status = 0, ended = 0;

	catch_signals();
	restore_scratch_name(target, (long)getpid(), scratch, sizeof(scratch));
	if (restore_scratch_create(maint, scratch, target, j->clean, errbuf, sizeof(errbuf)) != RESTORE_OK) {
		warnx("%s", errbuf);
		return 1;
	}
	if (j->verbose)
		fprintf(stderr, "cr-restore: restoring into scratch database %s\n", scratch);

	if ((conn = pgconn_open(j->params, scratch, &cst, errbuf, sizeof(errbuf))) == NULL) {
		warnx("connecting to %s: %s", scratch, errbuf);
		status = pgconn_exit_code(cst);
	} else {
		cancel = PQgetCancel(conn);
		rc = restore_run(conn, &j->ropts, source_read, &j->src, &j->st, errbuf,
		    sizeof(errbuf));
		progress_clear(j);
		c = cancel;
		cancel = NULL;
		PQfreeCancel(c);
		PQfinish(conn);
		if (rc != RESTORE_OK) {
			report(&j->src, rc, errbuf);
			status = restore_exit_code(rc);
		} else if (interrupted) {
			warnx("interrupted");
			status = 1;
		}
	}
	if (status == 0 && j->clean &&
	    restore_swap(maint, scratch, target, &ended, errbuf, sizeof(errbuf)) != RESTORE_OK) {
		warnx("%s", errbuf);
		status = 1;
	}
	if (status != 0 || j->test) {
		if (restore_scratch_drop(maint, scratch, errbuf, sizeof(errbuf)) != RESTORE_OK)
			warnx("%s (drop it with: dropdb '%s')", errbuf, scratch);
		if (status != 0 && j->clean)
			warnx("\"%s\" is as it was%s", target, exists ? "" : " (it did not exist)");
	}
	if (status == 0 && j->verbose)
		summary(j, target, ended);
	return status;
}

/* --clean and --test, through a maintenance connection to another
 * database of the same server. */
static int
restore_replace(struct job *j)
{
	PGconn *maint;
	const char *target, *maintdb;
	char errbuf[1024], namebuf[256], leftover[128];
	int exists, n, status;

	target = named_database(j->params, namebuf, sizeof(namebuf));
	maintdb = target != NULL && strcmp(target, "postgres") == 0 ? "template1" : "postgres";
	maint = connect_or_exit(j->params, maintdb);
	if (target == NULL)
		target = PQuser(maint);	/* libpq's default database */
	if (strcmp(target, maintdb) == 0 || strcmp(target, "template0") == 0 ||
	    strcmp(target, "template1") == 0)
		errx(EX_USAGE, "refusing to replace the system database \"%s\"", target);
	j->ropts.dbname = target;
	if ((exists = restore_db_exists(maint, target, errbuf, sizeof(errbuf))) == -1)
		errx(1, "%s", errbuf);

	if (j->clean) {
		guard_target(j, maint, target);
		if (!j->yes) {
			switch (confirm(target, exists, maint)) {
			case -1:
				errx(EX_USAGE, "--clean replaces database \"%s\": confirm on a "
				    "terminal, or pass --yes", target);
			case 0:
				errx(1, "not confirmed: \"%s\" is as it was", target);
			}
		}
	}
	if ((n = restore_scratch_leftover(maint, target, leftover, sizeof(leftover))) > 0)
		warnx("warning: %d scratch database%s left by an interrupted run, e.g. "
		    "\"%s\" (drop with: dropdb '%s')", n, n == 1 ? "" : "s", leftover, leftover);
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
		{ "test",		no_argument,		NULL, 't' },
		{ "yes",		no_argument,		NULL, 'y' },
		{ "single-transaction",	no_argument,		NULL, '1' },
		{ "extension",		required_argument,	NULL, 'x' },
		{ "allow-production",	no_argument,		NULL, 'P' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "help",		no_argument,		NULL, 'H' },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL,			0,			NULL, 0 }
	};
	struct pgconn_opts copts = { .appname = "cr-restore" };
	struct job j = { .src = { .name = "stdin", .fd = STDIN_FILENO } };
	struct dotenv *env = NULL;
	const char *extensions[MAXEXT];
	char errbuf[1024], reason[512];
	int ch, status;
	size_t next = 0;

	while ((ch = getopt_long(argc, argv, "1d:h:p:U:vy", longopts, NULL)) != -1) {
		if (pgconn_getopt(&copts, ch, optarg))
			continue;
		switch (ch) {
		case '1':
			j.single = 1;
			break;
		case 'c':
			j.clean = 1;
			break;
		case 't':
			j.test = 1;
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
	if (argc > 1 || (j.clean && j.test))
		usage();
	j.verbose |= isatty(STDERR_FILENO);

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
	if (pgconn_env_file(&copts) != NULL &&
	    (env = dotenv_load(pgconn_env_file(&copts), errbuf, sizeof(errbuf))) == NULL)
		errx(EX_USAGE, "%s: %s", pgconn_env_file(&copts), errbuf);
	/* The production guard, before anything is touched.  --test restores
	 * into a scratch database only and never touches the target. */
	if (!j.test && !j.allow_prod && guard_env(env, reason, sizeof(reason)))
		errx(EX_NOPERM, "refusing to restore: %s (--allow-production overrides)", reason);
	dotenv_free(env);

	j.ropts.single_transaction = j.single;
	j.ropts.extensions = extensions;
	j.ropts.nextensions = next;
	j.ropts.interrupted = &interrupted;
	j.ropts.notice = notice;
	j.ropts.notice_arg = &j;
	if (isatty(STDERR_FILENO)) {
		j.ropts.progress = progress;
		j.ropts.progress_arg = &j;
	}
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &j.t0);

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
