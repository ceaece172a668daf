/* restore: execute a SQL script (a pg_dump plain dump) into a PostgreSQL
 * connection statement by statement, as psql -v ON_ERROR_STOP=1 would but
 * refusing psql meta-commands, and prove the rows the COPY blocks carried
 * against count(*) afterwards.  Also the server-side steps of the atomic
 * replace (scratch database, swap).  Nothing prints: errors are returned. */
#ifndef CR_RESTORE_H
#define CR_RESTORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "sqlsplit.h"

enum restore_status {
	RESTORE_OK = 0,
	RESTORE_EDATA,		/* bad input: refused meta-command, unterminated
				 * quote, truncated dump (EX_DATAERR) */
	RESTORE_EIO,		/* reading the input failed (EX_IOERR) */
	RESTORE_ESQL,		/* the server rejected a statement (1) */
	RESTORE_ECOUNT,		/* count(*) differs from the rows COPY carried (1) */
	RESTORE_EINTR,		/* *interrupted was set (1) */
	RESTORE_ENOMEM		/* (EX_OSERR) */
};

struct restore_stats {
	uint64_t	 bytes;		/* script bytes read */
	uint64_t	 statements;	/* executed, COPY included */
	uint64_t	 tables;	/* distinct COPY targets */
	uint64_t	 rows;		/* rows the COPY blocks carried */
	unsigned long	 line;		/* where the error is, when there is one */
};

struct restore_opts {
	int		 single_transaction;	/* BEGIN ... COMMIT around it all */
	const char *const *extensions;		/* CREATE EXTENSION IF NOT EXISTS first */
	size_t		 nextensions;
	const char	*dbname;	/* the target's name: \connect to it is a no-op */
	volatile sig_atomic_t *interrupted;	/* checked between statements */
	/* Server notices (may be NULL: dropped), with the input line. */
	void		(*notice)(void *arg, unsigned long line, const char *severity,
			    const char *msg);
	void		*notice_arg;
	/* Called between items, with the figures so far (may be NULL). */
	void		(*progress)(void *arg, const struct restore_stats *);
	void		*progress_arg;
};


/* Read the script from readfn (a file, stdin or a gzin stream) and execute
 * it on conn.  On failure err holds one line: "line 12: ERROR: ... 
 * (statement: CREATE TABLE ...)". */
enum restore_status restore_run(PGconn *conn, const struct restore_opts *,
    sqlsplit_read_fn readfn, void *arg, struct restore_stats *,
    char *err, size_t errlen);

/* Read the whole script without executing it: what restore_run would refuse
 * as bad input is found before anything runs.  Needs a rereadable input. */
enum restore_status restore_scan(sqlsplit_read_fn readfn, void *arg,
    const char *dbname, struct restore_stats *, char *err, size_t errlen);

/* The atomic replace, on a maintenance connection to another database. */

/* A name for the scratch database: "<target>_cr_restore_<pid>", the target
 * part shortened (at a character boundary) to fit NAMEDATALEN-1 bytes. */
void restore_scratch_name(const char *target, long pid, char *out, size_t outlen);

/* Whether database name exists: 1, 0, or -1 with err set. */
int restore_db_exists(PGconn *maint, const char *name, char *err, size_t errlen);

/* The first scratch database an interrupted earlier run left for target,
 * into out; returns how many there are, or -1. */
int restore_scratch_leftover(PGconn *maint, const char *target, char *out,
    size_t outlen);

/* CREATE DATABASE scratch from template0 with the encoding and locale of
 * target when it exists, and with its owner when keep_owner (the scratch
 * database is to replace it). */
enum restore_status restore_scratch_create(PGconn *maint, const char *scratch,
    const char *target, int keep_owner, char *err, size_t errlen);

/* DROP DATABASE IF EXISTS scratch (ending its sessions). */
enum restore_status restore_scratch_drop(PGconn *maint, const char *scratch,
    char *err, size_t errlen);

/* Put scratch in the place of target: block new connections to target, end
 * its sessions (*ended gets how many), drop it, rename scratch.  When target
 * cannot be dropped it is left as it was (connections allowed again). */
enum restore_status restore_swap(PGconn *maint, const char *scratch,
    const char *target, int *ended, char *err, size_t errlen);

#endif
