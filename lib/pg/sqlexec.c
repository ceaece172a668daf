/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlexec: statements, COPY FROM STDIN and notices on a connection, with
 * failures reported on one line that points into the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/pgconn.h"
#include "pg/sqlexec.h"
#include "sql/sqlsplit.h"

void
sqlexec_error(PGconn *conn, const PGresult *res, unsigned long line, const char *what,
    char *err, size_t errlen)
{
	const char *sev = NULL, *prim = NULL, *detail = NULL, *hint = NULL;
	char msg[1024], one[1024];

	if (res != NULL) {
		sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
		prim = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	}
	if (prim == NULL) {
		pgconn_oneline(res != NULL && *PQresultErrorMessage(res) != '\0' ?
		    PQresultErrorMessage(res) : PQerrorMessage(conn), one, sizeof(one));
		snprintf(msg, sizeof(msg), "%s", one);
	} else
		snprintf(msg, sizeof(msg), "%s: %s%s%s%s%s", sev != NULL ? sev : "ERROR",
		    prim, detail != NULL ? " DETAIL: " : "", detail != NULL ? detail : "",
		    hint != NULL ? " HINT: " : "", hint != NULL ? hint : "");
	pgconn_oneline(msg, one, sizeof(one));
	snprintf(err, errlen, "line %lu: %s (%s)", line, one, what);
}

int
sqlexec_simple(PGconn *conn, const char *sql, unsigned long line, char *err, size_t errlen)
{
	PGresult *res;
	char head[96], what[128];
	int rc = 0;

	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		sqlsplit_head(sql, strlen(sql), head, sizeof(head));
		snprintf(what, sizeof(what), "statement: %s", head);
		sqlexec_error(conn, res, line, what, err, errlen);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* The input line that the server's error position (PG_DIAG_STATEMENT_POSITION,
 * 1-based characters) points at in text, a statement starting at input
 * line 'line'; 'line' itself when res gives no position. */
static unsigned long
sqlexec_error_line(const PGresult *res, const char *text, size_t len, unsigned long line)
{
	const char *pos = res != NULL ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	long position;
	size_t i;

	if (pos == NULL || text == NULL || (position = strtol(pos, NULL, 10)) <= 0)
		return line;
	/* The position counts characters: UTF-8 lead bytes. */
	for (i = 0; i < len && position > 1; i++) {
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			position--;
		if (text[i] == '\n')
			line++;
	}
	return line;
}

void
sqlexec_drain(PGconn *conn)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

void
sqlexec_copy_begin(struct sqlexec_copy *c, PGconn *conn, const char *stmt, size_t len,
    unsigned long line)
{
	c->conn = conn;
	c->active = 1;
	c->line = line;
	c->data_line = 0;
	sqlsplit_head(stmt, len, c->head, sizeof(c->head));
}

void
sqlexec_copy_abort(struct sqlexec_copy *c, const char *why)
{
	if (c->conn != NULL && c->active) {
		PQputCopyEnd(c->conn, why);
		sqlexec_drain(c->conn);
	}
	c->active = 0;
}

/* An error the server reported about COPY data: point at the input line
 * its context names ("COPY t, line 3"). */
static void
copy_error(struct sqlexec_copy *c, const PGresult *res, unsigned long fallback, char *err,
    size_t errlen, unsigned long *errline)
{
	const char *ctx = res != NULL ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *p;
	unsigned long line = fallback, n;
	char what[256], one[200];

	if (ctx != NULL && c->data_line > 0 && (p = strstr(ctx, ", line ")) != NULL &&
	    sscanf(p, ", line %lu", &n) == 1 && n > 0)
		line = c->data_line + n - 1;
	if (ctx != NULL) {
		pgconn_oneline(ctx, one, sizeof(one));
		snprintf(what, sizeof(what), "%s", one);
	} else
		snprintf(what, sizeof(what), "statement: %s", c->head);
	sqlexec_error(c->conn, res, line, what, err, errlen);
	*errline = line;
	c->active = 0;
}

/* PQputCopyData or PQputCopyEnd failed: usually the server has already
 * rejected the data, and its result says why. */
static int
copy_send_failed(struct sqlexec_copy *c, unsigned long line, char *err, size_t errlen,
    unsigned long *errline)
{
	PGresult *res;

	if ((res = PQgetResult(c->conn)) != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR) {
		copy_error(c, res, line, err, errlen, errline);
		PQclear(res);
		sqlexec_drain(c->conn);
		return -1;
	}
	PQclear(res);
	copy_error(c, NULL, line, err, errlen, errline);
	return -1;
}

int
sqlexec_copy_data(struct sqlexec_copy *c, const char *buf, size_t len, unsigned long line,
    char *err, size_t errlen, unsigned long *errline)
{
	if (c->data_line == 0)
		c->data_line = line;
	if (c->conn != NULL && PQputCopyData(c->conn, buf, (int)len) != 1)
		return copy_send_failed(c, line, err, errlen, errline);
	return 0;
}

int
sqlexec_copy_end(struct sqlexec_copy *c, unsigned long line, uint64_t *loaded, char *err,
    size_t errlen, unsigned long *errline)
{
	PGresult *res;

	if (c->data_line == 0)
		c->data_line = line;
	if (c->conn != NULL) {
		if (PQputCopyEnd(c->conn, NULL) != 1)
			return copy_send_failed(c, line, err, errlen, errline);
		res = PQgetResult(c->conn);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			copy_error(c, res, c->line, err, errlen, errline);
			PQclear(res);
			sqlexec_drain(c->conn);
			return -1;
		}
		*loaded = strtoull(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		sqlexec_drain(c->conn);
	}
	c->active = 0;
	return 0;
}

/* A notice as errors are written: its DETAIL and HINT on the same line
 * (a WARNING's hint is often the fix). */
void
sqlexec_notice_receiver(void *arg, const PGresult *res)
{
	struct sqlexec_notices *n = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	char full[2048];

	if (n->fn == NULL)
		return;
	if (msg == NULL)
		msg = PQresultErrorMessage(res);
	else if (detail != NULL || hint != NULL) {
		snprintf(full, sizeof(full), "%s%s%s%s%s", msg,
		    detail != NULL ? " DETAIL: " : "", detail != NULL ? detail : "",
		    hint != NULL ? " HINT: " : "", hint != NULL ? hint : "");
		msg = full;
	}
	n->fn(n->arg, n->line != NULL ? *n->line : 0, sev != NULL ? sev : "NOTICE", msg);
}

/* A COPY that no data follows: a COPY TO STDOUT's rows are read and
 * dropped, a COPY FROM STDIN is ended with an error.  Returns the command's
 * first failed result, else its last. */
static PGresult *
copy_without_data(PGconn *conn, ExecStatusType status)
{
	PGresult *res, *kept = NULL;
	char *row;

	if (status == PGRES_COPY_OUT) {
		while (PQgetCopyData(conn, &row, 0) > 0)
			PQfreemem(row);
	} else
		PQputCopyEnd(conn, "COPY FROM STDIN without data lines after it");
	while ((res = PQgetResult(conn)) != NULL) {
		if (kept != NULL && PQresultStatus(kept) != PGRES_FATAL_ERROR) {
			PQclear(kept);
			kept = NULL;
		}
		if (kept == NULL)
			kept = res;
		else
			PQclear(res);
	}
	return kept;
}

int
sqlexec_statement(PGconn *conn, const char *text, size_t len, unsigned long line,
    struct sqlexec_copy *copy, char *err, size_t errlen, unsigned long *errline,
    char *sqlstate)
{
	PGresult *res;
	ExecStatusType status;
	const char *state;
	char head[96], what[128];
	int rc = 0;

	if (sqlstate != NULL)
		sqlstate[0] = '\0';
	res = PQexec(conn, text);
	status = PQresultStatus(res);
	if (status == PGRES_COPY_IN && copy != NULL) {
		PQclear(res);
		sqlexec_copy_begin(copy, conn, text, len, line);
		return 1;
	}
	if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
		PQclear(res);
		res = copy_without_data(conn, status);
		status = PQresultStatus(res);
	}
	switch (status) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		break;
	default:
		sqlsplit_head(text, len, head, sizeof(head));
		snprintf(what, sizeof(what), "statement: %s", head);
		*errline = sqlexec_error_line(res, text, len, line);
		sqlexec_error(conn, res, *errline, what, err, errlen);
		state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (sqlstate != NULL && state != NULL)
			snprintf(sqlstate, 6, "%s", state);
		rc = -1;
		break;
	}
	PQclear(res);
	return rc;
}
