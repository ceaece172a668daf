/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgexec: one SQL command through libpq, failures described by SQLSTATE and
 * the server's own words; identifiers quoted by libpq. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <bsd/string.h>

#include "pgconn.h"
#include "pgexec.h"

void
pgexec_error_set(struct pgexec_error *e, PGconn *conn, const PGresult *res,
    const char *what)
{
	const char *state, *msg;
	char one[sizeof(e->message)];

	if (e == NULL)
		return;
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	strlcpy(e->sqlstate, state != NULL ? state : "", sizeof(e->sqlstate));
	e->connection_lost = state == NULL && PQstatus(conn) == CONNECTION_BAD;
	msg = res != NULL && *PQresultErrorMessage(res) != '\0' ?
	    PQresultErrorMessage(res) : PQerrorMessage(conn);
	pgconn_oneline(msg, one, sizeof(one));
	if (one[0] == '\0')
		snprintf(one, sizeof(one), "unexpected %s", res != NULL ?
		    PQresStatus(PQresultStatus(res)) : "end of results");
	e->message[0] = '\0';
	if (what != NULL && *what != '\0') {
		strlcpy(e->message, what, sizeof(e->message));
		strlcat(e->message, ": ", sizeof(e->message));
	}
	strlcat(e->message, one, sizeof(e->message));
}

PGresult *
pgexec_query(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e)
{
	PGresult *res;

	/* The extended protocol: one command, never a string of them. */
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	switch (res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return res;
	default:
		pgexec_error_set(e, conn, res, what);
		PQclear(res);
		return NULL;
	}
}

int
pgexec_command(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e)
{
	PGresult *res;

	if ((res = pgexec_query(conn, what, sql, nparams, params, e)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
pgexec_sqlstate_is(const struct pgexec_error *e, const char *class_or_code)
{
	size_t n = strlen(class_or_code);

	return e->sqlstate[0] != '\0' && strncmp(e->sqlstate, class_or_code, n) == 0;
}

int
pgexec_exit_code(const struct pgexec_error *e)
{
	static const struct {
		const char	*state;		/* a code, or a class */
		int		 code;
	} map[] = {
		{ "42501", EX_NOPERM }, { "28", EX_NOPERM },
		{ "08", EX_UNAVAILABLE }, { "57P01", EX_UNAVAILABLE },
		{ "57P02", EX_UNAVAILABLE }, { "57P03", EX_UNAVAILABLE },
		{ "55P03", EX_TEMPFAIL }, { "40001", EX_TEMPFAIL }, { "40P01", EX_TEMPFAIL },
	};
	size_t i;

	if (e->connection_lost)
		return EX_UNAVAILABLE;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (pgexec_sqlstate_is(e, map[i].state))
			return map[i].code;
	return 1;
}

int
pgexec_ident(PGconn *conn, const char *name, char *out, size_t outlen)
{
	char *q;
	int rc;

	if ((q = PQescapeIdentifier(conn, name, strlen(name))) == NULL)
		return -1;
	rc = strlcpy(out, q, outlen) < outlen ? 0 : -1;
	PQfreemem(q);
	return rc;
}
