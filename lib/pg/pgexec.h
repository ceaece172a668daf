/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgexec: send one SQL command of cr's own and, when it fails, say why the
 * way every tool reports it: the SQLSTATE and the server's message verbatim
 * on one line.  Identifiers go into such SQL only through pgexec_ident.
 *
 * cr's own SQL is immune to the database's objects: every function,
 * aggregate, operator and type in it is schema-qualified (pg_catalog.count,
 * OPERATOR(pg_catalog.=), ::pg_catalog.text), and it runs with the
 * search_path cr has just set to '' (pg_catalog alone; pg_dump does the
 * same).  A connection's search_path is the database's or the role's
 * setting when it opens, and any SQL that is not cr's (a dump, a
 * migration, a CHECK function run by a COPY: set_config('search_path', ...,
 * false)) may change it; pgexec sees every result libpq makes on the
 * connection (a libpq event procedure), and before cr's next own command
 * after one of them it sets search_path to '' again.  The value it found is
 * put back after the command, so the script's own statements still see the
 * search_path they set.  A transaction or session command (BEGIN, COMMIT,
 * ROLLBACK, SET, RESET, ...) calls nothing and runs as it is, since it may
 * set search_path itself.  Every command of cr's own goes through here.
 * Nothing prints. */
#ifndef CR_PGEXEC_H
#define CR_PGEXEC_H

#include <stddef.h>
#include <libpq-fe.h>

struct pgexec_error {
	/* Five characters from the server (PG_DIAG_SQLSTATE), e.g. "42501";
	 * "" when no server error exists: the connection was lost, or libpq
	 * refused before sending. */
	char	sqlstate[6];
	/* "what: " and the server's message verbatim on one line
	 * ("ERROR:  permission denied for table t"), or libpq's. */
	char	message[1024];
	/* No server error, and the connection is gone (PQstatus bad). */
	int	connection_lost;
};

/* PQexecParams for cr's own SQL: the search_path made '' first when SQL
 * that is not cr's ran on conn since (or conn is new to pgexec).  Returns
 * what PQexecParams returns (the failed result of setting search_path, when
 * that failed), for the caller to PQclear. */
PGresult *pgexec_exec(PGconn *, const char *sql, int nparams, const char *const *params);

/* The same in the session's own search_path, for a query that resolves a
 * name the user gave (a --table) the way the session would: nothing but
 * qualification protects it, so every function, operator and type in sql
 * must be schema-qualified. */
PGresult *pgexec_exec_user_path(PGconn *, const char *sql, int nparams,
    const char *const *params);

/* Run sql with nparams text parameters (params may be NULL when 0) and
 * return its result (PGRES_COMMAND_OK, PGRES_TUPLES_OK or PGRES_EMPTY_QUERY)
 * for the caller to PQclear.  On failure return NULL and fill e (when not
 * NULL); what (may be NULL) names the step: "creating the tracking table". */
PGresult *pgexec_query(PGconn *, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e);

/* pgexec_query in the session's own search_path (pgexec_exec_user_path). */
PGresult *pgexec_query_user_path(PGconn *, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e);

/* The same for a command whose result is not needed: 0, or -1 with e. */
int pgexec_command(PGconn *, const char *what, const char *sql, int nparams,
    const char *const *params, struct pgexec_error *e);

/* Fill e from a failed result (res may be NULL: then from the connection). */
void pgexec_error_set(struct pgexec_error *e, PGconn *, const PGresult *res,
    const char *what);

/* Whether e's SQLSTATE is in class (two characters, "08") or is code
 * (five, "42501"). */
int pgexec_sqlstate_is(const struct pgexec_error *e, const char *class_or_code);

/* sysexits code for a failure, by SQLSTATE, never by message text (the
 * server words it in its lc_messages): 42501 insufficient_privilege and
 * class 28 EX_NOPERM; class 08, 57P01-57P03 (shut down, cannot connect
 * now) and a lost connection EX_UNAVAILABLE; 55P03 lock_not_available,
 * 40001 and 40P01 EX_TEMPFAIL; anything else 1. */
int pgexec_exit_code(const struct pgexec_error *e);

/* name quoted as an SQL identifier by libpq (PQescapeIdentifier, which
 * knows the connection's encoding) into out.  Returns 0, or -1 when out is
 * too small or libpq refused (an invalid multibyte sequence). */
int pgexec_ident(PGconn *, const char *name, char *out, size_t outlen);

#endif
