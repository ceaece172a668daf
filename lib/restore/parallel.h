/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* parallel: the worker connections of cr-restore -j.  Jobs (a COPY whose
 * data is still being read, an index build, a constraint) run on N threads,
 * each with its own connection made like the main one.  A job starts when
 * no running or earlier job touches one of its tables (so an index waits
 * for its table's COPY, a foreign key for both tables' data and indexes,
 * and no two jobs lock the same table against each other), except that
 * index builds on one table run side by side.  Of the jobs that may start,
 * the heaviest goes first: the largest tables' COPY, then their indexes and
 * constraints, before smaller tables' (the critical path).  COPY data waiting for its
 * worker is held in memory up to a fixed budget for all jobs together, the
 * rest spilled to private temporary files that are unlinked as soon as
 * they are made; a COPY given a range of a cr-gz file (-j FILE) is read by
 * its worker from the file itself.  Nothing prints. */
#ifndef CR_PARALLEL_H
#define CR_PARALLEL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

struct gzmap;

struct parallel_opts {
	unsigned	 jobs;		/* worker connections */
	size_t		 buffer;	/* COPY data held in memory, all jobs */
	const char	*tmpdir;	/* for spilled data */
	const char *const *setup;	/* run on each connection first */
	size_t		 nsetup;
	int		 check_role;	/* the setup sets a role: is_superuser
					 * must stay as it leaves it */
	/* Notices from the workers, with the job's input line (may be
	 * NULL); called with the pool's lock held, never at once. */
	void		(*notice)(void *arg, unsigned long line, const char *severity,
			    const char *msg);
	void		*notice_arg;
	/* -j FILE: the cr-gz file's map and descriptor, from which a COPY
	 * job given a range reads its data (lib/gz/gzrange); NULL: none. */
	const struct gzmap *map;
	int		 map_fd;
};

/* A COPY block's data in the file's uncompressed stream: [begin, end),
 * the rows it carries and the input line of its first row. */
struct parallel_range {
	uint64_t	 begin, end, rows;
	unsigned long	 data_line;
};

enum parallel_kind {
	PARALLEL_COPY,
	PARALLEL_INDEX,		/* CREATE INDEX: beside other indexes of its table */
	PARALLEL_STATEMENT	/* ADD CONSTRAINT, FOREIGN KEY */
};

struct parallel;
struct parallel_job;

/* Where spilled COPY data goes: tmpdir (TMPDIR) when set; else /tmp, unless
 * /tmp is a tmpfs or ramfs, whose files are memory (the spill would hold
 * the very data the budget keeps out of it): then /var/tmp, on disk by
 * convention, when it is writable and not in memory itself. */
const char *parallel_spill_dir(const char *tmpdir);

/* Open the connections (like conn) and start the threads.  NULL with err
 * set on failure. */
struct parallel *parallel_new(PGconn *conn, const struct parallel_opts *, char *err,
    size_t errlen);

/* Cancel what runs, stop the threads, close the connections, remove the
 * temporary files. */
void parallel_free(struct parallel *);

/* A session statement (SET ...) the main connection ran: every job queued
 * after it runs with it in force. */
int parallel_session(struct parallel *, const char *sql);

/* rel, ref: canonical names of the tables the job touches ("" for none). */
int parallel_statement(struct parallel *, enum parallel_kind, const char *sql,
    unsigned long line, const char *rel, const char *ref);

/* A COPY job: the statement now, its data as it is read, then its end.
 * table and csv are handed back by parallel_collect.  With a range (-j
 * FILE), the worker reads the data from the file itself: no
 * parallel_copy_data, only parallel_copy_end. */
struct parallel_job *parallel_copy_begin(struct parallel *, const char *sql,
    unsigned long line, const char *rel, size_t table, int csv,
    const struct parallel_range *range);
int parallel_copy_data(struct parallel *, struct parallel_job *, const char *buf,
    size_t len, unsigned long line, char *err, size_t errlen);
void parallel_copy_end(struct parallel *, struct parallel_job *, unsigned long line,
    uint64_t carried);

/* A COPY job that finished: its figures.  Returns 1 with *d set, 0 when
 * none is waiting to be collected. */
struct parallel_done {
	size_t		 table;
	int		 csv;
	unsigned long	 line;		/* the COPY statement */
	uint64_t	 carried;	/* rows the dump carried */
	uint64_t	 loaded;	/* rows the server stored */
};
int parallel_collect(struct parallel *, struct parallel_done *d);

/* Wait until every job queued has finished.  Returns 0; -1 when a job
 * failed (see parallel_error); -2 when *interrupted got set. */
int parallel_wait(struct parallel *, volatile sig_atomic_t *interrupted);

/* Whether a job failed: 1 with its one-line error and input line; 2 when
 * what failed is a worker's session, which a job changed so that the
 * worker would read the script's text otherwise than the splitter did
 * (standard_conforming_strings, client_encoding): nothing more ran on it;
 * 3 when a COPY's data read from the file did not decode or check (a
 * damaged member), 4 when reading the file failed. */
int parallel_error(struct parallel *, char *err, size_t errlen, unsigned long *line);

/* Cancel the running jobs and start no other (Ctrl-C, a failure). */
void parallel_cancel(struct parallel *);

/* Bytes spilled to temporary files in all, and at most at once. */
void parallel_spill(struct parallel *, uint64_t *total, uint64_t *peak);

/* After parallel_wait: the schedule (the longest jobs, where and when
 * they ran), the time per phase (pre-data until the first COPY was
 * queued, data until the last COPY ended, post-data after) and the
 * critical path (the longest chain of a table's data, its constraints and
 * its indexes, as measured), one line at a time to out. */
void parallel_report(struct parallel *, void (*out)(void *arg, const char *msg), void *arg);

#endif
