/* rowproof: the proof that a restore holds the rows its COPY blocks carried.
 * Per table, count(*) afterwards must equal the count taken just before the
 * table's first COPY (0, but for the configuration tables an extension's
 * install script fills) plus the rows the dump carried; the server's own
 * count for each COPY is checked as the block ends.  Counts are taken early,
 * on a second connection, as soon as a table's COPY has committed, while the
 * restore goes on.  Nothing prints. */
#ifndef CR_ROWPROOF_H
#define CR_ROWPROOF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

struct rowproof;

/* On conn (NULL: a scan, which only names the tables).  early: count on a
 * second connection while the restore goes on (not in one transaction). */
struct rowproof *rowproof_new(PGconn *conn, int early);
void rowproof_free(struct rowproof *);

/* The table a COPY loads, name as written in the COPY (taken over, freed by
 * the proof); csv: its rows may span lines.  Returns its index, or
 * (size_t)-1 when out of memory. */
size_t rowproof_table(struct rowproof *, char *name, int csv);
size_t rowproof_ntables(const struct rowproof *);
const char *rowproof_name(const struct rowproof *, size_t i);

/* Before table i's first COPY (at input line 'line'): count what it holds.
 * Returns 0 (also when it does not exist: the COPY will say so), or -1 with
 * err set. */
int rowproof_before(struct rowproof *, size_t i, unsigned long line, char *err,
    size_t errlen);

/* A COPY into table i ended: the rows the dump carried, and those the
 * server stored.  committed: outside a transaction block, so another
 * session can count it now. */
void rowproof_copied(struct rowproof *, size_t i, uint64_t carried, uint64_t loaded,
    int committed);

/* Statement s is about to run: after one that can change rows, early
 * counts no longer stand and every table is counted at the end. */
void rowproof_statement(struct rowproof *, const char *s);

/* The proof, at the end.  Returns 0; 1 for a mismatch, -1 for a failed
 * count, -2 when *interrupted got set: with err set for each. */
int rowproof_check(struct rowproof *, volatile sig_atomic_t *interrupted, char *err,
    size_t errlen);

#endif
