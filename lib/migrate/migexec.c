/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migexec: one migration file through the shared splitter and the shared
 * statement executor (lib/sqlexec), with failures located by file line. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "base/io.h"
#include "migrate/migexec.h"
#include "migrate/migrate.h"
#include "migrate/migtrack.h"
#include "pg/pgexec.h"
#include "pg/sqlexec.h"
#include "sql/sqlsplit.h"

/* The file as the splitter reads it: of a dbmate or goose file only the up
 * sections, every other line left empty (its newline kept, so lines keep
 * their numbers); the checksum is of every byte of the file. */
struct source {
	int			 fd;
	struct sha256		 sha;
	const struct migration	*m;
	unsigned long		 line;	/* the line being read, 1-based */
	size_t			 span;	/* the first up span not yet ended */
	int			 runs;	/* the line is in an up section */
};

static int
line_runs(struct source *src)
{
	const struct migration *m = src->m;

	while (src->span < m->nup && m->up[src->span].last < src->line)
		src->span++;
	return src->span < m->nup && m->up[src->span].first <= src->line;
}

static ssize_t
source_read(void *arg, void *buf, size_t len)
{
	struct source *src = arg;
	char *p = buf;
	ssize_t got;
	size_t i, out;

	for (;;) {
		if ((got = read(src->fd, buf, len)) <= 0)
			return got;
		sha256_update(&src->sha, buf, (size_t)got);
		if (src->m->format == MIGRATE_PLAIN)
			return got;
		for (i = out = 0; i < (size_t)got; i++) {
			if (p[i] == '\n') {
				p[out++] = '\n';
				src->line++;
				src->runs = line_runs(src);
			} else if (src->runs)
				p[out++] = p[i];
		}
		/* 0 would mean the end: read on past a skipped line */
		if (out > 0)
			return (ssize_t)out;
	}
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
	memset(src, 0, sizeof(*src));
	if ((src->fd = open(m->path, O_RDONLY | O_CLOEXEC)) == -1) {
		strlcpy(f->message, strerror(errno), sizeof(f->message));
		return MIGEXEC_ENOINPUT;
	}
	sha256_init(&src->sha);
	src->m = m;
	src->line = 1;
	src->runs = m->format == MIGRATE_PLAIN || line_runs(src);
	if ((*split = sqlsplit_new(source_read, src)) == NULL) {
		sha256_discard(&src->sha);
		close(src->fd);
		strlcpy(f->message, "out of memory", sizeof(f->message));
		return MIGEXEC_ENOMEM;
	}
	return MIGEXEC_OK;
}

/* A refusal at file line 'line', worded as sqlexec words a failure:
 * "line N: why" (why may be f->message). */
static enum migexec_status
refuse_at(struct migexec_failure *f, unsigned long line, const char *why)
{
	char msg[sizeof(f->message)];

	snprintf(msg, sizeof(msg), "line %lu: ", line);
	strlcat(msg, why, sizeof(msg));
	strlcpy(f->message, msg, sizeof(f->message));
	f->line = f->statement_line = line;
	return MIGEXEC_EDATA;
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
	char why[256], msg[512];

	if (sqlsplit_meta_check(guard, it, NULL, why, sizeof(why)) == 0)
		return MIGEXEC_OK;
	snprintf(msg, sizeof(msg), "psql meta-command \"%.*s\" in a migration: "
	    "cr-migrate sends SQL only", (int)(it->len > 200 ? 200 : it->len), it->text);
	return refuse_at(f, it->line, msg);
}

/* A statement after which the splitter could no longer read the file as
 * the server does (set_config of standard_conforming_strings, ...). */
static enum migexec_status
refuse_lexstate(const struct sqlsplit_item *it, struct migexec_failure *f)
{
	char why[1024];

	if (it->cls != SQLSPLIT_LEXSTATE)
		return MIGEXEC_OK;
	sqlsplit_refused(it, why, sizeof(why));
	return refuse_at(f, it->line, why);
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
			if (!m->no_transaction && it.cls == SQLSPLIT_TRANSACTION)
				rc = refuse_at(f, it.line, m->format == MIGRATE_DBMATE ?
				    "transaction control statement in a migration: "
				    "cr-migrate runs each file in its own transaction; "
				    "remove BEGIN/COMMIT, or write \"-- migrate:up "
				    "transaction:false\"" : m->format == MIGRATE_GOOSE ?
				    "transaction control statement in a migration: "
				    "cr-migrate runs each file in its own transaction; "
				    "remove BEGIN/COMMIT, or add \"-- +goose NO "
				    "TRANSACTION\"" :
				    "transaction control statement "
				    "in a migration: cr-migrate runs each file in its own "
				    "transaction; remove BEGIN/COMMIT, or put \""
				    MIGRATE_NO_TRANSACTION "\" at the top of the file");
			break;
		case SQLSPLIT_ERROR:
			rc = split_failed(split, f);
			break;
		default:
			break;
		}
	}
	sqlsplit_free(split);
	sha256_discard(&src.sha);	/* nothing runs: no checksum */
	close(src.fd);
	return rc;
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

/* A statement or COPY data the server refused: err is sqlexec's line. */
static enum migexec_status
exec_failed(struct migexec_failure *f, unsigned long statement_line, unsigned long line,
    const char *err)
{
	f->statement_line = statement_line;
	f->line = line;
	strlcpy(f->message, err, sizeof(f->message));
	return MIGEXEC_ESQL;
}

/* Execute the file's statements in order through lib/sqlexec (COPY ...
 * FROM stdin with its data lines), in whatever transaction state the caller
 * set up.  Stops at the first failure.  On success checksum holds the SHA-256
 * of exactly the bytes that were executed. */
static enum migexec_status
migexec_run(PGconn *conn, const struct migration *m, char checksum[MIGRATE_SHA256_HEX],
    struct migexec_failure *f)
{
	struct source src;
	struct sqlsplit *split;
	struct sqlsplit_item it;
	struct sqlsplit_restrict guard = { 0 };
	struct sqlexec_copy copy = { 0 };
	enum migexec_status rc;
	unsigned long line;
	uint64_t loaded;
	char err[sizeof(f->message)];
	int executed = 0;

	failure_init(f);
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
			switch (sqlexec_statement(conn, it.text, it.len, it.line,
			    it.copy_in ? &copy : NULL, err, sizeof(err), &line,
			    f->sqlstate)) {
			case 1:		/* its data follows */
				break;
			case 0:
				executed++;
				/* What the splitter followed, the server must have done. */
				if (session_differs(conn, split, f))
					rc = refuse_at(f, it.line, f->message);
				break;
			default:
				rc = exec_failed(f, it.line, line, err);
				break;
			}
			break;
		case SQLSPLIT_COPY_DATA:
			if (copy.active && sqlexec_copy_data(&copy, it.text, it.len, it.line,
			    err, sizeof(err), &line) == -1)
				rc = exec_failed(f, copy.line, line, err);
			break;
		case SQLSPLIT_COPY_END:
			if (!copy.active)
				break;
			if (sqlexec_copy_end(&copy, it.line, &loaded, err, sizeof(err),
			    &line) == -1)
				rc = exec_failed(f, copy.line, line, err);
			else
				executed++;
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
	/* Stopped inside COPY data: abandon the command. */
	sqlexec_copy_abort(&copy, "cr-migrate: migration stopped");
	f->committed = rc != MIGEXEC_OK && m->no_transaction && executed > 0;
	if (rc == MIGEXEC_OK && sha256_final_hex(&src.sha, checksum) == -1) {
		strlcpy(f->message, "SHA-256: out of memory", sizeof(f->message));
		rc = MIGEXEC_ENOMEM;
	}
	sha256_discard(&src.sha);
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
	double start;
	enum migexec_status rc;
	char checksum[MIGRATE_SHA256_HEX], why[1024];

	failure_init(f);
	*duration_ms = 0;
	start = io_clock();
	if (!m->no_transaction && (rc = control(conn, "BEGIN", f)) != MIGEXEC_OK)
		return rc;
	if ((rc = migexec_run(conn, m, checksum, f)) != MIGEXEC_OK)
		goto rollback;
	/* What ran was chosen by line from the file as it was scanned. */
	if (strcmp(checksum, m->checksum) != 0) {
		strlcpy(f->message, "the file changed while cr-migrate read it; "
		    "run cr-migrate again", sizeof(f->message));
		rc = MIGEXEC_EDATA;
		goto rollback;
	}
	if (m->no_transaction && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		strlcpy(f->message, "the file ends inside a transaction it began "
		    "(BEGIN without COMMIT); it was rolled back", sizeof(f->message));
		rc = MIGEXEC_EDATA;
		goto rollback;
	}
	*duration_ms = (long)((io_clock() - start) * 1000);
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
