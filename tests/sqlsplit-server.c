/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlsplit-server: differential test driver for lib/sql/sqlsplit.c, built by
 * tests/refusal.bats.  Splits stdin and has the server (conninfo in argv[1])
 * parse every statement with PQprepare, which executes nothing: the
 * extended protocol refuses a text that holds more than one command, and a
 * statement cut inside a token fails as unterminated.  Statements that set
 * how strings are read (SET, RESET) are run, so the server reads the rest
 * as the splitter does.  One line per item:
 *   ONE line     the server sees exactly one command (or a plain error)
 *   MANY line    the server sees several commands in one statement
 *   CUT line     the server sees an unterminated token
 *   REFUSED line the classifier refuses it (and the run ends there)
 *   META line    a psql meta-command */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "sql/sqlsplit.h"

static ssize_t
read_stdin(void *arg, void *buf, size_t len)
{
	(void)arg;
	return read(STDIN_FILENO, buf, len);
}

int
main(int argc, char *argv[])
{
	struct sqlsplit *s;
	struct sqlsplit_item it;
	PGconn *conn;
	PGresult *res;
	const char *msg, *state;
	char why[512];

	if (argc != 2)
		errx(64, "usage: sqlsplit-server conninfo < script");
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
		errx(69, "%s", PQerrorMessage(conn));
	if ((s = sqlsplit_new(read_stdin, NULL)) == NULL)
		err(1, NULL);
	for (;;) {
		switch (sqlsplit_next(s, &it)) {
		case SQLSPLIT_END:
			goto out;
		case SQLSPLIT_ERROR:
			printf("ERROR %s\n", sqlsplit_error(s));
			goto out;
		case SQLSPLIT_META:
			printf("META %lu\n", it.line);
			continue;
		case SQLSPLIT_STATEMENT:
			break;
		default:
			continue;
		}
		if (sqlsplit_refused(&it, why, sizeof(why))) {
			printf("REFUSED %lu %s\n", it.line, why);
			goto out;	/* as in cr-restore: nothing after it runs */
		}
		if (strcmp(it.keywords, "set") == 0 || strncmp(it.keywords, "set ", 4) == 0 ||
		    strncmp(it.keywords, "reset", 5) == 0)
			res = PQexec(conn, it.text);
		else
			res = PQprepare(conn, "", it.text, 0, NULL);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (msg != NULL && strstr(msg, "multiple commands") != NULL)
			printf("MANY %lu %s\n", it.line, msg);
		else if (msg != NULL && strstr(msg, "unterminated") != NULL)
			printf("CUT %lu %s\n", it.line, msg);
		else
			printf("ONE %lu %s\n", it.line, state != NULL ? state : "ok");
		PQclear(res);
		if (sqlsplit_session_check(s, PQparameterStatus(conn,
		    "standard_conforming_strings"), PQparameterStatus(conn,
		    "client_encoding"), why, sizeof(why)) == -1)
			printf("DIFFERS %lu %s\n", it.line, why);
	}
out:
	sqlsplit_free(s);
	PQfinish(conn);
	return 0;
}
