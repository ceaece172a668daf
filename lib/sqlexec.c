/* sqlexec: statements, COPY FROM STDIN and notices on a connection, with
 * failures reported on one line that points into the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgconn.h"
#include "sqlexec.h"

void
sqlexec_head(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i, max = 60;
	int space = 0;

	for (i = 0; i < len && o < max && o + 4 < outlen; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			space = 1;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = 0;
		out[o++] = s[i];
	}
	if (i < len) {
		/* do not end inside a UTF-8 sequence */
		while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
			o--;
		if (o + 4 <= outlen) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
	}
	out[o] = '\0';
}

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
		sqlexec_head(sql, strlen(sql), head, sizeof(head));
		snprintf(what, sizeof(what), "statement: %s", head);
		sqlexec_error(conn, res, line, what, err, errlen);
		rc = -1;
	}
	PQclear(res);
	return rc;
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
	sqlexec_head(stmt, len, c->head, sizeof(c->head));
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

void
sqlexec_notice_receiver(void *arg, const PGresult *res)
{
	struct sqlexec_notices *n = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (n->fn != NULL)
		n->fn(n->arg, n->line != NULL ? *n->line : 0, sev != NULL ? sev : "NOTICE",
		    msg != NULL ? msg : PQresultErrorMessage(res));
}
