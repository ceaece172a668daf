/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpjob: one cr-dump run: pg_dump's arguments, the pre-flight, the facts
 * lines, and the stream between header and trailer. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "base/io.h"
#include "base/sig.h"
#include "base/size.h"
#include "dump/dumpjob.h"
#include "format/dumpfmt.h"
#include "pg/pgexec.h"

#define FIXED_ARGS	5	/* pg_dump and the four options it always gets */

static int
fail(struct dumpjob_fail *f, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	f->code = code;
	f->signal = 0;
	f->hint[0] = '\0';
	return -1;
}

void
dumpjob_init(struct dumpjob *j, const char *tool_version)
{
	memset(j, 0, sizeof(*j));
	j->tool_version = tool_version;
	/* pg_dump options are collected first; the connection comes last */
	j->argv[j->argc++] = "pg_dump";
	j->argv[j->argc++] = "--format=plain";
	j->argv[j->argc++] = "--no-owner";
	j->argv[j->argc++] = "--no-acl";
	j->argv[j->argc++] = "--no-password";
	j->copts.appname = "cr-dump";
}

int
dumpjob_add_arg(struct dumpjob *j, const char *opt, const char *value)
{
	char *s;

	if (j->argc >= DUMPJOB_MAXARGS - 4 ||
	    dumpfmt_option_append(j->options, sizeof(j->options), opt, value) == -1) {
		errno = E2BIG;
		return -1;
	}
	if (value == NULL)
		s = strdup(opt);
	else if (asprintf(&s, "%s=%s", opt, value) == -1)
		s = NULL;
	if (s == NULL)
		return -1;
	j->argv[j->argc++] = s;
	j->nadded++;
	return 0;
}

void
dumpjob_free(struct dumpjob *j)
{
	int i;

	for (i = FIXED_ARGS; i < FIXED_ARGS + j->nadded; i++)
		free(j->argv[i]);
	j->nadded = 0;
	free(j->conninfo);
	j->conninfo = NULL;
}

const char *
dumpjob_format_refusal(const char *format)
{
	static const char *const archive[] = {
		"c", "custom", "d", "directory", "t", "tar", NULL
	};
	int i;

	if (strcasecmp(format, "p") == 0 || strcasecmp(format, "plain") == 0)
		return NULL;
	for (i = 0; archive[i] != NULL; i++)
		if (strcasecmp(format, archive[i]) == 0)
			return "cr keeps plain SQL, which psql and cr-restore restore "
			    "and cr-verify checks; drop -F (compress with cr-gz)";
	return "unknown format; cr-dump writes plain SQL (-F p)";
}

int
dumpjob_guard_stdio(struct dumpjob_fail *f)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) == -1)
		return fail(f, EX_IOERR, "standard output is closed");
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd += 2)
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			return fail(f, 1, "/dev/null: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* key=value, the value escaped onto one line. */
static int
print_fact(FILE *out, const char *key, const char *value, struct dumpjob_fail *f)
{
	char buf[2048];

	if (dumpfmt_escape(value != NULL ? value : "", buf, sizeof(buf)) == -1)
		return fail(f, 1, "%s too long", key);
	fprintf(out, "%s=%s\n", key, buf);
	return 0;
}

/* --connection-facts for a database that does not exist: where it would be
 * (its name as the settings give it, the server's host and port, the role),
 * learned from the maintenance database on the same server, then
 * exists=false.  Nothing when that fails too. */
static void
missing_database_facts(const struct pgconn_params *params, FILE *out)
{
	struct dumpjob_fail ignored;
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
		(void)print_fact(out, "database", dbname, &ignored);
		(void)print_fact(out, "exists", "false", &ignored);
		return;
	}
	user = PQuser(conn);
	res = pgexec_query(conn, NULL, "SELECT pg_catalog.\"current_user\"()", 0,
	    NULL, NULL);
	if (res != NULL && PQntuples(res) == 1)
		user = PQgetvalue(res, 0, 0);
	(void)print_fact(out, "database", dbname, &ignored);
	(void)print_fact(out, "user", user, &ignored);
	(void)print_fact(out, "server", PQparameterStatus(conn, "server_version"), &ignored);
	(void)print_fact(out, "host", PQhost(conn), &ignored);
	(void)print_fact(out, "port", PQport(conn), &ignored);
	(void)print_fact(out, "exists", "false", &ignored);
	(void)print_fact(out, "superuser", PQparameterStatus(conn, "is_superuser"), &ignored);
	PQclear(res);
	PQfinish(conn);
	fflush(out);
}

/* One row, one column of cr's own SQL into buf; buf unchanged otherwise. */
static void
query_one(PGconn *conn, const char *sql, char *buf, size_t len)
{
	PGresult *res;

	if ((res = pgexec_query(conn, NULL, sql, 0, NULL, NULL)) != NULL &&
	    PQntuples(res) == 1)
		strlcpy(buf, PQgetvalue(res, 0, 0), len);
	PQclear(res);
}

int
dumpjob_preflight(const struct dumpjob *j, struct dumpjob_facts *facts,
    void (*say)(const char *line), FILE *out, struct dumpjob_fail *f)
{
	struct pgconn_params *params;
	struct dumprun_probe *probe = NULL;
	enum pgconn_status st;
	char errbuf[1024], line[2048];
	const char *hint;
	size_t w;
	int n;

	if ((params = pgconn_params_new(&j->copts, errbuf, sizeof(errbuf))) == NULL)
		return fail(f, EX_USAGE, "%s", errbuf);
	for (w = 0; pgconn_params_warning(params, w) != NULL; w++)
		say(pgconn_params_warning(params, w));
	if (!j->connection_facts &&
	    (probe = dumprun_probe_start(getenv("CR_PG_DUMP"))) == NULL) {
		pgconn_params_free(params);
		return fail(f, EX_OSERR, "%s", strerror(errno));	/* out of memory */
	}
	if ((facts->conn = pgconn_open(params, NULL, &st, errbuf,
	    sizeof(errbuf))) == NULL) {
		dumprun_probe_free(probe);
		if (j->connection_facts && st == PGCONN_ENODB)
			missing_database_facts(params, out);
		pgconn_params_free(params);
		n = pgconn_failure(st, NULL, errbuf, line, sizeof(line), &hint);
		fail(f, n, "%s", line);
		if (hint != NULL)
			strlcpy(f->hint, hint, sizeof(f->hint));
		return -1;
	}
	if (j->verbose) {
		snprintf(line, sizeof(line), "database %s (from %s)", PQdb(facts->conn),
		    pgconn_params_source(params) != NULL ? pgconn_params_source(params) :
		    "libpq's default, the user name");
		say(line);
	}
	pgconn_params_free(params);
	if ((facts->server_version = PQparameterStatus(facts->conn, "server_version")) == NULL)
		facts->server_version = "";
	strlcpy(facts->user, PQuser(facts->conn), sizeof(facts->user));
	query_one(facts->conn, "SELECT pg_catalog.\"current_user\"()", facts->user, sizeof(facts->user));
	if (pgexec_ident(facts->conn, facts->user, facts->role, sizeof(facts->role)) == -1)
		strlcpy(facts->role, "the_role", sizeof(facts->role));
	if (j->connection_facts) {
		/* who owns the database: the role a wrapper restores and
		 * migrates as when it connected as a superuser */
		query_one(facts->conn, "SELECT pg_catalog.pg_get_userbyid(d.datdba) "
		    "FROM pg_catalog.pg_database d WHERE d.datname "
		    "OPERATOR(pg_catalog.=) pg_catalog.current_database()",
		    facts->owner, sizeof(facts->owner));
		return 0;
	}
	/* 150018 -> 1500, 90624 -> 906 */
	n = dumprun_probe_finish(probe, PQserverVersion(facts->conn) / 100,
	    facts->pg_dump, sizeof(facts->pg_dump), facts->pg_dump_version,
	    sizeof(facts->pg_dump_version), errbuf, sizeof(errbuf));
	dumprun_probe_free(probe);
	if (n == -1)
		return fail(f, EX_UNAVAILABLE, "%s", errbuf);
	return 0;
}

int
dumpjob_precheck(const struct dumpjob *j, const struct dumpjob_facts *facts,
    struct dumpjob_fail *f)
{
	struct pgexec_error e;
	int rc;

	if (j->selective)
		return 0;
	f->signal = 0;
	f->hint[0] = '\0';
	rc = dumprun_precheck(facts->conn, j->schema_only, f->msg, sizeof(f->msg),
	    f->hint, sizeof(f->hint), &e);
	if (rc == 0)
		return 0;
	if (rc == 1) {
		f->code = EX_NOPERM;
		return -1;
	}
	/* By SQLSTATE: a privilege the check itself lacks is 77 in any
	 * language the server speaks. */
	return fail(f, pgexec_exit_code(&e), "%s", e.message);
}

int
dumpjob_print_facts(FILE *out, const struct dumpjob_facts *facts, int with_pg_dump,
    struct dumpjob_fail *f)
{
	PGconn *c = facts->conn;

	/* where libpq went: a socket directory or a host name, and the port */
	if (print_fact(out, "database", PQdb(c), f) == -1 ||
	    print_fact(out, "user", facts->user, f) == -1 ||
	    print_fact(out, "server", facts->server_version, f) == -1 ||
	    print_fact(out, "host", PQhost(c), f) == -1 ||
	    print_fact(out, "port", PQport(c), f) == -1 ||
	    print_fact(out, "exists", "true", f) == -1 ||
	    print_fact(out, "superuser", PQparameterStatus(c, "is_superuser"), f) == -1 ||
	    print_fact(out, "owner", facts->owner, f) == -1)
		return -1;
	if (with_pg_dump && (print_fact(out, "pg_dump", facts->pg_dump, f) == -1 ||
	    print_fact(out, "pg_dump_version", facts->pg_dump_version, f) == -1))
		return -1;
	return 0;
}

/* A copy of the password: overwritten, then freed. */
static void
forget(char *password)
{
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
}

struct dumprun *
dumpjob_start(struct dumpjob *j, struct dumpjob_facts *facts,
    struct dumpjob_out *out, struct dumpjob_fail *f)
{
	struct dumpfmt_header hdr;
	struct dumprun *run;
	char *password = NULL, header[8192], errbuf[1024];
	int i, n;

	if ((j->conninfo = dumprun_conninfo(facts->conn)) == NULL) {
		fail(f, EX_OSERR, "conninfo: %s", strerror(errno));
		return NULL;
	}
	j->argv[j->argc++] = "--dbname";
	j->argv[j->argc++] = j->conninfo;
	j->argv[j->argc] = NULL;
	if (PQpass(facts->conn) != NULL && *PQpass(facts->conn) != '\0' &&
	    (password = strdup(PQpass(facts->conn))) == NULL) {
		fail(f, EX_OSERR, "%s", strerror(errno));
		return NULL;
	}

	hdr.tool_version = j->tool_version;
	hdr.database = PQdb(facts->conn);
	hdr.user = facts->user;
	hdr.server_version = facts->server_version;
	hdr.pg_dump_version = facts->pg_dump_version;
	hdr.started = time(NULL);
	hdr.schema_only = j->schema_only;
	hdr.data_only = j->data_only;
	hdr.options = j->options;
	if ((n = dumpfmt_header_format(&hdr, header, sizeof(header))) == -1) {
		forget(password);
		fail(f, 1, "header too long");
		return NULL;
	}

	if (out->verbose) {
		fprintf(out->err, "cr-dump: running: %s", facts->pg_dump);
		for (i = 1; i < j->argc; i++)
			fprintf(out->err, " %s", j->argv[i]);
		fprintf(out->err, "\n");
	}
	out->started = io_clock();
	run = dumprun_start(facts->pg_dump, j->argv, password, errbuf, sizeof(errbuf));
	forget(password);
	if (run == NULL) {
		fail(f, 1, "pg_dump: %s", errbuf);
		return NULL;
	}
	/* The privilege check runs while pg_dump connects and reads the
	 * catalogs (it writes nothing we read until the check passed). */
	if (dumpjob_precheck(j, facts, f) == -1) {
		dumprun_free(run);	/* kills it first */
		return NULL;
	}
	PQfinish(facts->conn);
	facts->conn = NULL;
	if (dumpjob_write(out, header, (size_t)n) == -1) {
		fail(f, EX_IOERR, "write to standard output: %s", strerror(errno));
		dumprun_free(run);
		return NULL;
	}
	return run;
}

int
dumpjob_write(struct dumpjob_out *out, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;
	ssize_t n;

	if (len == 0)
		return 0;
	/* Like io_write_all, but a signal ends a write blocked on a stalled
	 * reader (no SA_RESTART), so SIGTERM always stops us. */
	while (left > 0) {
		if (out->stop != NULL && *out->stop != 0) {
			errno = EINTR;
			return -1;
		}
		if ((n = write(STDOUT_FILENO, p, left)) == -1) {
			if (errno == EINTR && (out->stop == NULL || *out->stop == 0))
				continue;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	out->crc = dumpfmt_crc(out->crc, buf, len);
	out->bytes += len;
	out->last_newline = ((const char *)buf)[len - 1] == '\n';
	return 0;
}

static void
progress_line(struct dumpjob_out *out, int final)
{
	double secs = io_clock() - out->started;
	char size[SIZE_IEC_LEN], rate[SIZE_IEC_LEN];

	/* On a terminal one line is redrawn; in a log, a line at a time. */
	fprintf(out->err, "%scr-dump: %s in %.0f s, %s/s%s", out->tty ? "\r" : "",
	    size_iec(out->bytes, size), secs, size_iec(secs > 0 ?
	    (uint64_t)((double)out->bytes / secs) : 0, rate),
	    final || !out->tty ? "\n" : "  ");
	out->shown = !final && out->tty;
}

static void
end_progress(struct dumpjob_out *out)
{
	if (out->shown)
		fputc('\n', out->err);
	out->shown = 0;
}

void
dumpjob_show(struct dumpjob_out *out, FILE *err, int verbose)
{
	out->err = err;
	out->verbose = verbose;
	out->tty = isatty(fileno(err));
	out->progress = verbose || out->tty;
	out->started = io_clock();
}

static volatile sig_atomic_t stop_signal;

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

void
dumpjob_catch_signals(struct dumpjob_out *out)
{
	/* a signal ends a write blocked on a stalled reader (lib/base/sig) */
	sig_catch_stop(on_signal);
	sig_catch(SIGALRM, on_alarm);
	out->stop = &stop_signal;
}

static int
on_data(void *arg, const void *buf, size_t len)
{
	return dumpjob_write(arg, buf, len);
}

static void
on_tick(void *arg)
{
	struct dumpjob_out *out = arg;

	/* Every second on a terminal, every 10 seconds in a log. */
	if (out->progress && (out->tty || ++out->ticks % 10 == 0))
		progress_line(out, 0);
}

static void
on_diag(void *arg, const char *buf, size_t len)
{
	struct dumpjob_out *out = arg;

	end_progress(out);
	fflush(out->err);
	(void)io_write_all(fileno(out->err), buf, len);
}

int
dumpjob_pump(struct dumprun *run, struct dumpjob_out *out, struct dumpjob_fail *f)
{
	struct dumprun_io io = { on_data, on_diag, on_tick, out, out->stop };
	int saved;

	if (dumprun_pump(run, &io) == 0)
		return 0;
	saved = errno;
	/* Stop pg_dump before saying anything: no trailer follows. */
	dumprun_kill(run, SIGTERM);
	(void)dumprun_wait(run);
	dumprun_free(run);
	end_progress(out);
	if (out->stop != NULL && *out->stop != 0) {
		fail(f, 1, "interrupted by signal %d; the dump is incomplete",
		    (int)*out->stop);
		f->signal = *out->stop;
		return -1;
	}
	return fail(f, EX_IOERR, "write to standard output: %s", strerror(saved));
}

/* pg_dump failed: what it said decides the exit status and the hint. */
static int
pg_dump_failed(struct dumprun *run, int status, const struct dumpjob_facts *facts,
    struct dumpjob_fail *f)
{
	if (WIFSIGNALED(status))
		fail(f, 1, "pg_dump killed by signal %d; the dump is incomplete",
		    WTERMSIG(status));
	else
		fail(f, 1, "pg_dump exited with status %d; the dump is incomplete",
		    WEXITSTATUS(status));
	/* Only pg_dump's words reach us (see dumprun_failure). */
	switch (dumprun_failure(run, facts->role, f->hint, sizeof(f->hint))) {
	case DUMPRUN_FAILED_PRIVILEGE:
		f->code = EX_NOPERM;
		break;
	case DUMPRUN_FAILED_CONNECTION:
		f->hint[0] = '\0';
		f->code = EX_UNAVAILABLE;
		break;
	case DUMPRUN_FAILED:
		f->hint[0] = '\0';
		break;
	}
	dumprun_free(run);
	return -1;
}

int
dumpjob_finish(struct dumprun *run, struct dumpjob_out *out,
    const struct dumpjob_facts *facts, struct dumpjob_fail *f)
{
	char trailer[DUMPFMT_TRAILER_MAX];
	int status, n;

	status = dumprun_wait(run);
	end_progress(out);
	if (status == -1) {
		fail(f, 1, "waitpid: %s", strerror(errno));
		dumprun_free(run);
		return -1;
	}
	if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
		return pg_dump_failed(run, status, facts, f);
	dumprun_free(run);
	if (!out->last_newline && dumpjob_write(out, "\n", 1) == -1)
		return fail(f, EX_IOERR, "write to standard output: %s", strerror(errno));
	if ((n = dumpfmt_trailer_format(out->bytes, out->crc, trailer,
	    sizeof(trailer))) == -1)
		return fail(f, 1, "trailer");
	if (io_write_all(STDOUT_FILENO, trailer, (size_t)n) == -1)
		return fail(f, EX_IOERR, "write to standard output: %s", strerror(errno));
	if (close(STDOUT_FILENO) == -1 && errno != EINTR)
		return fail(f, EX_IOERR, "close standard output: %s", strerror(errno));
	if (out->verbose) {
		fprintf(out->err, "cr-dump: complete: trailer bytes=%" PRIu64
		    " crc32=%08" PRIx32 "\n", out->bytes, out->crc);
		out->bytes += (uint64_t)n;
		progress_line(out, 1);
	}
	return 0;
}
