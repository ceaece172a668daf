/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* target: the restore's database and who runs its script (target.h). */
#include <stdio.h>
#include <string.h>

#include <bsd/string.h>

#include "restore/replace.h"
#include "restore/target.h"

enum target_status
target_open(const struct pgconn_params *params, struct target *t, char *err, size_t errlen)
{
	enum pgconn_status st;
	PGconn *conn;

	t->maint = NULL;
	t->next = 0;
	conn = pgconn_open_resolved(params, t->name, sizeof(t->name), &st, err, errlen);
	if (conn == NULL && (t->name[0] == '\0' ||
	    (st != PGCONN_ENODB && st != PGCONN_EREFUSED))) {
		t->failed_db = t->name;
		t->failed = st;
		return TARGET_ECONNECT;
	}
	t->resolved = 1;
	t->maintdb = strcmp(t->name, "postgres") == 0 ? "template1" : "postgres";
	if (conn != NULL && (t->next = replace_superuser_extensions(conn, t->ext,
	    TARGET_MAXEXT, err, errlen)) == -1) {
		PQfinish(conn);
		return TARGET_ERROR;
	}
	if (conn != NULL) {
		t->maint = pgconn_open_like(conn, t->maintdb, &st, err, errlen);
		PQfinish(conn);
	} else
		t->maint = pgconn_open(params, t->maintdb, &st, err, errlen);
	if (t->maint == NULL) {
		t->failed_db = t->maintdb;
		t->failed = st;
		return TARGET_ECONNECT;
	}
	if (strcmp(t->name, t->maintdb) == 0 || strcmp(t->name, "template0") == 0 ||
	    strcmp(t->name, "template1") == 0)
		return TARGET_ESYSTEM;
	if ((t->exists = replace_db_state(t->maint, t->name, NULL, err, errlen)) == -1)
		return TARGET_ERROR;
	return TARGET_OK;
}

int
target_superuser(PGconn *conn)
{
	const char *su = PQparameterStatus(conn, "is_superuser");

	return su != NULL && strcmp(su, "on") == 0;
}

int
target_runs_as_owner(PGconn *conn, const char *owner, char *why, size_t len)
{
	const char *login = PQparameterStatus(conn, "session_authorization");

	if (!target_superuser(conn) || owner == NULL || *owner == '\0' ||
	    (login != NULL && strcmp(owner, login) == 0))
		return 0;
	snprintf(why, len, "the script runs as %s, the database's owner, not as the "
	    "superuser %s (--as-login would)", owner, login != NULL ? login : "");
	return 1;
}

int
target_scratch_owner(const struct target *t, int clean, int ask_owner, const char *role,
    char *owner, size_t len, char *err, size_t errlen)
{
	owner[0] = '\0';
	if (t->exists && (clean || (ask_owner && target_superuser(t->maint))) &&
	    replace_db_owner(t->maint, t->name, owner, len, err, errlen) == -1)
		return -1;
	if (owner[0] == '\0' && role != NULL)
		strlcpy(owner, role, len);
	return 0;
}
