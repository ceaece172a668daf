/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* replace: scratch database, carry-over and the transactional swap behind
 * cr-restore --clean and --test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>

#include "base/shquote.h"
#include "base/utc.h"
#include "pg/pgconn.h"
#include "restore/replace.h"

/* target's name shortened so that target + suffix fits NAMEDATALEN-1. */
static void
tagged_name(const char *target, const char *suffix, char *out, size_t outlen)
{
	size_t len, max;

	max = 63 - strlen(suffix);
	len = strlen(target);
	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)target[len] & 0xC0) == 0x80)
			len--;
	}
	snprintf(out, outlen, "%.*s%s", (int)len, target, suffix);
}

void
replace_scratch_name(const char *target, long pid, char *out, size_t outlen)
{
	char suffix[40];

	snprintf(suffix, sizeof(suffix), REPLACE_SCRATCH_TAG "%ld", pid);
	tagged_name(target, suffix, out, outlen);
}

void
replace_old_name(const char *target, long pid, char *out, size_t outlen)
{
	char suffix[40];

	snprintf(suffix, sizeof(suffix), REPLACE_OLD_TAG "%ld", pid);
	tagged_name(target, suffix, out, outlen);
}

void
replace_kept_name(const char *target, time_t when, char *out, size_t outlen)
{
	char suffix[40], stamp[UTC_LEN];

	snprintf(suffix, sizeof(suffix), REPLACE_OLD_TAG "%s", utc_stamp(when, stamp));
	tagged_name(target, suffix, out, outlen);
}

/* One statement with up to two parameters through pgexec; on failure NULL
 * and err "what: ERROR:  ..." on one line. */
static PGresult *
query(PGconn *conn, const char *what, const char *sql, int n, const char *a,
    const char *b, char *err, size_t errlen)
{
	const char *param[2] = { a, b };
	struct pgexec_error e;
	PGresult *res;

	if ((res = pgexec_query(conn, what, sql, n, param, &e)) == NULL)
		strlcpy(err, e.message, errlen);
	return res;
}

/* Run one command; on failure describe it as 'what'. */
static int
command(PGconn *conn, const char *sql, const char *what, char *err, size_t errlen)
{
	struct pgexec_error e;

	if (pgexec_command(conn, what, sql, 0, NULL, &e) == 0)
		return 0;
	strlcpy(err, e.message, errlen);
	return -1;
}

/* asprintf of fmt with up to two quoted identifiers (a database name is
 * at most 63 bytes: doubled quotes and the two around fit). */
static char *
sql_ident2(PGconn *conn, const char *fmt, const char *a, const char *b)
{
	char qa[160], qb[160] = "", *sql;

	if (pgexec_ident(conn, a, qa, sizeof(qa)) == -1 ||
	    (b != NULL && pgexec_ident(conn, b, qb, sizeof(qb)) == -1))
		return NULL;
	if (asprintf(&sql, fmt, qa, qb) == -1)
		return NULL;
	return sql;
}

static int
command_ident(PGconn *conn, const char *fmt, const char *a, const char *b,
    const char *what, char *err, size_t errlen)
{
	char *sql;
	int r;

	if ((sql = sql_ident2(conn, fmt, a, b)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", what);
		return -1;
	}
	r = command(conn, sql, what, err, errlen);
	free(sql);
	return r;
}

int
replace_db_state(PGconn *maint, const char *name, int *allowconn, char *err, size_t errlen)
{
	PGresult *res;
	int n;

	res = query(maint, "looking up the database",
	    "SELECT datallowconn FROM pg_catalog.pg_database "
	    "WHERE datname OPERATOR(pg_catalog.=) $1",
	    1, name, NULL, err, errlen);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if (n > 0 && allowconn != NULL)
		*allowconn = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return n > 0;
}

int
replace_db_owner(PGconn *maint, const char *name, char *out, size_t outlen, char *err,
    size_t errlen)
{
	PGresult *res;

	out[0] = '\0';
	res = query(maint, "looking up the database's owner",
	    "SELECT pg_catalog.pg_get_userbyid(datdba) FROM "
	    "pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) $1", 1, name, NULL,
	    err, errlen);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1)
		strlcpy(out, PQgetvalue(res, 0, 0), outlen);
	PQclear(res);
	return 0;
}

/* Names "<prefix><digits>": what a run with that pid left. */
static int
tagged_leftovers(PGconn *maint, const char *target, const char *tag, char names[][64],
    int max, char *err, size_t errlen)
{
	PGresult *res;
	char prefix[128], suffix[40], lenbuf[16];
	const char *d;
	size_t plen;
	int i, n = 0;

	snprintf(suffix, sizeof(suffix), "%s0", tag);
	tagged_name(target, suffix, prefix, sizeof(prefix));
	plen = strlen(prefix) - 1;	/* without the "0" */
	prefix[plen] = '\0';
	snprintf(lenbuf, sizeof(lenbuf), "%zu", plen);
	res = query(maint, "looking for leftovers", "SELECT datname FROM pg_catalog.pg_database "
	    "WHERE pg_catalog.left(datname::pg_catalog.text, $2::pg_catalog.int4) "
	    "OPERATOR(pg_catalog.=) $1 ORDER BY 1", 2, prefix, lenbuf, err, errlen);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		d = PQgetvalue(res, i, 0) + plen;
		if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
			continue;
		if (n < max)
			strlcpy(names[n], PQgetvalue(res, i, 0), sizeof(names[n]));
		n++;
	}
	PQclear(res);
	return n;
}

/* A command for the user to copy: psql on the maintenance database, fmt
 * with the quoted identifiers a and b (may be NULL). */
static void
psql_command(PGconn *maint, const char *fmt, const char *a, const char *b, char *out,
    size_t outlen)
{
	char qa[160], qb[160], sql[400], shell[900];

	if (pgexec_ident(maint, a, qa, sizeof(qa)) == -1 ||
	    (b != NULL && pgexec_ident(maint, b, qb, sizeof(qb)) == -1)) {
		snprintf(out, outlen, "psql (name too long to quote here)");
		return;
	}
	snprintf(sql, sizeof(sql), fmt, qa, b != NULL ? qb : "");
	if (shquote_always(sql, shell, sizeof(shell)) == -1)
		snprintf(out, outlen, "psql (name too long to quote here)");
	else
		snprintf(out, outlen, "psql -d postgres -c %s", shell);
}

static void
dropdb_command(const char *name, char *out, size_t outlen)
{
	char q[200];

	if (shquote_always(name, q, sizeof(q)) == -1)
		snprintf(out, outlen, "dropdb (name too long to quote here)");
	else
		snprintf(out, outlen, "dropdb %s", q);
}

int
replace_leftovers(PGconn *maint, const char *target, struct replace_leftovers *l,
    char *err, size_t errlen)
{
	int allow = 1, i;

	memset(l, 0, sizeof(*l));
	if ((l->nscratch = tagged_leftovers(maint, target, REPLACE_SCRATCH_TAG, l->scratch,
	    4, err, errlen)) == -1)
		return -1;
	if ((l->nold = tagged_leftovers(maint, target, REPLACE_OLD_TAG, l->old, 4, err,
	    errlen)) == -1)
		return -1;
	if ((l->target_exists = replace_db_state(maint, target, &allow, err, errlen)) == -1)
		return -1;
	l->target_blocked = l->target_exists && !allow;
	/* A scratch database holds a copy only while target exists; without
	 * target it may be all there is, and no command is safe. */
	for (i = 0; i < l->nscratch && i < 4; i++)
		if (l->target_exists)
			dropdb_command(l->scratch[i], l->scratch_command[i],
			    sizeof(l->scratch_command[i]));
	/* A replaced database is the old data: dropped when target holds the
	 * new, else renamed back into target's place. */
	for (i = 0; i < l->nold && i < 4; i++)
		if (l->target_exists)
			dropdb_command(l->old[i], l->old_command[i], sizeof(l->old_command[i]));
		else
			psql_command(maint, "ALTER DATABASE %s RENAME TO %s", l->old[i], target,
			    l->old_command[i], sizeof(l->old_command[i]));
	if (l->target_blocked)
		psql_command(maint, "ALTER DATABASE %s ALLOW_CONNECTIONS true", target, NULL,
		    l->blocked_command, sizeof(l->blocked_command));
	return 0;
}

int
replace_lock(PGconn *maint, const char *target, int shared, char *err, size_t errlen)
{
	PGresult *res;
	char key[128];
	int taken;

	/* A key of cr's own, so that an application's advisory locks on the
	 * maintenance database never collide with it. */
	snprintf(key, sizeof(key), "cr-restore %s", target);
	res = query(maint, "locking the target", shared ?
	    "SELECT pg_catalog.pg_try_advisory_lock_shared(pg_catalog.hashtextextended($1, 0))" :
	    "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended($1, 0))",
	    1, key, NULL, err, errlen);
	if (res == NULL)
		return -1;
	taken = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return taken;
}

int
replace_superuser_extensions(PGconn *conn, char names[][64], int max, char *err,
    size_t errlen)
{
	PGresult *res;
	int i, n = 0;

	res = query(conn, "listing the target's extensions",
	    "SELECT e.extname FROM pg_catalog.pg_extension e "
	    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
	    "JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) e.extowner "
	    "WHERE r.rolsuper AND n.nspname OPERATOR(pg_catalog.=) 'public' ORDER BY 1",
	    0, NULL, NULL, err, errlen);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && n < max; i++)
		strlcpy(names[n++], PQgetvalue(res, i, 0), sizeof(names[0]));
	PQclear(res);
	return n;
}

static char *
literal(PGconn *conn, const char *s)
{
	return PQescapeLiteral(conn, s, strlen(s));
}

/* CREATE DATABASE scratch from template0 with the encoding and locale of
 * target when it exists, owned by owner (NULL: the connecting role).
 * Returns 0, or -1 with e set (its SQLSTATE tells a missing privilege,
 * 42501, from other failures). */
static int
replace_scratch_create(PGconn *maint, const char *scratch, const char *target,
    const char *owner, struct pgexec_error *e)
{
	PGresult *res;
	char *q = NULL, *enc = NULL, *coll = NULL, *ctype = NULL, *qowner = NULL,
	    *loc = NULL, *sql = NULL;
	const char *provider = NULL, *locsql;
	int v = PQserverVersion(maint), ok = 0, r;

	if (v >= 170000)
		locsql = "d.datlocprovider, d.datlocale";
	else if (v >= 150000)
		locsql = "d.datlocprovider, d.daticulocale";
	else
		locsql = "'c'::pg_catalog.\"char\", NULL::pg_catalog.text";
	if ((q = PQescapeIdentifier(maint, scratch, strlen(scratch))) == NULL)
		goto fail;
	if (owner != NULL && *owner != '\0' &&
	    (qowner = PQescapeIdentifier(maint, owner, strlen(owner))) == NULL)
		goto fail;
	if (asprintf(&sql, "SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, "
	    "d.datctype, %s FROM pg_catalog.pg_database d "
	    "WHERE d.datname OPERATOR(pg_catalog.=) $1", locsql) == -1) {
		sql = NULL;
		goto fail;
	}
	res = pgexec_query(maint, "reading the target's settings", sql, 1, &target, e);
	free(sql);
	sql = NULL;
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		enc = literal(maint, PQgetvalue(res, 0, 0));
		coll = literal(maint, PQgetvalue(res, 0, 1));
		ctype = literal(maint, PQgetvalue(res, 0, 2));
		if (PQgetvalue(res, 0, 3)[0] == 'i')
			provider = "icu";
		else if (PQgetvalue(res, 0, 3)[0] == 'b')
			provider = "builtin";
		if (!PQgetisnull(res, 0, 4))
			loc = literal(maint, PQgetvalue(res, 0, 4));
		r = asprintf(&sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING %s "
		    "LC_COLLATE %s LC_CTYPE %s%s%s%s%s%s%s", q, enc, coll, ctype,
		    provider != NULL ? " LOCALE_PROVIDER " : "", provider != NULL ? provider : "",
		    provider != NULL && loc != NULL ?
		    (strcmp(provider, "icu") == 0 ? " ICU_LOCALE " : " BUILTIN_LOCALE ") : "",
		    provider != NULL && loc != NULL ? loc : "",
		    qowner != NULL ? " OWNER " : "", qowner != NULL ? qowner : "");
	} else
		r = asprintf(&sql, "CREATE DATABASE %s TEMPLATE template0%s%s", q,
		    qowner != NULL ? " OWNER " : "", qowner != NULL ? qowner : "");
	PQclear(res);
	if (r == -1) {
		sql = NULL;
		goto fail;
	}
	if (pgexec_command(maint, "creating the scratch database", sql, 0, NULL, e) == 0)
		ok = 1;
	goto out;
fail:
	memset(e, 0, sizeof(*e));
	strlcpy(e->message, "out of memory", sizeof(e->message));
out:
	PQfreemem(q);
	PQfreemem(enc);
	PQfreemem(coll);
	PQfreemem(ctype);
	PQfreemem(qowner);
	PQfreemem(loc);
	free(sql);
	return ok ? 0 : -1;
}

/* End the sessions on database name but ours; returns how many, or -1. */
static int
terminate(PGconn *maint, const char *name)
{
	PGresult *res;
	char ignored[8];
	int n = -1;

	/* Sessions of this run that are still closing (same application
	 * name: the same settings) are ended too but not counted. */
	res = query(maint, NULL, "SELECT pg_catalog.count(*) FILTER (WHERE NOT s.ours) FROM "
	    "(SELECT pg_catalog.pg_terminate_backend(pid) AS ended, application_name "
	    "OPERATOR(pg_catalog.=) pg_catalog.current_setting('application_name') "
	    "AND usename OPERATOR(pg_catalog.=) current_user AS ours "
	    "FROM pg_catalog.pg_stat_activity WHERE datname OPERATOR(pg_catalog.=) $1 "
	    "AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()) s WHERE s.ended", 1,
	    name, NULL,
	    ignored, sizeof(ignored));
	if (res != NULL && PQntuples(res) == 1)
		n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}

/* ALTER DATABASE name ALLOW_CONNECTIONS true|false. */
static int
replace_allow_connections(PGconn *maint, const char *name, int allow, char *err,
    size_t errlen)
{
	return command_ident(maint, allow ? "ALTER DATABASE %s ALLOW_CONNECTIONS true" :
	    "ALTER DATABASE %s ALLOW_CONNECTIONS false", name, NULL,
	    allow ? "allowing connections" : "blocking new connections", err, errlen);
}

/* Once loading has ended: no new connections to scratch, and the sessions
 * others opened on it ended (*ended gets how many). */
static int
replace_scratch_seal(PGconn *maint, const char *scratch, int *ended, char *err,
    size_t errlen)
{
	struct pgexec_error e;

	*ended = 0;
	if (replace_allow_connections(maint, scratch, 0, err, errlen) == -1)
		return -1;
	if ((*ended = terminate(maint, scratch)) == -1) {
		pgexec_error_set(&e, maint, NULL, "ending sessions on the scratch database");
		strlcpy(err, e.message, errlen);
		return -1;
	}
	return 0;
}

/* The statements that give scratch target's comment, settings, privileges
 * and connection limit, written by the server (format %I/%L quote).
 * List-valued settings (search_path, ...) are stored as one string of
 * comma-separated, possibly quoted items: each item becomes a literal. */
static const char carry_sql[] =
    "WITH d AS (SELECT * FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) $1) "
    "SELECT pg_catalog.format('COMMENT ON DATABASE %I IS %L', $2::pg_catalog.text, "
    "  pg_catalog.shobj_description(d.oid, 'pg_database')) FROM d "
    "  WHERE pg_catalog.shobj_description(d.oid, 'pg_database') IS NOT NULL "
    "UNION ALL SELECT pg_catalog.format('ALTER DATABASE %I CONNECTION LIMIT %s', "
    "  $2::pg_catalog.text, d.datconnlimit) FROM d "
    "  WHERE d.datconnlimit OPERATOR(pg_catalog.<>) -1 "
    "UNION ALL SELECT pg_catalog.format('REVOKE ALL ON DATABASE %I FROM PUBLIC', "
    "  $2::pg_catalog.text) "
    "  FROM d WHERE d.datacl IS NOT NULL "
    "UNION ALL SELECT pg_catalog.format('GRANT %s ON DATABASE %I TO %s%s', a.privilege_type, "
    "  $2::pg_catalog.text, CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' "
    "  ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, "
    "  CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) "
    "  FROM d, pg_catalog.aclexplode(d.datacl) a "
    "UNION ALL SELECT CASE WHEN s.setrole OPERATOR(pg_catalog.=) 0 "
    "  THEN pg_catalog.format('ALTER DATABASE %I SET %I TO %s', $2::pg_catalog.text, "
    "  c.name, c.value) "
    "  ELSE pg_catalog.format('ALTER ROLE %I IN DATABASE %I SET %I TO %s', "
    "  pg_catalog.pg_get_userbyid(s.setrole), $2::pg_catalog.text, c.name, c.value) END "
    "  FROM d JOIN pg_catalog.pg_db_role_setting s "
    "    ON s.setdatabase OPERATOR(pg_catalog.=) d.oid, "
    "  LATERAL (SELECT pg_catalog.substr(cfg, 1, pg_catalog.strpos(cfg, '=') "
    "      OPERATOR(pg_catalog.-) 1) AS name, "
    "    CASE WHEN pg_catalog.lower(pg_catalog.substr(cfg, 1, pg_catalog.strpos(cfg, '=') "
    "      OPERATOR(pg_catalog.-) 1)) OPERATOR(pg_catalog.=) ANY ('{search_path, "
    "      temp_tablespaces, session_preload_libraries, local_preload_libraries}'::pg_catalog.text[]) "
    "    THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(pg_catalog.btrim(x, '\" ')), ', ') "
    "      FROM pg_catalog.regexp_split_to_table(pg_catalog.substr(cfg, "
    "      pg_catalog.strpos(cfg, '=') OPERATOR(pg_catalog.+) 1), ',') x) "
    "    ELSE pg_catalog.quote_literal(pg_catalog.substr(cfg, pg_catalog.strpos(cfg, '=') "
    "      OPERATOR(pg_catalog.+) 1)) "
    "    END AS value FROM pg_catalog.unnest(s.setconfig) cfg) c";

/* Give scratch what belongs to the database rather than to its contents:
 * target's comment, settings (ALTER DATABASE ... SET, and per role in the
 * database), database-level privileges and connection limit.  The owner
 * is given at creation. */
static int
replace_carry(PGconn *maint, const char *target, const char *scratch, char *err,
    size_t errlen)
{
	PGresult *res;
	int i, rc = 0;

	if ((res = query(maint, "reading the target's settings", carry_sql, 2, target, scratch,
	    err, errlen)) == NULL)
		return -1;
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		char what[200];

		snprintf(what, sizeof(what), "carrying over the target's %.120s",
		    PQgetvalue(res, i, 0));
		rc = command(maint, PQgetvalue(res, i, 0), what, err, errlen);
	}
	PQclear(res);
	return rc;
}

/* The sessions still on database name (they kept it from being renamed:
 * SQLSTATE 55006), appended to err: who they are and the command that ends
 * them.  They are sessions this role may not end (a superuser's, another
 * role's without pg_signal_backend): terminate() ended the rest. */
static void
name_sessions(PGconn *maint, const char *name, char *err, size_t errlen)
{
	PGresult *res;
	char ignored[8], pids[200] = "", stmt[220];
	size_t len;
	int i, n;

	res = query(maint, NULL, "SELECT pid, COALESCE(usename, '?'), "
	    "COALESCE(NULLIF(application_name, ''), 'none'), COALESCE(pg_catalog.host("
	    "client_addr), 'local socket'), pg_catalog.to_char(backend_start AT TIME ZONE "
	    "'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM pg_catalog.pg_stat_activity "
	    "WHERE datname OPERATOR(pg_catalog.=) $1 AND pid OPERATOR(pg_catalog.<>) "
	    "pg_catalog.pg_backend_pid() ORDER BY backend_start, pid", 1, name, NULL,
	    ignored, sizeof(ignored));
	if (res == NULL || (n = PQntuples(res)) == 0) {
		PQclear(res);
		return;
	}
	len = strlen(err);
	snprintf(err + len, errlen - len, "; in use by %d session%s cr may not end:", n,
	    n == 1 ? "" : "s");
	for (i = 0; i < n && i < 5; i++) {
		len = strlen(err);
		/* Another role's session shows its client and start only to
		 * pg_read_all_stats. */
		if (PQgetisnull(res, i, 4))
			snprintf(err + len, errlen - len, "%s pid %s (user %s, application %s)",
			    i > 0 ? "," : "", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			    PQgetvalue(res, i, 2));
		else
			snprintf(err + len, errlen - len, "%s pid %s (user %s, application %s, "
			    "client %s, since %s UTC)", i > 0 ? "," : "", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			    PQgetvalue(res, i, 4));
	}
	if (n > 5) {
		len = strlen(err);
		snprintf(err + len, errlen - len, " and %d more", n - 5);
	}
	for (i = 0; i < n && i < 10; i++) {
		len = strlen(pids);
		snprintf(pids + len, sizeof(pids) - len, "%spg_terminate_backend(%s)",
		    i > 0 ? ", " : "", PQgetvalue(res, i, 0));
	}
	/* The statement apart from the command line around it: it is the
	 * user's to run, not cr's SQL (tests/trust-names.sh reads ours). */
	snprintf(stmt, sizeof(stmt), "\"SELECT %s\"", pids);
	len = strlen(err);
	snprintf(err + len, errlen - len, "; end %s as a superuser with: psql -c %s%s",
	    n == 1 ? "it" : "them", stmt, n > 10 ? " (and the rest)" : "");
	PQclear(res);
}

/* Whether a stop was asked (replace_opts' stop), maint cancellable while
 * conn is maint. */
static int
stopped(const struct replace_opts *ro, PGconn *conn)
{
	return ro->stop != NULL && ro->stop(ro->arg, conn);
}

/* Put scratch in target's place.  When target exists: block new
 * connections to it, end its sessions (*ended gets how many), then in one
 * transaction rename it to aside and scratch to target, which accepts
 * connections; with keep, aside gets back target's datallowconn.  Nothing
 * is dropped here.  On an error the transaction is rolled back and target's
 * connections are allowed again as they were; when the connection is lost
 * the caller must look (replace_db_state) to know what happened. */
static int
replace_swap(PGconn *maint, const struct replace_opts *ro, const char *scratch,
    const char *target, const char *aside, int keep, int *ended, char *err, size_t errlen)
{
	struct pgexec_error e;
	PGresult *res;
	char *qs = NULL, *qt = NULL, *qa = NULL, *sql = NULL, ignored[256];
	int allowconn = 1, exists, rc = -1, r;

	*ended = 0;
	if ((exists = replace_db_state(maint, target, &allowconn, err, errlen)) == -1)
		return -1;
	qs = PQescapeIdentifier(maint, scratch, strlen(scratch));
	qt = PQescapeIdentifier(maint, target, strlen(target));
	qa = PQescapeIdentifier(maint, aside, strlen(aside));
	if (qs == NULL || qt == NULL || qa == NULL)
		goto nomem;
	if (exists) {
		/* No new sessions (an app's pool reconnects at once), then end
		 * the ones there are: a database in use cannot be renamed. */
		if (replace_allow_connections(maint, target, 0, err, errlen) == -1)
			goto out;
		*ended = terminate(maint, target);
		if (*ended < 0)
			*ended = 0;
		/* ALTER DATABASE RENAME is transactional: both renames or
		 * neither, so the name never goes missing.  One round trip: a
		 * client killed before it is sent leaves nothing half done. */
		r = asprintf(&sql, "BEGIN; SET LOCAL synchronous_commit = on; "
		    "ALTER DATABASE %s RENAME TO %s; ALTER DATABASE %s RENAME TO %s; ALTER DATABASE %s ALLOW_CONNECTIONS true; "
		    "ALTER DATABASE %s ALLOW_CONNECTIONS %s; COMMIT", qt, qa, qs, qt, qt, qa,
		    keep && allowconn ? "true" : "false");
	} else
		r = asprintf(&sql, "BEGIN; SET LOCAL synchronous_commit = on; "
		    "ALTER DATABASE %s RENAME TO %s; ALTER DATABASE %s ALLOW_CONNECTIONS true; "
		    "COMMIT", qs, qt, qt);
	if (r == -1) {
		sql = NULL;
		goto nomem;
	}
	/* A stop asked while blocking or ending sessions: no swap. */
	if (stopped(ro, maint)) {
		(void)stopped(ro, NULL);
		snprintf(err, errlen, "interrupted");
		if (exists && allowconn && PQstatus(maint) == CONNECTION_OK)
			replace_allow_connections(maint, target, 1, ignored, sizeof(ignored));
		goto out;
	}
	res = PQexec(maint, sql);
	(void)stopped(ro, NULL);	/* the rollback and what follows: not cancellable */
	if (PQresultStatus(res) == PGRES_COMMAND_OK && PQtransactionStatus(maint) == PQTRANS_IDLE) {
		PQclear(res);
		rc = 0;
		goto out;
	}
	/* Several statements in one PQexec on purpose (see above). */
	pgexec_error_set(&e, maint, res, "swapping in the restored database");
	strlcpy(err, e.message, errlen);
	PQclear(res);
	if (PQtransactionStatus(maint) == PQTRANS_INERROR ||
	    PQtransactionStatus(maint) == PQTRANS_INTRANS)
		command(maint, "ROLLBACK", "", ignored, sizeof(ignored));
	/* Rolled back: target is the old database, blocked; as it was. */
	if (exists && allowconn && PQstatus(maint) == CONNECTION_OK)
		replace_allow_connections(maint, target, 1, ignored, sizeof(ignored));
	if (exists && strcmp(e.sqlstate, "55006") == 0 && PQstatus(maint) == CONNECTION_OK)
		name_sessions(maint, target, err, errlen);
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	free(sql);
	PQfreemem(qs);
	PQfreemem(qt);
	PQfreemem(qa);
	return rc;
}

/* DROP DATABASE IF EXISTS name (ending its sessions). */
static int
replace_drop(PGconn *maint, const char *name, char *err, size_t errlen)
{
	char what[160];

	snprintf(what, sizeof(what), "dropping %s", name);
	return command_ident(maint, PQserverVersion(maint) >= 130000 ?
	    "DROP DATABASE IF EXISTS %s WITH (FORCE)" : "DROP DATABASE IF EXISTS %s",
	    name, NULL, what, err, errlen);
}

/* A database replace_run could not drop, with the command that does. */
static void
left_behind(struct replace_outcome *o, const char *name, const char *err)
{
	strlcpy(o->left, name, sizeof(o->left));
	strlcpy(o->left_error, err, sizeof(o->left_error));
	dropdb_command(name, o->left_command, sizeof(o->left_command));
}

/* After a failure: look where everything is and drop the scratch database
 * when it is no one's only copy.  The swap may have committed after all
 * (a connection lost after COMMIT reached the server): then target holds
 * the restored data and the status is 0. */
static void
after_failure(PGconn *maint, const struct replace_opts *ro, struct replace_outcome *o)
{
	char errbuf[512];
	int t = -1, s = -1, a = -1, allow = 1;

	if (PQstatus(maint) != CONNECTION_OK)
		PQreset(maint);
	if (PQstatus(maint) != CONNECTION_OK) {
		pgconn_oneline(PQerrorMessage(maint), o->why, sizeof(o->why));
		o->state = REPLACE_LOST;
		return;
	}
	if ((s = replace_db_state(maint, o->scratch, NULL, o->why, sizeof(o->why))) == -1 ||
	    (a = replace_db_state(maint, o->aside, NULL, o->why, sizeof(o->why))) == -1 ||
	    (t = replace_db_state(maint, ro->target, &allow, o->why, sizeof(o->why))) == -1) {
		o->state = REPLACE_UNKNOWN;
		return;
	}
	o->target_exists = t;
	if (s == 0 && t == 1 && (a == 1 || !ro->exists)) {
		/* The swap committed before the failure. */
		o->state = REPLACE_REPLACED;
		o->late = 1;
		o->status = 0;
		if (a == 1 && !ro->keep_old &&
		    replace_drop(maint, o->aside, errbuf, sizeof(errbuf)) == -1)
			left_behind(o, o->aside, errbuf);
		return;
	}
	if (s == 1 && replace_drop(maint, o->scratch, errbuf, sizeof(errbuf)) == -1)
		left_behind(o, o->scratch, errbuf);
	if (a == 1) {
		o->state = REPLACE_OLD_ASIDE;
		if (t == 0)
			psql_command(maint, "ALTER DATABASE %s RENAME TO %s", o->aside, ro->target,
			    o->command, sizeof(o->command));
	} else if (ro->exists && t == 1 && allow)
		o->state = REPLACE_UNTOUCHED;
	else if (ro->exists && t == 1) {
		o->state = REPLACE_BLOCKED;
		psql_command(maint, "ALTER DATABASE %s ALLOW_CONNECTIONS true", ro->target, NULL,
		    o->command, sizeof(o->command));
	} else if (!ro->exists && t == 0)
		o->state = REPLACE_NOT_CREATED;
	else
		o->state = REPLACE_UNCLEAR;
}

/* Into a fresh scratch database; --test: drop it again, --clean: put it
 * in the target's place. */
void
replace_run(PGconn *maint, const struct replace_opts *ro, struct replace_outcome *o)
{
	struct pgexec_error pe;
	enum pgconn_status cst;
	PGconn *conn;
	char errbuf[1024];
	int ended = 0, r;

	memset(o, 0, sizeof(*o));
	o->target_exists = ro->exists;
	replace_scratch_name(ro->target, ro->pid, o->scratch, sizeof(o->scratch));
	if (ro->keep_old)
		replace_kept_name(ro->target, ro->now, o->aside, sizeof(o->aside));
	else
		replace_old_name(ro->target, ro->pid, o->aside, sizeof(o->aside));
	if (replace_scratch_create(maint, o->scratch, ro->target, ro->owner, &pe) == -1) {
		if (pgexec_sqlstate_is(&pe, "42501"))
			snprintf(o->error, sizeof(o->error), "%s (no privilege: a scratch "
			    "database needs a role with CREATEDB that may act as the target's "
			    "owner)", pe.message);
		else
			strlcpy(o->error, pe.message, sizeof(o->error));
		o->state = REPLACE_NOT_STARTED;
		o->status = pgexec_exit_code(&pe);
		return;
	}
	if (ro->created != NULL)
		ro->created(ro->arg, o->scratch);

	if ((conn = pgconn_open_like(maint, o->scratch, &cst, errbuf, sizeof(errbuf))) == NULL)
		o->status = pgconn_failure(cst, o->scratch, errbuf, o->error, sizeof(o->error),
		    &o->hint);
	else {
		o->status = ro->load(ro->arg, conn);
		PQfinish(conn);
	}
	if (o->status == 0 && !ro->test && stopped(ro, maint)) {
		strlcpy(o->error, "interrupted", sizeof(o->error));
		o->status = 1;
	}
	if (o->status == 0 && !ro->test) {
		if (replace_scratch_seal(maint, o->scratch, &ended, o->error,
		    sizeof(o->error)) == -1 || (ro->exists && replace_carry(maint, ro->target,
		    o->scratch, o->error, sizeof(o->error)) == -1)) {
			o->status = 1;
			if (stopped(ro, NULL))	/* the cancel is what failed */
				strlcpy(o->error, "interrupted", sizeof(o->error));
		} else {
			o->sealed = 1;
			o->scratch_ended = ended;
		}
	}
	if (o->status == 0 && !ro->test) {
		r = replace_swap(maint, ro, o->scratch, ro->target, o->aside, ro->keep_old,
		    &o->ended, o->error, sizeof(o->error));
		if (stopped(ro, NULL) && r == -1)
			strlcpy(o->error, "interrupted", sizeof(o->error));
		if (r == -1) {
			o->status = 1;
			after_failure(maint, ro, o);
			return;
		}
		o->state = REPLACE_REPLACED;
		if (ro->exists && ro->keep_old)
			o->state = REPLACE_KEPT_OLD;
		else if (ro->exists && replace_drop(maint, o->aside, errbuf, sizeof(errbuf)) == -1)
			left_behind(o, o->aside, errbuf);
		return;
	}
	(void)stopped(ro, NULL);	/* the drops: not cancellable */
	if (o->status == 0) {
		o->state = REPLACE_TESTED;
		if (replace_drop(maint, o->scratch, errbuf, sizeof(errbuf)) == -1)
			left_behind(o, o->scratch, errbuf);
		return;
	}
	after_failure(maint, ro, o);
}

/* The outcome's lines, in order: the failed step, a scratch copy left
 * after a failure, then where the data is. */
static int
outcome_lines(const struct replace_outcome *o, const char *target, char lines[][2048])
{
	const char *cmd = o->command, *left = o->left;
	int n = 0;

	if (o->error[0] != '\0')
		snprintf(lines[n++], 2048, "%s", o->error);
	if (o->hint != NULL)
		snprintf(lines[n++], 2048, "hint: %s", o->hint);
	if (left[0] != '\0' && o->status != 0)
		snprintf(lines[n++], 2048, "%s (it holds a copy only: drop it with: %s)",
		    o->left_error, o->left_command);
	switch (o->state) {
	case REPLACE_NOT_STARTED:
		break;
	case REPLACE_TESTED:
		if (left[0] != '\0')
			snprintf(lines[n++], 2048, "%s (drop it with: %s)", o->left_error,
			    o->left_command);
		break;
	case REPLACE_REPLACED:
		if (o->late)
			snprintf(lines[n++], 2048, "\"%s\" holds the restored data", target);
		if (left[0] != '\0' && o->late)
			snprintf(lines[n++], 2048, "%s: the old database is left as \"%s\": drop "
			    "it with: %s", o->left_error, left, o->left_command);
		else if (left[0] != '\0')
			snprintf(lines[n++], 2048, "%s: \"%s\" holds the restored data; the old "
			    "database is left as \"%s\": drop it with: %s", o->left_error, target,
			    left, o->left_command);
		break;
	case REPLACE_KEPT_OLD:
		snprintf(lines[n++], 2048, "the replaced database is kept as \"%s\" (to roll "
		    "back, see cr-restore(1))", o->aside);
		break;
	case REPLACE_OLD_ASIDE:
		snprintf(lines[n++], 2048, "\"%s\" holds the old data of \"%s\"%s%s", o->aside,
		    target, cmd[0] != '\0' ? ", which does not exist: rename it back with: " : "",
		    cmd);
		break;
	case REPLACE_UNTOUCHED:
		snprintf(lines[n++], 2048, "\"%s\" is as it was", target);
		break;
	case REPLACE_BLOCKED:
		snprintf(lines[n++], 2048, "\"%s\" holds its old data but refuses connections: "
		    "allow them with: %s", target, cmd);
		break;
	case REPLACE_NOT_CREATED:
		snprintf(lines[n++], 2048, "\"%s\" was not created", target);
		break;
	case REPLACE_UNCLEAR:
		snprintf(lines[n++], 2048, "\"%s\" %s", target,
		    o->target_exists ? "exists" : "does not exist");
		break;
	case REPLACE_UNKNOWN:
		snprintf(lines[n++], 2048, "cannot look where the data is now: %s; the next "
		    "run names what is left over", o->why);
		break;
	case REPLACE_LOST:
		snprintf(lines[n++], 2048, "cannot look where the data is now: %s; \"%s\" holds "
		    "the old or the restored data, never neither; the next run names what is "
		    "left over", o->why, target);
		break;
	}
	return n;
}

const char *
replace_outcome_line(const struct replace_outcome *o, const char *target, int i, char *buf,
    size_t len)
{
	char lines[5][2048];

	if (i < 0 || i >= outcome_lines(o, target, lines))
		return NULL;
	strlcpy(buf, lines[i], len);
	return buf;
}

/* The leftovers' lines, in order: scratch databases, replaced ones, the
 * target blocked. */
static int
leftover_lines(const struct replace_leftovers *l, const char *target, char lines[][2048])
{
	int i, n = 0;

	for (i = 0; i < l->nscratch && i < 4; i++)
		if (l->target_exists)
			snprintf(lines[n++], 2048, "warning: \"%s\" is a scratch database an "
			    "interrupted run left (\"%s\" was never replaced by it): drop it "
			    "with: %s", l->scratch[i], target, l->scratch_command[i]);
		else
			snprintf(lines[n++], 2048, "warning: \"%s\" is a scratch database an "
			    "interrupted run left; \"%s\" does not exist", l->scratch[i], target);
	if (l->nscratch > 4)
		snprintf(lines[n++], 2048, "warning: and %d more scratch databases like them",
		    l->nscratch - 4);
	for (i = 0; i < l->nold && i < 4; i++)
		if (l->target_exists)
			snprintf(lines[n++], 2048, "warning: \"%s\" is the database an interrupted "
			    "run replaced (\"%s\" holds the restored data): drop it with: %s",
			    l->old[i], target, l->old_command[i]);
		else
			snprintf(lines[n++], 2048, "warning: \"%s\" holds the data of \"%s\", which "
			    "does not exist: rename it back with: %s", l->old[i], target,
			    l->old_command[i]);
	if (l->nold > 4)
		snprintf(lines[n++], 2048, "warning: and %d more replaced databases like them",
		    l->nold - 4);
	if (l->target_blocked)
		snprintf(lines[n++], 2048, "warning: \"%s\" refuses connections (datallowconn = "
		    "false), as a run killed while swapping leaves it: allow them again with: %s",
		    target, l->blocked_command);
	return n;
}

const char *
replace_leftovers_line(const struct replace_leftovers *l, const char *target, int i,
    char *buf, size_t len)
{
	char lines[11][2048];

	if (i < 0 || i >= leftover_lines(l, target, lines))
		return NULL;
	strlcpy(buf, lines[i], len);
	return buf;
}
