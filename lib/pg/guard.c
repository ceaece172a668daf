/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* guard: production signs of a restore target (name, environment, marker). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pg/guard.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"

int
guard_name(const char *name, const char *patterns, char *reason, size_t len)
{
	char *list, *pat, *next;
	int hit = 0;

	if (patterns == NULL)
		patterns = getenv("CR_PRODUCTION_PATTERNS");
	if (patterns == NULL)
		patterns = GUARD_DEFAULT_PATTERNS;
	if ((list = strdup(patterns)) == NULL) {
		/* Out of memory: err on the side of refusing. */
		snprintf(reason, len, "cannot check the name patterns (out of memory)");
		return 1;
	}
	for (pat = list; pat != NULL && !hit; pat = next) {
		if ((next = strchr(pat, ':')) != NULL)
			*next++ = '\0';
		if (*pat == '\0')
			continue;
		if (fnmatch(pat, name, FNM_CASEFOLD) == 0) {
			snprintf(reason, len, "its name matches the production pattern '%s'", pat);
			hit = 1;
		}
	}
	free(list);
	return hit;
}

static int
says_production(const char *v)
{
	return v != NULL && (strcasecmp(v, "production") == 0 || strcasecmp(v, "prod") == 0);
}

int
guard_env(const struct dotenv *env, char *reason, size_t len)
{
	static const char *const vars[] = { "APP_ENV", "NODE_ENV", "CR_ENV" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (says_production(v = getenv(vars[i]))) {
			snprintf(reason, len, "the environment says %s=%s", vars[i], v);
			return 1;
		}
		if (env != NULL && says_production(v = dotenv_get(env, vars[i]))) {
			snprintf(reason, len, "the env file says %s=%s", vars[i], v);
			return 1;
		}
	}
	return 0;
}

int
guard_marker(PGconn *conn, const char *dbname, char *reason, size_t len)
{
	const char *param[1] = { dbname };
	PGresult *res;
	char one[512];
	int hit = 0;

	res = pgexec_exec(conn,
	    "SELECT pg_catalog.strpos(coalesce(pg_catalog.shobj_description(d.oid, "
	    "'pg_database'), ''), '" GUARD_MARKER_COMMENT "') OPERATOR(pg_catalog.>) 0, "
	    "EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s, "
	    "pg_catalog.unnest(s.setconfig) c WHERE s.setdatabase OPERATOR(pg_catalog.=) d.oid "
	    "AND s.setrole OPERATOR(pg_catalog.=) 0 AND pg_catalog.lower(c) "
	    "OPERATOR(pg_catalog.=) '" GUARD_MARKER_SETTING "=production') "
	    "FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) $1",
	    1, param);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgconn_oneline(PQresultErrorMessage(res), one, sizeof(one));
		snprintf(reason, len, "checking the production marker: %s", one);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) == 1) {
		if (PQgetvalue(res, 0, 0)[0] == 't') {
			snprintf(reason, len, "its comment carries the marker '%s'",
			    GUARD_MARKER_COMMENT);
			hit = 1;
		} else if (PQgetvalue(res, 0, 1)[0] == 't') {
			snprintf(reason, len, "it has the setting %s = 'production'",
			    GUARD_MARKER_SETTING);
			hit = 1;
		}
	}
	PQclear(res);
	return hit;
}
