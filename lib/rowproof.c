/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* rowproof: per-table rows before the first COPY, what each COPY added by
 * the server's own count, and count(*) at the end only where something
 * else could have changed the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include "rowproof.h"
#include "sqlexec.h"

struct table {
	char		*name;		/* as written in the COPY statement */
	uint64_t	 carried;	/* rows in the dump */
	uint64_t	 loaded;	/* rows the server reported */
	int		 csv;		/* rows may span lines: trust 'loaded' */
	int		 measured;	/* 'before' was taken */
	uint64_t	 before;	/* rows before its first COPY */
};

/* count(*) of a loaded table costs a scan of everything the COPY wrote,
 * on a machine busy with the load.  It is not needed to know what a COPY
 * added: the server says so in the COPY's command tag, the rows it
 * inserted (a BEFORE trigger returning NULL does not count them; rules
 * never apply to COPY).  So at the end a table holds its rows before its
 * first COPY plus what its COPYs added, unless something else changed
 * rows since: a statement other than those that cannot (what pg_dump
 * writes after the data: CREATE, ALTER, COMMENT, GRANT, setval, ...), or
 * a trigger on a table as it is loaded, which can change any table.  Then
 * 'recount' is set and every table is counted at the end. */
struct rowproof {
	PGconn		*conn;		/* NULL: only scan */
	struct table	*tables;
	size_t		 ntables, tablecap;
	int		 recount;	/* count every table at the end */
};

/* Can this statement, run after a table's first COPY, change rows?  From
 * the splitter's keywords: comments are skipped, words are whole. */
static int
changes_no_rows(const struct sqlsplit_item *it)
{
	static const char *const safe[] = {
		"create", "alter", "comment", "grant", "revoke", "set", "reset",
		"security", "refresh",
	};
	const char *p;
	size_t i, n = strcspn(it->keywords, " ");

	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (strlen(safe[i]) == n && strncmp(it->keywords, safe[i], n) == 0)
			return 1;
	/* pg_dump's SELECT pg_catalog.setval(...), set_config(...): the
	 * keywords stop at the dot, which the text must have. */
	return strcmp(it->keywords, "select pg_catalog") == 0 &&
	    (p = strcasestr(it->text, "pg_catalog")) != NULL && p[10] == '.';
}

/* count(*) of table t, in this session: 0 or -1. */
static int
count_now(struct rowproof *r, struct table *t, unsigned long line, uint64_t *n, char *err,
    size_t errlen)
{
	PGresult *res;
	const char *param[1] = { t->name };
	char *sql, what[160];
	int partitioned;

	snprintf(what, sizeof(what), "counting the rows of %s", t->name);
	/* With --load-via-partition-root the rows go through the partitioned
	 * parent: count the whole tree there.  Anywhere else ONLY, since
	 * children have COPY blocks of their own. */
	res = PQexecParams(r->conn, "SELECT relkind FROM pg_catalog.pg_class "
	    "WHERE oid = $1::pg_catalog.regclass", 1, NULL, param, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		sqlexec_error(r->conn, res, line, what, err, errlen);
		PQclear(res);
		return -1;
	}
	partitioned = PQgetvalue(res, 0, 0)[0] == 'p';
	PQclear(res);
	if (asprintf(&sql, "SELECT count(*) FROM %s%s", partitioned ? "" : "ONLY ",
	    t->name) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* t->name is the COPY statement's identifier chain as written,
	 * already quoted where it needs to be (copy_target takes only
	 * identifiers, "quoted" ones and dots) and accepted by the server in
	 * that COPY: it goes into FROM as it is, never into a literal.  The
	 * extended protocol runs one statement only. */
	res = PQexecParams(r->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		sqlexec_error(r->conn, res, line, what, err, errlen);
		PQclear(res);
		return -1;
	}
	*n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

struct rowproof *
rowproof_new(PGconn *conn)
{
	struct rowproof *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conn = conn;
	return r;
}

void
rowproof_free(struct rowproof *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntables; i++)
		free(r->tables[i].name);
	free(r->tables);
	free(r);
}

size_t
rowproof_table(struct rowproof *r, char *name, int csv)
{
	struct table *t;
	size_t i;

	for (i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].name, name) == 0) {
			free(name);
			r->tables[i].csv |= csv;
			return i;
		}
	if (r->ntables == r->tablecap) {
		size_t cap = r->tablecap ? r->tablecap * 2 : 64;
		if ((t = reallocarray(r->tables, cap, sizeof(*t))) == NULL) {
			free(name);
			return (size_t)-1;
		}
		r->tables = t;
		r->tablecap = cap;
	}
	t = &r->tables[r->ntables];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->csv = csv;
	return r->ntables++;
}

size_t
rowproof_ntables(const struct rowproof *r)
{
	return r->ntables;
}

const char *
rowproof_name(const struct rowproof *r, size_t i)
{
	return r->tables[i].name;
}

int
rowproof_before(struct rowproof *r, size_t i, unsigned long line, char *err, size_t errlen)
{
	struct table *t = &r->tables[i];
	PGresult *res;
	const char *param[1] = { t->name };
	char *sql, *count = NULL, what[160];
	int ok;

	if (r->conn == NULL)
		return 0;
	/* One round trip: the count before the first COPY (with
	 * --load-via-partition-root the rows go through the partitioned
	 * parent: the whole tree there; anywhere else ONLY, since children
	 * have COPY blocks of their own), and whether a trigger that can
	 * fire for the COPY's rows exists on the table or its partitions. */
	if (!t->measured && asprintf(&count, "CASE WHEN c.relkind = 'p' THEN "
	    "(SELECT count(*) FROM %s) ELSE (SELECT count(*) FROM ONLY %s) END",
	    t->name, t->name) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ok = asprintf(&sql, "SELECT c.relkind, %s, EXISTS (SELECT FROM pg_catalog.pg_trigger g "
	    "WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' AND (g.tgrelid = c.oid "
	    "OR g.tgrelid IN (SELECT p.relid FROM pg_catalog.pg_partition_tree(c.oid) p))) "
	    "FROM pg_catalog.pg_class c WHERE c.oid = $1::pg_catalog.regclass",
	    count != NULL ? count : "0");
	free(count);
	if (ok == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	res = PQexecParams(r->conn, sql, 1, NULL, param, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		snprintf(what, sizeof(what), "counting the rows of %s", t->name);
		sqlexec_error(r->conn, res, line, what, err, errlen);
		PQclear(res);
		/* No such table: let the COPY itself say so, unless the failed
		 * query has aborted the transaction block; whatever the COPY
		 * does then, count at the end. */
		r->recount = 1;
		if (PQtransactionStatus(r->conn) == PQTRANS_INERROR)
			return -1;
		return 0;
	}
	if (!t->measured) {
		t->before = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		t->measured = 1;
	}
	if (PQgetvalue(res, 0, 2)[0] == 't')
		r->recount = 1;
	PQclear(res);
	return 0;
}

void
rowproof_copied(struct rowproof *r, size_t i, uint64_t carried, uint64_t loaded)
{
	struct table *t = &r->tables[i];

	t->carried += carried;
	t->loaded += loaded;
}

void
rowproof_statement(struct rowproof *r, const struct sqlsplit_item *it)
{
	if (r->ntables > 0 && !r->recount && !changes_no_rows(it))
		r->recount = 1;
}

int
rowproof_check(struct rowproof *r, volatile sig_atomic_t *interrupted, char *err,
    size_t errlen)
{
	struct table *t;
	size_t i;
	uint64_t counted;

	for (i = 0; i < r->ntables; i++) {
		if (interrupted != NULL && *interrupted) {
			snprintf(err, errlen, "interrupted");
			return -2;
		}
		t = &r->tables[i];
		if (!r->recount && t->measured)
			counted = t->before + t->loaded;
		else if (count_now(r, t, 0, &counted, err, errlen) == -1)
			return -1;
		if (counted == t->before + t->carried)
			continue;
		if (t->before > 0)
			snprintf(err, errlen, "row count mismatch: %s has %llu rows after the "
			    "restore, %llu before its COPY, and the dump carried %llu", t->name,
			    (unsigned long long)counted, (unsigned long long)t->before,
			    (unsigned long long)t->carried);
		else
			snprintf(err, errlen, "row count mismatch: %s has %llu rows after the "
			    "restore but the dump carried %llu", t->name,
			    (unsigned long long)counted, (unsigned long long)t->carried);
		return 1;
	}
	return 0;
}
