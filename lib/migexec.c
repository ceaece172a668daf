/* migexec: one migration file through the shared splitter and PQexec, with
 * failures located by file line. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "migexec.h"
#include "migrate.h"
#include "migtrack.h"
#include "pgconn.h"
#include "pgexec.h"
#include "sqlsplit.h"

struct source {
	int			 fd;
	struct sha256		 sha;
};

static ssize_t
source_read(void *arg, void *buf, size_t len)
{
	struct source *src = arg;
	ssize_t got;

	if ((got = read(src->fd, buf, len)) > 0)
		sha256_update(&src->sha, buf, (size_t)got);
	return got;
}

static void
failure_init(struct migexec_failure *f)
{
	memset(f, 0, sizeof(*f));
}

static enum migexec_status
open_source(const struct migration *m, struct source *src, struct sqlsplit **split,
    struct migexec_failure *f)
{
	if ((src->fd = open(m->path, O_RDONLY | O_CLOEXEC)) == -1) {
		strlcpy(f->message, strerror(errno), sizeof(f->message));
		return MIGEXEC_ENOINPUT;
	}
	sha256_init(&src->sha);
	if ((*split = sqlsplit_new(source_read, src)) == NULL) {
		close(src->fd);
		strlcpy(f->message, "out of memory", sizeof(f->message));
		return MIGEXEC_ENOMEM;
	}
	return MIGEXEC_OK;
}

/* The splitter failed: a read error or SQL text it cannot split. */
static enum migexec_status
split_failed(struct sqlsplit *split, struct migexec_failure *f)
{
	strlcpy(f->message, sqlsplit_error(split), sizeof(f->message));
	return sqlsplit_errno(split) != 0 ? MIGEXEC_EIO : MIGEXEC_EDATA;
}

/* psql meta-commands have no place in a migration: it is SQL for the server.
 * pg_dump's matched \restrict and \unrestrict lines only guard psql against
 * meta-commands in the dump; we run none, so a dump can be a migration. */
static enum migexec_status
refuse_meta(struct sqlsplit_restrict *guard, const struct sqlsplit_item *it,
    struct migexec_failure *f)
{
	char why[256];

	if (sqlsplit_meta_check(guard, it, NULL, why, sizeof(why)) == 0)
		return MIGEXEC_OK;
	f->line = f->statement_line = it->line;
	snprintf(f->message, sizeof(f->message), "psql meta-command "
	    "\"%.*s\" in a migration: cr-migrate sends SQL only",
	    (int)(it->len > 200 ? 200 : it->len), it->text);
	return MIGEXEC_EDATA;
}

/* A statement after which the splitter could no longer read the file as
 * the server does (set_config of standard_conforming_strings, ...). */
static enum migexec_status
refuse_lexstate(const struct sqlsplit_item *it, struct migexec_failure *f)
{
	if (it->cls != SQLSPLIT_LEXSTATE)
		return MIGEXEC_OK;
	f->line = f->statement_line = it->line;
	sqlsplit_refused(it, f->message, sizeof(f->message));
	return MIGEXEC_EDATA;
}

enum migexec_status
migexec_check(const struct migration *m, struct migexec_failure *f)
{
	struct source src;
	struct sqlsplit *split;
	struct sqlsplit_item it;
	struct sqlsplit_restrict guard = { 0 };
	enum migexec_status rc;

	failure_init(f);
	if ((rc = open_source(m, &src, &split, f)) != MIGEXEC_OK)
		return rc;
	while (rc == MIGEXEC_OK && sqlsplit_next(split, &it) != SQLSPLIT_END) {
		switch (it.kind) {
		case SQLSPLIT_META:
			rc = refuse_meta(&guard, &it, f);
			break;
		case SQLSPLIT_STATEMENT:
			if ((rc = refuse_lexstate(&it, f)) != MIGEXEC_OK)
				break;
			if (!m->no_transaction && it.cls == SQLSPLIT_TRANSACTION) {
				f->line = f->statement_line = it.line;
				snprintf(f->message, sizeof(f->message),
				    "transaction control statement in a migration: "
				    "cr-migrate runs each file in its own transaction; "
				    "remove BEGIN/COMMIT, or put \"%s\" at the top of "
				    "the file", MIGRATE_NO_TRANSACTION);
				rc = MIGEXEC_EDATA;
			}
			break;
		case SQLSPLIT_ERROR:
			rc = split_failed(split, f);
			break;
		default:
			break;
		}
	}
	sqlsplit_free(split);
	close(src.fd);
	return rc;
}

/* The file line of a 1-based character position in a statement that starts
 * at line: count newlines before it, counting UTF-8 lead bytes only. */
static unsigned long
position_line(const char *text, unsigned long line, long position)
{
	const unsigned char *p = (const unsigned char *)text;

	for (; *p != '\0' && position > 1; p++) {
		if ((*p & 0xc0) != 0x80)
			position--;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* The server's message, verbatim, on one line: severity, primary text,
 * then DETAIL, HINT and CONTEXT when present. */
static void
server_message(const PGresult *res, PGconn *conn, struct migexec_failure *f)
{
	static const struct {
		int		 field;
		const char	*label;
	} extra[] = {
		{ PG_DIAG_MESSAGE_DETAIL,	"DETAIL:  " },
		{ PG_DIAG_MESSAGE_HINT,		"HINT:  " },
		{ PG_DIAG_CONTEXT,		"CONTEXT:  " },
	};
	char raw[2048], one[2048];
	const char *severity, *primary, *state, *v;
	size_t i;

	severity = res ? PQresultErrorField(res, PG_DIAG_SEVERITY) : NULL;
	primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	strlcpy(f->sqlstate, state ? state : "", sizeof(f->sqlstate));
	if (primary == NULL) {
		/* Not a server error: the connection broke, or libpq refused. */
		pgconn_oneline(res && *PQresultErrorMessage(res) != '\0' ?
		    PQresultErrorMessage(res) : PQerrorMessage(conn),
		    f->message, sizeof(f->message));
		if (f->message[0] == '\0')
			snprintf(f->message, sizeof(f->message), "unexpected %s",
			    res ? PQresStatus(PQresultStatus(res)) : "end of results");
		return;
	}
	snprintf(raw, sizeof(raw), "%s:  %s", severity ? severity : "ERROR", primary);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		if ((v = PQresultErrorField(res, extra[i].field)) == NULL)
			continue;
		strlcat(raw, "  ", sizeof(raw));
		strlcat(raw, extra[i].label, sizeof(raw));
		strlcat(raw, v, sizeof(raw));
	}
	pgconn_oneline(raw, one, sizeof(one));
	strlcpy(f->message, one, sizeof(f->message));
}

static enum migexec_status
statement_failed(PGresult *res, PGconn *conn, const struct sqlsplit_item *it,
    const char *text, struct migexec_failure *f)
{
	const char *pos;
	long position = 0;

	f->statement_line = f->line = it->line;
	if (res != NULL && (pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)) != NULL)
		position = strtol(pos, NULL, 10);
	if (position > 0 && text != NULL)
		f->line = position_line(text, it->line, position);
	server_message(res, conn, f);
	PQclear(res);
	return MIGEXEC_ESQL;
}

static int
result_ok(const PGresult *res)
{
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return 1;
	default:
		return 0;
	}
}

/* A COPY the splitter did not announce: TO STDOUT output is read and
 * dropped; FROM STDIN with no data lines after it is ended with an error.
 * Returns the command's final result. */
static PGresult *
copy_unexpected(PGconn *conn)
{
	PGresult *res, *last = NULL;
	char *row;

	while (PQgetCopyData(conn, &row, 0) > 0)
		PQfreemem(row);
	PQputCopyEnd(conn, "COPY FROM STDIN without data lines in the migration");
	while ((res = PQgetResult(conn)) != NULL) {
		if (last != NULL && result_ok(last) && !result_ok(res)) {
			PQclear(last);
			last = NULL;
		}
		if (last == NULL)
			last = res;
		else
			PQclear(res);
	}
	return last;
}

/* Finish a COPY FROM stdin: end the data and collect the command's result. */
static enum migexec_status
copy_finish(PGconn *conn, const struct sqlsplit_item *stmt, const char *error,
    struct migexec_failure *f)
{
	PGresult *res, *bad = NULL;

	if (PQputCopyEnd(conn, error) != 1)
		return statement_failed(NULL, conn, stmt, NULL, f);
	while ((res = PQgetResult(conn)) != NULL) {
		if (!result_ok(res) && bad == NULL)
			bad = res;
		else
			PQclear(res);
	}
	if (bad != NULL)
		return statement_failed(bad, conn, stmt, NULL, f);
	return MIGEXEC_OK;
}

static enum migexec_status control(PGconn *, const char *, struct migexec_failure *);

/* Whether the server reads strings other than the splitter does; f says how. */
static int
session_differs(PGconn *conn, const struct sqlsplit *split, struct migexec_failure *f)
{
	return sqlsplit_session_check(split, PQparameterStatus(conn,
	    "standard_conforming_strings"), PQparameterStatus(conn, "client_encoding"),
	    f->message, sizeof(f->message)) == -1;
}

enum migexec_status
migexec_run(PGconn *conn, const struct migration *m, char checksum[MIGRATE_SHA256_HEX],
    struct migexec_failure *f)
{
	struct source src;
	struct sqlsplit *split;
	struct sqlsplit_item it, stmt;
	struct sqlsplit_restrict guard = { 0 };
	enum migexec_status rc;
	PGresult *res;
	int in_copy = 0, executed = 0;

	failure_init(f);
	memset(&stmt, 0, sizeof(stmt));
	if ((rc = open_source(m, &src, &split, f)) != MIGEXEC_OK)
		return rc;
	/* The splitter reads the file as a pg_dump script starts:
	 * standard_conforming_strings on; the session must agree. */
	if (session_differs(conn, split, f) && (rc = control(conn,
	    "SET standard_conforming_strings = on", f)) == MIGEXEC_OK &&
	    session_differs(conn, split, f))
		rc = MIGEXEC_EDATA;
	while (rc == MIGEXEC_OK && sqlsplit_next(split, &it) != SQLSPLIT_END) {
		switch (it.kind) {
		case SQLSPLIT_STATEMENT:
			if ((rc = refuse_lexstate(&it, f)) != MIGEXEC_OK)
				break;
			stmt = it;
			stmt.text = NULL;	/* not valid after the next item */
			res = PQexec(conn, it.text);
			if (it.copy_in && res != NULL &&
			    PQresultStatus(res) == PGRES_COPY_IN) {
				PQclear(res);
				in_copy = 1;
				break;
			}
			if (res != NULL && (PQresultStatus(res) == PGRES_COPY_OUT ||
			    PQresultStatus(res) == PGRES_COPY_IN)) {
				PQclear(res);
				res = copy_unexpected(conn);
			}
			if (res == NULL || !result_ok(res)) {
				rc = statement_failed(res, conn, &it, it.text, f);
				break;
			}
			PQclear(res);
			executed++;
			/* What the splitter followed, the server must have done. */
			if (session_differs(conn, split, f)) {
				f->line = f->statement_line = it.line;
				rc = MIGEXEC_EDATA;
			}
			break;
		case SQLSPLIT_COPY_DATA:
			if (in_copy && PQputCopyData(conn, it.text, (int)it.len) != 1) {
				rc = statement_failed(NULL, conn, &stmt, NULL, f);
				in_copy = 0;
			}
			break;
		case SQLSPLIT_COPY_END:
			if (in_copy) {
				in_copy = 0;
				if ((rc = copy_finish(conn, &stmt, NULL, f)) == MIGEXEC_OK)
					executed++;
			}
			break;
		case SQLSPLIT_META:
			rc = refuse_meta(&guard, &it, f);
			break;
		case SQLSPLIT_ERROR:
			rc = split_failed(split, f);
			break;
		case SQLSPLIT_END:
		case SQLSPLIT_COMMENT:
		case SQLSPLIT_STATEMENT_START:
		case SQLSPLIT_AGAIN:
			break;
		}
	}
	if (in_copy)	/* stopped inside COPY data: abandon the command */
		copy_finish(conn, &stmt, "cr-migrate: migration stopped", &(struct migexec_failure){ 0 });
	f->committed = rc != MIGEXEC_OK && m->no_transaction && executed > 0;
	if (rc == MIGEXEC_OK)
		sha256_final_hex(&src.sha, checksum);
	sqlsplit_free(split);
	close(src.fd);
	return rc;
}

/* Run a transaction control command; on failure describe it in f. */
static enum migexec_status
control(PGconn *conn, const char *sql, struct migexec_failure *f)
{
	struct pgexec_error e;

	if (pgexec_command(conn, sql, sql, 0, NULL, &e) == 0)
		return MIGEXEC_OK;
	strlcpy(f->message, e.message, sizeof(f->message));
	strlcpy(f->sqlstate, e.sqlstate, sizeof(f->sqlstate));
	return MIGEXEC_ESQL;
}

enum migexec_status
migexec_apply(PGconn *conn, struct migtrack *t, const struct migration *m,
    long *duration_ms, struct migexec_failure *f)
{
	struct timespec start, end;
	enum migexec_status rc;
	char checksum[MIGRATE_SHA256_HEX], why[1024];

	failure_init(f);
	*duration_ms = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!m->no_transaction && (rc = control(conn, "BEGIN", f)) != MIGEXEC_OK)
		return rc;
	if ((rc = migexec_run(conn, m, checksum, f)) != MIGEXEC_OK)
		goto rollback;
	if (m->no_transaction && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		strlcpy(f->message, "the file ends inside a transaction it began "
		    "(BEGIN without COMMIT); it was rolled back", sizeof(f->message));
		rc = MIGEXEC_EDATA;
		goto rollback;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	*duration_ms = (long)((end.tv_sec - start.tv_sec) * 1000 +
	    (end.tv_nsec - start.tv_nsec) / 1000000);
	if (m->no_transaction && (rc = control(conn, "BEGIN", f)) != MIGEXEC_OK)
		goto recording;
	if (migtrack_record(t, conn, m, checksum, *duration_ms,
	    m->no_transaction ? "no-transaction" : "up", why, sizeof(why)) != MIGTRACK_OK) {
		strlcpy(f->message, why, sizeof(f->message));
		goto recording;
	}
	/* A deferred constraint can still fail here: the migration failed. */
	if ((rc = control(conn, "COMMIT", f)) != MIGEXEC_OK)
		goto recording;
	/* A migration's SET search_path (or role, or timeout) ends with it. */
	(void)pgexec_command(conn, NULL, "RESET ALL", 0, NULL, NULL);
	return MIGEXEC_OK;
recording:
	rc = m->no_transaction ? MIGEXEC_ETRACK : MIGEXEC_ESQL;
rollback:
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		(void)pgexec_command(conn, NULL, "ROLLBACK", 0, NULL, NULL);
	(void)pgexec_command(conn, NULL, "RESET ALL", 0, NULL, NULL);
	return rc;
}

int
migexec_already_exists(const char *sqlstate)
{
	/* Class 42 duplicate_*: column, cursor, database, function, prepared
	 * statement, schema, table, alias, object. */
	static const char *const codes[] = {
		"42701", "42P03", "42P04", "42723", "42P05", "42P06", "42P07",
		"42712", "42710"
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(sqlstate, codes[i]) == 0)
			return 1;
	return 0;
}
