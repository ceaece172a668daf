/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgexec: send one SQL command of cr's own and, when it fails, say why the
 * way every tool reports it: the SQLSTATE and the server's message verbatim
 * on one line.  Identifiers go into such SQL only through pgexec_ident.
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

/* Run sql with nparams text parameters (params may be NULL when 0) and
 * return its result (PGRES_COMMAND_OK, PGRES_TUPLES_OK or PGRES_EMPTY_QUERY)
 * for the caller to PQclear.  On failure return NULL and fill e (when not
 * NULL); what (may be NULL) names the step: "creating the tracking table". */
PGresult *pgexec_query(PGconn *, const char *what, const char *sql, int nparams,
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
