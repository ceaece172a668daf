/* rowproof: per-table row counts before and after the COPY blocks, taken
 * early on a second connection where they can be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include "pgconn.h"
#include "rowproof.h"
#include "sqlexec.h"

struct table {
	char		*name;		/* as written in the COPY statement */
	uint64_t	 carried;	/* rows in the dump */
	uint64_t	 loaded;	/* rows the server reported */
	int		 csv;		/* rows may span lines: trust 'loaded' */
	unsigned	 copies;	/* COPY blocks that ended */
	unsigned	 counted_at;	/* 'copies' when 'counted' was taken */
	uint64_t	 counted;	/* count(*) taken early, see below */
	int		 queued;
	int		 measured;	/* 'before' was taken */
	uint64_t	 before;	/* rows before its first COPY */
};

/* count(*) of a table costs a scan.  In autocommit mode it is taken on a
 * second connection as soon as the table's COPY has committed, while the
 * restore goes on, instead of in a row at the end.  Such an early count
 * still holds at the end as long as only statements that cannot change
 * rows ran after it (what pg_dump writes after the data: CREATE, ALTER,
 * COMMENT, GRANT, setval, ...); after any other statement all tables are
 * counted again at the end. */
struct counter {
	PGconn		*conn;		/* NULL: count at the end only */
	size_t		*queue;		/* table indexes */
	size_t		 qhead, qlen, qcap;
	size_t		 inflight;	/* table index, or (size_t)-1 */
	unsigned	 inflight_at;
	int		 partitioned;	/* the in-flight query counts the whole tree */
	int		 stale;		/* early counts cannot be trusted */
};

struct rowproof {
	PGconn		*conn;		/* NULL: only scan */
	struct table	*tables;
	size_t		 ntables, tablecap;
	struct counter	 counter;
};

static void counter_stop(struct rowproof *);
static void counter_pump(struct rowproof *, int);

static const char *
skip_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (strncasecmp(s, word, n) != 0)
		return NULL;
	return s + n;
}

static PGconn *
counter_connect(PGconn *conn)
{
	enum pgconn_status st;
	PGresult *res;
	PGconn *c;
	char err[256];

	if ((c = pgconn_open_like(conn, NULL, &st, err, sizeof(err))) == NULL)
		return NULL;
	/* As pg_dump's session: policies must not filter a count; where
	 * they would apply the count fails and the table is counted at the
	 * end instead. */
	res = PQexec(c, "SET row_security = off");
	PQclear(res);
	return c;
}

static void
counter_stop(struct rowproof *r)
{
	struct counter *k = &r->counter;

	if (k->conn != NULL)
		PQfinish(k->conn);	/* a query still running is cancelled with it */
	k->conn = NULL;
	k->stale = 1;
}

static int
counter_send(struct rowproof *r, size_t i, int partitioned)
{
	struct counter *k = &r->counter;
	const char *param[1] = { r->tables[i].name };
	char *sql;
	int ok;

	/* The name is the COPY statement's identifier chain as written,
	 * already quoted where it needs to be (copy_target takes only
	 * identifiers, "quoted" ones and dots) and accepted by the server in
	 * that COPY: it goes into the FROM clause as it is.  As a value it is
	 * a parameter, cast to regclass by the server.  One statement through
	 * the extended protocol either way. */
	/* With --load-via-partition-root the rows go through the partitioned
	 * parent: count the whole tree there.  Anywhere else ONLY, since
	 * children have COPY blocks of their own. */
	if (partitioned)
		ok = asprintf(&sql, "SELECT 'p', count(*) FROM %s", r->tables[i].name);
	else
		ok = asprintf(&sql, "SELECT c.relkind, (SELECT count(*) FROM ONLY %s) "
		    "FROM pg_catalog.pg_class c WHERE c.oid = $1::pg_catalog.regclass",
		    r->tables[i].name);
	if (ok == -1)
		return -1;
	ok = PQsendQueryParams(k->conn, sql, partitioned ? 0 : 1, NULL,
	    partitioned ? NULL : param, NULL, NULL, 0) == 1;
	free(sql);
	if (!ok)
		return -1;
	k->inflight = i;
	k->inflight_at = r->tables[i].copies;
	k->partitioned = partitioned;
	return 0;
}

/* Take the in-flight result (waiting for it when block), send the next
 * count.  Any failure just makes the early counts stale. */
static void
counter_pump(struct rowproof *r, int block)
{
	struct counter *k = &r->counter;
	struct table *t;
	PGresult *res;
	size_t i;
	int resend = 0;

	if (k->conn == NULL)
		return;
	if (k->inflight != (size_t)-1) {
		if (!block && (PQconsumeInput(k->conn) == 0 || PQisBusy(k->conn))) {
			if (PQstatus(k->conn) == CONNECTION_BAD)
				counter_stop(r);
			return;
		}
		t = &r->tables[k->inflight];
		res = PQgetResult(k->conn);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			PQclear(res);
			counter_stop(r);
			return;
		}
		if (PQgetvalue(res, 0, 0)[0] == 'p' && !k->partitioned)
			resend = 1;
		else if (k->inflight_at >= t->counted_at) {
			t->counted = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
			t->counted_at = k->inflight_at;
		}
		PQclear(res);
		while ((res = PQgetResult(k->conn)) != NULL)
			PQclear(res);
		i = k->inflight;
		k->inflight = (size_t)-1;
		if (resend && counter_send(r, i, 1) == -1) {
			counter_stop(r);
			return;
		}
		if (resend)
			return;
	}
	while (k->inflight == (size_t)-1 && k->qlen > 0) {
		i = k->queue[k->qhead];
		k->qhead = (k->qhead + 1) % k->qcap;
		k->qlen--;
		r->tables[i].queued = 0;
		if (counter_send(r, i, 0) == -1) {
			counter_stop(r);
			return;
		}
		if (block)
			counter_pump(r, 1);
	}
}

/* A table's COPY has committed: count it early. */
static void
counter_add(struct rowproof *r, size_t i)
{
	struct counter *k = &r->counter;
	size_t *q, j;

	if (k->conn == NULL || k->stale || r->tables[i].queued)
		return;
	if (k->qlen == k->qcap) {
		size_t cap = k->qcap ? k->qcap * 2 : 64;
		if ((q = reallocarray(NULL, cap, sizeof(*q))) == NULL) {
			counter_stop(r);
			return;
		}
		for (j = 0; j < k->qlen; j++)
			q[j] = k->queue[(k->qhead + j) % k->qcap];
		free(k->queue);
		k->queue = q;
		k->qhead = 0;
		k->qcap = cap;
	}
	k->queue[(k->qhead + k->qlen++) % k->qcap] = i;
	r->tables[i].queued = 1;
	counter_pump(r, 0);
}

/* Can this statement, run after some tables were counted, change rows? */
static int
changes_no_rows(const char *s)
{
	static const char *const safe[] = {
		"create", "alter", "comment", "grant", "revoke", "set", "reset",
		"security", "refresh",
	};
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if ((p = skip_word(s, safe[i])) != NULL && (*p == ' ' || *p == '\t' ||
		    *p == '\n' || *p == '\r' || *p == ';'))
			return 1;
	/* pg_dump's SELECT pg_catalog.setval(...), set_config(...) */
	return (p = skip_word(s, "select")) != NULL && skip_word(p, "pg_catalog.") != NULL;
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
	/* t->name in FROM is the COPY's identifier chain as written (see
	 * counter_send); the extended protocol runs one statement only. */
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
rowproof_new(PGconn *conn, int early)
{
	struct rowproof *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conn = conn;
	r->counter.inflight = (size_t)-1;
	r->counter.stale = 1;
	if (conn != NULL && early && (r->counter.conn = counter_connect(conn)) != NULL)
		r->counter.stale = 0;
	return r;
}

void
rowproof_free(struct rowproof *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->counter.conn != NULL)
		PQfinish(r->counter.conn);
	free(r->counter.queue);
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

	if (r->conn == NULL || t->measured)
		return 0;
	if (count_now(r, t, line, &t->before, err, errlen) == -1) {
		/* No such table: let the COPY itself say so, unless the failed
		 * count has aborted the transaction block. */
		if (PQtransactionStatus(r->conn) == PQTRANS_INERROR)
			return -1;
		t->before = 0;
		return 0;
	}
	t->measured = 1;
	return 0;
}

void
rowproof_copied(struct rowproof *r, size_t i, uint64_t carried, uint64_t loaded,
    int committed)
{
	struct table *t = &r->tables[i];

	t->carried += carried;
	t->loaded += loaded;
	t->copies++;
	/* Only a committed COPY can be counted from another session. */
	if (!committed)
		counter_stop(r);
	counter_add(r, i);
}

void
rowproof_statement(struct rowproof *r, const char *s)
{
	if (r->ntables > 0 && !r->counter.stale && !changes_no_rows(s))
		counter_stop(r);
	counter_pump(r, 0);
}

int
rowproof_check(struct rowproof *r, volatile sig_atomic_t *interrupted, char *err,
    size_t errlen)
{
	struct table *t;
	size_t i;
	uint64_t counted;

	/* The early counts still running; never wait on them while this
	 * session holds a transaction open, whose locks they may wait for. */
	if (PQtransactionStatus(r->conn) != PQTRANS_IDLE)
		counter_stop(r);
	counter_pump(r, 1);
	for (i = 0; i < r->ntables; i++) {
		if (interrupted != NULL && *interrupted) {
			snprintf(err, errlen, "interrupted");
			return -2;
		}
		t = &r->tables[i];
		if (!r->counter.stale && t->copies > 0 && t->counted_at == t->copies)
			counted = t->counted;
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
