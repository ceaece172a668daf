/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migexec: check and execute one migration file statement by statement,
 * split by sqlsplit (the splitter cr-restore uses), with its tracking row,
 * and say where in the file a failure happened.  Nothing prints. */
#ifndef CR_MIGEXEC_H
#define CR_MIGEXEC_H

#include <stddef.h>
#include <libpq-fe.h>

#include "migrate/migrate.h"
#include "migrate/migtrack.h"

enum migexec_status {
	MIGEXEC_OK = 0,
	MIGEXEC_ENOINPUT,	/* the file cannot be opened (EX_NOINPUT) */
	MIGEXEC_EDATA,		/* meta-command, transaction control, bad SQL text (EX_DATAERR) */
	MIGEXEC_EIO,		/* read error (EX_IOERR) */
	MIGEXEC_ESQL,		/* the server refused a statement (1) */
	MIGEXEC_ETRACK,		/* it ran, but recording it failed (1) */
	MIGEXEC_ENOMEM
};

struct migexec_failure {
	unsigned long	line;		/* the failing line: exact when the server
					 * gave a position, else the statement's */
	unsigned long	statement_line;	/* where the failing statement starts */
	char		sqlstate[6];	/* "" when not from the server */
	char		message[2048];	/* "line N: " and the server's message
					 * as lib/sqlexec words it, or the
					 * reason ("line N: " when it has one) */
	int		committed;	/* no-transaction: earlier statements stayed */
};

/* Read the whole file through the splitter without executing anything:
 * refuse psql meta-commands, and BEGIN/COMMIT/ROLLBACK in a file that runs
 * in cr-migrate's transaction. */
enum migexec_status migexec_check(const struct migration *, struct migexec_failure *);

/* Apply one migration with its tracking row (method "up"): BEGIN, the
 * statements, the row (and JSON list entry), COMMIT.  A file with the
 * no-transaction marker runs statement by statement and gets its row
 * (method "no-transaction") in a transaction of its own afterwards.  On
 * failure the transaction is rolled back.  Settings the migration changed
 * with SET are reset afterwards (RESET ALL).  duration_ms is the time the
 * statements took. */
enum migexec_status migexec_apply(PGconn *, struct migtrack *, const struct migration *,
    long *duration_ms, struct migexec_failure *);

/* Whether a SQLSTATE means "already exists" (duplicate table, object,
 * column, schema, function, ...). */
int migexec_already_exists(const char *sqlstate);

#endif
