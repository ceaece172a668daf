/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* restore: execute a SQL script (a pg_dump plain dump) into a PostgreSQL
 * connection statement by statement, as psql -v ON_ERROR_STOP=1 would but
 * refusing psql meta-commands and, unless the dump is trusted, any statement
 * pg_dump does not write for one database (lib/vocab), and prove
 * the rows the COPY blocks carried (lib/rowproof).  The replace of --clean
 * is lib/replace.  Nothing prints: errors are returned. */
#ifndef CR_RESTORE_H
#define CR_RESTORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "sql/sqlsplit.h"

enum restore_status {
	RESTORE_OK = 0,
	RESTORE_EDATA,		/* bad input: refused meta-command, unterminated
				 * quote, truncated dump, a -t table not in it
				 * (EX_DATAERR) */
	RESTORE_EIO,		/* reading the input failed (EX_IOERR) */
	RESTORE_ESQL,		/* the server rejected a statement (1) */
	RESTORE_ECOUNT,		/* count(*) differs from the rows COPY carried (1) */
	RESTORE_EINTR,		/* *interrupted was set (1) */
	RESTORE_ENOMEM,		/* (EX_OSERR) */
	RESTORE_EUSAGE,		/* a bad -t name (EX_USAGE) */
	RESTORE_EPERM		/* cr-restore's own SQL (SET ROLE, --extension,
				 * ...) lacked a privilege: 42501 (EX_NOPERM) */
};

/* -j: COPY data held in memory for the workers by default. */
#define RESTORE_BUFFER	((size_t)16 << 20)

struct restore_stats {
	uint64_t	 bytes;		/* script bytes read */
	uint64_t	 statements;	/* executed, COPY included */
	uint64_t	 tables;	/* distinct COPY targets */
	uint64_t	 rows;		/* rows the COPY blocks carried */
	unsigned long	 line;		/* where the error is, when there is one */
	uint64_t	 spilled;	/* -j: COPY data spilled to temporary files */
	uint64_t	 spill_peak;	/* and the most of it at once */
	uint64_t	 ranged;	/* -j FILE: COPY blocks the workers read
					 * from the file themselves (random access) */
	uint64_t	 ranged_bytes;	/* and their data */
	uint64_t	 file_bytes;	/* -j FILE: how far into the file the main
					 * reader is (its blocks skipped), else 0 */
	int		 complete;	/* the whole script ran (a failure after
					 * it is the row-count proof's) */
};

struct restore_index;

struct restore_opts {
	int		 single_transaction;	/* BEGIN ... COMMIT around it all */
	const char *const *extensions;		/* CREATE EXTENSION IF NOT EXISTS first */
	size_t		 nextensions;
	const char	*dbname;	/* the target's name: \connect to it is a no-op */
	const char	*role;		/* SET ROLE after the extensions, or NULL */
	/* A scratch database the login made, so that nobody but it could
	 * connect and write in it before the extensions were created: after
	 * them, ALTER DATABASE (the connection's) OWNER TO give_to. */
	const char	*give_to;
	int		 role_is_owner;	/* role is the database's owner, chosen
					 * because the login is a superuser */
	volatile sig_atomic_t *interrupted;	/* checked between statements */
	/* Server notices (may be NULL: dropped), with the input line. */
	void		(*notice)(void *arg, unsigned long line, const char *severity,
			    const char *msg);
	void		*notice_arg;
	/* -t: only these tables (restoreplan_add specs); data_only: only rows. */
	const char *const *tables;
	size_t		 ntables;
	int		 data_only;
	/* -j: worker connections (0 or 1: none), the COPY data held in
	 * memory for them (bytes, all together) and where the rest is
	 * spilled (NULL: /tmp). */
	unsigned	 jobs;
	size_t		 buffer;
	const char	*tmpdir;
	/* Run every statement the role may run, not only what pg_dump writes
	 * for one database (lib/vocab).  Meta-commands, COPY other than FROM
	 * stdin, CREATE/ALTER/DROP DATABASE, ALTER SYSTEM and SQL after
	 * pg_dump's last line stay refused. */
	int		 trust_dump;
	/* -j: after a restore that ran, its schedule, time per phase and
	 * critical path, a line at a time (with notice_arg; may be NULL). */
	void		(*report)(void *arg, const char *msg);
	/* No session setting that speeds a load (synchronous_commit = off
	 * on every connection). */
	int		 no_tuning;
	/* A statement of the selection left out (a foreign key to a table
	 * that is not restored), with its input line (may be NULL). */
	void		(*skipped)(void *arg, unsigned long line, const char *msg);
	/* Tables whose row count may differ from the dump's (an audit
	 * table an event trigger writes to): a mismatch there is reported
	 * through proof_note (with notice_arg; may be NULL: dropped) instead
	 * of failing. */
	const char *const *accept_rows;
	size_t		 naccept_rows;
	void		(*proof_note)(void *arg, const char *msg);
	/* --salvage: a foreign key that fails for lost rows is reported
	 * through skipped, not fatal (serial restore only). */
	int		 salvage;
	/* Called between items, with the figures so far (may be NULL). */
	void		(*progress)(void *arg, const struct restore_stats *);
	void		*progress_arg;
	/* -j FILE: where each COPY block's data lies in the file's stream,
	 * filled by restore_scan (the read-through); restore_run then lets
	 * the workers read it from the file (may be NULL). */
	struct restore_index *index;
};

/* -j FILE, random access into cr's own backups: restore_scan records in
 * an index where each COPY block's data starts and ends in the
 * uncompressed stream of fd (a regular file, not closed by it).  When fd
 * is one whole cr-gz stream (lib/gz/gzrange maps its members without
 * inflating), restore_run's main reader skips those blocks and each
 * worker reads its block from the file itself: no spill, no single reader
 * to wait for.  Anything else (a foreign gzip, plain SQL) streams as
 * before.  Memory: 48 bytes per COPY block. */
struct restore_index *restore_index_new(int fd);
void restore_index_free(struct restore_index *);


/* Read the script from readfn (a file, stdin or a gzin stream) and execute
 * it on conn.  On failure err holds one line: "line 12: ERROR: ... 
 * (statement: CREATE TABLE ...)". */
enum restore_status restore_run(PGconn *conn, const struct restore_opts *,
    sqlsplit_read_fn readfn, void *arg, struct restore_stats *,
    char *err, size_t errlen);

/* Read the whole script without executing it: what restore_run would refuse
 * as bad input is found before anything runs.  Needs a rereadable input. */
enum restore_status restore_scan(sqlsplit_read_fn readfn, void *arg,
    const struct restore_opts *, struct restore_stats *, char *err, size_t errlen);

/* The exit status (sysexits.h) for a restore_status, as the enum says. */
int restore_exit_code(enum restore_status);

#endif
