/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* rowproof: the proof that a restore holds the rows its COPY blocks carried.
 * Per table, the rows at the end must equal those counted just before the
 * table's first COPY (0, but for the configuration tables an extension's
 * install script fills) plus the rows the dump carried.  What each COPY
 * added is the server's own count (the COPY command tag), checked against
 * the rows carried as the block ends; a table is counted again with
 * count(*) at the end only when something else could have changed its rows
 * after its first COPY: a statement other than those pg_dump writes after
 * the data, a trigger on a table being loaded, or an enabled event trigger
 * (it fires on the DDL pg_dump writes after the data, REFRESH MATERIALIZED
 * VIEW, CREATE INDEX, ..., and can write rows).  A mismatch names what
 * could have caused it; the tables the user accepts (rowproof_accept) are
 * reported as notes instead.  Nothing prints. */
#ifndef CR_ROWPROOF_H
#define CR_ROWPROOF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "sql/sqlsplit.h"

struct rowproof;

/* On conn (NULL: a scan, which only names the tables). */
struct rowproof *rowproof_new(PGconn *conn);
void rowproof_free(struct rowproof *);

/* The table a COPY loads, name as written in the COPY (taken over, freed by
 * the proof); csv: its rows may span lines.  Returns its index, or
 * (size_t)-1 when out of memory. */
size_t rowproof_table(struct rowproof *, char *name, int csv);
size_t rowproof_ntables(const struct rowproof *);
const char *rowproof_name(const struct rowproof *, size_t i);

/* Before each COPY into table i (at input line 'line'), on the connection
 * given to rowproof_new: before the first, count what the table holds;
 * before each, look for triggers that could change rows beyond the COPY's
 * own.  Returns 0 (also when the table does not exist: the COPY will say
 * so), or -1 with err set. */
int rowproof_before(struct rowproof *, size_t i, unsigned long line, char *err,
    size_t errlen);

/* A COPY into table i ended: the rows the dump carried, and those the
 * server stored (its command tag). */
void rowproof_copied(struct rowproof *, size_t i, uint64_t carried, uint64_t loaded);

/* Statement it is about to run: after one that can change rows, every
 * table is counted at the end. */
void rowproof_statement(struct rowproof *, const struct sqlsplit_item *it);

/* A table (as the user writes it, schema-qualified) whose row count may
 * differ from the dump's: a mismatch there becomes a note, not a failure.
 * Returns 0, or -1 when out of memory. */
int rowproof_accept(struct rowproof *, const char *name);

/* The i-th note of rowproof_check (an accepted mismatch, with the numbers
 * and the cause), or NULL when there are no more. */
const char *rowproof_note(const struct rowproof *, size_t i);

/* The proof, at the end.  Returns 0 (accepted mismatches are notes); 1 for
 * a mismatch, -1 for a failed count, -2 when *interrupted got set: with err
 * set for each. */
int rowproof_check(struct rowproof *, volatile sig_atomic_t *interrupted, char *err,
    size_t errlen);

#endif
