/* cr-dump: pg_dump to stdout as plain SQL between a cr header and a trailer
 * that proves the dump complete (byte count and CRC-32), or no trailer. */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "dumpfmt.h"
#include "dumprun.h"
#include "io.h"
#include "pgconn.h"

#define MAXARGS		512
#define TAILSIZE	2048

struct dump {
	uint64_t	bytes;
	uint32_t	crc;
	int		last_newline;
	int		progress;	/* show progress on stderr */
	int		tty;		/* stderr is a terminal: redraw one line */
	int		progress_shown;	/* a progress line is on the screen */
	unsigned	ticks;
	double		started;
	char		tail[TAILSIZE];	/* pg_dump's last stderr bytes */
	size_t		taillen;
};

/* getopt_long's: ':' first, so a missing argument is told apart. */
#define OPTSTRING	":d:h:p:U:ast:T:n:N:vVF:OxwZ:f:j:Cc"

static volatile sig_atomic_t stop_signal;

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: cr-dump [-asvOwx] [--check] [-d dbname] [-h host] [-p port] "
	    "[-U user]\n               [--env-file file] [-n schema] [-N schema] "
	    "[-t table] [-T table]\n               [--exclude-table-data table] "
	    "[-F p] [dbname]\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

/* getopt_long (opterr 0, optstring starting with ':') returned ch: -? asks
 * for usage on stdout; anything else is a usage error, said as getopt
 * would. */
static void
bad_option(int ch, char *argv[])
{
	if (ch == '?' && optopt == '?') {
		print_usage(stdout);
		exit(fflush(stdout) == EOF ? EX_IOERR : 0);
	}
	if (ch == ':' && strncmp(argv[optind - 1], "--", 2) == 0)
		warnx("option %s requires an argument", argv[optind - 1]);
	else if (ch == ':')
		warnx("option requires an argument -- '%c'", optopt);
	else if (optopt == 0)
		warnx("unrecognized option '%s'", argv[optind - 1]);
	else if (optopt > CHAR_MAX || strchr(OPTSTRING, optopt) != NULL)
		warnx("option '%s' takes no argument", argv[optind - 1]);
	else
		warnx("invalid option -- '%c'", optopt);
	usage();
}

/* A pg_dump option cr-dump will not pass on: why, and what to do instead. */
static void __attribute__((noreturn))
refuse(const char *option, const char *why)
{
	fprintf(stderr, "cr-dump: %s: %s\n", option, why);
	exit(EX_USAGE);
}

/* -F: plain is what cr-dump writes; the archive formats are refused. */
static void
check_format(const char *format)
{
	static const char *const archive[] = {
		"c", "custom", "d", "directory", "t", "tar", NULL
	};
	char opt[64];
	int i;

	if (strcasecmp(format, "p") == 0 || strcasecmp(format, "plain") == 0)
		return;
	snprintf(opt, sizeof(opt), "-F %s", format);
	for (i = 0; archive[i] != NULL; i++)
		if (strcasecmp(format, archive[i]) == 0)
			refuse(opt, "cr keeps plain SQL, which psql and cr-restore restore "
			    "and cr-verify checks; drop -F (compress with cr-gz)");
	refuse(opt, "unknown format; cr-dump writes plain SQL (-F p)");
}

static void
on_signal(int sig)
{
	stop_signal = sig;
	/* Should the signal land just before a write() that then blocks on
	 * a stalled reader, SIGALRM interrupts it a second later. */
	alarm(1);
}

static void
on_alarm(int sig)
{
	(void)sig;
	if (stop_signal != 0)
		alarm(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
emit(struct dump *d, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;
	ssize_t n;

	if (len == 0)
		return 0;
	/* Like io_write_all, but a signal ends a write blocked on a stalled
	 * reader (no SA_RESTART), so SIGTERM always stops us. */
	while (left > 0) {
		if (stop_signal != 0) {
			errno = EINTR;
			return -1;
		}
		if ((n = write(STDOUT_FILENO, p, left)) == -1) {
			if (errno == EINTR && stop_signal == 0)
				continue;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	d->crc = dumpfmt_crc(d->crc, buf, len);
	d->bytes += len;
	d->last_newline = ((const char *)buf)[len - 1] == '\n';
	return 0;
}

static int
on_data(void *arg, const void *buf, size_t len)
{
	return emit(arg, buf, len);
}

static void
progress_line(struct dump *d, int final)
{
	double secs = now() - d->started;
	double mib = (double)d->bytes / (1024.0 * 1024.0);	/* IEC: 2^20 */

	/* On a terminal one line is redrawn; in a log, a line at a time. */
	fprintf(stderr, "%scr-dump: %.1f MiB in %.0f s, %.1f MiB/s%s", d->tty ? "\r" : "",
	    mib, secs, secs > 0 ? mib / secs : 0.0, final || !d->tty ? "\n" : "  ");
	d->progress_shown = !final && d->tty;
}

static void
on_tick(void *arg)
{
	struct dump *d = arg;

	/* Every second on a terminal, every 10 seconds in a log. */
	if (d->progress && (d->tty || ++d->ticks % 10 == 0))
		progress_line(d, 0);
}

static void
on_diag(void *arg, const char *buf, size_t len)
{
	struct dump *d = arg;
	size_t keep;

	if (d->progress_shown) {
		fputc('\n', stderr);
		d->progress_shown = 0;
	}
	(void)io_write_all(STDERR_FILENO, buf, len);
	/* Keep the end of pg_dump's message to classify a failure. */
	if (len >= TAILSIZE - 1) {
		memcpy(d->tail, buf + len - (TAILSIZE - 1), TAILSIZE - 1);
		d->taillen = TAILSIZE - 1;
	} else {
		keep = d->taillen + len > TAILSIZE - 1 ? TAILSIZE - 1 - len : d->taillen;
		memmove(d->tail, d->tail + d->taillen - keep, keep);
		memcpy(d->tail + keep, buf, len);
		d->taillen = keep + len;
	}
	d->tail[d->taillen] = '\0';
}

/* Exit status for a pg_dump that failed, from what it said. */
static int
failure_code(const struct dump *d, const char *role)
{
	const char *p;
	char user[300];
	int len;

	if (pgconn_quote_ident(role, user, sizeof(user)) == -1)
		strlcpy(user, "the_role", sizeof(user));

	/* "ERROR:  permission denied for table users": name it in the GRANT. */
	if ((p = strstr(d->tail, "permission denied for table ")) != NULL) {
		p += strlen("permission denied for table ");
		len = (int)strcspn(p, "\n");
		fprintf(stderr, "cr-dump: hint: as a superuser or the owner: GRANT SELECT ON "
		    "%.*s TO %s; (every table dumped needs it)\n", len, p, user);
		return EX_NOPERM;
	}
	if ((p = strstr(d->tail, "permission denied for schema ")) != NULL) {
		p += strlen("permission denied for schema ");
		len = (int)strcspn(p, "\n");
		fprintf(stderr, "cr-dump: hint: as a superuser or the owner: GRANT USAGE ON "
		    "SCHEMA %.*s TO %s;\n", len, p, user);
		return EX_NOPERM;
	}
	if (strstr(d->tail, "permission denied") != NULL ||
	    strstr(d->tail, "row-level security") != NULL) {
		fprintf(stderr, "cr-dump: hint: the role %s needs SELECT on every table "
		    "dumped (or: GRANT pg_read_all_data TO %s)\n", user, user);
		return EX_NOPERM;
	}
	if (strstr(d->tail, "server closed the connection") != NULL ||
	    strstr(d->tail, "connection to server") != NULL ||
	    strstr(d->tail, "terminating connection") != NULL ||
	    strstr(d->tail, "could not connect") != NULL ||
	    strstr(d->tail, "no connection to the server") != NULL)
		return EX_UNAVAILABLE;
	return 1;
}

/* Can the role read everything a whole-database dump reads?  If not, stop
 * pg_dump (when it was started) and exit 77 with the GRANTs. */
static void
precheck(PGconn *conn, int schema_only, struct dumprun *run)
{
	char problem[1024], hint[1024];
	int rc;

	rc = dumprun_precheck(conn, schema_only, problem, sizeof(problem), hint,
	    sizeof(hint));
	if (rc == 0)
		return;
	dumprun_free(run);	/* kills it first; its complaints are ours now */
	if (rc == 1) {
		warnx("%s", problem);
		fprintf(stderr, "cr-dump: hint: %s\n", hint);
		exit(EX_NOPERM);
	}
	errx(1, "%s", problem);
}

/* --check output: key=value, the value escaped onto one line. */
static void
print_fact(const char *key, const char *value)
{
	char buf[2048];

	if (dumpfmt_escape(value != NULL ? value : "", buf, sizeof(buf)) == -1)
		errx(1, "%s too long", key);
	printf("%s=%s\n", key, buf);
}

static void
add_arg(char **argv, int *argc, const char *opt, const char *value, char *options,
    size_t optlen)
{
	char *s;

	if (*argc >= MAXARGS - 4)
		errx(EX_USAGE, "too many options");
	if (value == NULL)
		s = strdup(opt);
	else if (asprintf(&s, "%s=%s", opt, value) == -1)
		s = NULL;
	if (s == NULL)
		err(1, NULL);
	argv[(*argc)++] = s;
	if (options[0] != '\0')
		strlcat(options, " ", optlen);
	strlcat(options, opt, optlen);
	if (value == NULL)
		return;
	strlcat(options, "=", optlen);
	/* For the header, as a shell would need it: 'table with space'. */
	if (value[strcspn(value, " \t\n'\"\\$`;&|<>()*?[]{}~#!")] == '\0' && *value != '\0') {
		strlcat(options, value, optlen);
		return;
	}
	strlcat(options, "'", optlen);
	for (; *value != '\0'; value++) {
		if (*value == '\'')
			strlcat(options, "'\\''", optlen);
		else {
			char c[2] = { *value, '\0' };
			strlcat(options, c, optlen);
		}
	}
	strlcat(options, "'", optlen);
}

int
main(int argc, char *argv[])
{
	enum {
		OPT_CHECK = CHAR_MAX + 1, OPT_EXCLUDE_TABLE_DATA, OPT_INSERTS,
		OPT_COLUMN_INSERTS, OPT_ROWS_PER_INSERT, OPT_HELP
	};
	static const struct option longopts[] = {
		PGCONN_LONGOPTS,
		{ "schema-only",	no_argument,		NULL, 's' },
		{ "data-only",		no_argument,		NULL, 'a' },
		{ "table",		required_argument,	NULL, 't' },
		{ "exclude-table",	required_argument,	NULL, 'T' },
		{ "exclude-table-data",	required_argument,	NULL, OPT_EXCLUDE_TABLE_DATA },
		{ "schema",		required_argument,	NULL, 'n' },
		{ "exclude-schema",	required_argument,	NULL, 'N' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "check",		no_argument,		NULL, OPT_CHECK },
		{ "version",		no_argument,		NULL, 'V' },
		{ "help",		no_argument,		NULL, OPT_HELP },
		/* pg_dump's, for what cr-dump always does. */
		{ "format",		required_argument,	NULL, 'F' },
		{ "no-owner",		no_argument,		NULL, 'O' },
		{ "no-acl",		no_argument,		NULL, 'x' },
		{ "no-privileges",	no_argument,		NULL, 'x' },
		{ "no-password",	no_argument,		NULL, 'w' },
		/* pg_dump's, refused with the reason. */
		{ "compress",		required_argument,	NULL, 'Z' },
		{ "file",		required_argument,	NULL, 'f' },
		{ "jobs",		required_argument,	NULL, 'j' },
		{ "create",		no_argument,		NULL, 'C' },
		{ "clean",		no_argument,		NULL, 'c' },
		{ "inserts",		no_argument,		NULL, OPT_INSERTS },
		{ "column-inserts",	no_argument,		NULL, OPT_COLUMN_INSERTS },
		{ "rows-per-insert",	required_argument,	NULL, OPT_ROWS_PER_INSERT },
		{ NULL,			0,			NULL, 0 }
	};
	static const char inserts_why[] = "cr-verify and cr-restore prove a dump's "
	    "row counts from its COPY blocks, so a dump of INSERTs would restore "
	    "unproven; drop it (COPY is also faster to restore)";
	struct pgconn_opts copts = { .appname = "cr-dump" };
	struct pgconn_params *params;
	struct dumpfmt_header hdr;
	struct dump d = { 0 };
	struct dumprun *run;
	struct dumprun_probe *probe;
	struct dumprun_io io;
	struct sigaction sa;
	enum pgconn_status st;
	PGconn *conn;
	PGresult *res;
	char *dargv[MAXARGS], *conninfo, *password = NULL;
	char errbuf[1024], pg_dump[PATH_MAX], pg_dump_version[256];
	char options[4096] = "", header[8192], trailer[DUMPFMT_TRAILER_MAX], user[256];
	const char *server_version;
	int ch, dargc = 0, verbose = 0, check = 0, schema_only = 0, data_only = 0;
	int selective = 0, server_major, status, code, i, n, pumped, saved;

	/* pg_dump options are collected first; the connection comes last. */
	dargv[dargc++] = "pg_dump";
	dargv[dargc++] = "--format=plain";
	dargv[dargc++] = "--no-owner";
	dargv[dargc++] = "--no-acl";
	dargv[dargc++] = "--no-password";
	opterr = 0;	/* bad_option() tells -? from a real mistake */
	while ((ch = getopt_long(argc, argv, OPTSTRING,
	    longopts, NULL)) != -1) {
		if (pgconn_getopt(&copts, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (!schema_only)
				add_arg(dargv, &dargc, "--schema-only", NULL, options,
				    sizeof(options));
			schema_only = 1;
			break;
		case 'a':
			if (!data_only)
				add_arg(dargv, &dargc, "--data-only", NULL, options,
				    sizeof(options));
			data_only = 1;
			break;
		case 't':
			add_arg(dargv, &dargc, "--table", optarg, options, sizeof(options));
			selective = 1;
			break;
		case 'T':
			add_arg(dargv, &dargc, "--exclude-table", optarg, options,
			    sizeof(options));
			selective = 1;
			break;
		case OPT_EXCLUDE_TABLE_DATA:
			add_arg(dargv, &dargc, "--exclude-table-data", optarg, options,
			    sizeof(options));
			selective = 1;
			break;
		case 'n':
			add_arg(dargv, &dargc, "--schema", optarg, options, sizeof(options));
			selective = 1;
			break;
		case 'N':
			add_arg(dargv, &dargc, "--exclude-schema", optarg, options,
			    sizeof(options));
			selective = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case 'V':
			printf("cr-dump %s\n", CR_VERSION);
			return 0;
		case 'F':
			check_format(optarg);
			break;
		case 'O':
		case 'x':
		case 'w':
			break;	/* always so */
		case 'Z':
			refuse("-Z", "cr-dump does not compress; pipe its output into "
			    "cr-gz (cr-dump app | cr-gz > app.sql.gz)");
		case 'f':
			refuse("-f", "cr-dump writes to standard output; redirect it "
			    "(cr-dump app > app.sql)");
		case 'j':
			refuse("-j", "parallel dumps need -F d, and cr keeps plain SQL, "
			    "which psql restores; drop -j (cr-gz compresses on every core)");
		case 'C':
			refuse("-C", "no CREATE DATABASE in the dump; cr-restore --clean "
			    "creates or replaces the database atomically");
		case 'c':
			refuse("-c", "no DROP statements in the dump; cr-restore --clean "
			    "replaces the whole database atomically");
		case OPT_INSERTS:
			refuse("--inserts", inserts_why);
		case OPT_COLUMN_INSERTS:
			refuse("--column-inserts", inserts_why);
		case OPT_ROWS_PER_INSERT:
			refuse("--rows-per-insert", inserts_why);
		case OPT_HELP:
			print_usage(stdout);
			return fflush(stdout) == EOF ? EX_IOERR : 0;
		default:
			bad_option(ch, argv);
		}
	}
	if (schema_only && data_only)
		refuse("-a and -s", "cannot be used together (a dump of nothing)");
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 1 && copts.dbname != NULL))
		usage();
	if (argc == 1)
		copts.dbname = argv[0];

	/* A closed stdin or stderr would be reused by the pipes to pg_dump;
	 * a closed stdout is an error. */
	if (fcntl(STDOUT_FILENO, F_GETFD) == -1)
		errx(EX_IOERR, "standard output is closed");
	for (i = STDIN_FILENO; i <= STDERR_FILENO; i += 2)
		if (fcntl(i, F_GETFD) == -1 && open("/dev/null", O_RDWR) != i)
			err(1, "/dev/null");

	/* A failed write must come back as EPIPE, not kill us before we
	 * can stop pg_dump and say what happened. */
	signal(SIGPIPE, SIG_IGN);

	/* Pre-flight: the connection, its facts, and the privileges; pg_dump
	 * --version runs while we connect. */
	if ((params = pgconn_params_new(&copts, errbuf, sizeof(errbuf))) == NULL)
		errx(EX_USAGE, "%s", errbuf);
	if ((probe = dumprun_probe_start(getenv("CR_PG_DUMP"))) == NULL)
		err(1, NULL);
	if ((conn = pgconn_open(params, NULL, &st, errbuf, sizeof(errbuf))) == NULL) {
		dumprun_probe_free(probe);
		pgconn_params_free(params);
		warnx("connect: %s", errbuf);
		if (pgconn_hint(st) != NULL)
			fprintf(stderr, "cr-dump: hint: %s\n", pgconn_hint(st));
		exit(pgconn_exit_code(st));
	}
	pgconn_params_free(params);
	n = PQserverVersion(conn);
	server_major = n / 100;	/* 150018 -> 1500, 90624 -> 906 */
	if ((server_version = PQparameterStatus(conn, "server_version")) == NULL)
		server_version = "";
	strlcpy(user, PQuser(conn), sizeof(user));
	res = PQexec(conn, "SELECT current_user");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		strlcpy(user, PQgetvalue(res, 0, 0), sizeof(user));
	PQclear(res);
	n = dumprun_probe_finish(probe, server_major, pg_dump, sizeof(pg_dump),
	    pg_dump_version, sizeof(pg_dump_version), errbuf, sizeof(errbuf));
	dumprun_probe_free(probe);
	if (n == -1)
		errx(EX_UNAVAILABLE, "%s", errbuf);
	if (check && !selective)
		precheck(conn, schema_only, NULL);
	if (check) {
		/* The pre-flight passed: say what a dump would be. */
		print_fact("database", PQdb(conn));
		print_fact("user", user);
		print_fact("server", server_version);
		print_fact("pg_dump", pg_dump);
		print_fact("pg_dump_version", pg_dump_version);
		PQfinish(conn);
		for (i = 5; i < dargc; i++)
			free(dargv[i]);
		if (fflush(stdout) == EOF || ferror(stdout))
			err(EX_IOERR, "standard output");
		return 0;
	}
	if ((conninfo = dumprun_conninfo(conn)) == NULL)
		err(1, "conninfo");
	dargv[dargc++] = "--dbname";
	dargv[dargc++] = conninfo;
	dargv[dargc] = NULL;
	if (PQpass(conn) != NULL && *PQpass(conn) != '\0' &&
	    (password = strdup(PQpass(conn))) == NULL)
		err(1, NULL);

	hdr.tool_version = CR_VERSION;
	hdr.database = PQdb(conn);
	hdr.user = user;
	hdr.server_version = server_version;
	hdr.pg_dump_version = pg_dump_version;
	hdr.started = time(NULL);
	hdr.schema_only = schema_only;
	hdr.data_only = data_only;
	hdr.options = options;
	if ((n = dumpfmt_header_format(&hdr, header, sizeof(header))) == -1)
		errx(1, "header too long");

	if (verbose) {
		fprintf(stderr, "cr-dump: running: %s", pg_dump);
		for (i = 1; i < dargc; i++)
			fprintf(stderr, " %s", dargv[i]);
		fprintf(stderr, "\n");
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	d.tty = isatty(STDERR_FILENO);
	d.progress = verbose || d.tty;
	d.started = now();
	run = dumprun_start(pg_dump, dargv, password, errbuf, sizeof(errbuf));
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (run == NULL)
		errx(1, "pg_dump: %s", errbuf);
	/* The privilege check runs while pg_dump connects and reads the
	 * catalogs (it writes nothing we read until the check passed). */
	if (!selective)
		precheck(conn, schema_only, run);
	PQfinish(conn);
	if (emit(&d, header, (size_t)n) == -1) {
		dumprun_free(run);
		err(EX_IOERR, "write to standard output");
	}

	io.data = on_data;
	io.diag = on_diag;
	io.tick = on_tick;
	io.arg = &d;
	io.stop = &stop_signal;
	pumped = dumprun_pump(run, &io);
	saved = errno;
	if (pumped == -1) {
		/* Stop pg_dump before saying anything: no trailer follows. */
		dumprun_kill(run, SIGTERM);
		(void)dumprun_wait(run);
		dumprun_free(run);
		if (d.progress_shown)
			fputc('\n', stderr);
		if (stop_signal != 0) {
			warnx("interrupted by signal %d; the dump is incomplete", (int)stop_signal);
			signal(stop_signal, SIG_DFL);
			raise(stop_signal);
			exit(1);
		}
		errno = saved;
		err(EX_IOERR, "write to standard output");
	}
	status = dumprun_wait(run);
	dumprun_free(run);
	if (d.progress_shown)
		fputc('\n', stderr);
	if (status == -1)
		err(1, "waitpid");
	if (WIFSIGNALED(status)) {
		warnx("pg_dump killed by signal %d; the dump is incomplete", WTERMSIG(status));
		exit(failure_code(&d, user));
	}
	if (WEXITSTATUS(status) != 0) {
		warnx("pg_dump exited with status %d; the dump is incomplete",
		    WEXITSTATUS(status));
		code = failure_code(&d, user);
		exit(code);
	}
	if (!d.last_newline && emit(&d, "\n", 1) == -1)
		err(EX_IOERR, "write to standard output");
	if ((n = dumpfmt_trailer_format(d.bytes, d.crc, trailer, sizeof(trailer))) == -1)
		errx(1, "trailer");
	if (io_write_all(STDOUT_FILENO, trailer, (size_t)n) == -1)
		err(EX_IOERR, "write to standard output");
	if (close(STDOUT_FILENO) == -1 && errno != EINTR)
		err(EX_IOERR, "close standard output");
	if (verbose) {
		fprintf(stderr, "cr-dump: complete: trailer bytes=%" PRIu64 " crc32=%08" PRIx32 "\n",
		    d.bytes, d.crc);
		d.bytes += (uint64_t)n;
		progress_line(&d, 1);
	}
	/* dargv[5] up to --dbname were allocated by add_arg. */
	for (i = 5; i < dargc - 2; i++)
		free(dargv[i]);
	free(conninfo);
	return 0;
}
