/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgexec: one SQL command through libpq, in a search_path cr has set,
 * failures described by SQLSTATE and the server's own words; identifiers
 * quoted by libpq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <bsd/string.h>
#include <libpq-events.h>

#include "pg/pgconn.h"
#include "pg/pgexec.h"

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

/* What pgexec knows of a connection's search_path. */
struct session {
	int	busy;		/* a command of pgexec's own is under way */
	int	foreign;	/* SQL not cr's ran since pgexec set search_path */
};

/* libpq calls this for every result it makes on a connection it is
 * registered on: any result not pgexec's means SQL that is not cr's ran,
 * and may have set search_path. */
static int
session_event(PGEventId id, void *info, void *pass)
{
	struct session *s;
	PGconn *conn;

	(void)pass;
	switch (id) {
	case PGEVT_REGISTER:
		conn = ((PGEventRegister *)info)->conn;
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return 0;	/* not registered: reset every time */
		s->foreign = 1;	/* the database's or the role's setting */
		PQsetInstanceData(conn, session_event, s);
		return 1;
	case PGEVT_CONNRESET:
		conn = ((PGEventConnReset *)info)->conn;
		break;
	case PGEVT_CONNDESTROY:
		free(PQinstanceData(((PGEventConnDestroy *)info)->conn, session_event));
		return 1;
	case PGEVT_RESULTCREATE:
		conn = ((PGEventResultCreate *)info)->conn;
		break;
	default:
		return 1;
	}
	if ((s = PQinstanceData(conn, session_event)) != NULL && !s->busy)
		s->foreign = 1;
	return 1;
}

/* The connection's state, registering pgexec on it at first use; NULL when
 * that failed (then search_path is set before every command). */
static struct session *
session_of(PGconn *conn)
{
	struct session *s;

	if ((s = PQinstanceData(conn, session_event)) == NULL &&
	    PQregisterEventProc(conn, session_event, "cr pgexec", NULL))
		s = PQinstanceData(conn, session_event);
	return s;
}

/* A transaction or session command: it calls no function and names no
 * operator or type, but may set search_path itself (RESET ALL, SET,
 * ROLLBACK), which must then stay as it set it. */
static int
control(const char *sql)
{
	static const char *const words[] = {
		"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "RESET",
		"DISCARD", "START", "END", "ABORT",
	};
	size_t i, n;

	sql += strspn(sql, " \t\n\r");
	n = strspn(sql, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncasecmp(sql, words[i], n) == 0)
			return 1;
	return 0;
}

static PGresult *
exec_own(PGconn *conn, const char *sql, int nparams, const char *const *params,
    int own_path)
{
	struct session *s = session_of(conn);
	PGresult *res, *set;
	const char *param[2];
	char *saved = NULL;
	int local;

	/* Not marked as pgexec's: the next query of cr's sets search_path. */
	if (control(sql))
		return PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (s != NULL)
		s->busy = 1;
	/* In a transaction block for that block only, so a ROLLBACK cannot
	 * bring back a value the script never set, nor a COMMIT keep ours. */
	local = PQtransactionStatus(conn) == PQTRANS_INTRANS;
	param[1] = local ? "true" : "false";
	/* In a failed transaction block the server parses nothing but its
	 * end (no name is looked up): let that through. */
	if (own_path && (s == NULL || s->foreign) &&
	    PQtransactionStatus(conn) != PQTRANS_INERROR) {
		/* The target list is evaluated in order: the value found, then ''. */
		set = PQexecParams(conn, "SELECT pg_catalog.current_setting('search_path'), "
		    "pg_catalog.set_config('search_path', '', $1::pg_catalog.bool)", 1, NULL,
		    &param[1], NULL, NULL, 0);
		if (PQresultStatus(set) != PGRES_TUPLES_OK || PQntuples(set) != 1) {
			if (s != NULL)
				s->busy = 0;
			return set;
		}
		if (PQgetvalue(set, 0, 0)[0] != '\0' &&
		    (saved = strdup(PQgetvalue(set, 0, 0))) == NULL) {
			PQclear(set);
			if (s != NULL)
				s->busy = 0;
			return NULL;	/* out of memory, as PQexecParams says it */
		}
		PQclear(set);
		if (s != NULL)
			s->foreign = local;
	}
	/* The extended protocol: one command, never a string of them. */
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (saved != NULL) {
		/* The script's statements see the search_path they set. */
		param[0] = saved;
		set = PQexecParams(conn, "SELECT pg_catalog.set_config('search_path', $1, "
		    "$2::pg_catalog.bool)", 2, NULL, param, NULL, NULL, 0);
		PQclear(set);
		free(saved);
		if (s != NULL)
			s->foreign = 1;
	}
	if (s != NULL)
		s->busy = 0;
	return res;
}

PGresult *
pgexec_exec(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	return exec_own(conn, sql, nparams, params, 1);
}

PGresult *
pgexec_exec_user_path(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	return exec_own(conn, sql, nparams, params, 0);
}

static PGresult *
query(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e, int own_path)
{
	PGresult *res;

	res = exec_own(conn, sql, nparams, params, own_path);
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

PGresult *
pgexec_query(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e)
{
	return query(conn, what, sql, nparams, params, e, 1);
}

PGresult *
pgexec_query_user_path(PGconn *conn, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e)
{
	return query(conn, what, sql, nparams, params, e, 0);
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
