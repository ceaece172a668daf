/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migtrack: what a database records as applied migrations: the tracking
 * table (cr_migrations), the app's JSON list kept in step with it
 * (--json-list TABLE.COLUMN:KEY), and the advisory lock that lets one
 * cr-migrate run at a time.  Nothing prints. */
#ifndef CR_MIGTRACK_H
#define CR_MIGTRACK_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "migrate/migrate.h"

#define MIGTRACK_DEFAULT_TABLE	"cr_migrations"

enum migtrack_status {
	MIGTRACK_OK = 0,
	MIGTRACK_EUSAGE,	/* bad --table or --json-list (EX_USAGE) */
	MIGTRACK_EBUSY,		/* the lock is held by another session (EX_TEMPFAIL) */
	MIGTRACK_EDATA,		/* the JSON list is not a list (EX_DATAERR) */
	MIGTRACK_ESQL,		/* the server refused; message verbatim (1) */
	MIGTRACK_ENOMEM
};

struct migtrack_opts {
	const char	*table;		/* [schema.]name; NULL for the default */
	const char	*json_list;	/* [schema.]table.column:key, or NULL */
	const char	*client;	/* recorded with each row: "osuser@host" */
};

struct migtrack;

/* Parse the names; no connection is made.  NULL with a reason in err. */
struct migtrack *migtrack_new(const struct migtrack_opts *, char *err, size_t errlen);
void migtrack_free(struct migtrack *);

const char *migtrack_json_list(const struct migtrack *);	/* as given, or NULL */

/* The advisory lock key: FNV-1a 64 of "cr-migrate:" and the tracking
 * table's schema-qualified name as the server resolves it (known once
 * migtrack_lock has run), so runs against different tracking tables do not
 * block each other and runs against one table do, however it is spelled. */
int64_t migtrack_lock_key(const struct migtrack *);

/* Resolve the tracking table on the server, then take the session-level
 * advisory lock: pg_try_advisory_lock, or with wait pg_advisory_lock.
 * MIGTRACK_EBUSY when held elsewhere and not waiting. */
enum migtrack_status migtrack_lock(struct migtrack *, PGconn *, int wait,
    char *err, size_t errlen);

/* CREATE TABLE IF NOT EXISTS the tracking table. */
enum migtrack_status migtrack_ensure(struct migtrack *, PGconn *, char *err, size_t errlen);

/* What the database records as applied: the tracking table's rows (none
 * when it does not exist yet) and, with a JSON list, its entries that the
 * table lacks (method "json-list", no checksum).  List entries are matched
 * by name: one whose number is that of a file (or row) of another name is
 * not counted, as that file has not run.  Free with migtrack_applied_free. */
enum migtrack_status migtrack_read(struct migtrack *, PGconn *,
    const struct migrate_set *, struct migrate_applied **, size_t *,
    char *err, size_t errlen);
void migtrack_applied_free(struct migrate_applied *, size_t);

/* With a JSON list, bring table and list in step, in one transaction:
 * list entries the table lacks (as migtrack_read counts them) are inserted
 * as method "adopted" (with the file's current checksum when the file
 * exists), and table rows whose names the list lacks are appended to it.
 * Counts what it did. */
enum migtrack_status migtrack_adopt(struct migtrack *, PGconn *,
    const struct migrate_set *, size_t *adopted, size_t *appended,
    char *err, size_t errlen);

/* Whether the database has a history of applied migrations that
 * cr-migrate can read: the tracking table, or the JSON list's table.
 * Without one, *objects counts the tables, views and sequences outside the
 * system schemas that no extension owns, and example names one
 * (schema.name), so that a database the app already built is told from an
 * empty one: Flyway's rule, never assume that nothing ran on it. */
enum migtrack_status migtrack_history(struct migtrack *, PGconn *, int *history,
    long *objects, char *example, size_t examplelen, char *err, size_t errlen);

/* The tracking table's name as given (--table), for messages. */
const char *migtrack_table(const struct migtrack *);

/* Record the migrations as applied without running them (method
 * "baseline", the file's checksum), in one transaction of their own. */
enum migtrack_status migtrack_baseline(struct migtrack *, PGconn *,
    const struct migration *const *, size_t n, char *err, size_t errlen);

/* Record one migration as applied and append it to the JSON list; runs in
 * the caller's transaction.  duration_ms < 0 records NULL. */
enum migtrack_status migtrack_record(struct migtrack *, PGconn *,
    const struct migration *, const char *checksum, long duration_ms,
    const char *method, char *err, size_t errlen);

#endif
