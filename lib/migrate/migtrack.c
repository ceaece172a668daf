/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migtrack: the tracking table, the app's JSON list of applied migrations,
 * and the advisory lock, all through libpq. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "migrate/migrate.h"
#include "migrate/migtrack.h"
#include "pg/pgexec.h"

#define QNAME	520	/* two quoted identifiers of up to 63 bytes each, doubled quotes */

struct json_entry {
	int64_t	 version;
	char	*name;		/* without .sql */
};

/* One load of the JSON list. */
struct json_list {
	int			 exists;	/* the table exists */
	int			 has_row;
	int			 suffix;	/* entries are written "NNN_name.sql" */
	char			 ctid[64];
	struct json_entry	*v;
	size_t			 n;
};

/* A name as given: "name" or "schema.name", each part folded to lower case
 * as PostgreSQL folds unquoted names.  Quoted once a connection exists. */
struct name {
	char	part[2][128];
	int	n;
};

struct migtrack {
	struct name	 table_name, jtable_name, jcolumn_name;
	int		 quoted;		/* table, jtable, jcolumn are set */
	char		 table[QNAME];		/* quoted */
	char		*table_given;
	int64_t		 key;
	char		*client;
	char		*json_spec;		/* NULL without --json-list */
	char		 jtable[QNAME];		/* quoted */
	char		 jcolumn[QNAME];	/* quoted */
	char		*jkey;
};

static int
name_parse(const char *s, size_t len, int maxparts, struct name *out)
{
	size_t i, n;

	out->n = 0;
	while (len > 0 || out->n == 0) {
		for (n = 0; n < len && s[n] != '.'; n++)
			;
		if (n == 0 || n >= sizeof(out->part[0]) || out->n >= maxparts)
			return -1;
		for (i = 0; i < n; i++)
			out->part[out->n][i] = (char)tolower((unsigned char)s[i]);
		out->part[out->n++][n] = '\0';
		if (n == len)
			break;
		s += n + 1;
		len -= n + 1;
		if (len == 0)
			return -1;	/* trailing dot */
	}
	return 0;
}

/* The name as SQL, each part quoted by libpq. */
static int
name_quote(PGconn *conn, const struct name *nm, char *out, size_t outlen)
{
	char quoted[QNAME];
	int i;

	out[0] = '\0';
	for (i = 0; i < nm->n; i++)
		if (pgexec_ident(conn, nm->part[i], quoted, sizeof(quoted)) == -1 ||
		    (i > 0 && strlcat(out, ".", outlen) >= outlen) ||
		    strlcat(out, quoted, outlen) >= outlen)
			return -1;
	return 0;
}

/* FNV-1a 64 of "cr-migrate:" and name. */
static int64_t
lock_key(const char *name)
{
	static const char prefix[] = "cr-migrate:";
	uint64_t h = 0xcbf29ce484222325ULL;	/* offset basis */
	const char *p;

	for (p = prefix; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return (int64_t)h;
}

struct migtrack *
migtrack_new(const struct migtrack_opts *o, char *err, size_t errlen)
{
	struct migtrack *t;
	const char *given = o->table ? o->table : MIGTRACK_DEFAULT_TABLE;
	const char *colon, *dot;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	if (name_parse(given, strlen(given), 2, &t->table_name) == -1) {
		snprintf(err, errlen, "--table %s: expected NAME or SCHEMA.NAME", given);
		goto fail;
	}
	if ((t->table_given = strdup(given)) == NULL ||
	    (t->client = strdup(o->client ? o->client : "")) == NULL)
		goto nomem;
	t->key = lock_key(t->table_given);	/* until migtrack_lock resolves it */

	if (o->json_list != NULL) {
		colon = strrchr(o->json_list, ':');
		dot = colon ? memrchr(o->json_list, '.', (size_t)(colon - o->json_list)) : NULL;
		if (colon == NULL || dot == NULL || colon[1] == '\0' ||
		    name_parse(o->json_list, (size_t)(dot - o->json_list), 2,
		    &t->jtable_name) == -1 ||
		    name_parse(dot + 1, (size_t)(colon - dot - 1), 1,
		    &t->jcolumn_name) == -1) {
			snprintf(err, errlen, "--json-list %s: expected "
			    "TABLE.COLUMN:KEY, e.g. crearis_config.config:migrations_run",
			    o->json_list);
			goto fail;
		}
		if ((t->json_spec = strdup(o->json_list)) == NULL ||
		    (t->jkey = strdup(colon + 1)) == NULL)
			goto nomem;
	}
	return t;
nomem:
	strlcpy(err, "out of memory", errlen);
fail:
	migtrack_free(t);
	return NULL;
}

void
migtrack_free(struct migtrack *t)
{
	if (t == NULL)
		return;
	free(t->table_given);
	free(t->client);
	free(t->json_spec);
	free(t->jkey);
	free(t);
}

const char *
migtrack_json_list(const struct migtrack *t)
{
	return t->json_spec;
}

const char *
migtrack_table(const struct migtrack *t)
{
	return t->table_given;
}

int64_t
migtrack_lock_key(const struct migtrack *t)
{
	return t->key;
}

/* Run a query; on failure describe it ("what: server message") in err. */
static PGresult *
run(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, char *err, size_t errlen)
{
	struct pgexec_error e;
	PGresult *res;

	if ((res = pgexec_query(conn, what, sql, nparams, params, &e)) == NULL)
		strlcpy(err, e.message, errlen);
	return res;
}

/* Run a command whose result is not needed. */
static enum migtrack_status
command(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, char *err, size_t errlen)
{
	PGresult *res;

	if ((res = run(conn, what, sql, nparams, params, err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	PQclear(res);
	return MIGTRACK_OK;
}

/* qname (quoted) as the session resolves it, schema-qualified: the table
 * to_regclass finds in the session's search_path, else the schema CREATE
 * TABLE would use (current_schema()).  cr's other queries run with a
 * search_path of its own (lib/pgexec), in which only such a name means the
 * user's table. */
static enum migtrack_status
qualify(PGconn *conn, char qname[QNAME], char *err, size_t errlen)
{
	struct pgexec_error e;
	PGresult *res;
	const char *params[1] = { qname };

	if ((res = pgexec_query_user_path(conn, "resolving a table name",
	    "SELECT coalesce((SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)\n"
	    "  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n\n"
	    "    ON n.oid OPERATOR(pg_catalog.=) c.relnamespace\n"
	    "  WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)),\n"
	    " (SELECT pg_catalog.format('%I.%I', CASE WHEN pg_catalog.cardinality(p)\n"
	    "    OPERATOR(pg_catalog.=) 2 THEN p[1] ELSE pg_catalog.current_schema() END,\n"
	    "    p[pg_catalog.cardinality(p)])\n"
	    "  FROM pg_catalog.parse_ident($1) AS p\n"
	    "  WHERE pg_catalog.cardinality(p) OPERATOR(pg_catalog.=) 2\n"
	    "    OR pg_catalog.current_schema() IS NOT NULL))", 1, params, &e)) == NULL) {
		strlcpy(err, e.message, errlen);
		return MIGTRACK_ESQL;
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    strlen(PQgetvalue(res, 0, 0)) < QNAME)
		strlcpy(qname, PQgetvalue(res, 0, 0), QNAME);
	PQclear(res);
	return MIGTRACK_OK;
}

/* The names as SQL, quoted by libpq for this connection and qualified by
 * its schema (once, before any migration runs). */
static enum migtrack_status
quote_names(struct migtrack *t, PGconn *conn, char *err, size_t errlen)
{
	enum migtrack_status rc;

	if (t->quoted)
		return MIGTRACK_OK;
	if (name_quote(conn, &t->table_name, t->table, sizeof(t->table)) == -1 ||
	    (t->json_spec != NULL &&
	    (name_quote(conn, &t->jtable_name, t->jtable, sizeof(t->jtable)) == -1 ||
	    name_quote(conn, &t->jcolumn_name, t->jcolumn, sizeof(t->jcolumn)) == -1))) {
		snprintf(err, errlen, "cannot quote the names of --table %s%s%s: %s",
		    t->table_given, t->json_spec ? " or --json-list " : "",
		    t->json_spec ? t->json_spec : "", PQerrorMessage(conn));
		err[strcspn(err, "\n")] = '\0';
		return MIGTRACK_EUSAGE;
	}
	if ((rc = qualify(conn, t->table, err, errlen)) != MIGTRACK_OK ||
	    (t->json_spec != NULL &&
	    (rc = qualify(conn, t->jtable, err, errlen)) != MIGTRACK_OK))
		return rc;
	t->quoted = 1;
	return MIGTRACK_OK;
}

/* Whether the table qname names exists; if it does, qname becomes its
 * schema-qualified name, so a migration's SET search_path cannot send the
 * tracking row elsewhere. */
static enum migtrack_status
exists(PGconn *conn, char qname[QNAME], int *yes, char *err, size_t errlen)
{
	PGresult *res;
	const char *params[1] = { qname };

	if ((res = run(conn, "looking for a table",
	    "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)\n"
	    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n\n"
	    "  ON n.oid OPERATOR(pg_catalog.=) c.relnamespace\n"
	    "WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)", 1, params,
	    err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	*yes = PQntuples(res) == 1;
	if (*yes && strlen(PQgetvalue(res, 0, 0)) < QNAME)
		strlcpy(qname, PQgetvalue(res, 0, 0), QNAME);
	PQclear(res);
	return MIGTRACK_OK;
}

/* The table the name leads to as the server resolves it: the schema given,
 * else the one CREATE TABLE would use (current_schema()), so every
 * spelling of one table ("cr_migrations", "CR_MIGRATIONS",
 * "public.cr_migrations") gets one lock key. */
static enum migtrack_status
resolve_key(struct migtrack *t, PGconn *conn, char *err, size_t errlen)
{
	PGresult *res;
	const char *params[1] = { t->table };

	if ((res = run(conn, "resolving the tracking table",
	    "SELECT pg_catalog.format('%I.%I', CASE WHEN pg_catalog.cardinality(p)\n"
	    "  OPERATOR(pg_catalog.=) 2\n"
	    "  THEN p[1] ELSE coalesce(pg_catalog.current_schema(), '') END,\n"
	    "  p[pg_catalog.cardinality(p)])\n"
	    "FROM pg_catalog.parse_ident($1) AS p", 1, params, err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	if (PQntuples(res) == 1)
		t->key = lock_key(PQgetvalue(res, 0, 0));
	PQclear(res);
	return MIGTRACK_OK;
}

enum migtrack_status
migtrack_lock(struct migtrack *t, PGconn *conn, int wait, char *err, size_t errlen)
{
	enum migtrack_status rc;
	PGresult *res;
	char key[32];
	const char *params[1] = { key };
	int got;

	if ((rc = quote_names(t, conn, err, errlen)) != MIGTRACK_OK ||
	    (rc = resolve_key(t, conn, err, errlen)) != MIGTRACK_OK)
		return rc;
	snprintf(key, sizeof(key), "%lld", (long long)t->key);
	if ((res = run(conn, "taking the advisory lock", wait ?
	    "SELECT pg_catalog.pg_advisory_lock($1::pg_catalog.int8), true" :
	    "SELECT pg_catalog.pg_try_advisory_lock($1::pg_catalog.int8)", 1, params,
	    err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	got = strcmp(PQgetvalue(res, 0, PQnfields(res) - 1), "t") == 0;
	PQclear(res);
	return got ? MIGTRACK_OK : MIGTRACK_EBUSY;
}

enum migtrack_status
migtrack_ensure(struct migtrack *t, PGconn *conn, char *err, size_t errlen)
{
	enum migtrack_status rc;
	char sql[4096];
	int yes;

	if ((rc = quote_names(t, conn, err, errlen)) != MIGTRACK_OK)
		return rc;
	/* checksum: SHA-256 of the file, hex, as sha256sum(1) prints it. */
	snprintf(sql, sizeof(sql),
	    "CREATE TABLE IF NOT EXISTS %s (\n"
	    "  version pg_catalog.int8 PRIMARY KEY,\n"
	    "  name pg_catalog.text NOT NULL,\n"
	    "  checksum pg_catalog.text,\n"
	    "  applied_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),\n"
	    "  duration_ms pg_catalog.int8,\n"
	    "  applied_by pg_catalog.text NOT NULL DEFAULT current_user,\n"
	    "  client pg_catalog.text,\n"
	    "  method pg_catalog.text NOT NULL DEFAULT 'up'\n"
	    ")", t->table);
	if ((rc = command(conn, "creating the tracking table", sql, 0, NULL,
	    err, errlen)) != MIGTRACK_OK)
		return rc;
	return exists(conn, t->table, &yes, err, errlen);
}

static void
json_list_free(struct json_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
json_has(const struct json_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return 1;
	return 0;
}

/* Whether list entry i records a migration the tracking table lacks.  The
 * app identifies migrations by name, so an entry whose number belongs to a
 * tracked row, a file or an earlier entry of another name does not count:
 * that file has not run.  rows: version and name columns, or NULL. */
static int
json_adoptable(const struct json_list *l, size_t i, const PGresult *rows,
    const struct migrate_set *set)
{
	const struct json_entry *e = &l->v[i];
	const struct migration *f;
	size_t j;
	int row;

	for (row = 0; rows != NULL && row < PQntuples(rows); row++)
		if (strtoll(PQgetvalue(rows, row, 0), NULL, 10) == e->version ||
		    strcmp(PQgetvalue(rows, row, 1), e->name) == 0)
			return 0;
	if ((f = migrate_find(set, e->version)) != NULL && strcmp(f->name, e->name) != 0)
		return 0;
	for (j = 0; j < i; j++)
		if (l->v[j].version == e->version)
			return 0;
	return 1;
}

/* Read the list from the row whose COLUMN has KEY (the first such row in
 * physical order), else the first row.  Entries that are not NNN_name are
 * ignored: the app may list other kinds of migrations. */
static enum migtrack_status
json_load(struct migtrack *t, PGconn *conn, int for_update, struct json_list *l,
    char *err, size_t errlen)
{
	PGresult *res;
	const char *params[1] = { t->jkey }, *s, *type;
	char sql[4096];
	enum migtrack_status rc;
	int64_t version;
	size_t stemlen, len;
	int i;

	memset(l, 0, sizeof(*l));
	if ((rc = exists(conn, t->jtable, &l->exists, err, errlen)) != MIGTRACK_OK ||
	    !l->exists)
		return rc;
	snprintf(sql, sizeof(sql),
	    "SELECT r.ctid::pg_catalog.text, pg_catalog.jsonb_typeof(r.c),\n"
	    "  pg_catalog.jsonb_typeof(r.c OPERATOR(pg_catalog.->) $1::pg_catalog.text), e.value\n"
	    "FROM (SELECT ctid, %s::pg_catalog.jsonb AS c FROM %s\n"
	    "      ORDER BY coalesce(%s::pg_catalog.jsonb OPERATOR(pg_catalog.?)\n"
	    "        $1::pg_catalog.text, false) DESC, ctid LIMIT 1 %s) r\n"
	    "LEFT JOIN LATERAL pg_catalog.jsonb_array_elements_text(\n"
	    "    CASE WHEN pg_catalog.jsonb_typeof(r.c OPERATOR(pg_catalog.->) $1::pg_catalog.text)\n"
	    "      OPERATOR(pg_catalog.=) 'array'\n"
	    "    THEN r.c OPERATOR(pg_catalog.->) $1::pg_catalog.text END)\n"
	    "  WITH ORDINALITY AS e(value, n) ON true\n"
	    "ORDER BY e.n",
	    t->jcolumn, t->jtable, t->jcolumn, for_update ? "FOR UPDATE" : "");
	if ((res = run(conn, "reading the JSON list", sql, 1, params,
	    err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return MIGTRACK_OK;
	}
	l->has_row = 1;
	strlcpy(l->ctid, PQgetvalue(res, 0, 0), sizeof(l->ctid));
	type = PQgetvalue(res, 0, 2);
	if ((!PQgetisnull(res, 0, 1) && strcmp(PQgetvalue(res, 0, 1), "object") != 0) ||
	    (!PQgetisnull(res, 0, 2) && strcmp(type, "array") != 0 &&
	    strcmp(type, "null") != 0)) {
		if (PQgetisnull(res, 0, 2))
			snprintf(err, errlen, "%s: the column holds a JSON %s, "
			    "not an object", t->json_spec, PQgetvalue(res, 0, 1));
		else
			snprintf(err, errlen, "%s: \"%s\" holds a JSON %s, not a "
			    "list", t->json_spec, t->jkey, type);
		PQclear(res);
		return MIGTRACK_EDATA;
	}
	if ((l->v = calloc((size_t)PQntuples(res), sizeof(*l->v))) == NULL) {
		PQclear(res);
		strlcpy(err, "out of memory", errlen);
		return MIGTRACK_ENOMEM;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 3))
			continue;
		s = PQgetvalue(res, i, 3);
		len = strlen(s);
		if (migrate_parse_name(s, len, &version, &stemlen) == -1)
			continue;
		l->suffix = stemlen != len;	/* follow the newest entry's form */
		l->v[l->n].version = version;
		if ((l->v[l->n].name = strndup(s, stemlen)) == NULL) {
			PQclear(res);
			json_list_free(l);
			strlcpy(err, "out of memory", errlen);
			return MIGTRACK_ENOMEM;
		}
		l->n++;
	}
	PQclear(res);
	return MIGTRACK_OK;
}

/* Append one name to the list (creating the key, or the row, if needed). */
static enum migtrack_status
json_append(struct migtrack *t, PGconn *conn, struct json_list *l, const char *name,
    char *err, size_t errlen)
{
	PGresult *res;
	const char *params[3];
	char sql[4096], entry[1024];

	snprintf(entry, sizeof(entry), "%s%s", name, l->suffix ? ".sql" : "");
	params[0] = t->jkey;
	params[1] = entry;
	params[2] = l->ctid;
	if (!l->has_row)
		snprintf(sql, sizeof(sql),
		    "INSERT INTO %s (%s) VALUES (pg_catalog.jsonb_build_object($1::pg_catalog.text, "
		    "pg_catalog.jsonb_build_array($2::pg_catalog.text))) RETURNING ctid::pg_catalog.text",
		    t->jtable, t->jcolumn);
	else
		snprintf(sql, sizeof(sql),
		    "UPDATE %s SET %s = pg_catalog.jsonb_set(coalesce(%s::pg_catalog.jsonb, '{}'),\n"
		    "  ARRAY[$1::pg_catalog.text],\n"
		    "  CASE WHEN pg_catalog.jsonb_typeof(%s::pg_catalog.jsonb OPERATOR(pg_catalog.->)\n"
		    "      $1::pg_catalog.text) OPERATOR(pg_catalog.=) 'array'\n"
		    "    THEN %s::pg_catalog.jsonb OPERATOR(pg_catalog.->) $1::pg_catalog.text\n"
		    "    ELSE '[]'::pg_catalog.jsonb END\n"
		    "  OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array($2::pg_catalog.text), true)\n"
		    "WHERE ctid OPERATOR(pg_catalog.=) $3::pg_catalog.tid RETURNING ctid::pg_catalog.text",
		    t->jtable, t->jcolumn, t->jcolumn, t->jcolumn, t->jcolumn);
	if ((res = run(conn, "updating the JSON list", sql, l->has_row ? 3 : 2,
	    params, err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	if (PQntuples(res) == 1) {
		strlcpy(l->ctid, PQgetvalue(res, 0, 0), sizeof(l->ctid));
		l->has_row = 1;
	}
	PQclear(res);
	return MIGTRACK_OK;
}

/* Append every tracked migration the list lacks, in version order. */
static enum migtrack_status
json_sync(struct migtrack *t, PGconn *conn, size_t *appended, char *err, size_t errlen)
{
	struct json_list l;
	enum migtrack_status rc;
	PGresult *res;
	char sql[4096];
	int i;

	if (t->json_spec == NULL)
		return MIGTRACK_OK;
	if ((rc = json_load(t, conn, 1, &l, err, errlen)) != MIGTRACK_OK || !l.exists)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT version, name FROM %s ORDER BY version",
	    t->table);
	if ((res = run(conn, "reading the tracking table", sql, 0, NULL,
	    err, errlen)) == NULL) {
		json_list_free(&l);
		return MIGTRACK_ESQL;
	}
	for (i = 0; rc == MIGTRACK_OK && i < PQntuples(res); i++) {
		if (json_has(&l, PQgetvalue(res, i, 1)))
			continue;
		rc = json_append(t, conn, &l, PQgetvalue(res, i, 1), err, errlen);
		if (rc == MIGTRACK_OK && appended != NULL)
			(*appended)++;
	}
	PQclear(res);
	json_list_free(&l);
	return rc;
}

void
migtrack_applied_free(struct migrate_applied *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].checksum);
		free(a[i].applied_at);
		free(a[i].method);
	}
	free(a);
}

enum migtrack_status
migtrack_read(struct migtrack *t, PGconn *conn, const struct migrate_set *set,
    struct migrate_applied **out, size_t *nout, char *err, size_t errlen)
{
	struct migrate_applied *a = NULL, *e;
	struct json_list l;
	enum migtrack_status rc;
	PGresult *res = NULL;
	char sql[4096];
	size_t n = 0, i, cap;
	int yes, row, fail = 0;

	*out = NULL;
	*nout = 0;
	memset(&l, 0, sizeof(l));
	if ((rc = quote_names(t, conn, err, errlen)) != MIGTRACK_OK ||
	    (rc = exists(conn, t->table, &yes, err, errlen)) != MIGTRACK_OK)
		return rc;
	if (yes) {
		snprintf(sql, sizeof(sql), "SELECT version, name, checksum,\n"
		    "  pg_catalog.to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n"
		    "  method FROM %s ORDER BY version", t->table);
		if ((res = run(conn, "reading the tracking table", sql, 0, NULL,
		    err, errlen)) == NULL)
			return MIGTRACK_ESQL;
	}
	if (t->json_spec != NULL &&
	    (rc = json_load(t, conn, 0, &l, err, errlen)) != MIGTRACK_OK) {
		PQclear(res);
		return rc;
	}
	cap = (res ? (size_t)PQntuples(res) : 0) + l.n + 1;
	if ((a = calloc(cap, sizeof(*a))) == NULL)
		goto nomem;
	for (row = 0; res != NULL && row < PQntuples(res); row++) {
		e = &a[n++];
		e->version = strtoll(PQgetvalue(res, row, 0), NULL, 10);
		if ((e->name = strdup(PQgetvalue(res, row, 1))) == NULL ||
		    (!PQgetisnull(res, row, 2) &&
		    (e->checksum = strdup(PQgetvalue(res, row, 2))) == NULL) ||
		    (e->applied_at = strdup(PQgetvalue(res, row, 3))) == NULL ||
		    (e->method = strdup(PQgetvalue(res, row, 4))) == NULL)
			goto nomem;
	}
	for (i = 0; i < l.n; i++) {
		if (!json_adoptable(&l, i, res, set))
			continue;
		e = &a[n++];
		e->version = l.v[i].version;
		if ((e->name = strdup(l.v[i].name)) == NULL ||
		    (e->applied_at = strdup("")) == NULL ||
		    (e->method = strdup("json-list")) == NULL)
			goto nomem;
	}
	if (0) {
nomem:
		strlcpy(err, "out of memory", errlen);
		fail = 1;
	}
	PQclear(res);
	json_list_free(&l);
	if (fail) {
		migtrack_applied_free(a, n);
		return MIGTRACK_ENOMEM;
	}
	*out = a;
	*nout = n;
	return MIGTRACK_OK;
}

enum migtrack_status
migtrack_record(struct migtrack *t, PGconn *conn, const struct migration *m,
    const char *checksum, long duration_ms, const char *method,
    char *err, size_t errlen)
{
	const char *params[6];
	char version[32], duration[32], sql[4096];
	enum migtrack_status rc;

	if ((rc = quote_names(t, conn, err, errlen)) != MIGTRACK_OK)
		return rc;
	snprintf(version, sizeof(version), "%lld", (long long)m->version);
	snprintf(duration, sizeof(duration), "%ld", duration_ms);
	params[0] = version;
	params[1] = m->name;
	params[2] = checksum;
	params[3] = duration_ms < 0 ? NULL : duration;
	params[4] = t->client;
	params[5] = method;
	snprintf(sql, sizeof(sql), "INSERT INTO %s (version, name, checksum, "
	    "duration_ms, client, method) VALUES ($1, $2, $3, $4, $5, $6)", t->table);
	if ((rc = command(conn, "recording the migration", sql, 6, params,
	    err, errlen)) != MIGTRACK_OK)
		return rc;
	return json_sync(t, conn, NULL, err, errlen);
}

enum migtrack_status
migtrack_adopt(struct migtrack *t, PGconn *conn, const struct migrate_set *set,
    size_t *adopted, size_t *appended, char *err, size_t errlen)
{
	struct json_list l;
	const struct migration *f;
	enum migtrack_status rc;
	PGresult *res;
	const char *params[5];
	char sql[4096], version[32];
	size_t i;

	*adopted = *appended = 0;
	if (t->json_spec == NULL)
		return MIGTRACK_OK;
	if ((rc = quote_names(t, conn, err, errlen)) != MIGTRACK_OK ||
	    (rc = command(conn, "starting a transaction", "BEGIN", 0, NULL,
	    err, errlen)) != MIGTRACK_OK)
		return rc;
	if ((rc = json_load(t, conn, 1, &l, err, errlen)) != MIGTRACK_OK)
		goto rollback;
	snprintf(sql, sizeof(sql), "SELECT version, name FROM %s", t->table);
	if ((res = run(conn, "reading the tracking table", sql, 0, NULL,
	    err, errlen)) == NULL) {
		rc = MIGTRACK_ESQL;
		goto rollback;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO %s (version, name, checksum, "
	    "client, method) VALUES ($1, $2, $3, $4, 'adopted')", t->table);
	for (i = 0; rc == MIGTRACK_OK && i < l.n; i++) {
		if (!json_adoptable(&l, i, res, set))
			continue;
		/* We cannot know what ran; the file as it is now becomes the
		 * reference that later edits are measured against. */
		f = migrate_find(set, l.v[i].version);
		snprintf(version, sizeof(version), "%lld", (long long)l.v[i].version);
		params[0] = version;
		params[1] = l.v[i].name;
		params[2] = f ? f->checksum : NULL;
		params[3] = t->client;
		if ((rc = command(conn, "adopting the JSON list", sql, 4, params,
		    err, errlen)) == MIGTRACK_OK)
			(*adopted)++;
	}
	PQclear(res);
	json_list_free(&l);
	if (rc == MIGTRACK_OK)
		rc = json_sync(t, conn, appended, err, errlen);
	if (rc == MIGTRACK_OK)
		rc = command(conn, "committing", "COMMIT", 0, NULL, err, errlen);
	if (rc == MIGTRACK_OK)
		return rc;
rollback:
	(void)pgexec_command(conn, NULL, "ROLLBACK", 0, NULL, NULL);
	*adopted = *appended = 0;
	return rc;
}

enum migtrack_status
migtrack_history(struct migtrack *t, PGconn *conn, int *history, long *objects,
    char *example, size_t examplelen, char *err, size_t errlen)
{
	enum migtrack_status rc;
	PGresult *res;
	char jtable[QNAME];
	int yes = 0;

	*history = 0;
	*objects = 0;
	if (examplelen > 0)
		example[0] = '\0';
	if ((rc = quote_names(t, conn, err, errlen)) != MIGTRACK_OK ||
	    (rc = exists(conn, t->table, &yes, err, errlen)) != MIGTRACK_OK)
		return rc;
	if (!yes && t->json_spec != NULL) {
		strlcpy(jtable, t->jtable, sizeof(jtable));
		if ((rc = exists(conn, jtable, &yes, err, errlen)) != MIGTRACK_OK)
			return rc;
	}
	if ((*history = yes))
		return MIGTRACK_OK;
	/* Schemas named pg_* are the system's (temporary ones included);
	 * an extension's own tables (PostGIS's spatial_ref_sys) are not the
	 * app's. */
	if ((res = run(conn, "looking for tables",
	    "SELECT pg_catalog.count(*),\n"
	    "  pg_catalog.min(pg_catalog.format('%I.%I', n.nspname, c.relname))\n"
	    "FROM pg_catalog.pg_class c\n"
	    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace\n"
	    "WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f,S}'::pg_catalog.\"char\"[])\n"
	    "  AND pg_catalog.left(n.nspname, 3) OPERATOR(pg_catalog.<>) 'pg_'\n"
	    "  AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'\n"
	    "  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d\n"
	    "    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass\n"
	    "      AND d.objid OPERATOR(pg_catalog.=) c.oid\n"
	    "      AND d.deptype OPERATOR(pg_catalog.=) 'e')", 0, NULL,
	    err, errlen)) == NULL)
		return MIGTRACK_ESQL;
	*objects = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	if (!PQgetisnull(res, 0, 1))
		strlcpy(example, PQgetvalue(res, 0, 1), examplelen);
	PQclear(res);
	return MIGTRACK_OK;
}

enum migtrack_status
migtrack_baseline(struct migtrack *t, PGconn *conn, const struct migration *const *v,
    size_t n, char *err, size_t errlen)
{
	enum migtrack_status rc;
	size_t i;

	if ((rc = command(conn, "starting a transaction", "BEGIN", 0, NULL,
	    err, errlen)) != MIGTRACK_OK)
		return rc;
	for (i = 0; rc == MIGTRACK_OK && i < n; i++)
		rc = migtrack_record(t, conn, v[i], v[i]->checksum, -1, "baseline",
		    err, errlen);
	if (rc == MIGTRACK_OK)
		rc = command(conn, "committing", "COMMIT", 0, NULL, err, errlen);
	if (rc != MIGTRACK_OK)
		(void)pgexec_command(conn, NULL, "ROLLBACK", 0, NULL, NULL);
	return rc;
}
