/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* parallel: worker threads with a connection each, a queue of jobs in
 * script order, COPY data handed over in memory or through a spill file. */
#include <sys/vfs.h>

#include <linux/magic.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "base/io.h"
#include "gz/gzrange.h"
#include "restore/parallel.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"
#include "pg/sqlexec.h"
#include "base/size.h"
#include "sql/sqlsplit.h"

enum state { QUEUED, RUNNING, DONE };

/* COPY data held in memory. */
struct chunk {
	struct chunk	*next;
	size_t		 len;
	unsigned long	 line;
	char		 data[];
};

/* A chunk in a spill file: this header, then the data. */
struct spillhead {
	uint64_t	 len;
	uint64_t	 line;
};

struct parallel_job {
	struct parallel_job *next;
	enum parallel_kind kind;
	enum state	 state;
	char		*sql;
	unsigned long	 line;
	char		 rel[256], ref[256];
	size_t		 nsessions;	/* session statements in force */
	/* How the script's text reads when the job was queued: the main
	 * connection's settings, which the restore checks after every
	 * statement against the splitter's model. */
	char		 std_strings[8];
	char		 encoding[64];
	int		 failed;
	/* COPY */
	size_t		 table;
	int		 csv;
	struct chunk	*head, *tail;
	int		 spilling;
	int		 fd;
	uint64_t	 written, readoff;
	int		 ended;
	unsigned long	 end_line;
	uint64_t	 carried, loaded;
	/* -j FILE: the data is read from the file, [rbegin, rend) */
	int		 ranged;
	uint64_t	 rbegin, rend;
	unsigned long	 rdata_line;
	/* The schedule: the tables' entries in sizes (-1: none), the COPY
	 * data the job carried, when it ran and on which worker. */
	long		 slot, refslot;
	uint64_t	 bytes;
	double		 queued, started, finished;
	unsigned	 worker;
};

/* A job that finished, for parallel_report. */
struct record {
	enum parallel_kind kind;
	char		*rel;
	unsigned long	 line;
	uint64_t	 bytes;
	double		 queued, started, finished;
	unsigned	 worker;
};

/* A table's COPY data (once its block was read) and its index and
 * constraint jobs not done yet, for the weights. */
struct tablesize {
	char		*rel;
	uint64_t	 bytes;
	unsigned	 pending;
};

struct worker {
	struct parallel	*p;
	unsigned	 id;		/* 1.. */
	pthread_t	 thread;
	int		 started;
	PGconn		*conn;
	PGcancel	*cancel;
	size_t		 applied;	/* session statements run */
	char		 su[8];		/* is_superuser as the setup left it,
					 * when it sets a role; else "" */
	char		 path[1024];	/* search_path as they left it */
	int		 path_known;
	unsigned long	 line;		/* of the job, for notices */
	struct sqlexec_notices notices;
	struct gzrange	*range;		/* -j FILE: its reader of the file */
	int		 input;		/* the job failed reading the file: 3 data, 4 I/O */
};

struct parallel {
	struct parallel_opts o;
	PGconn		*main;		/* read on the main thread only */
	char		**setup;	/* copies of o.setup */
	pthread_mutex_t	 lock;
	pthread_cond_t	 changed;
	struct worker	*workers;
	unsigned	 nworkers;
	struct parallel_job *queue, *last;
	char		**sessions;
	size_t		 nsessions, sessioncap;
	size_t		 memory;	/* COPY data held in memory now */
	uint64_t	 spilled, spill_now, spill_peak;
	int		 stop, failed;
	int		 session;	/* the failure: 1 a worker's session differs,
					 * 3 or 4 the file's data (parallel_error) */
	char		 err[2048];
	unsigned long	 err_line;
	/* The schedule's log (under the lock). */
	double		 t0, first_copy;
	struct record	*log;
	size_t		 nlog, logcap;
	struct tablesize *sizes;
	size_t		 nsizes, sizecap;
};

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Two jobs that must not run at once, nor out of order: a table in
 * common, unless both build indexes (SHARE locks do not conflict). */
static int
conflicts(const struct parallel_job *a, const struct parallel_job *b)
{
	if (a->kind == PARALLEL_INDEX && b->kind == PARALLEL_INDEX)
		return 0;
	return (a->rel[0] != '\0' && (strcmp(a->rel, b->rel) == 0 || strcmp(a->rel, b->ref) == 0)) ||
	    (a->ref[0] != '\0' && (strcmp(a->ref, b->rel) == 0 || strcmp(a->ref, b->ref) == 0));
}

/* A job's weight, for the critical path: the length of the chain it
 * starts, estimated as its table's COPY data times the jobs left in the
 * chain.  A COPY weighs its data times one more than its table's index
 * and constraint jobs queued (at least one: they may not be read yet),
 * what has been read of it so far while it is still being read; an index
 * or constraint its table's data times its table's jobs not done (itself
 * included), a foreign key at least the referenced table's data.  Called
 * with the lock held. */
static uint64_t
weight(const struct parallel *p, const struct parallel_job *j)
{
	uint64_t w = 0;
	unsigned n;

	if (j->kind == PARALLEL_COPY) {
		n = j->slot >= 0 ? p->sizes[j->slot].pending : 0;
		return j->bytes * (1 + (n > 0 ? n : 1));
	}
	if (j->slot >= 0)
		w = p->sizes[j->slot].bytes * p->sizes[j->slot].pending;
	if (j->refslot >= 0 && p->sizes[j->refslot].bytes > w)
		w = p->sizes[j->refslot].bytes;
	return w;
}

/* Of the first PICK_WINDOW queued jobs, those nothing running or queued
 * before them conflicts with, the heaviest (largest tables' data first,
 * then their indexes and constraints, before smaller tables'), the
 * earliest of equals.  Any such job may run now: the order among them is
 * free.  The window keeps a pick short when thousands of small tables'
 * jobs are queued.  Called with the lock held. */
#define PICK_WINDOW	256

static struct parallel_job *
pick(struct parallel *p)
{
	struct parallel_job *j, *k, *best = NULL;
	unsigned n = 0;

	for (j = p->queue; j != NULL && n < PICK_WINDOW; j = j->next) {
		if (j->state != QUEUED)
			continue;
		n++;
		if (best != NULL && weight(p, j) <= weight(p, best))
			continue;
		for (k = p->queue; k != j; k = k->next)
			if (k->state != DONE && conflicts(j, k))
				break;
		if (k == j)
			best = j;
	}
	return best;
}

/* The entry of rel in sizes, made when new: its index, or -1 for no
 * table or no memory (the job then only weighs less).  Called with the
 * lock held. */
static long
table_slot(struct parallel *p, const char *rel)
{
	struct tablesize *v;
	size_t i;

	if (rel[0] == '\0')
		return -1;
	for (i = 0; i < p->nsizes; i++)
		if (strcmp(p->sizes[i].rel, rel) == 0)
			return (long)i;
	if (p->nsizes == p->sizecap) {
		if ((v = reallocarray(p->sizes, p->sizecap ? p->sizecap * 2 : 64,
		    sizeof(*v))) == NULL)
			return -1;
		p->sizes = v;
		p->sizecap = p->sizecap ? p->sizecap * 2 : 64;
	}
	if ((p->sizes[p->nsizes].rel = strdup(rel)) == NULL)
		return -1;
	p->sizes[p->nsizes].bytes = 0;
	p->sizes[p->nsizes].pending = 0;
	return (long)p->nsizes++;
}

/* Called with the lock held; a failure only loses the record. */
static void
log_job(struct parallel *p, const struct parallel_job *j)
{
	struct record *v, *r;

	if (p->nlog == p->logcap) {
		if ((v = reallocarray(p->log, p->logcap ? p->logcap * 2 : 256,
		    sizeof(*v))) == NULL)
			return;
		p->log = v;
		p->logcap = p->logcap ? p->logcap * 2 : 256;
	}
	r = &p->log[p->nlog];
	if ((r->rel = strdup(j->rel)) == NULL)
		return;
	r->kind = j->kind;
	r->line = j->line;
	r->bytes = j->bytes;
	r->queued = j->queued;
	r->started = j->started;
	r->finished = j->finished;
	r->worker = j->worker;
	p->nlog++;
}

static void
fail(struct parallel *p, const char *err, unsigned long line, int session)
{
	if (!p->failed) {
		strlcpy(p->err, err, sizeof(p->err));
		p->err_line = line;
		p->session = session;
	}
	p->failed = 1;
}

/* The worker's session must read the script's text as the job was split:
 * a function run by the job (a CHECK or a default during a COPY, an index
 * expression) may have changed standard_conforming_strings or
 * client_encoding with set_config, and the worker's next statement would
 * then be read otherwise than the splitter read it.  The same check as
 * the main connection's after every statement.  Returns 0, or -1 with err. */
static int
session_differs(struct worker *w, const struct parallel_job *j, const char *when,
    char *err, size_t errlen)
{
	const char *std = PQparameterStatus(w->conn, "standard_conforming_strings");
	const char *enc = PQparameterStatus(w->conn, "client_encoding");
	const char *su;

	if (enc != NULL && (!sqlsplit_encoding_safe(enc) ||
	    (j->encoding[0] != '\0' && strcmp(enc, j->encoding) != 0))) {
		snprintf(err, errlen, "line %lu: a worker's session %s has client_encoding %s, "
		    "the script's text says %s (changed by a function or DO block?): "
		    "stopped before its next statement", j->line, when, enc, j->encoding);
		return -1;
	}
	/* The role the setup set, as on the main connection: code that left
	 * it (RESET ROLE in a function a CHECK calls) must not hand the
	 * login's session to the worker's next jobs. */
	if (w->su[0] != '\0' && ((su = PQparameterStatus(w->conn, "is_superuser")) == NULL ||
	    strcmp(su, w->su) != 0)) {
		snprintf(err, errlen, "line %lu: a worker's session %s left the role the "
		    "script runs as (is_superuser changed: RESET ROLE or SET SESSION "
		    "AUTHORIZATION in a function or DO block?): stopped before its next "
		    "statement", j->line, when);
		return -1;
	}
	if (std != NULL && strcmp(std, j->std_strings) != 0) {
		snprintf(err, errlen, "line %lu: a worker's session %s reads strings with "
		    "standard_conforming_strings %s, the script's text says %s (changed by "
		    "a function or DO block?): stopped before its next statement", j->line,
		    when, std, j->std_strings);
		return -1;
	}
	return 0;
}

static void
worker_notice(void *arg, unsigned long line, const char *severity, const char *msg)
{
	struct worker *w = arg;

	/* Called on the worker's thread, from libpq, without the lock. */
	pthread_mutex_lock(&w->p->lock);
	if (w->p->o.notice != NULL)
		w->p->o.notice(w->p->o.notice_arg, line, severity, msg);
	pthread_mutex_unlock(&w->p->lock);
}

/* search_path must stay what the session statements set (see path_check
 * in lib/restore/restore.c): read after they ran (set), compared after a job.
 * Returns 0, -1 with err (a failure), or -2 with err (it changed). */
static int
path_check(struct worker *w, const struct parallel_job *j, int set, char *err, size_t errlen)
{
	PGresult *res;
	int rc = 0;

	res = pgexec_exec_user_path(w->conn, "SELECT pg_catalog.current_setting('search_path')",
	    0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		sqlexec_error(w->conn, res, j->line, "reading search_path", err, errlen);
		PQclear(res);
		return -1;
	}
	if (!set && w->path_known && strcmp(PQgetvalue(res, 0, 0), w->path) != 0) {
		snprintf(err, errlen, "line %lu: a worker's session search_path is now \"%s\", "
		    "the script set \"%s\" (changed by a function or DO block?): stopped "
		    "before its next statement, which would resolve names through it", j->line,
		    PQgetvalue(res, 0, 0), w->path);
		rc = -2;
	} else {
		strlcpy(w->path, PQgetvalue(res, 0, 0), sizeof(w->path));
		w->path_known = 1;
	}
	PQclear(res);
	return rc;
}

/* The session statements job j runs with.  Returns 0 or -1 with err. */
static int
apply_sessions(struct worker *w, const struct parallel_job *j, char *err, size_t errlen)
{
	struct parallel *p = w->p;
	size_t i;
	char *sql;

	if (w->applied > j->nsessions) {
		/* A later SET is in force: start again from the top. */
		if (sqlexec_simple(w->conn, "RESET ALL", 0, err, errlen) == -1)
			return -1;
		for (i = 0; i < p->o.nsetup; i++)
			if (sqlexec_simple(w->conn, p->setup[i], 0, err, errlen) == -1)
				return -1;
		w->applied = 0;
	}
	while (w->applied < j->nsessions) {
		pthread_mutex_lock(&p->lock);
		sql = p->sessions[w->applied];	/* never freed before the pool */
		pthread_mutex_unlock(&p->lock);
		if (sqlexec_simple(w->conn, sql, 0, err, errlen) == -1)
			return -1;
		w->applied++;
	}
	return 0;
}

/* The next piece of a COPY job's data, waiting for it.  Returns 1 with
 * *buf (malloc'd) set, 0 at the end of the data, -1 when stopped or a
 * spill file could not be read (err set). */
static int
next_data(struct parallel *p, struct parallel_job *j, char **buf, size_t *len,
    unsigned long *line, char *err, size_t errlen)
{
	struct chunk *c;
	struct spillhead h;
	uint64_t off;
	int fd;

	pthread_mutex_lock(&p->lock);
	while (!p->stop && j->head == NULL && j->readoff == j->written && !j->ended)
		pthread_cond_wait(&p->changed, &p->lock);
	if (p->stop) {
		pthread_mutex_unlock(&p->lock);
		snprintf(err, errlen, "cancelled");
		return -1;
	}
	if ((c = j->head) != NULL) {
		if ((j->head = c->next) == NULL)
			j->tail = NULL;
		p->memory -= c->len;
		pthread_mutex_unlock(&p->lock);
		/* The chunk itself is handed over: data at its start. */
		*len = c->len;
		*line = c->line;
		memmove(c, c->data, c->len);
		*buf = (char *)c;
		return 1;
	}
	if (j->readoff == j->written) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	/* The reader sets j->fd under the lock (again with each spilled
	 * piece): read it here, not after unlocking. */
	off = j->readoff;
	fd = j->fd;
	pthread_mutex_unlock(&p->lock);
	if (pread(fd, &h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h) ||
	    (*buf = malloc(h.len > 0 ? h.len : 1)) == NULL) {
		snprintf(err, errlen, "reading spilled COPY data: %s",
		    errno ? strerror(errno) : "short read");
		return -1;
	}
	if (pread(fd, *buf, h.len, (off_t)(off + sizeof(h))) != (ssize_t)h.len) {
		snprintf(err, errlen, "reading spilled COPY data: %s",
		    errno ? strerror(errno) : "short read");
		free(*buf);
		return -1;
	}
	*len = h.len;
	*line = h.line;
	pthread_mutex_lock(&p->lock);
	j->readoff = off + sizeof(h) + h.len;
	pthread_mutex_unlock(&p->lock);
	return 1;
}

/* -j FILE: a COPY's data read from the file by the worker itself, each
 * member checked as it is inflated (lib/gz/gzrange), then the main
 * reader's \. awaited for the end line and the rows carried.  Returns 0
 * at the end; -1 with err set when stopped or the file failed (w->input
 * says which), -2 when the server failed the data (err, *errline set). */
static int
copy_from_file(struct worker *w, struct parallel_job *j, struct sqlexec_copy *c, char *err,
    size_t errlen, unsigned long *errline)
{
	struct parallel *p = w->p;
	const void *data;
	ssize_t n;
	int stop;

	if (w->range == NULL && (w->range = gzrange_open(p->o.map, p->o.map_fd)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	gzrange_seek(w->range, j->rbegin);
	while (gzrange_tell(w->range) < j->rend) {
		pthread_mutex_lock(&p->lock);
		stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		if (stop) {
			snprintf(err, errlen, "cancelled");
			return -1;
		}
		if ((n = gzrange_next(w->range, &data,
		    (size_t)(j->rend - gzrange_tell(w->range)))) <= 0) {
			snprintf(err, errlen, "line %lu: the COPY data read from the file: %s",
			    j->rdata_line, n == 0 ? "the stream ends before it" :
			    gzrange_error(w->range));
			w->input = n == -1 && gzrange_errkind(w->range) == GZRANGE_EIO ? 4 : 3;
			return -1;
		}
		w->line = j->rdata_line;
		if (sqlexec_copy_data(c, data, (size_t)n, j->rdata_line, err, errlen,
		    errline) == -1)
			return -2;
	}
	pthread_mutex_lock(&p->lock);
	while (!p->stop && !j->ended)
		pthread_cond_wait(&p->changed, &p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	if (stop) {
		snprintf(err, errlen, "cancelled");
		return -1;
	}
	return 0;
}

static int
run_copy(struct worker *w, struct parallel_job *j, char *err, size_t errlen,
    unsigned long *errline)
{
	struct sqlexec_copy c;
	PGresult *res;
	char *buf, what[128], head[96];
	size_t len;
	unsigned long line;
	int n;

	sqlexec_copy_begin(&c, w->conn, j->sql, strlen(j->sql), j->line);
	res = PQexec(w->conn, j->sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		sqlsplit_head(j->sql, strlen(j->sql), head, sizeof(head));
		snprintf(what, sizeof(what), "statement: %s", head);
		sqlexec_error(w->conn, res, j->line, what, err, errlen);
		PQclear(res);
		*errline = j->line;
		return -1;
	}
	PQclear(res);
	if (j->ranged) {
		if ((n = copy_from_file(w, j, &c, err, errlen, errline)) == -2)
			return -1;
		if (n == -1) {
			sqlexec_copy_abort(&c, "cr-restore: stopped");
			*errline = j->rdata_line;
			return -1;
		}
		return sqlexec_copy_end(&c, j->end_line, &j->loaded, err, errlen, errline);
	}
	while ((n = next_data(w->p, j, &buf, &len, &line, err, errlen)) == 1) {
		w->line = line;
		n = sqlexec_copy_data(&c, buf, len, line, err, errlen, errline);
		free(buf);
		if (n == -1)
			return -1;
	}
	if (n == -1) {
		sqlexec_copy_abort(&c, "cr-restore: stopped");
		*errline = j->line;
		return -1;
	}
	return sqlexec_copy_end(&c, j->end_line, &j->loaded, err, errlen, errline);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct parallel *p = w->p;
	struct parallel_job *j;
	char err[2048];
	unsigned long errline;
	int rc, session;
	size_t applied;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->stop)
			break;
		if ((j = pick(p)) == NULL) {
			pthread_cond_wait(&p->changed, &p->lock);
			continue;
		}
		j->state = RUNNING;
		j->started = now();
		j->worker = w->id;
		pthread_mutex_unlock(&p->lock);

		w->line = j->line;
		errline = j->line;
		err[0] = '\0';
		session = 0;
		w->input = 0;
		applied = w->applied;
		rc = apply_sessions(w, j, err, sizeof(err));
		if (rc == 0 && (rc = session_differs(w, j, "before the job", err,
		    sizeof(err))) == -1)
			session = 1;
		if (rc == 0 && (!w->path_known || w->applied != applied))
			rc = path_check(w, j, 1, err, sizeof(err));
		if (rc == 0 && j->kind == PARALLEL_COPY)
			rc = run_copy(w, j, err, sizeof(err), &errline);
		else if (rc == 0)
			rc = sqlexec_simple(w->conn, j->sql, j->line, err, sizeof(err));
		if (rc == 0 && (rc = session_differs(w, j, "after the job", err,
		    sizeof(err))) == -1)
			session = 1;
		if (rc == 0 && (rc = path_check(w, j, 0, err, sizeof(err))) == -2) {
			session = 1;
			rc = -1;
		}

		pthread_mutex_lock(&p->lock);
		j->state = DONE;
		j->finished = now();
		if (j->kind != PARALLEL_COPY && j->slot >= 0)
			p->sizes[j->slot].pending--;
		if (rc == 0)
			log_job(p, j);
		if (rc == -1) {
			j->failed = 1;
			/* A job cancelled because another failed says nothing. */
			if (!p->stop)
				fail(p, err, errline, w->input ? w->input : session);
			p->stop = 1;
		}
		pthread_cond_broadcast(&p->changed);
	}
	pthread_mutex_unlock(&p->lock);
	gzrange_close(w->range);
	w->range = NULL;
	return NULL;
}

static void
job_free(struct parallel *p, struct parallel_job *j)
{
	struct chunk *c;

	while ((c = j->head) != NULL) {
		j->head = c->next;
		p->memory -= c->len;
		free(c);
	}
	if (j->fd != -1) {
		close(j->fd);
		p->spill_now -= j->written;
	}
	free(j->sql);
	free(j);
}

struct parallel *
parallel_new(PGconn *conn, const struct parallel_opts *o, char *err, size_t errlen)
{
	struct parallel *p;
	struct worker *w;
	enum pgconn_status st;
	unsigned i;
	size_t k;
	char msg[1024];

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->workers = calloc(o->jobs, sizeof(*p->workers))) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->o = *o;
	p->main = conn;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	p->t0 = now();
	p->o.nsetup = 0;
	p->o.setup = NULL;
	if ((p->setup = calloc(o->nsetup + 1, sizeof(*p->setup))) == NULL)
		goto nomem;
	for (k = 0; k < o->nsetup; k++, p->o.nsetup++)
		if ((p->setup[k] = strdup(o->setup[k])) == NULL)
			goto nomem;
	for (i = 0; i < o->jobs; i++) {
		w = &p->workers[i];
		w->p = p;
		w->id = i + 1;
		p->nworkers++;
		if ((w->conn = pgconn_open_like(conn, NULL, &st, msg, sizeof(msg))) == NULL) {
			snprintf(err, errlen, "worker connection %u: %s", i + 1, msg);
			goto fail;
		}
		w->notices.fn = worker_notice;
		w->notices.arg = w;
		w->notices.line = &w->line;
		PQsetNoticeReceiver(w->conn, sqlexec_notice_receiver, &w->notices);
		for (k = 0; k < o->nsetup; k++)
			if (sqlexec_simple(w->conn, o->setup[k], 0, err, errlen) == -1)
				goto fail;
		if (o->check_role && PQparameterStatus(w->conn, "is_superuser") != NULL)
			strlcpy(w->su, PQparameterStatus(w->conn, "is_superuser"), sizeof(w->su));
		if ((w->cancel = PQgetCancel(w->conn)) == NULL) {
			snprintf(err, errlen, "worker connection %u: no cancel handle", i + 1);
			goto fail;
		}
	}
	for (i = 0; i < p->nworkers; i++) {
		if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
			snprintf(err, errlen, "starting a worker thread: %s", strerror(errno));
			goto fail;
		}
		p->workers[i].started = 1;
	}
	return p;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	parallel_free(p);
	return NULL;
}

void
parallel_cancel(struct parallel *p)
{
	char buf[256];
	unsigned i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nworkers; i++)
		if (p->workers[i].cancel != NULL)
			PQcancel(p->workers[i].cancel, buf, sizeof(buf));
}

void
parallel_free(struct parallel *p)
{
	struct parallel_job *j;
	unsigned i;
	size_t k;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	for (j = p->queue; j != NULL; j = j->next)
		if (j->state != DONE)
			break;
	pthread_mutex_unlock(&p->lock);
	if (j != NULL)
		parallel_cancel(p);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nworkers; i++) {
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
		PQfreeCancel(p->workers[i].cancel);
		if (p->workers[i].conn != NULL)
			PQfinish(p->workers[i].conn);
	}
	while ((j = p->queue) != NULL) {
		p->queue = j->next;
		job_free(p, j);
	}
	for (k = 0; k < p->nlog; k++)
		free(p->log[k].rel);
	for (k = 0; k < p->nsizes; k++)
		free(p->sizes[k].rel);
	free(p->log);
	free(p->sizes);
	for (k = 0; k < p->nsessions; k++)
		free(p->sessions[k]);
	for (k = 0; p->setup != NULL && k < p->o.nsetup; k++)
		free(p->setup[k]);
	free(p->setup);
	free(p->sessions);
	free(p->workers);
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
parallel_session(struct parallel *p, const char *sql)
{
	char **v, *s;

	if ((s = strdup(sql)) == NULL)
		return -1;
	pthread_mutex_lock(&p->lock);
	if (p->nsessions == p->sessioncap) {
		v = reallocarray(p->sessions, p->sessioncap ? p->sessioncap * 2 : 16, sizeof(*v));
		if (v == NULL) {
			pthread_mutex_unlock(&p->lock);
			free(s);
			return -1;
		}
		p->sessions = v;
		p->sessioncap = p->sessioncap ? p->sessioncap * 2 : 16;
	}
	p->sessions[p->nsessions++] = s;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static struct parallel_job *
job_new(struct parallel *p, enum parallel_kind kind, const char *sql, unsigned long line,
    const char *rel, const char *ref, const struct parallel_range *range)
{
	struct parallel_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL || (j->sql = strdup(sql)) == NULL) {
		free(j);
		return NULL;
	}
	j->kind = kind;
	j->line = line;
	j->fd = -1;
	strlcpy(j->rel, rel != NULL ? rel : "", sizeof(j->rel));
	strlcpy(j->ref, ref != NULL ? ref : "", sizeof(j->ref));
	snprintf(j->std_strings, sizeof(j->std_strings), "%s",
	    PQparameterStatus(p->main, "standard_conforming_strings") != NULL ?
	    PQparameterStatus(p->main, "standard_conforming_strings") : "on");
	snprintf(j->encoding, sizeof(j->encoding), "%s",
	    PQparameterStatus(p->main, "client_encoding") != NULL ?
	    PQparameterStatus(p->main, "client_encoding") : "");
	pthread_mutex_lock(&p->lock);
	j->nsessions = p->nsessions;
	j->queued = now();
	if (kind == PARALLEL_COPY && p->first_copy == 0)
		p->first_copy = j->queued;
	if (range != NULL) {	/* before a worker can see it */
		j->ranged = 1;
		j->rbegin = range->begin;
		j->rend = range->end;
		j->rdata_line = range->data_line;
		j->bytes = range->end - range->begin;
		j->carried = range->rows;
	}
	j->slot = table_slot(p, j->rel);
	j->refslot = table_slot(p, j->ref);
	if (kind != PARALLEL_COPY && j->slot >= 0)
		p->sizes[j->slot].pending++;
	if (p->last != NULL)
		p->last->next = j;
	else
		p->queue = j;
	p->last = j;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return j;
}

int
parallel_statement(struct parallel *p, enum parallel_kind kind, const char *sql,
    unsigned long line, const char *rel, const char *ref)
{
	return job_new(p, kind, sql, line, rel, ref, NULL) == NULL ? -1 : 0;
}

struct parallel_job *
parallel_copy_begin(struct parallel *p, const char *sql, unsigned long line, const char *rel,
    size_t table, int csv, const struct parallel_range *range)
{
	struct parallel_job *j;

	if ((j = job_new(p, PARALLEL_COPY, sql, line, rel, NULL, range)) == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	j->table = table;
	j->csv = csv;
	pthread_mutex_unlock(&p->lock);
	return j;
}

/* A private file for spilled data: made and unlinked at once, so nothing
 * is left behind whatever way the process ends. */
static int
spill_open(struct parallel *p)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/cr-restore.XXXXXX",
	    p->o.tmpdir != NULL && p->o.tmpdir[0] != '\0' ? p->o.tmpdir : "/tmp");
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	unlink(path);
	return fd;
}

static int
in_memory(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 &&
	    (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC);
}

const char *
parallel_spill_dir(const char *tmpdir)
{
	if (tmpdir != NULL && tmpdir[0] != '\0')
		return tmpdir;
	if (in_memory("/tmp") && access("/var/tmp", W_OK | X_OK) == 0 &&
	    !in_memory("/var/tmp"))
		return "/var/tmp";
	return "/tmp";
}

int
parallel_copy_data(struct parallel *p, struct parallel_job *j, const char *buf, size_t len,
    unsigned long line, char *err, size_t errlen)
{
	struct chunk *c;
	struct spillhead h;
	uint64_t off;
	int fd;

	pthread_mutex_lock(&p->lock);
	if (p->stop) {
		pthread_mutex_unlock(&p->lock);
		snprintf(err, errlen, "stopped");
		return -1;
	}
	j->bytes += len;
	if (!j->spilling && p->memory + len <= p->o.buffer) {
		if ((c = malloc(sizeof(*c) + len)) == NULL) {
			pthread_mutex_unlock(&p->lock);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->next = NULL;
		c->len = len;
		c->line = line;
		memcpy(c->data, buf, len);
		if (j->tail != NULL)
			j->tail->next = c;
		else
			j->head = c;
		j->tail = c;
		p->memory += len;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	/* Once spilled, the rest of the block follows it, in order. */
	j->spilling = 1;
	off = j->written;
	fd = j->fd;
	pthread_mutex_unlock(&p->lock);
	if (fd == -1 && (fd = spill_open(p)) == -1) {
		snprintf(err, errlen, "creating a temporary file in %s: %s",
		    p->o.tmpdir != NULL ? p->o.tmpdir : "/tmp", strerror(errno));
		return -1;
	}
	h.len = len;
	h.line = line;
	if (io_pwrite_all(fd, &h, sizeof(h), (off_t)off) == -1 ||
	    io_pwrite_all(fd, buf, len, (off_t)(off + sizeof(h))) == -1) {
		snprintf(err, errlen, "spilling COPY data to a temporary file in %s: %s",
		    p->o.tmpdir != NULL ? p->o.tmpdir : "/tmp", strerror(errno));
		pthread_mutex_lock(&p->lock);
		j->fd = fd;
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	j->fd = fd;
	j->written = off + sizeof(h) + len;
	p->spilled += sizeof(h) + len;
	p->spill_now += sizeof(h) + len;
	if (p->spill_now > p->spill_peak)
		p->spill_peak = p->spill_now;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void
parallel_copy_end(struct parallel *p, struct parallel_job *j, unsigned long line,
    uint64_t carried)
{
	pthread_mutex_lock(&p->lock);
	j->ended = 1;
	j->end_line = line;
	j->carried = carried;
	if (j->slot >= 0)
		p->sizes[j->slot].bytes += j->bytes;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

int
parallel_collect(struct parallel *p, struct parallel_done *d)
{
	struct parallel_job **pp, *j, *prev = NULL;
	int found = 0;

	pthread_mutex_lock(&p->lock);
	for (pp = &p->queue; (j = *pp) != NULL; ) {
		if (j->state != DONE || j->failed) {
			prev = j;
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		if (p->last == j)
			p->last = prev;
		if (j->kind == PARALLEL_COPY) {
			d->table = j->table;
			d->csv = j->csv;
			d->line = j->line;
			d->carried = j->carried;
			d->loaded = j->loaded;
			found = 1;
		}
		job_free(p, j);
		if (found)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	return found;
}

int
parallel_wait(struct parallel *p, volatile sig_atomic_t *interrupted)
{
	struct parallel_job *j;
	struct timespec t;
	int rc;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->failed) {
			rc = -1;
			break;
		}
		if (interrupted != NULL && *interrupted) {
			rc = -2;
			break;
		}
		for (j = p->queue; j != NULL && j->state == DONE; j = j->next)
			;
		if (j == NULL) {
			rc = 0;
			break;
		}
		/* Woken by every change; the timeout only to see Ctrl-C. */
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 100 * 1000 * 1000;
		if (t.tv_nsec >= 1000 * 1000 * 1000) {
			t.tv_sec++;
			t.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&p->changed, &p->lock, &t);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int
parallel_error(struct parallel *p, char *err, size_t errlen, unsigned long *line)
{
	int failed;

	pthread_mutex_lock(&p->lock);
	if ((failed = p->failed)) {
		strlcpy(err, p->err, errlen);
		*line = p->err_line;
		if (p->session)
			failed = p->session == 1 ? 2 : p->session;
	}
	pthread_mutex_unlock(&p->lock);
	return failed;
}

void
parallel_spill(struct parallel *p, uint64_t *total, uint64_t *peak)
{
	pthread_mutex_lock(&p->lock);
	*total = p->spilled;
	*peak = p->spill_peak;
	pthread_mutex_unlock(&p->lock);
}

static const char *
kind_name(enum parallel_kind k)
{
	switch (k) {
	case PARALLEL_COPY:
		return "COPY";
	case PARALLEL_INDEX:
		return "CREATE INDEX";
	default:
		return "ADD CONSTRAINT";
	}
}

static int
by_length(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a;
	const struct record *y = *(const struct record *const *)b;
	double dx = x->finished - x->started, dy = y->finished - y->started;

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

static int
by_start(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a;
	const struct record *y = *(const struct record *const *)b;

	return x->started < y->started ? -1 : x->started > y->started ? 1 : 0;
}

#define REPORT_JOBS	12	/* the longest jobs the schedule shows */

void
parallel_report(struct parallel *p, void (*out)(void *arg, const char *msg), void *arg)
{
	struct record **v, *r, *c;
	char msg[1024], size[SIZE_IEC_LEN], head[64];
	double end, data_end = 0, pre, chain, best = -1, b_copy = 0, b_con = 0, b_idx = 0;
	double copy, con, idx, d;
	size_t i, k, n, ncopy = 0, nidx = 0, ncon = 0, b_ncon = 0, b_nidx = 0;
	const char *b_rel = NULL;

	pthread_mutex_lock(&p->lock);
	end = now();
	if ((v = calloc(p->nlog + 1, sizeof(*v))) == NULL) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	for (i = 0; i < p->nlog; i++) {
		v[i] = &p->log[i];
		switch (v[i]->kind) {
		case PARALLEL_COPY:
			ncopy++;
			if (v[i]->finished > data_end)
				data_end = v[i]->finished;
			break;
		case PARALLEL_INDEX:
			nidx++;
			break;
		default:
			ncon++;
			break;
		}
	}
	/* The schedule: the longest jobs, in the order they started. */
	snprintf(msg, sizeof(msg), "schedule: %zu jobs on %u workers (%zu COPY, %zu CREATE "
	    "INDEX, %zu ADD CONSTRAINT), largest tables first%s", p->nlog, p->nworkers,
	    ncopy, nidx, ncon, p->nlog > REPORT_JOBS ? "; the longest:" : ":");
	out(arg, msg);
	qsort(v, p->nlog, sizeof(*v), by_length);
	n = p->nlog < REPORT_JOBS ? p->nlog : REPORT_JOBS;
	qsort(v, n, sizeof(*v), by_start);
	for (i = 0; i < n; i++) {
		r = v[i];
		if (r->kind == PARALLEL_COPY)
			snprintf(head, sizeof(head), ", %s", size_iec(r->bytes, size));
		else
			head[0] = '\0';
		snprintf(msg, sizeof(msg), "  worker %u %7.2f s to %7.2f s  %s %s (line %lu%s)",
		    r->worker, r->started - p->t0, r->finished - p->t0, kind_name(r->kind),
		    r->rel[0] != '\0' ? r->rel : "?", r->line, head);
		out(arg, msg);
	}
	/* The phases: before the first COPY, until the last COPY ended, after. */
	pre = p->first_copy > 0 ? p->first_copy - p->t0 : end - p->t0;
	if (data_end < p->first_copy)
		data_end = p->first_copy;
	snprintf(msg, sizeof(msg), "phases: pre-data %.2f s, data %.2f s, post-data %.2f s; "
	    "%.2f s in all", pre, p->first_copy > 0 ? data_end - p->first_copy : 0.0,
	    p->first_copy > 0 ? end - data_end : 0.0, end - p->t0);
	out(arg, msg);
	/* The critical path: the longest chain of a table's data, then its
	 * constraints (one after the other: they lock the table), then its
	 * indexes (side by side: the longest), each as measured. */
	for (i = 0; i < p->nlog; i++) {
		c = &p->log[i];
		if (c->kind != PARALLEL_COPY)
			continue;
		for (k = 0; k < i; k++)	/* a table's first COPY only */
			if (p->log[k].kind == PARALLEL_COPY && strcmp(p->log[k].rel, c->rel) == 0)
				break;
		if (k < i)
			continue;
		copy = con = idx = 0;
		ncon = nidx = 0;
		for (k = 0; k < p->nlog; k++) {
			r = &p->log[k];
			if (strcmp(r->rel, c->rel) != 0)
				continue;
			d = r->finished - r->started;
			if (r->kind == PARALLEL_COPY)
				copy += d;
			else if (r->kind == PARALLEL_INDEX) {
				nidx++;
				if (d > idx)
					idx = d;
			} else {
				ncon++;
				con += d;
			}
		}
		chain = copy + con + idx;
		if (chain > best) {
			best = chain;
			b_rel = c->rel;
			b_copy = copy;
			b_con = con;
			b_idx = idx;
			b_ncon = ncon;
			b_nidx = nidx;
		}
	}
	if (b_rel != NULL) {
		snprintf(msg, sizeof(msg), "critical path: %.2f s of the %.2f s: pre-data "
		    "%.2f s, then %s: data %.2f s, %zu constraint%s %.2f s, %zu index%s "
		    "(the longest) %.2f s", pre + best, end - p->t0, pre, b_rel, b_copy,
		    b_ncon, b_ncon == 1 ? "" : "s", b_con, b_nidx, b_nidx == 1 ? "" : "es",
		    b_idx);
		out(arg, msg);
	}
	free(v);
	pthread_mutex_unlock(&p->lock);
}
