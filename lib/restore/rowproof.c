/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* rowproof: per-table rows before the first COPY, what each COPY added by
 * the server's own count, and count(*) at the end only where something
 * else could have changed the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include "pg/pgexec.h"
#include "restore/rowproof.h"
#include "pg/sqlexec.h"

struct table {
	char		*name;		/* as written in the COPY statement */
	char		*qualified;	/* schema.name, found before its first COPY */
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
	int		 restricted;	/* restrict_views ran in this session */
	char		**accept;	/* rowproof_accept */
	size_t		 naccept;
	char		**notes;	/* accepted mismatches */
	size_t		 nnotes;
	char		 fired[256];	/* triggers on tables as they were
					 * loaded: "t on s.x, ..." */
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

/* Whether a name as written ("public.\"a b\"") has a schema: a dot
 * outside double quotes. */
static int
has_schema(const char *name)
{
	int quoted = 0;

	for (; *name != '\0'; name++) {
		if (*name == '"')
			quoted = !quoted;	/* "" inside toggles twice */
		else if (*name == '.' && !quoted)
			return 1;
	}
	return 0;
}

/* A query naming table name: in cr's own search_path (lib/pgexec) when
 * the name has its schema, as pg_dump writes it; else in the script's,
 * which is where the COPY found the table (the query is schema-qualified
 * throughout, so that path can bring it nothing else). */
static PGresult *
exec(PGconn *conn, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	if (has_schema(name))
		return pgexec_exec(conn, sql, nparams, params);
	return pgexec_exec_user_path(conn, sql, nparams, params);
}

/* Once a session, before its first count: where the server has
 * restrict_nonsystem_relation_kind (PostgreSQL 17, and 12.20, 13.16,
 * 14.13, 15.8, 16.4: pg_dump's own guard), no view or foreign table of the
 * database can be read in it, so a table swapped for a view by another
 * session between count_now's look and its count fails the count instead
 * of running the view as the login.  An older server: the look alone. */
static int
restrict_views(struct rowproof *r, char *err, size_t errlen)
{
	PGresult *res;

	if (r->restricted)
		return 0;
	res = pgexec_exec(r->conn, "SELECT pg_catalog.set_config(name, 'view, foreign-table', "
	    "false) FROM pg_catalog.pg_settings WHERE name OPERATOR(pg_catalog.=) "
	    "'restrict_nonsystem_relation_kind'", 0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		sqlexec_error(r->conn, res, 0, "restricting the row counts to tables", err,
		    errlen);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	r->restricted = 1;
	return 0;
}

/* count(*) of table t, in this session: 0 or -1. */
static int
count_now(struct rowproof *r, struct table *t, unsigned long line, uint64_t *n, char *err,
    size_t errlen)
{
	PGresult *res;
	const char *param[1] = { t->name };
	char *sql, what[160], kind;
	int partitioned;

	snprintf(what, sizeof(what), "counting the rows of %s", t->name);
	if (restrict_views(r, err, errlen) == -1)
		return -1;
	/* The name found before the first COPY needs no search_path. */
	if (t->qualified != NULL)
		param[0] = t->qualified;
	/* With --load-via-partition-root the rows go through the partitioned
	 * parent: count the whole tree there.  Anywhere else ONLY, since
	 * children have COPY blocks of their own. */
	res = exec(r->conn, param[0], "SELECT relkind FROM pg_catalog.pg_class "
	    "WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass", 1, param);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		sqlexec_error(r->conn, res, line, what, err, errlen);
		PQclear(res);
		return -1;
	}
	partitioned = PQgetvalue(res, 0, 0)[0] == 'p';
	/* This count runs as the login, often a superuser: a view's query
	 * (the dump's or the database's, and its functions) must not run in
	 * it, nor a foreign table's wrapper (with the login's user mapping).
	 * pg_dump's COPY goes into tables; a COPY into a view (its INSTEAD OF
	 * trigger) or a foreign table, or a table the script replaced with a
	 * view after its data, is refused.  restrict_views() closes the gap
	 * between this look and the count. */
	kind = PQgetvalue(res, 0, 0)[0];
	if (kind != 'r' && kind != 'p') {
		snprintf(err, errlen, "%s: %s is %s, not a table: counting it would run "
		    "what it stands for as the login, which cr does not", what, param[0],
		    kind == 'v' || kind == 'm' ? "a view" : kind == 'f' ? "a foreign table" :
		    "a relation");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (asprintf(&sql, "SELECT pg_catalog.count(*) FROM %s%s", partitioned ? "" : "ONLY ",
	    param[0]) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* t->name is the COPY statement's identifier chain as written,
	 * already quoted where it needs to be (sqlsplit_copy_target takes only
	 * identifiers, "quoted" ones and dots) and accepted by the server in
	 * that COPY (or the server's format('%I.%I') of it): it goes into FROM
	 * as it is, never into a literal.  The extended protocol runs one
	 * statement only. */
	res = exec(r->conn, param[0], sql, 0, NULL);
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
	for (i = 0; i < r->ntables; i++) {
		free(r->tables[i].name);
		free(r->tables[i].qualified);
	}
	for (i = 0; i < r->naccept; i++)
		free(r->accept[i]);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->tables);
	free(r->accept);
	free(r->notes);
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
	if (!t->measured && asprintf(&count, "CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' "
	    "THEN (SELECT pg_catalog.count(*) FROM %s) "
	    "ELSE (SELECT pg_catalog.count(*) FROM ONLY %s) END", t->name, t->name) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ok = asprintf(&sql, "SELECT c.relkind, %s, (SELECT pg_catalog.string_agg("
	    "pg_catalog.format('%%I on %%s', g.tgname, g.tgrelid::pg_catalog.regclass), ', ' "
	    "ORDER BY g.tgname) FROM pg_catalog.pg_trigger g "
	    "WHERE NOT g.tgisinternal AND g.tgenabled OPERATOR(pg_catalog.<>) 'D' "
	    "AND (g.tgrelid OPERATOR(pg_catalog.=) c.oid "
	    "OR g.tgrelid OPERATOR(pg_catalog.=) ANY (SELECT p.relid "
	    "FROM pg_catalog.pg_partition_tree(c.oid) p))), "
	    "pg_catalog.format('%%I.%%I', n.nspname, c.relname) "
	    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
	    "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
	    "WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
	    count != NULL ? count : "0");
	free(count);
	if (ok == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	res = exec(r->conn, t->name, sql, 1, param);
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
	if (t->qualified == NULL && (t->qualified = strdup(PQgetvalue(res, 0, 3))) == NULL) {
		PQclear(res);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* A trigger can change any table: count every one at the end, and
	 * name the triggers if a count is off. */
	if (!PQgetisnull(res, 0, 2)) {
		r->recount = 1;
		if (strstr(r->fired, PQgetvalue(res, 0, 2)) == NULL) {
			if (r->fired[0] != '\0')
				strlcat(r->fired, ", ", sizeof(r->fired));
			strlcat(r->fired, PQgetvalue(res, 0, 2), sizeof(r->fired));
		}
	}
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

static int
push(char ***list, size_t *n, char *s)
{
	char **grown;

	if (s == NULL || (grown = reallocarray(*list, *n + 1, sizeof(*grown))) == NULL) {
		free(s);
		return -1;
	}
	grown[(*n)++] = s;
	*list = grown;
	return 0;
}

int
rowproof_accept(struct rowproof *r, const char *name)
{
	return push(&r->accept, &r->naccept, strdup(name));
}

const char *
rowproof_note(const struct rowproof *r, size_t i)
{
	return i < r->nnotes ? r->notes[i] : NULL;
}

/* Whether an event trigger is enabled (it fires in a session with the
 * default session_replication_role: 'O'rigin and 'A'lways): 1, 0 or -1. */
static int
event_triggers(struct rowproof *r, char *err, size_t errlen)
{
	PGresult *res;
	int on;

	res = pgexec_exec(r->conn, "SELECT EXISTS (SELECT FROM pg_catalog.pg_event_trigger "
	    "WHERE evtenabled OPERATOR(pg_catalog.=) ANY ('{O,A}'::pg_catalog.\"char\"[]))",
	    0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		sqlexec_error(r->conn, res, 0, "looking for event triggers", err, errlen);
		PQclear(res);
		return -1;
	}
	on = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return on;
}

/* What can have changed t's rows after its data, as a clause for the
 * mismatch message ("" when nothing is known): enabled event triggers,
 * triggers and rules on the table. */
static void
mismatch_cause(struct rowproof *r, const struct table *t, char *out, size_t outlen)
{
	PGresult *res;
	const char *param[1] = { t->qualified != NULL ? t->qualified : t->name };
	const char *ev, *tg, *ru;

	out[0] = '\0';
	res = exec(r->conn, param[0], "SELECT "
	    "(SELECT pg_catalog.string_agg(pg_catalog.format('%I (%s)', e.evtname, e.evtevent), "
	    "  ', ' ORDER BY e.evtname) FROM pg_catalog.pg_event_trigger e "
	    "  WHERE e.evtenabled OPERATOR(pg_catalog.=) ANY ('{O,A}'::pg_catalog.\"char\"[])), "
	    "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(g.tgname), ', ' ORDER BY g.tgname) "
	    "  FROM pg_catalog.pg_trigger g WHERE g.tgrelid OPERATOR(pg_catalog.=) "
	    "  $1::pg_catalog.regclass AND NOT g.tgisinternal "
	    "  AND g.tgenabled OPERATOR(pg_catalog.<>) 'D'), "
	    "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(w.rulename), ', ' "
	    "  ORDER BY w.rulename) FROM pg_catalog.pg_rewrite w "
	    "  WHERE w.ev_class OPERATOR(pg_catalog.=) $1::pg_catalog.regclass "
	    "  AND w.ev_type OPERATOR(pg_catalog.<>) '1')", 1, param);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		ev = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
		tg = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
		ru = PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2);
		if (ev != NULL)
			snprintf(out, outlen, "; the enabled event trigger%s %s fire%s on the "
			    "DDL the dump runs after the data (REFRESH MATERIALIZED VIEW, "
			    "CREATE INDEX, ...) and can write rows", strchr(ev, ',') ? "s" : "",
			    ev, strchr(ev, ',') ? "" : "s");
		if (tg != NULL)
			snprintf(out + strlen(out), outlen - strlen(out), "; the table has the "
			    "trigger%s %s", strchr(tg, ',') ? "s" : "", tg);
		if (ru != NULL)
			snprintf(out + strlen(out), outlen - strlen(out), "; the table has the "
			    "rule%s %s", strchr(ru, ',') ? "s" : "", ru);
	}
	if (r->fired[0] != '\0')
		snprintf(out + strlen(out), outlen - strlen(out), "; these triggers were "
		    "enabled as their tables were loaded and can write to any table: %s",
		    r->fired);
	PQclear(res);
}

/* Whether the user accepted a mismatch on t: the same relation. */
static int
accepted(struct rowproof *r, const struct table *t)
{
	PGresult *res;
	const char *param[2];
	size_t i;
	int same;

	for (i = 0; i < r->naccept; i++) {
		param[0] = r->accept[i];
		param[1] = t->qualified != NULL ? t->qualified : t->name;
		/* The name the user gave, where the script's own names are. */
		res = exec(r->conn, has_schema(param[1]) ? param[0] : param[1],
		    "SELECT pg_catalog.to_regclass($1::pg_catalog.text)"
		    "::pg_catalog.oid OPERATOR(pg_catalog.=) $2::pg_catalog.regclass::pg_catalog.oid",
		    2, param);
		same = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (same)
			return 1;
	}
	return 0;
}

int
rowproof_check(struct rowproof *r, volatile sig_atomic_t *interrupted, char *err,
    size_t errlen)
{
	struct table *t;
	size_t i;
	uint64_t counted;
	char msg[512], cause[512];
	int on;

	/* An event trigger writes rows when DDL runs, and pg_dump writes
	 * CREATE EVENT TRIGGER before the DDL that ends a dump: count. */
	if (!r->recount && r->ntables > 0) {
		if ((on = event_triggers(r, err, errlen)) == -1)
			return -1;
		r->recount = on;
	}
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
			snprintf(msg, sizeof(msg), "row count mismatch: %s has %llu rows after "
			    "the restore, %llu before its COPY, and the dump carried %llu",
			    t->name, (unsigned long long)counted, (unsigned long long)t->before,
			    (unsigned long long)t->carried);
		else
			snprintf(msg, sizeof(msg), "row count mismatch: %s has %llu rows after "
			    "the restore but the dump carried %llu", t->name,
			    (unsigned long long)counted, (unsigned long long)t->carried);
		mismatch_cause(r, t, cause, sizeof(cause));
		if (accepted(r, t)) {
			char *note;

			if (asprintf(&note, "%s%s: accepted (--accept-rows)", msg, cause) == -1)
				note = NULL;
			if (push(&r->notes, &r->nnotes, note) == -1) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			continue;
		}
		snprintf(err, errlen, "%s%s%s%s", msg, cause, cause[0] != '\0' ?
		    "; if that is expected, accept it with --accept-rows " : "",
		    cause[0] != '\0' ? t->name : "");
		return 1;
	}
	return 0;
}
