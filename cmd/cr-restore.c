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
	    "[--allow-production] [file]\n");
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
confirm(const char *target, int exists)
{
	char line[256];
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	dprintf(fd, "cr-restore: this replaces database \"%s\"%s with the dump.\n"
	    "Type the database name to confirm: ", target,
	    exists ? "" : " (it does not exist yet)");
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

static void
summary(const char *target, const struct restore_stats *st, const struct timespec *t0,
    int ended, int clean)
{
	char sessions[64] = "";

	if (clean)
		snprintf(sessions, sizeof(sessions), "; %d session%s ended", ended,
		    ended == 1 ? "" : "s");
	fprintf(stderr, "cr-restore: %s: %llu bytes, %llu statements, %llu tables, "
	    "%llu rows in %.2f s%s\n", target, (unsigned long long)st->bytes,
	    (unsigned long long)st->statements, (unsigned long long)st->tables,
	    (unsigned long long)st->rows, seconds_since(t0), sessions);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dbname",		required_argument,	NULL, 'd' },
		{ "host",		required_argument,	NULL, 'h' },
		{ "port",		required_argument,	NULL, 'p' },
		{ "username",		required_argument,	NULL, 'U' },
		{ "env-file",		required_argument,	NULL, 'E' },
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
	struct pgconn_params *params;
	struct restore_opts ropts;
	struct restore_stats st;
	struct source src = { .name = "stdin", .fd = STDIN_FILENO };
	struct dotenv *env = NULL;
	struct stat sb;
	struct timespec t0;
	enum restore_status rc;
	PGconn *conn = NULL, *maint = NULL;
	const char *extensions[MAXEXT], *target, *maintdb;
	char errbuf[2048], reason[512], namebuf[256], scratch[128], leftover[128];
	int ch, clean = 0, test = 0, yes = 0, single = 0, allow_prod = 0, verbose = 0;
	int exists = 0, ended = 0, status, n = 0;
	size_t next = 0;

	while ((ch = getopt_long(argc, argv, "1d:h:p:U:vy", longopts, NULL)) != -1) {
		switch (ch) {
		case '1':
			single = 1;
			break;
		case 'd':
			copts.dbname = optarg;
			break;
		case 'h':
			copts.host = optarg;
			break;
		case 'p':
			copts.port = optarg;
			break;
		case 'U':
			copts.user = optarg;
			break;
		case 'E':
			copts.env_file = optarg;
			break;
		case 'c':
			clean = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'y':
			yes = 1;
			break;
		case 'x':
			if (next == MAXEXT)
				errx(EX_USAGE, "at most %d --extension options", MAXEXT);
			extensions[next++] = optarg;
			break;
		case 'P':
			allow_prod = 1;
			break;
		case 'v':
			verbose = 1;
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
	if (argc > 1 || (clean && test))
		usage();
	verbose |= isatty(STDERR_FILENO);

	if (argc == 1 && strcmp(argv[0], "-") != 0) {
		src.name = argv[0];
		if ((src.fd = open(argv[0], O_RDONLY | O_CLOEXEC)) == -1) {
			if (errno == ENOENT && copts.dbname == NULL)
				errx(EX_NOINPUT, "%s: no such file (the database is given with -d)",
				    argv[0]);
			err(EX_NOINPUT, "%s", argv[0]);
		}
	} else if (isatty(STDIN_FILENO))
		errx(EX_USAGE, "the dump comes from a file or a pipe, not the terminal");
	if (fstat(src.fd, &sb) == -1)
		err(EX_NOINPUT, "%s", src.name);
	if (S_ISDIR(sb.st_mode))
		errx(EX_NOINPUT, "%s: is a directory (a directory-format dump is for pg_restore)",
		    src.name);
	if ((src.gz = gzin_open(src.fd, GZIN_AUTO)) == NULL)
		err(EX_OSERR, "%s", src.name);

	if ((params = pgconn_params_new(&copts, errbuf, sizeof(errbuf))) == NULL)
		errx(EX_USAGE, "%s", errbuf);
	if (copts.env_file != NULL && (env = dotenv_load(copts.env_file, errbuf, sizeof(errbuf))) == NULL)
		errx(EX_USAGE, "%s: %s", copts.env_file, errbuf);

	/* The production guard, before anything is touched.  --test restores
	 * into a scratch database only and never touches the target. */
	if (!test && !allow_prod && guard_env(env, reason, sizeof(reason)))
		errx(EX_NOPERM, "refusing to restore: %s (--allow-production overrides)", reason);
	dotenv_free(env);

	memset(&ropts, 0, sizeof(ropts));
	ropts.single_transaction = single;
	ropts.extensions = extensions;
	ropts.nextensions = next;
	ropts.interrupted = &interrupted;
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (!clean && !test) {
		/* Into an existing database. */
		conn = connect_or_exit(params, NULL);
		target = PQdb(conn);
		if (!allow_prod && (guard_name(target, NULL, reason, sizeof(reason)) ||
		    (n = guard_marker(conn, target, reason, sizeof(reason))) == 1))
			errx(EX_NOPERM, "refusing to restore into \"%s\": %s "
			    "(--allow-production overrides)", target, reason);
		if (!allow_prod && n == -1)
			errx(1, "%s", reason);
		ropts.dbname = target;
		/* Nothing undoes a half-applied restore here: a file is read
		 * once without executing, so bad input is refused before any
		 * statement runs.  A pipe cannot be read twice; see -1. */
		if (!single && S_ISREG(sb.st_mode)) {
			if ((rc = restore_scan(source_read, &src, target, &st, errbuf,
			    sizeof(errbuf))) != RESTORE_OK) {
				report(&src, rc, errbuf);
				warnx("nothing was executed");
				return restore_exit_code(rc);
			}
			if (source_rewind(&src) == -1)
				err(EX_IOERR, "%s: rewind", src.name);
		}
		catch_signals();
		cancel = PQgetCancel(conn);
		rc = restore_run(conn, &ropts, source_read, &src, &st, errbuf, sizeof(errbuf));
		if (rc != RESTORE_OK) {
			report(&src, rc, errbuf);
			if (st.statements > 0 && !single)
				warnx("statements before that were executed and stay; "
				    "--clean or -1 make a restore all-or-nothing");
			else if (single)
				warnx("rolled back: %s is as it was", target);
			return restore_exit_code(rc);
		}
		if (verbose)
			summary(target, &st, &t0, 0, 0);
		PQfinish(conn);
		return 0;
	}

	/* --clean and --test: restore into a scratch database on the same
	 * server, through a maintenance connection to another database. */
	target = named_database(params, namebuf, sizeof(namebuf));
	maintdb = target != NULL && strcmp(target, "postgres") == 0 ? "template1" : "postgres";
	maint = connect_or_exit(params, maintdb);
	if (target == NULL)
		target = PQuser(maint);	/* libpq's default database */
	if (strcmp(target, maintdb) == 0 || strcmp(target, "template0") == 0 ||
	    strcmp(target, "template1") == 0)
		errx(EX_USAGE, "refusing to replace the system database \"%s\"", target);
	ropts.dbname = target;
	if ((exists = restore_db_exists(maint, target, errbuf, sizeof(errbuf))) == -1)
		errx(1, "%s", errbuf);

	if (clean) {
		if (!allow_prod && (guard_name(target, NULL, reason, sizeof(reason)) ||
		    (n = guard_marker(maint, target, reason, sizeof(reason))) == 1))
			errx(EX_NOPERM, "refusing to replace \"%s\": %s "
			    "(--allow-production overrides)", target, reason);
		if (!allow_prod && n == -1)
			errx(1, "%s", reason);
		if (!yes) {
			switch (confirm(target, exists)) {
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

	catch_signals();
	restore_scratch_name(target, (long)getpid(), scratch, sizeof(scratch));
	if (restore_scratch_create(maint, scratch, target, errbuf, sizeof(errbuf)) != RESTORE_OK)
		errx(1, "%s", errbuf);
	if (verbose)
		fprintf(stderr, "cr-restore: restoring into scratch database %s\n", scratch);

	status = 0;
	{
		enum pgconn_status cst;
		char msg[1024];

		if ((conn = pgconn_open(params, scratch, &cst, msg, sizeof(msg))) == NULL) {
			warnx("connecting to %s: %s", scratch, msg);
			status = pgconn_exit_code(cst);
		}
	}
	if (conn != NULL) {
		cancel = PQgetCancel(conn);
		rc = restore_run(conn, &ropts, source_read, &src, &st, errbuf, sizeof(errbuf));
		{
			PGcancel *c = cancel;

			cancel = NULL;
			PQfreeCancel(c);
		}
		PQfinish(conn);
		if (rc != RESTORE_OK) {
			report(&src, rc, errbuf);
			status = restore_exit_code(rc);
		} else if (interrupted) {
			warnx("interrupted");
			status = 1;
		}
	}
	if (status == 0 && clean) {
		if (restore_swap(maint, scratch, target, &ended, errbuf, sizeof(errbuf)) != RESTORE_OK) {
			warnx("%s", errbuf);
			status = 1;
		}
	}
	if (status != 0 || test) {
		if (restore_scratch_drop(maint, scratch, errbuf, sizeof(errbuf)) != RESTORE_OK)
			warnx("%s (drop it with: dropdb '%s')", errbuf, scratch);
		if (status != 0 && clean)
			warnx("\"%s\" is as it was%s", target, exists ? "" : " (it did not exist)");
	}
	if (status == 0 && verbose)
		summary(target, &st, &t0, ended, clean);
	PQfinish(maint);
	pgconn_params_free(params);
	return status;
}
