/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
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

#include "base/cliopt.h"
#include "format/dumpfmt.h"
#include "dump/dumprun.h"
#include "base/io.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"
#include "base/size.h"

#define MAXARGS		512
#define FIXED_ARGS	5	/* pg_dump and the four options it always gets */

/* What the command line asks for: pg_dump's argv, the header's options. */
struct job {
	struct pgconn_opts	 copts;
	char			*dargv[MAXARGS];
	int			 dargc;
	int			 nadded;	/* add_arg's, after FIXED_ARGS */
	char			*conninfo;	/* --dbname's, once started */
	char			 options[4096];
	int			 verbose, check, schema_only, data_only;
	int			 connection_facts;	/* connect, say, and stop */
	int			 selective;	/* -t -T -n -N: no whole-database check */
};

/* What the pre-flight learned. */
struct facts {
	PGconn		*conn;
	char		 user[256];		/* current_user */
	char		 role[600];		/* the same, quoted for a hint */
	char		 owner[256];		/* the database's owner (--connection-facts) */
	const char	*server_version;
	char		 pg_dump[PATH_MAX];
	char		 pg_dump_version[256];
};

/* The stream on stdout. */
struct dump {
	uint64_t	bytes;
	uint32_t	crc;
	int		last_newline;
	int		progress;	/* show progress on stderr */
	int		tty;		/* stderr is a terminal: redraw one line */
	int		progress_shown;	/* a progress line is on the screen */
	unsigned	ticks;
	double		started;
};

#define OPTSTRING	"d:h:p:U:ast:T:n:N:vVF:OxwZ:f:j:Cc"

static volatile sig_atomic_t stop_signal;

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: cr-dump [-asvOwx] [--check | --connection-facts] [-d dbname]\n"
	    "               [-h host] [-p port] [-U user] [--env-file file] [-n schema]\n"
	    "               [-N schema] [-t table] [-T table] [--exclude-table-data table]\n"
	    "               [-F p] [dbname]\n");
}

static const struct cliopt_help help[] = {
	PGCONN_HELP,
	{ "check",		NULL,	"connect and check the privileges only; dump nothing" },
	{ "connection-facts",	NULL,	"print database, user and server as key=value lines" },
	{ "schema-only",	NULL,	"the schema only, no data" },
	{ "data-only",		NULL,	"the data only, no schema" },
	{ "table",		"TABLE", "only tables matching the pattern; repeatable" },
	{ "exclude-table",	"TABLE", "not tables matching the pattern; repeatable" },
	{ "exclude-table-data",	"TABLE", "their definition but not their data; repeatable" },
	{ "schema",		"SCHEMA", "only schemas matching the pattern; repeatable" },
	{ "exclude-schema",	"SCHEMA", "not schemas matching the pattern; repeatable" },
	{ "format",		"p",	"plain SQL, the only format (others refused with the reason)" },
	{ "no-owner",		NULL,	"accepted for pg_dump command lines; cr-restore decides owners" },
	{ "no-acl",		NULL,	"accepted for pg_dump command lines" },
	{ "no-privileges",	NULL,	"the same as --no-acl" },
	{ "no-password",	NULL,	"accepted: cr-dump never prompts" },
	{ "verbose",		NULL,	"print the pg_dump command line and its progress" },
	{ "help",		NULL,	"print this help and exit" },
	{ "version",		NULL,	"print the version and exit" },
	{ "compress",		NULL,	NULL },
	{ "file",		NULL,	NULL },
	{ "jobs",		NULL,	NULL },
	{ "create",		NULL,	NULL },
	{ "clean",		NULL,	NULL },
	{ "inserts",		NULL,	NULL },
	{ "column-inserts",	NULL,	NULL },
	{ "rows-per-insert",	NULL,	NULL },
	{ NULL,			NULL,	NULL }
};

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
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
	double secs = io_clock() - d->started;
	char size[SIZE_IEC_LEN], rate[SIZE_IEC_LEN];

	/* On a terminal one line is redrawn; in a log, a line at a time. */
	fprintf(stderr, "%scr-dump: %s in %.0f s, %s/s%s", d->tty ? "\r" : "",
	    size_iec(d->bytes, size), secs, size_iec(secs > 0 ?
	    (uint64_t)((double)d->bytes / secs) : 0, rate),
	    final || !d->tty ? "\n" : "  ");
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

	if (d->progress_shown) {
		fputc('\n', stderr);
		d->progress_shown = 0;
	}
	(void)io_write_all(STDERR_FILENO, buf, len);
}

/* A pg_dump option, passed on and recorded in the header. */
static void
add_arg(struct job *j, const char *opt, const char *value)
{
	char *s;

	if (j->dargc >= MAXARGS - 4 ||
	    dumpfmt_option_append(j->options, sizeof(j->options), opt, value) == -1)
		errx(EX_USAGE, "too many options");
	if (value == NULL)
		s = strdup(opt);
	else if (asprintf(&s, "%s=%s", opt, value) == -1)
		s = NULL;
	if (s == NULL)
		err(1, NULL);
	j->dargv[j->dargc++] = s;
	j->nadded++;
}

static void
job_free(struct job *j)
{
	int i;

	for (i = FIXED_ARGS; i < FIXED_ARGS + j->nadded; i++)
		free(j->dargv[i]);
	free(j->conninfo);
}

static void
parse_options(int argc, char *argv[], struct job *j)
{
	enum {
		OPT_CHECK = CHAR_MAX + 1, OPT_CONNECTION_FACTS, OPT_EXCLUDE_TABLE_DATA, OPT_INSERTS,
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
		{ "connection-facts",	no_argument,		NULL, OPT_CONNECTION_FACTS },
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
	int ch;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-dump",
	    .version = CR_VERSION, .optstring = OPTSTRING, .longopts = longopts,
	    .help = help, .synopsis = print_usage });
	/* pg_dump options are collected first; the connection comes last. */
	j->dargv[j->dargc++] = "pg_dump";
	j->dargv[j->dargc++] = "--format=plain";
	j->dargv[j->dargc++] = "--no-owner";
	j->dargv[j->dargc++] = "--no-acl";
	j->dargv[j->dargc++] = "--no-password";
	j->copts.appname = "cr-dump";
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		if (pgconn_getopt(&j->copts, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (!j->schema_only)
				add_arg(j, "--schema-only", NULL);
			j->schema_only = 1;
			break;
		case 'a':
			if (!j->data_only)
				add_arg(j, "--data-only", NULL);
			j->data_only = 1;
			break;
		case 't':
			add_arg(j, "--table", optarg);
			j->selective = 1;
			break;
		case 'T':
			add_arg(j, "--exclude-table", optarg);
			j->selective = 1;
			break;
		case OPT_EXCLUDE_TABLE_DATA:
			add_arg(j, "--exclude-table-data", optarg);
			j->selective = 1;
			break;
		case 'n':
			add_arg(j, "--schema", optarg);
			j->selective = 1;
			break;
		case 'N':
			add_arg(j, "--exclude-schema", optarg);
			j->selective = 1;
			break;
		case 'v':
			j->verbose = 1;
			break;
		case OPT_CHECK:
			j->check = 1;
			break;
		case OPT_CONNECTION_FACTS:
			j->connection_facts = 1;
			break;
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
		}
	}
	if (j->schema_only && j->data_only)
		refuse("-a and -s", "cannot be used together (a dump of nothing)");
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 1 && j->copts.dbname != NULL))
		usage();
	if (argc == 1)
		j->copts.dbname = argv[0];
}

/* A closed stdin or stderr would be reused by the pipes to pg_dump; a
 * closed stdout is an error.  A failed write must come back as EPIPE, not
 * kill us before we can stop pg_dump and say what happened. */
static void
guard_stdio(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) == -1)
		errx(EX_IOERR, "standard output is closed");
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd += 2)
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			err(1, "/dev/null");
	signal(SIGPIPE, SIG_IGN);
}

/* --connection-facts for a database that does not exist: where it would be
 * (its name as the settings give it, the server's host and port, the role),
 * learned from the maintenance database on the same server, then
 * exists=false; the exit status stays 66.  Nothing more when that fails. */
static void print_fact(const char *, const char *);

static void
missing_database_facts(const struct pgconn_params *params)
{
	enum pgconn_status st;
	PGconn *conn;
	PGresult *res;
	char dbname[1024], errbuf[1024];
	const char *user;

	if ((conn = pgconn_open_resolved(params, dbname, sizeof(dbname), &st,
	    errbuf, sizeof(errbuf))) != NULL) {
		PQfinish(conn);		/* created meanwhile: say nothing */
		return;
	}
	if (dbname[0] == '\0')
		return;
	if ((conn = pgconn_open(params, "postgres", &st, errbuf,
	    sizeof(errbuf))) == NULL &&
	    (conn = pgconn_open(params, "template1", &st, errbuf,
	    sizeof(errbuf))) == NULL) {
		print_fact("database", dbname);
		print_fact("exists", "false");
		return;
	}
	user = PQuser(conn);
	res = pgexec_query(conn, NULL, "SELECT pg_catalog.\"current_user\"()", 0,
	    NULL, NULL);
	if (res != NULL && PQntuples(res) == 1)
		user = PQgetvalue(res, 0, 0);
	print_fact("database", dbname);
	print_fact("user", user);
	print_fact("server", PQparameterStatus(conn, "server_version"));
	print_fact("host", PQhost(conn));
	print_fact("port", PQport(conn));
	print_fact("exists", "false");
	print_fact("superuser", PQparameterStatus(conn, "is_superuser"));
	PQclear(res);
	PQfinish(conn);
	fflush(stdout);
}

/* Connect and learn the facts a dump's header records; pg_dump --version
 * runs while we connect. */
static void
preflight(const struct job *j, struct facts *f)
{
	struct pgconn_params *params;
	struct dumprun_probe *probe = NULL;
	enum pgconn_status st;
	PGresult *res;
	char errbuf[1024];
	int n;

	if ((params = pgconn_params_new(&j->copts, errbuf, sizeof(errbuf))) == NULL)
		errx(EX_USAGE, "%s", errbuf);
	for (size_t w = 0; pgconn_params_warning(params, w) != NULL; w++)
		warnx("%s", pgconn_params_warning(params, w));
	if (!j->connection_facts &&
	    (probe = dumprun_probe_start(getenv("CR_PG_DUMP"))) == NULL)
		err(1, NULL);
	if ((f->conn = pgconn_open(params, NULL, &st, errbuf, sizeof(errbuf))) == NULL) {
		dumprun_probe_free(probe);
		if (j->connection_facts && st == PGCONN_ENODB)
			missing_database_facts(params);
		pgconn_params_free(params);
		warnx("connect: %s", errbuf);
		if (pgconn_hint(st) != NULL)
			fprintf(stderr, "cr-dump: hint: %s\n", pgconn_hint(st));
		exit(pgconn_exit_code(st));
	}
	if (j->verbose)
		fprintf(stderr, "cr-dump: database %s (from %s)\n", PQdb(f->conn),
		    pgconn_params_source(params) != NULL ? pgconn_params_source(params) :
		    "libpq's default, the user name");
	pgconn_params_free(params);
	if ((f->server_version = PQparameterStatus(f->conn, "server_version")) == NULL)
		f->server_version = "";
	strlcpy(f->user, PQuser(f->conn), sizeof(f->user));
	if ((res = pgexec_query(f->conn, NULL, "SELECT current_user", 0, NULL,
	    NULL)) != NULL && PQntuples(res) == 1)
		strlcpy(f->user, PQgetvalue(res, 0, 0), sizeof(f->user));
	PQclear(res);
	if (pgexec_ident(f->conn, f->user, f->role, sizeof(f->role)) == -1)
		strlcpy(f->role, "the_role", sizeof(f->role));
	if (j->connection_facts) {
		/* who owns the database: the role a wrapper restores and
		 * migrates as when it connected as a superuser */
		if ((res = pgexec_query(f->conn, NULL, "SELECT "
		    "pg_catalog.pg_get_userbyid(d.datdba) FROM pg_catalog.pg_database d "
		    "WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()",
		    0, NULL, NULL)) != NULL && PQntuples(res) == 1)
			strlcpy(f->owner, PQgetvalue(res, 0, 0), sizeof(f->owner));
		PQclear(res);
		return;
	}
	/* 150018 -> 1500, 90624 -> 906 */
	n = dumprun_probe_finish(probe, PQserverVersion(f->conn) / 100, f->pg_dump,
	    sizeof(f->pg_dump), f->pg_dump_version, sizeof(f->pg_dump_version),
	    errbuf, sizeof(errbuf));
	dumprun_probe_free(probe);
	if (n == -1)
		errx(EX_UNAVAILABLE, "%s", errbuf);
}

/* Can the role read everything a whole-database dump reads?  If not, stop
 * pg_dump (when it was started) and exit 77 with the GRANTs. */
static void
precheck(const struct job *j, const struct facts *f, struct dumprun *run)
{
	struct pgexec_error e;
	char problem[1024], hint[1024];
	int rc;

	if (j->selective)
		return;
	rc = dumprun_precheck(f->conn, j->schema_only, problem, sizeof(problem), hint,
	    sizeof(hint), &e);
	if (rc == 0)
		return;
	dumprun_free(run);	/* kills it first; its complaints are ours now */
	if (rc == 1) {
		warnx("%s", problem);
		fprintf(stderr, "cr-dump: hint: %s\n", hint);
		exit(EX_NOPERM);
	}
	/* By SQLSTATE: a privilege the check itself lacks is 77 in any
	 * language the server speaks. */
	errx(pgexec_exit_code(&e), "%s", e.message);
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

/* --connection-facts, and the start of --check: where the connection went. */
static void
print_connection(const struct facts *f)
{
	print_fact("database", PQdb(f->conn));
	print_fact("user", f->user);
	print_fact("server", f->server_version);
	/* where libpq went: a socket directory or a host name, and the port */
	print_fact("host", PQhost(f->conn));
	print_fact("port", PQport(f->conn));
	print_fact("exists", "true");
	print_fact("superuser", PQparameterStatus(f->conn, "is_superuser"));
	print_fact("owner", f->owner);
}

/* --check: the pre-flight passed; say what a dump would be.  With
 * --connection-facts nothing is checked: only the connection is told. */
static int
check(struct job *j, struct facts *f)
{
	if (!j->connection_facts)
		precheck(j, f, NULL);
	print_connection(f);
	if (!j->connection_facts) {
		print_fact("pg_dump", f->pg_dump);
		print_fact("pg_dump_version", f->pg_dump_version);
	}
	PQfinish(f->conn);
	job_free(j);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "standard output");
	return 0;
}

/* Start pg_dump on our connection's settings and its password, check the
 * privileges while it connects, and write the header. */
static struct dumprun *
start(struct job *j, struct facts *f, struct dump *d)
{
	struct dumpfmt_header hdr;
	struct dumprun *run;
	struct sigaction sa;
	char *password = NULL, header[8192], errbuf[1024];
	int i, n;

	if ((j->conninfo = dumprun_conninfo(f->conn)) == NULL)
		err(1, "conninfo");
	j->dargv[j->dargc++] = "--dbname";
	j->dargv[j->dargc++] = j->conninfo;
	j->dargv[j->dargc] = NULL;
	if (PQpass(f->conn) != NULL && *PQpass(f->conn) != '\0' &&
	    (password = strdup(PQpass(f->conn))) == NULL)
		err(1, NULL);

	hdr.tool_version = CR_VERSION;
	hdr.database = PQdb(f->conn);
	hdr.user = f->user;
	hdr.server_version = f->server_version;
	hdr.pg_dump_version = f->pg_dump_version;
	hdr.started = time(NULL);
	hdr.schema_only = j->schema_only;
	hdr.data_only = j->data_only;
	hdr.options = j->options;
	if ((n = dumpfmt_header_format(&hdr, header, sizeof(header))) == -1)
		errx(1, "header too long");

	if (j->verbose) {
		fprintf(stderr, "cr-dump: running: %s", f->pg_dump);
		for (i = 1; i < j->dargc; i++)
			fprintf(stderr, " %s", j->dargv[i]);
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

	d->tty = isatty(STDERR_FILENO);
	d->progress = j->verbose || d->tty;
	d->started = io_clock();
	run = dumprun_start(f->pg_dump, j->dargv, password, errbuf, sizeof(errbuf));
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (run == NULL)
		errx(1, "pg_dump: %s", errbuf);
	/* The privilege check runs while pg_dump connects and reads the
	 * catalogs (it writes nothing we read until the check passed). */
	precheck(j, f, run);
	PQfinish(f->conn);
	f->conn = NULL;
	if (emit(d, header, (size_t)n) == -1) {
		dumprun_free(run);
		err(EX_IOERR, "write to standard output");
	}
	return run;
}

/* pg_dump's output to stdout until it ends; a failed write or a signal
 * stops pg_dump and us, without a trailer. */
static void
pump(struct dumprun *run, struct dump *d)
{
	struct dumprun_io io;
	int saved;

	io.data = on_data;
	io.diag = on_diag;
	io.tick = on_tick;
	io.arg = d;
	io.stop = &stop_signal;
	if (dumprun_pump(run, &io) == 0)
		return;
	saved = errno;
	/* Stop pg_dump before saying anything: no trailer follows. */
	dumprun_kill(run, SIGTERM);
	(void)dumprun_wait(run);
	dumprun_free(run);
	if (d->progress_shown)
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

/* Exit status for a pg_dump that failed: what it said, with a hint.  Only
 * its words reach us (see dumprun_failure for what that cannot tell). */
static int
failure_code(const struct dumprun *run, const struct facts *f)
{
	char hint[1024];

	switch (dumprun_failure(run, f->role, hint, sizeof(hint))) {
	case DUMPRUN_FAILED_PRIVILEGE:
		fprintf(stderr, "cr-dump: hint: %s\n", hint);
		return EX_NOPERM;
	case DUMPRUN_FAILED_CONNECTION:
		return EX_UNAVAILABLE;
	case DUMPRUN_FAILED:
		break;
	}
	return 1;
}

/* pg_dump's exit decides: a trailer that proves the dump complete, or the
 * reason there is none. */
static int
finish(struct job *j, struct dumprun *run, struct dump *d, const struct facts *f)
{
	char trailer[DUMPFMT_TRAILER_MAX];
	int status, code, n;

	status = dumprun_wait(run);
	if (d->progress_shown)
		fputc('\n', stderr);
	if (status == -1)
		err(1, "waitpid");
	if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			warnx("pg_dump killed by signal %d; the dump is incomplete",
			    WTERMSIG(status));
		else
			warnx("pg_dump exited with status %d; the dump is incomplete",
			    WEXITSTATUS(status));
		code = failure_code(run, f);
		dumprun_free(run);
		job_free(j);
		return code;
	}
	dumprun_free(run);
	if (!d->last_newline && emit(d, "\n", 1) == -1)
		err(EX_IOERR, "write to standard output");
	if ((n = dumpfmt_trailer_format(d->bytes, d->crc, trailer, sizeof(trailer))) == -1)
		errx(1, "trailer");
	if (io_write_all(STDOUT_FILENO, trailer, (size_t)n) == -1)
		err(EX_IOERR, "write to standard output");
	if (close(STDOUT_FILENO) == -1 && errno != EINTR)
		err(EX_IOERR, "close standard output");
	if (j->verbose) {
		fprintf(stderr, "cr-dump: complete: trailer bytes=%" PRIu64 " crc32=%08" PRIx32 "\n",
		    d->bytes, d->crc);
		d->bytes += (uint64_t)n;
		progress_line(d, 1);
	}
	job_free(j);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct job job = { 0 };
	struct facts facts = { 0 };
	struct dump d = { 0 };
	struct dumprun *run;

	parse_options(argc, argv, &job);
	guard_stdio();
	preflight(&job, &facts);		/* connection, facts, pg_dump */
	if (job.check || job.connection_facts)
		return check(&job, &facts);	/* facts on stdout; --check: privileges first */
	run = start(&job, &facts, &d);		/* pg_dump, privileges, header */
	pump(run, &d);				/* pg_dump's output to stdout */
	return finish(&job, run, &d, &facts);	/* exit status, trailer */
}
