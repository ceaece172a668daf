/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* restore: execute a pg_dump plain script on a connection, statement by
 * statement: psql meta-commands, statements beyond the target and (unless
 * the dump is trusted) anything pg_dump does not write (lib/vocab) refused,
 * COPY blocks tallied for the row-count proof (lib/rowproof), the input's
 * own completeness markers checked at its end (lib/dumpfmt).  Statements
 * and COPY go through lib/sqlexec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <strings.h>

#include <bsd/string.h>

#include "format/dumpfmt.h"
#include "restore/parallel.h"
#include "pg/pgconn.h"
#include "pg/pgexec.h"
#include "gz/gzrange.h"
#include "restore/restore.h"
#include "sql/restoreplan.h"
#include "restore/rowproof.h"
#include "pg/sqlexec.h"
#include "sql/sqlsplit.h"
#include "sql/vocab.h"

/* -j FILE: a COPY block's data, [begin, end) of the uncompressed stream
 * (whole lines: from after the COPY statement's line to the \. line), the
 * lines and rows it holds, and the lines of its statement and first row. */
struct restore_range {
	unsigned long	 line, data_line;
	uint64_t	 begin, end, rows, lines;
};

struct restore_index {
	int		 fd;
	struct restore_range *v;
	size_t		 n, cap;
	int		 open;		/* the last entry's COPY is being read */
	int		 complete;	/* a read-through found no fault */
	int		 bad;		/* the data was not where expected */
	uint64_t	 total;		/* the stream's length */
};

/* The read callback's wrapper: the input's completeness markers are
 * tracked as it is read (lib/dumpfmt). */
struct input {
	sqlsplit_read_fn fn;
	void		*arg;
	struct dumpfmt_track track;
};

struct run {
	PGconn		*conn;		/* NULL: only scan */
	const struct restore_opts *o;
	const char	*dbname;
	struct sqlsplit	*split;
	struct input	 in;
	struct restore_stats *st;
	char		*err;
	size_t		 errlen;
	struct rowproof	*proof;
	struct sqlexec_notices notices;
	struct restoreplan *plan;	/* NULL: every statement runs */
	struct parallel	*par;		/* -j: the workers, else NULL */
	struct parallel_job *copy_job;	/* the COPY a worker loads */
	int		 recognised;	/* -j: the input is pg_dump's */
	int		 copy_skip;	/* the COPY's data is not selected */

	struct sqlsplit_restrict guard;	/* \restrict ... \unrestrict */
	struct vocab	 vocab;		/* the statement's tokens, for the
					 * allow-list of pg_dump's vocabulary */
	int		 dump_head;	/* pg_dump's "-- PostgreSQL database dump" */
	unsigned long	 dump_complete;	/* and the line of its "dump complete" */

	unsigned long	 line;		/* of the item being executed */
	char		 su[8];		/* is_superuser under the role the script
					 * runs as ("" before SET ROLE) */

	/* search_path as the script's own statements left it */
	char		 path[1024];
	int		 path_known;

	struct sqlexec_copy copy;
	size_t		 copy_table;	/* index, or (size_t)-1 when unnamed */
	int		 copy_csv;
	uint64_t	 copy_rows;
	int		 copy_streaming;	/* a serial COPY's rows go to the
					 * server as they are read */

	/* -j FILE (random access): the main reader, the next block it skips,
	 * the lines skipped so far and the block of the COPY at hand. */
	struct gzmap	*map;
	struct gzrange	*range_in;
	uint64_t	 range_pos, range_skipped;
	size_t		 range_next, range_taken;
	unsigned long	 skew;
	const struct restore_range *range;
};

static ssize_t
input_read(void *arg, void *buf, size_t len)
{
	struct input *in = arg;
	ssize_t n;

	n = in->fn(in->arg, buf, len);
	if (n > 0)
		dumpfmt_track_feed(&in->track, buf, (size_t)n);
	return n;
}

/* At the end of the input: is the stream whole, as far as its own markers
 * tell?  Returns NULL or what is wrong (one message per failure). */
static const char *
input_incomplete(const struct input *in, char *buf, size_t len)
{
	struct dumpfmt_end_facts f;

	switch (dumpfmt_track_end(&in->track, &f)) {
	case DUMPFMT_END_OK:
		return NULL;
	case DUMPFMT_END_NO_TRAILER:
		return "the cr-dump trailer is missing: the dump is incomplete";
	case DUMPFMT_END_BAD_TRAILER:
		return "the cr-dump trailer is malformed";
	case DUMPFMT_END_BYTES:
		snprintf(buf, len, "the cr-dump trailer counts %llu bytes before it, "
		    "the input has %llu: the dump is damaged",
		    (unsigned long long)f.trailer_bytes, (unsigned long long)f.bytes);
		return buf;
	case DUMPFMT_END_CRC:
		snprintf(buf, len, "CRC-32 mismatch: the cr-dump trailer says %08x, "
		    "the input has %08x: the dump is damaged", (unsigned)f.trailer_crc,
		    (unsigned)f.crc);
		return buf;
	case DUMPFMT_END_NO_COMPLETE:
		break;
	}
	return "the input ends before pg_dump's \"dump complete\" line: truncated dump?";
}

struct restore_index *
restore_index_new(int fd)
{
	struct restore_index *ix;

	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return NULL;
	ix->fd = fd;
	return ix;
}

void
restore_index_free(struct restore_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->v);
	free(ix);
}

/* The read-through (restore_scan with an index): where each COPY block's
 * data lies.  The splitter hands the data over in whole rows right after
 * it has consumed them, so a block is [consumed - first chunk, consumed
 * after the last); anything else marks the index unusable. */
static void
index_item(struct run *r, enum sqlsplit_kind kind, const struct sqlsplit_item *it)
{
	struct restore_index *ix = r->o->index;
	struct restore_range *e, *v;
	struct restoreplan_stmt ps;
	const char *p, *end;
	uint64_t at;

	if (ix == NULL || r->conn != NULL || ix->bad)
		return;
	switch (kind) {
	case SQLSPLIT_STATEMENT:
		if (!it->copy_in)
			return;
		restoreplan_classify(it, &ps);
		if (ps.kind != RESTOREPLAN_COPY)
			return;
		if (ix->n == ix->cap) {
			if ((v = reallocarray(ix->v, ix->cap ? ix->cap * 2 : 64,
			    sizeof(*v))) == NULL) {
				ix->bad = 1;
				return;
			}
			ix->v = v;
			ix->cap = ix->cap ? ix->cap * 2 : 64;
		}
		e = &ix->v[ix->n++];
		memset(e, 0, sizeof(*e));
		e->line = it->line;
		ix->open = 1;
		return;
	case SQLSPLIT_COPY_DATA:
		if (!ix->open)
			return;
		e = &ix->v[ix->n - 1];
		at = sqlsplit_bytes(r->split);
		if (e->data_line == 0) {
			e->data_line = it->line;
			e->begin = e->end = at - it->len;
		}
		if (at - it->len != e->end || it->len == 0) {
			ix->bad = 1;
			return;
		}
		e->end = at;
		e->rows += it->rows;
		for (p = it->text, end = p + it->len; (p = memchr(p, '\n',
		    (size_t)(end - p))) != NULL; p++)
			e->lines++;
		return;
	case SQLSPLIT_COPY_END:
		if (!ix->open)
			return;
		ix->open = 0;
		if (ix->v[ix->n - 1].data_line == 0)
			ix->n--;	/* no data: nothing to skip */
		return;
	default:
		return;
	}
}

/* -j FILE: the main reader, which skips every indexed COPY block (the
 * splitter sees "COPY ...;" then "\."), reading the rest of the stream
 * from the file. */
static ssize_t
range_read(void *arg, void *buf, size_t len)
{
	struct run *r = arg;
	const struct restore_index *ix = r->o->index;
	const void *p;
	ssize_t n;

	while (r->range_next < ix->n && r->range_pos == ix->v[r->range_next].begin) {
		r->range_skipped += ix->v[r->range_next].end - ix->v[r->range_next].begin;
		r->range_pos = ix->v[r->range_next++].end;
		gzrange_seek(r->range_in, r->range_pos);
	}
	if (r->range_next < ix->n && ix->v[r->range_next].begin - r->range_pos < len)
		len = (size_t)(ix->v[r->range_next].begin - r->range_pos);
	if ((n = gzrange_next(r->range_in, &p, len)) == -1) {
		errno = gzrange_errkind(r->range_in) == GZRANGE_EIO ? EIO : EILSEQ;
		return -1;
	}
	if (n == 0)
		return 0;	/* the end: p is not set */
	memcpy(buf, p, (size_t)n);
	r->range_pos += (uint64_t)n;
	return n;
}

/* -j FILE: an item of the stream with its blocks skipped, back to the
 * input's line numbers; a COPY statement gets its block. */
static void
range_item(struct run *r, enum sqlsplit_kind kind, struct sqlsplit_item *it)
{
	const struct restore_index *ix = r->o->index;

	r->range = NULL;
	if (it->line > 0)
		it->line += r->skew;
	if (kind == SQLSPLIT_STATEMENT && it->copy_in && r->range_taken < ix->n &&
	    ix->v[r->range_taken].line == it->line) {
		r->range = &ix->v[r->range_taken++];
		r->skew += (unsigned long)r->range->lines;
	}
}

/* -j FILE after a read-through: when the file is one cr-gz stream as long
 * as the read-through's, the workers read their COPY data from it. */
static void
random_access(struct run *r, const struct restore_opts *o)
{
	const struct restore_index *ix = o->index;

	if (o->jobs < 2 || ix == NULL || !ix->complete || ix->bad || ix->n == 0)
		return;
	if ((r->map = gzmap_open(ix->fd)) == NULL)
		return;		/* not cr-gz's, or unreadable: streamed */
	if (gzmap_total(r->map) != ix->total ||
	    (r->range_in = gzrange_open(r->map, ix->fd)) == NULL) {
		gzmap_free(r->map);
		r->map = NULL;
		return;
	}
	r->in.fn = range_read;
	r->in.arg = r;
}

static enum restore_status
interrupted_or(struct run *r, unsigned long line, enum restore_status rc)
{
	if (r->o != NULL && r->o->interrupted != NULL && *r->o->interrupted) {
		snprintf(r->err, r->errlen, "interrupted at line %lu", line);
		return RESTORE_EINTR;
	}
	return rc;
}

/* What to do about a statement the role the script runs as may not run
 * (42501): a dump that gives its objects to other roles, an extension
 * only a superuser may create.  Appended to the error's one line. */
static void
role_hint(struct run *r, PGresult *res, const struct sqlsplit_item *it)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *how = r->o->role_is_owner ? "--as-login" : "without --role";
	size_t n = strlen(r->err);

	if (r->o->role == NULL || state == NULL || strcmp(state, "42501") != 0)
		return;
	if (strncmp(it->keywords, "alter ", 6) == 0 && strcasestr(it->text, " owner to ") != NULL)
		snprintf(r->err + n, r->errlen - n, "; the dump gives its objects to other "
		    "roles and the script runs as \"%s\"%s, who may not: restore with %s "
		    "(the dump's code then runs as the login), or from a dump without "
		    "owners (cr-dump writes them; pg_dump --no-owner)", r->o->role,
		    r->o->role_is_owner ? " (the database's owner)" : "", how);
	else if (strncmp(it->keywords, "create extension", 16) == 0)
		snprintf(r->err + n, r->errlen - n, "; the script runs as \"%s\"%s: "
		    "--extension NAME creates it first as the login", r->o->role,
		    r->o->role_is_owner ? " (the database's owner)" : "");
	else if (strncmp(it->keywords, "create event trigger", 20) == 0 ||
	    strncmp(it->keywords, "alter event trigger", 19) == 0)
		snprintf(r->err + n, r->errlen - n, "; only a superuser may create event "
		    "triggers, and the script runs as \"%s\"%s: if you trust the dump's "
		    "code to run with the login's rights, restore with %s", r->o->role,
		    r->o->role_is_owner ? " (the database's owner)" : "", how);
}

static enum restore_status
sql_error(struct run *r, PGresult *res, const struct sqlsplit_item *it)
{
	char head[96], what[128];

	sqlsplit_head(it->text, it->len, head, sizeof(head));
	snprintf(what, sizeof(what), "statement: %s", head);
	sqlexec_error(r->conn, res, it->line, what, r->err, r->errlen);
	role_hint(r, res, it);
	r->st->line = it->line;
	return interrupted_or(r, it->line, RESTORE_ESQL);
}

static enum restore_status
data_error(struct run *r, unsigned long line, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (line > 0)
		snprintf(r->err, r->errlen, "line %lu: %s", line, msg);
	else
		snprintf(r->err, r->errlen, "%s", msg);
	r->st->line = line;
	return RESTORE_EDATA;
}

/* cr-restore's own SQL (not the script's): one statement through pgexec,
 * a missing privilege told by its SQLSTATE. */
static enum restore_status
exec_simple(struct run *r, const char *sql)
{
	struct pgexec_error e;

	if (pgexec_command(r->conn, sql, sql, 0, NULL, &e) == 0)
		return RESTORE_OK;
	strlcpy(r->err, e.message, r->errlen);
	return interrupted_or(r, 0, pgexec_sqlstate_is(&e, "42501") ? RESTORE_EPERM :
	    RESTORE_ESQL);
}

/* The same in the session's search_path: CREATE EXTENSION puts the
 * extension's objects in the schema it names first. */
static enum restore_status
exec_user_path(struct run *r, const char *sql)
{
	struct pgexec_error e;
	PGresult *res;

	if ((res = pgexec_query_user_path(r->conn, sql, sql, 0, NULL, &e)) != NULL) {
		PQclear(res);
		return RESTORE_OK;
	}
	strlcpy(r->err, e.message, r->errlen);
	return interrupted_or(r, 0, pgexec_sqlstate_is(&e, "42501") ? RESTORE_EPERM :
	    RESTORE_ESQL);
}

static enum restore_status
copy_begin(struct run *r, const struct sqlsplit_item *it)
{
	struct sqlsplit_copy c;
	char *name = NULL;

	if (sqlsplit_copy_target(it, &c) == 0 &&
	    (name = strndup(it->text + c.name_off, c.name_len)) == NULL) {
		snprintf(r->err, r->errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	r->copy_csv = name != NULL && c.csv;
	if (name != NULL && c.binary) {
		free(name);
		return data_error(r, it->line, "%s", "binary COPY data is not supported");
	}
	r->copy_table = (size_t)-1;
	if (name != NULL &&
	    (r->copy_table = rowproof_table(r->proof, name, r->copy_csv)) == (size_t)-1) {
		snprintf(r->err, r->errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	r->copy_rows = 0;
	r->copy_streaming = 1;
	sqlexec_copy_begin(&r->copy, r->conn, it->text, it->len, it->line);
	return RESTORE_OK;
}

static enum restore_status
copy_failed(struct run *r, unsigned long line)
{
	r->st->line = line;
	return interrupted_or(r, line, RESTORE_ESQL);
}

static enum restore_status
copy_data(struct run *r, const struct sqlsplit_item *it)
{
	unsigned long line;

	if (r->copy_skip)
		return RESTORE_OK;
	r->copy_rows += it->rows;
	if (r->copy_job != NULL) {
		if (parallel_copy_data(r->par, r->copy_job, it->text, it->len, it->line, r->err,
		    r->errlen) == -1) {
			switch (parallel_error(r->par, r->err, r->errlen, &r->st->line)) {
			case 2:
				return RESTORE_EDATA;
			case 1:
				return RESTORE_ESQL;
			}
			return RESTORE_EIO;
		}
		return RESTORE_OK;
	}
	if (sqlexec_copy_data(&r->copy, it->text, it->len, it->line, r->err, r->errlen,
	    &line) == -1)
		return copy_failed(r, line);
	return RESTORE_OK;
}

static enum restore_status session_check(struct run *, unsigned long);
static enum restore_status path_check(struct run *, unsigned long, int);

static enum restore_status
copy_end(struct run *r, const struct sqlsplit_item *it)
{
	uint64_t loaded = r->copy_rows, carried;
	unsigned long line;
	enum restore_status rc;
	char msg[512];
	const char *name = r->copy_table != (size_t)-1 ?
	    rowproof_name(r->proof, r->copy_table) : "COPY";

	r->copy_streaming = 0;
	if (r->copy_skip) {
		r->copy_skip = 0;
		return RESTORE_OK;
	}
	if (r->copy_job != NULL) {
		parallel_copy_end(r->par, r->copy_job, it->line, r->copy_rows);
		r->copy_job = NULL;
		return RESTORE_OK;
	}
	if (sqlexec_copy_end(&r->copy, it->line, &loaded, r->err, r->errlen, &line) == -1)
		return copy_failed(r, line);
	carried = r->copy_csv ? loaded : r->copy_rows;
	r->st->rows += carried;
	if (!r->copy_csv && loaded != r->copy_rows) {
		snprintf(msg, sizeof(msg), "%s loaded %llu rows but the dump carried %llu "
		    "(a trigger or rule on the table dropped or added rows?)", name,
		    (unsigned long long)loaded, (unsigned long long)r->copy_rows);
		snprintf(r->err, r->errlen, "line %lu: row count mismatch: %s",
		    r->copy.line, msg);
		r->st->line = r->copy.line;
		return RESTORE_ECOUNT;
	}
	if (r->copy_table != (size_t)-1)
		rowproof_copied(r->proof, r->copy_table, carried, loaded);
	/* A CHECK or a default run by the COPY may have changed how the
	 * server reads the next statement, or how it resolves names. */
	if ((rc = session_check(r, it->line)) != RESTORE_OK)
		return rc;
	return path_check(r, it->line, 0);
}

static enum restore_status
meta(struct run *r, const struct sqlsplit_item *it)
{
	char why[256];

	switch (sqlsplit_meta_check(&r->guard, it, r->dbname, why, sizeof(why))) {
	case 0:		/* \restrict or its \unrestrict */
	case 1:		/* \connect to the target itself */
		return RESTORE_OK;
	}
	return data_error(r, it->line, "%s", why);
}

/* Statements that act beyond the database being restored: another
 * database (a dump made with pg_dump -C/-c drops and creates one by name;
 * with --clean the name is not even the scratch database), or the server's
 * configuration, and what the splitter cannot follow: refused always.
 * pg_dump without -C emits none of them.  Then, unless the dump is trusted,
 * anything pg_dump does not write for one database (lib/vocab), and
 * anything after pg_dump's last line. */
static enum restore_status
refuse_outside(struct run *r, const struct sqlsplit_item *it)
{
	char why[512], head[96];

	if (sqlsplit_refused(it, why, sizeof(why)))
		return data_error(r, it->line, "%s", why);
	if (r->dump_complete > 0) {
		sqlsplit_head(it->text, it->len, head, sizeof(head));
		snprintf(why, sizeof(why), "refused %s: SQL after pg_dump's \"dump complete\" "
		    "line (line %lu): added to the dump, or two dumps run together", head,
		    r->dump_complete);
		return data_error(r, it->line, "%s", why);
	}
	if (!r->o->trust_dump && vocab_refused(&r->vocab, it, r->dbname, why, sizeof(why)))
		return data_error(r, it->line, "%s", why);
	r->vocab.ntok = 0;	/* a statement without tokens is no other's */
	return RESTORE_OK;
}

/* pg_dump's first and last comment lines, as cr-verify reads them
 * (lib/dumpscan): a statement after the last one is refused. */
static void
outline_comment(struct run *r, const struct sqlsplit_item *it)
{
	if (strcmp(it->text, "-- PostgreSQL database dump") == 0)
		r->dump_head = 1;
	else if (r->dump_head && r->dump_complete == 0 &&
	    strcmp(it->text, "-- PostgreSQL database dump complete") == 0)
		r->dump_complete = it->line;
}

/* The splitter follows the script's SETs; the server must have done the
 * same, or the rest would be split otherwise than the server reads it. */
static enum restore_status
session_check(struct run *r, unsigned long line)
{
	char why[384];

	const char *su;

	if (sqlsplit_session_check(r->split, PQparameterStatus(r->conn,
	    "standard_conforming_strings"), PQparameterStatus(r->conn, "client_encoding"),
	    why, sizeof(why)) == -1)
		return data_error(r, line, "%s", why);
	/* The server reports is_superuser as it changes: code that left the
	 * role the script runs as (RESET ROLE in a function a CHECK calls)
	 * must not hand the superuser's session to the rest of the script. */
	if (r->su[0] != '\0' && ((su = PQparameterStatus(r->conn, "is_superuser")) == NULL ||
	    strcmp(su, r->su) != 0))
		return data_error(r, line, "%s", "the dump's code left the role the script runs "
		    "as (is_superuser changed: RESET ROLE or SET SESSION AUTHORIZATION in a "
		    "function or DO block?): stopped before the next statement");
	return RESTORE_OK;
}

/* search_path is the script's to set (SET, pg_dump's set_config), never a
 * function's: a CHECK, a default, an index expression or a DO block that
 * set it for the session (set_config(..., false)) would make the dump's
 * later statements resolve names through it (pg_dump writes pg_catalog's
 * functions unqualified, for a search_path of ''), as the restoring role.
 * After the script's own setting the value is read; after a statement
 * that can run functions it must not have changed.  The main connection's;
 * the -j workers' in lib/parallel.  One round trip each. */
static enum restore_status
path_check(struct run *r, unsigned long line, int set)
{
	PGresult *res;
	char msg[1536];

	if (r->conn == NULL)
		return RESTORE_OK;
	res = pgexec_exec_user_path(r->conn, "SELECT pg_catalog.current_setting('search_path')",
	    0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		sqlexec_error(r->conn, res, line, "reading search_path", r->err, r->errlen);
		PQclear(res);
		r->st->line = line;
		return interrupted_or(r, line, RESTORE_ESQL);
	}
	if (!set && r->path_known && strcmp(PQgetvalue(res, 0, 0), r->path) != 0) {
		snprintf(msg, sizeof(msg), "the session's search_path is now \"%s\", the script "
		    "set \"%s\" (changed by a function or DO block?): stopped before the next "
		    "statement, which would resolve names through it", PQgetvalue(res, 0, 0),
		    r->path);
		PQclear(res);
		return data_error(r, line, "%s", msg);
	}
	strlcpy(r->path, PQgetvalue(res, 0, 0), sizeof(r->path));
	r->path_known = 1;
	PQclear(res);
	return RESTORE_OK;
}

/* Whether statement it sets search_path (1), can run functions that might
 * (0), or neither (-1), by its first keywords. */
static int
path_statement(const struct sqlsplit_item *it)
{
	static const char *const runs[] = {
		"insert", "update", "delete", "merge", "select", "do", "call", "refresh",
		"alter table", "create index", "create unique index",
		"create materialized view", "analyze", "vacuum", "cluster", "reindex",
	};
	const char *k = it->keywords;
	size_t i, n;

	if (strncmp(k, "set", 3) == 0 || strncmp(k, "reset", 5) == 0 ||
	    strncmp(k, "discard", 7) == 0)
		return 1;
	/* pg_dump's SELECT pg_catalog.set_config(...), setval(...), lo_*(...) */
	if (strcmp(k, "select pg_catalog") == 0)
		return strstr(it->text, "set_config") != NULL ? 1 : -1;
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		n = strlen(runs[i]);
		if (strncmp(k, runs[i], n) == 0 && (k[n] == '\0' || k[n] == ' '))
			return 0;
	}
	return -1;
}

/* With --role, an extension that needed a superuser (created by
 * --extension before SET ROLE) is not the role's: COMMENT ON EXTENSION fails
 * for want of ownership, and that alone must not fail the restore.  In a
 * transaction block a savepoint keeps the failure from aborting it. */
static enum restore_status
statement_tolerated(struct run *r, const struct sqlsplit_item *it)
{
	PGresult *res;
	const char *state;
	int sp = PQtransactionStatus(r->conn) == PQTRANS_INTRANS;
	enum restore_status rc = RESTORE_OK;
	char head[96], msg[256];

	if (sp && (rc = exec_simple(r, "SAVEPOINT cr_restore_tolerated")) != RESTORE_OK)
		return rc;
	res = PQexec(r->conn, it->text);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return sp ? exec_simple(r, "RELEASE SAVEPOINT cr_restore_tolerated") : RESTORE_OK;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state == NULL || strcmp(state, "42501") != 0) {	/* insufficient_privilege */
		rc = sql_error(r, res, it);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	if (sp && (rc = exec_simple(r, "ROLLBACK TO SAVEPOINT cr_restore_tolerated")) != RESTORE_OK)
		return rc;
	sqlsplit_head(it->text, it->len, head, sizeof(head));
	snprintf(msg, sizeof(msg), "skipped %s: the extension does not belong to role %s", head,
	    r->o->role);
	if (r->o->notice != NULL)
		r->o->notice(r->o->notice_arg, it->line, "WARNING", msg);
	return RESTORE_OK;
}

/* --salvage: a foreign key whose rows were lost with the damage fails with
 * foreign_key_violation; it is named through skipped and the restore goes
 * on (under a savepoint inside a transaction). */
static enum restore_status
statement_salvaged(struct run *r, const struct sqlsplit_item *it)
{
	PGresult *res;
	const char *state;
	int sp = PQtransactionStatus(r->conn) == PQTRANS_INTRANS;
	enum restore_status rc = RESTORE_OK;
	char head[96], msg[512];

	if (sp && (rc = exec_simple(r, "SAVEPOINT cr_restore_salvage")) != RESTORE_OK)
		return rc;
	res = PQexec(r->conn, it->text);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return sp ? exec_simple(r, "RELEASE SAVEPOINT cr_restore_salvage") : RESTORE_OK;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state == NULL || strcmp(state, "23503") != 0) {	/* foreign_key_violation */
		rc = sql_error(r, res, it);
		PQclear(res);
		return rc;
	}
	sqlsplit_head(it->text, it->len, head, sizeof(head));
	snprintf(msg, sizeof(msg), "skipped %s: rows it refers to were lost (%s)", head,
	    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) != NULL ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : "foreign key violation");
	PQclear(res);
	if (sp && (rc = exec_simple(r, "ROLLBACK TO SAVEPOINT cr_restore_salvage")) != RESTORE_OK)
		return rc;
	if (r->o->skipped != NULL)
		r->o->skipped(r->o->notice_arg, it->line, msg);
	return RESTORE_OK;
}

static enum restore_status statement_run(struct run *, const struct sqlsplit_item *);

/* Ask the target a yes/no question about the object named param, for
 * statement it: 1 or 0, or -1 with *rc set. */
static int
target_says(struct run *r, const struct sqlsplit_item *it, const char *sql,
    const char *param, enum restore_status *rc)
{
	PGresult *res;
	int yes;

	res = pgexec_exec(r->conn, sql, 1, &param);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		*rc = sql_error(r, res, it);
		PQclear(res);
		return -1;
	}
	yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return yes;
}

/* A selected table's foreign key to a table not selected, or trigger:
 * restored only when the table it references, the function it calls,
 * exists in the target. */
static enum restore_status
depends(struct run *r, const struct sqlsplit_item *it, const struct restoreplan_stmt *ps)
{
	int fk = ps->kind == RESTOREPLAN_FOREIGN_KEY;
	enum restore_status rc = RESTORE_OK;
	char msg[768];

	if (r->conn == NULL)
		return RESTORE_OK;
	/* A trigger function takes no arguments. */
	switch (target_says(r, it, fk ? "SELECT pg_catalog.to_regclass($1) IS NOT NULL" :
	    "SELECT pg_catalog.to_regprocedure($1::pg_catalog.text OPERATOR(pg_catalog.||) '()') "
	    "IS NOT NULL", ps->ref, &rc)) {
	case -1:
		return rc;
	case 1:
		return statement_run(r, it);
	}
	if (fk)
		snprintf(msg, sizeof(msg), "foreign key on %s skipped: it references %s, "
		    "which is neither restored nor in the target", ps->rel, ps->ref);
	else
		snprintf(msg, sizeof(msg), "trigger on %s skipped: its function %s is not "
		    "in the target", ps->rel, ps->ref);
	if (r->o->skipped != NULL)
		r->o->skipped(r->o->notice_arg, it->line, msg);
	return RESTORE_OK;
}

/* -t: a selected table the dump has no rows for is named, since it is
 * restored empty. */
static void
uncopied(struct run *r)
{
	const char *name;
	unsigned long line;
	size_t i = 0;
	char msg[512];

	if (r->conn == NULL || r->o->skipped == NULL)
		return;
	while (restoreplan_uncopied(r->plan, &i, &name, &line)) {
		snprintf(msg, sizeof(msg), "%s is restored without rows: the dump has no COPY "
		    "block of its own for it (its data excluded, or loaded through its "
		    "partitioned parent by --load-via-partition-root)", name);
		r->o->skipped(r->o->notice_arg, line, msg);
	}
}

/* -t app.t: the dump's CREATE SCHEMA app runs when the target has no
 * schema app, and then its owner, comment and grants with it. */
static enum restore_status
schema_if_absent(struct run *r, const struct sqlsplit_item *it,
    const struct restoreplan_stmt *ps)
{
	enum restore_status rc = RESTORE_OK;

	if (r->conn == NULL)
		return RESTORE_OK;
	switch (target_says(r, it, "SELECT pg_catalog.to_regnamespace($1) IS NULL", ps->rel,
	    &rc)) {
	case -1:
		return rc;
	case 0:
		return RESTORE_OK;
	}
	if ((rc = statement_run(r, it)) == RESTORE_OK &&
	    restoreplan_schema_made(r->plan, ps->rel) == -1) {
		snprintf(r->err, r->errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	return rc;
}

/* -t / --data-only: run the statement, or not. */
static enum restore_status
statement_selected(struct run *r, const struct sqlsplit_item *it)
{
	struct restoreplan_stmt ps;
	enum restoreplan_action action;
	struct sqlsplit_item held, renamed;
	enum restore_status rc = RESTORE_OK;
	char *rewritten, *text;
	unsigned long line;

	switch (restoreplan_decide(r->plan, it, &ps, &action, &rewritten)) {
	case -1:
		snprintf(r->err, r->errlen, "out of memory");
		return RESTORE_ENOMEM;
	case -2:
		return data_error(r, it->line, "%s", restoreplan_refusal(r->plan));
	}
	switch (action) {
	case RESTOREPLAN_SKIP:
		if (it->copy_in)
			r->copy_skip = 1;
		/* FALLTHROUGH */
	case RESTOREPLAN_HOLD:
		free(rewritten);
		return RESTORE_OK;
	case RESTOREPLAN_ASK:
		free(rewritten);
		return depends(r, it, &ps);
	case RESTOREPLAN_ASK_ABSENT:
		free(rewritten);
		return schema_if_absent(r, it, &ps);
	case RESTOREPLAN_RUN:
		break;
	}
	/* A sequence's statements held until its owner showed. */
	while (restoreplan_take_held(r->plan, &text, &line)) {
		memset(&held, 0, sizeof(held));
		held.kind = SQLSPLIT_STATEMENT;
		held.text = text;
		held.len = strlen(text);
		held.line = line;
		held.terminated = 1;
		if (rc == RESTORE_OK)
			rc = statement_run(r, &held);
		free(text);
	}
	if (rc == RESTORE_OK && rewritten != NULL) {
		renamed = *it;
		renamed.text = rewritten;
		renamed.len = strlen(rewritten);
		renamed.tokens = NULL;	/* the original text's: lexed anew */
		renamed.ntokens = 0;
		rc = statement_run(r, &renamed);
	} else if (rc == RESTORE_OK)
		rc = statement_run(r, it);
	free(rewritten);
	return rc;
}

static enum restore_status
statement(struct run *r, const struct sqlsplit_item *it)
{
	enum restore_status rc = RESTORE_OK;
	char head[96];

	if (!it->terminated) {
		sqlsplit_head(it->text, it->len, head, sizeof(head));
		return data_error(r, it->line,
		    "the input ends inside a statement without its ';' (truncated?): %s", head);
	}
	if ((rc = refuse_outside(r, it)) != RESTORE_OK)
		return rc;
	if (r->plan != NULL)
		return statement_selected(r, it);
	return statement_run(r, it);
}

/* -j: the COPYs the workers finished, into the proof. */
static enum restore_status
parallel_collected(struct run *r)
{
	struct parallel_done d;
	uint64_t carried;
	unsigned long line;

	while (parallel_collect(r->par, &d)) {
		carried = d.csv ? d.loaded : d.carried;
		r->st->rows += carried;
		if (!d.csv && d.loaded != d.carried) {
			snprintf(r->err, r->errlen, "line %lu: row count mismatch: %s loaded %llu "
			    "rows but the dump carried %llu (a trigger or rule on the table "
			    "dropped or added rows?)", d.line, rowproof_name(r->proof, d.table),
			    (unsigned long long)d.loaded, (unsigned long long)d.carried);
			r->st->line = d.line;
			return RESTORE_ECOUNT;
		}
		rowproof_copied(r->proof, d.table, carried, d.loaded);
	}
	switch (parallel_error(r->par, r->err, r->errlen, &line)) {
	case 2:		/* a worker's session: no interruption explains it */
	case 3:		/* -j FILE: a damaged member in a COPY's data */
		r->st->line = line;
		return RESTORE_EDATA;
	case 4:
		r->st->line = line;
		return RESTORE_EIO;
	case 1:
		r->st->line = line;
		return interrupted_or(r, line, RESTORE_ESQL);
	}
	return RESTORE_OK;
}

/* -j: wait for every job queued so far. */
static enum restore_status
parallel_barrier(struct run *r, unsigned long line)
{
	enum restore_status rc;

	switch (parallel_wait(r->par, r->o->interrupted)) {
	case -2:
		snprintf(r->err, r->errlen, "interrupted at line %lu", line);
		return RESTORE_EINTR;
	default:
		break;
	}
	rc = parallel_collected(r);
	return rc;
}

/* -j: a COPY, an index or a constraint goes to the workers; a session
 * setting runs here and with every later job; a setval runs here at
 * once; anything else waits for the jobs before it.  Returns 1 when the
 * statement was handed over, 0 when it is to run here, or -1 (*rc set). */
static int
statement_parallel(struct run *r, const struct sqlsplit_item *it, enum restore_status *rc)
{
	struct restoreplan_stmt ps;
	struct parallel_range rg;
	enum parallel_kind kind;

	restoreplan_classify(it, &ps);
	if (it->copy_in && ps.kind == RESTOREPLAN_COPY) {
		r->st->statements++;
		if ((*rc = copy_begin(r, it)) != RESTORE_OK)
			return -1;
		r->copy.active = 0;	/* the worker's connection is in COPY */
		if (r->copy_table != (size_t)-1 && rowproof_before(r->proof, r->copy_table,
		    it->line, r->err, r->errlen) == -1) {
			r->st->line = it->line;
			*rc = RESTORE_ESQL;
			return -1;
		}
		if (r->range != NULL) {	/* -j FILE: the worker reads the data */
			rg.begin = r->range->begin;
			rg.end = r->range->end;
			rg.rows = r->range->rows;
			rg.data_line = r->range->data_line;
			r->copy_rows = r->range->rows;
			r->st->ranged++;
			r->st->ranged_bytes += rg.end - rg.begin;
		}
		if ((r->copy_job = parallel_copy_begin(r->par, it->text, it->line, ps.rel,
		    r->copy_table, r->copy_csv, r->range != NULL ? &rg : NULL)) == NULL)
			goto nomem;
		return 1;
	}
	switch (ps.kind) {
	case RESTOREPLAN_INDEX:
	case RESTOREPLAN_CONSTRAINT:
	case RESTOREPLAN_FOREIGN_KEY:
		kind = ps.kind == RESTOREPLAN_INDEX ? PARALLEL_INDEX : PARALLEL_STATEMENT;
		r->st->statements++;
		rowproof_statement(r->proof, it);
		if (parallel_statement(r->par, kind, it->text, it->line, ps.rel, ps.ref) == -1)
			goto nomem;
		return 1;
	case RESTOREPLAN_SESSION:
		if (parallel_session(r->par, it->text) == -1)
			goto nomem;
		return 0;
	case RESTOREPLAN_SETVAL:
		return 0;
	default:
		if ((*rc = parallel_barrier(r, it->line)) != RESTORE_OK)
			return -1;
		return 0;
	}
nomem:
	snprintf(r->err, r->errlen, "out of memory");
	*rc = RESTORE_ENOMEM;
	return -1;
}

static int
salvage_foreign_key(const struct sqlsplit_item *it)
{
	struct restoreplan_stmt ps;

	restoreplan_classify(it, &ps);
	return ps.kind == RESTOREPLAN_FOREIGN_KEY;
}

static enum restore_status
statement_run(struct run *r, const struct sqlsplit_item *it)
{
	PGresult *res;
	enum restore_status rc = RESTORE_OK;
	char head[96];
	int kind;

	if (r->par != NULL && r->conn != NULL) {
		switch (statement_parallel(r, it, &rc)) {
		case 1:
			return RESTORE_OK;
		case -1:
			return rc;
		}
	}
	r->st->statements++;
	if (it->copy_in && (rc = copy_begin(r, it)) != RESTORE_OK)
		return rc;
	if (r->conn == NULL)
		return RESTORE_OK;
	if (!it->copy_in)
		rowproof_statement(r->proof, it);

	if (r->o->role != NULL && strcmp(it->keywords, "comment on extension") == 0)
		return statement_tolerated(r, it);
	if (r->o->salvage && !it->copy_in && salvage_foreign_key(it))
		return statement_salvaged(r, it);
	if (it->copy_in && r->copy_table != (size_t)-1 && rowproof_before(r->proof,
	    r->copy_table, it->line, r->err, r->errlen) == -1) {
		r->st->line = it->line;
		return RESTORE_ESQL;
	}
	res = PQexec(r->conn, it->text);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		if (it->copy_in)
			rc = data_error(r, it->line, "%s", "COPY did not start");
		break;
	case PGRES_COPY_IN:
		if (!it->copy_in) {
			PQputCopyEnd(r->conn, "cr-restore: COPY FROM STDIN in an unexpected form");
			sqlexec_drain(r->conn);
			sqlsplit_head(it->text, it->len, head, sizeof(head));
			rc = data_error(r, it->line,
			    "COPY FROM STDIN in a form cr-restore does not recognise: %s", head);
		}
		break;
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		sqlsplit_head(it->text, it->len, head, sizeof(head));
		rc = data_error(r, it->line, "refused COPY TO STDOUT in a restore: %s", head);
		break;
	default:
		r->copy.active = 0;
		rc = sql_error(r, res, it);
		break;
	}
	PQclear(res);
	if (rc != RESTORE_OK)
		return rc;
	if ((rc = session_check(r, it->line)) != RESTORE_OK)
		return rc;
	/* A COPY's functions run with its data: checked at its end. */
	if (!it->copy_in && (kind = path_statement(it)) >= 0)
		return path_check(r, it->line, kind);
	return RESTORE_OK;
}

/* The figures so far, for the progress line: the rows of a COPY still
 * streaming count as they pass, so a long COPY's rows move (a -j COPY's
 * count when its worker has loaded them). */
static void
progress(struct run *r)
{
	struct restore_stats now;

	r->st->bytes = sqlsplit_bytes(r->split) + r->range_skipped;
	r->st->tables = rowproof_ntables(r->proof);
	if (r->range_in != NULL)
		r->st->file_bytes = gzrange_file_offset(r->range_in);
	now = *r->st;
	if (r->copy_streaming && r->copy_job == NULL)
		now.rows += r->copy_rows;
	r->o->progress(r->o->progress_arg, &now);
}

static enum restore_status
run_loop(struct run *r)
{
	struct sqlsplit_item it;
	enum sqlsplit_kind kind;
	enum restore_status rc;
	const char *why;
	char buf[256];

	for (;;) {
		if (r->o != NULL && r->o->interrupted != NULL && *r->o->interrupted) {
			sqlexec_copy_abort(&r->copy, "cr-restore: interrupted");
			snprintf(r->err, r->errlen, "interrupted");
			return RESTORE_EINTR;
		}
		it.line = 0;
		kind = sqlsplit_next(r->split, &it);
		if (r->map != NULL)
			range_item(r, kind, &it);
		else
			index_item(r, kind, &it);
		/* -j reorders what pg_dump wrote, by pg_dump's rules.  Told at
		 * the first statement or command: pg_dump's first lines are
		 * comments, read by then. */
		if (r->o->jobs > 1 && !r->recognised && kind != SQLSPLIT_ERROR &&
		    kind != SQLSPLIT_COMMENT && kind != SQLSPLIT_STATEMENT_START) {
			if (!dumpfmt_track_pg_dump(&r->in.track))
				return data_error(r, 0, "%s", "-j: the input is not a pg_dump "
				    "dump (no cr-dump header, no \"-- PostgreSQL database "
				    "dump\" line): -j runs the statements of pg_dump's output "
				    "out of order by pg_dump's rules, which is only right for "
				    "pg_dump's output");
			r->recognised = 1;
		}
		switch (kind) {
		case SQLSPLIT_END:
			if (r->par != NULL && (rc = parallel_barrier(r, it.line)) != RESTORE_OK)
				return rc;
			if (r->map != NULL && r->range_taken != r->o->index->n)
				return data_error(r, 0, "%s", "-j: a COPY block of the file was "
				    "not where the read-through found it (changed meanwhile?)");
			if (r->guard.on) {
				snprintf(r->err, r->errlen, "the input ends without the "
				    "\\unrestrict matching the \\restrict of line %lu: "
				    "truncated dump?", r->guard.line);
				return RESTORE_EDATA;
			}
			/* An empty pipe is what a failed first stage leaves:
			 * never replace a database with nothing. */
			if (r->in.track.total == 0)
				return data_error(r, 0, "%s", "the input is empty");
			if (r->st->statements == 0)
				return data_error(r, 0, "%s", "the input holds no SQL statement");
			/* with blocks skipped the read-through checked the end */
			if (r->map == NULL &&
			    (why = input_incomplete(&r->in, buf, sizeof(buf))) != NULL)
				return data_error(r, 0, "%s", why);
			if ((why = restoreplan_unmatched(r->plan)) != NULL)
				return data_error(r, 0, "table %s is not in the dump", why);
			if ((why = restoreplan_refusal(r->plan)) != NULL)
				return data_error(r, 0, "%s", why);
			uncopied(r);
			return RESTORE_OK;
		case SQLSPLIT_ERROR:
			sqlexec_copy_abort(&r->copy, "cr-restore: bad input");
			if (r->range_in != NULL && gzrange_errkind(r->range_in) != GZRANGE_ENONE) {
				snprintf(r->err, r->errlen, "%s", gzrange_error(r->range_in));
				return gzrange_errkind(r->range_in) == GZRANGE_EIO ?
				    RESTORE_EIO : RESTORE_EDATA;
			}
			if (sqlsplit_errno(r->split) != 0 && sqlsplit_errno(r->split) != EILSEQ) {
				snprintf(r->err, r->errlen, "%s", sqlsplit_error(r->split));
				return RESTORE_EIO;
			}
			return data_error(r, 0, "%s", sqlsplit_error(r->split));
		case SQLSPLIT_STATEMENT:
			r->line = it.line;
			rc = statement(r, &it);
			break;
		case SQLSPLIT_META:
			rc = meta(r, &it);
			break;
		case SQLSPLIT_COPY_DATA:
			rc = copy_data(r, &it);
			break;
		case SQLSPLIT_COPY_END:
			rc = copy_end(r, &it);
			break;
		case SQLSPLIT_COMMENT:
			outline_comment(r, &it);
			rc = RESTORE_OK;
			break;
		default:
			rc = RESTORE_OK;
			break;
		}
		if (rc == RESTORE_OK && r->par != NULL)
			rc = parallel_collected(r);
		if (rc != RESTORE_OK) {
			sqlexec_copy_abort(&r->copy, "cr-restore: stopped");
			return rc;
		}
		if (r->o->progress != NULL)
			progress(r);
	}
}

static void
run_free(struct run *r)
{
	uint64_t total, peak;

	if (r->par != NULL) {
		parallel_spill(r->par, &total, &peak);
		r->st->spilled = total;
		r->st->spill_peak = peak;
	}
	parallel_free(r->par);	/* cancels what still runs */
	r->par = NULL;
	gzrange_close(r->range_in);	/* after the workers, which use the map */
	r->range_in = NULL;
	gzmap_free(r->map);
	r->map = NULL;
	rowproof_free(r->proof);
	sqlsplit_free(r->split);
	restoreplan_free(r->plan);
}

static enum restore_status
run_init(struct run *r, PGconn *conn, const struct restore_opts *o, const char *dbname,
    sqlsplit_read_fn readfn, void *arg, struct restore_stats *st, char *err, size_t errlen)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	memset(st, 0, sizeof(*st));
	r->conn = conn;
	r->o = o;
	r->dbname = dbname;
	r->st = st;
	r->err = err;
	r->errlen = errlen;
	r->in.fn = readfn;
	r->in.arg = arg;
	r->copy_table = (size_t)-1;
	err[0] = '\0';
	if ((r->proof = rowproof_new(conn)) == NULL ||
	    (r->split = sqlsplit_new(input_read, &r->in)) == NULL) {
		rowproof_free(r->proof);
		snprintf(err, errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	sqlsplit_token_hook(r->split, vocab_token, &r->vocab);
	sqlsplit_want_outline(r->split, 1);
	for (i = 0; i < o->naccept_rows; i++)
		if (rowproof_accept(r->proof, o->accept_rows[i]) == -1) {
			run_free(r);
			snprintf(err, errlen, "out of memory");
			return RESTORE_ENOMEM;
		}
	if (o->ntables > 0 || o->data_only) {
		if ((r->plan = restoreplan_new(o->data_only)) == NULL) {
			run_free(r);
			snprintf(err, errlen, "out of memory");
			return RESTORE_ENOMEM;
		}
		for (i = 0; i < o->ntables; i++)
			if (restoreplan_add(r->plan, o->tables[i], err, errlen) == -1) {
				run_free(r);
				return RESTORE_EUSAGE;
			}
	}
	return RESTORE_OK;
}

static enum restore_status
check_counts(struct run *r)
{
	const char *note;
	size_t i;
	int rc;

	r->st->complete = 1;
	rc = rowproof_check(r->proof, r->o->interrupted, r->err, r->errlen);
	for (i = 0; r->o->proof_note != NULL && (note = rowproof_note(r->proof, i)) != NULL; i++)
		r->o->proof_note(r->o->notice_arg, note);
	switch (rc) {
	case 0:
		return RESTORE_OK;
	case 1:
		return RESTORE_ECOUNT;
	case -2:
		return RESTORE_EINTR;
	default:
		return RESTORE_ESQL;
	}
}

/* The workers for -j: each connection set up as the main one. */
static enum restore_status
start_workers(struct run *r, const struct restore_opts *o)
{
	struct parallel_opts po;
	const char *setup[2];
	char role[320], ident[256];
	size_t n = 0;

	/* As the main connection.  A larger maintenance_work_mem for the
	 * index builds was measured and left out: no gain (docs/benchmarks.md). */
	if (!o->no_tuning)
		setup[n++] = "SET synchronous_commit = off";
	if (o->role != NULL) {
		if (pgexec_ident(r->conn, o->role, ident, sizeof(ident)) == -1) {
			snprintf(r->err, r->errlen, "role name too long or not valid in the "
			    "connection's encoding: %s", o->role);
			return RESTORE_EDATA;
		}
		snprintf(role, sizeof(role), "SET ROLE %s", ident);
		setup[n++] = role;
	}
	memset(&po, 0, sizeof(po));
	po.jobs = o->jobs;
	po.buffer = o->buffer > 0 ? o->buffer : RESTORE_BUFFER;
	po.tmpdir = o->tmpdir;
	po.setup = setup;
	po.nsetup = n;
	po.check_role = o->role != NULL;
	po.notice = o->notice;
	po.notice_arg = o->notice_arg;
	po.map = r->map;
	po.map_fd = r->map != NULL ? o->index->fd : -1;
	if ((r->par = parallel_new(r->conn, &po, r->err, r->errlen)) == NULL)
		return RESTORE_ESQL;
	return RESTORE_OK;
}

/* The database conn is to, made by the login, to its owner (give_to). */
static enum restore_status
give_database(struct run *r, PGconn *conn, const char *owner)
{
	char db[200], role[200], sql[512];

	if (pgexec_ident(conn, PQdb(conn), db, sizeof(db)) == -1 ||
	    pgexec_ident(conn, owner, role, sizeof(role)) == -1) {
		snprintf(r->err, r->errlen, "database or role name too long or not valid in "
		    "the connection's encoding: %s, %s", PQdb(conn), owner);
		return RESTORE_EDATA;
	}
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s OWNER TO %s", db, role);
	return exec_simple(r, sql);
}

enum restore_status
restore_run(PGconn *conn, const struct restore_opts *o, sqlsplit_read_fn readfn,
    void *arg, struct restore_stats *st, char *err, size_t errlen)
{
	struct run r;
	enum restore_status rc;
	PQnoticeReceiver previous;
	char ident[256], sql[320];
	size_t i;

	if ((rc = run_init(&r, conn, o, o->dbname, readfn, arg, st, err, errlen)) != RESTORE_OK)
		return rc;
	r.notices.fn = o->notice;
	r.notices.arg = o->notice_arg;
	r.notices.line = &r.line;
	previous = PQsetNoticeReceiver(conn, sqlexec_notice_receiver, &r.notices);
	/* Commits need not wait for the disk one by one: a restore is done
	 * when it is all done, and then one synchronous commit below makes
	 * everything before it durable (WAL is flushed in order). */
	if (!o->no_tuning)
		rc = exec_simple(&r, "SET synchronous_commit = off");
	/* The splitter reads a script as pg_dump writes one: strings with
	 * standard_conforming_strings on, until the script says otherwise. */
	if (rc == RESTORE_OK && session_check(&r, 0) != RESTORE_OK)
		rc = exec_simple(&r, "SET standard_conforming_strings = on");
	if (rc == RESTORE_OK)
		rc = session_check(&r, 0);
	if (rc == RESTORE_OK)
		rc = path_check(&r, 0, 1);
	if (rc == RESTORE_OK && o->single_transaction)
		rc = exec_simple(&r, "BEGIN");
	for (i = 0; rc == RESTORE_OK && i < o->nextensions; i++) {
		if (pgexec_ident(conn, o->extensions[i], ident, sizeof(ident)) == -1) {
			snprintf(err, errlen, "extension name too long or not valid in the "
			    "connection's encoding: %s", o->extensions[i]);
			rc = RESTORE_EDATA;
			break;
		}
		snprintf(sql, sizeof(sql), "CREATE EXTENSION IF NOT EXISTS %s", ident);
		rc = exec_user_path(&r, sql);
	}
	if (rc == RESTORE_OK && o->give_to != NULL)
		rc = give_database(&r, conn, o->give_to);
	/* After the extensions, which may need the login role's rights:
	 * everything the script creates belongs to the role, and it runs with
	 * the role's privileges only. */
	if (rc == RESTORE_OK && o->role != NULL) {
		if (pgexec_ident(conn, o->role, ident, sizeof(ident)) == -1) {
			snprintf(err, errlen, "role name too long or not valid in the "
			    "connection's encoding: %s", o->role);
			rc = RESTORE_EDATA;
		} else {
			snprintf(sql, sizeof(sql), "SET ROLE %s", ident);
			rc = exec_simple(&r, sql);
			if (rc == RESTORE_OK && PQparameterStatus(conn, "is_superuser") != NULL)
				strlcpy(r.su, PQparameterStatus(conn, "is_superuser"),
				    sizeof(r.su));
		}
	}
	if (rc == RESTORE_OK && o->jobs > 1) {
		random_access(&r, o);
		rc = start_workers(&r, o);
	}
	if (rc == RESTORE_OK)
		rc = run_loop(&r);
	/* The workers' connections go before the last commit below. */
	if (r.par != NULL && rc == RESTORE_OK && o->report != NULL)
		parallel_report(r.par, o->report, o->notice_arg);
	if (r.par != NULL) {
		parallel_spill(r.par, &st->spilled, &st->spill_peak);
		parallel_free(r.par);
		r.par = NULL;
	}
	/* Closing the connection would roll an open transaction back. */
	if (rc == RESTORE_OK && !o->single_transaction &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		rc = data_error(&r, 0, "%s", "the input ends inside a transaction block "
		    "(BEGIN without COMMIT): its statements would be rolled back");
	/* -1: the deferred triggers the script queued fire now, as the role,
	 * not at the COMMIT below, which runs as the login. */
	if (rc == RESTORE_OK && o->role != NULL && o->single_transaction)
		rc = exec_simple(&r, "SET CONSTRAINTS ALL IMMEDIATE");
	if (rc == RESTORE_OK && o->role != NULL && o->single_transaction)
		rc = session_check(&r, 0);
	/* Count as the login role: a policy must not hide rows from it. */
	if (rc == RESTORE_OK && o->role != NULL) {
		r.su[0] = '\0';
		rc = exec_simple(&r, "RESET ROLE");
	}
	if (rc == RESTORE_OK)
		rc = check_counts(&r);
	if (rc == RESTORE_OK && o->single_transaction)
		rc = exec_simple(&r, "COMMIT");
	if (rc == RESTORE_OK)
		rc = exec_simple(&r, "SET synchronous_commit = on");
	if (rc == RESTORE_OK)	/* a transaction with an xid: its commit flushes */
		rc = exec_simple(&r, "SELECT pg_catalog.txid_current()");
	st->bytes = sqlsplit_bytes(r.split) + r.range_skipped;
	st->tables = rowproof_ntables(r.proof);
	run_free(&r);
	PQsetNoticeReceiver(conn, previous, NULL);
	return rc;
}

enum restore_status
restore_scan(sqlsplit_read_fn readfn, void *arg, const struct restore_opts *opts,
    struct restore_stats *st, char *err, size_t errlen)
{
	struct restore_opts o;
	struct run r;
	enum restore_status rc;

	memset(&o, 0, sizeof(o));
	o.tables = opts->tables;
	o.ntables = opts->ntables;
	o.data_only = opts->data_only;
	o.jobs = opts->jobs;
	o.trust_dump = opts->trust_dump;
	o.index = opts->index;
	if ((rc = run_init(&r, NULL, &o, opts->dbname, readfn, arg, st, err, errlen)) != RESTORE_OK)
		return rc;
	if (o.index != NULL) {
		o.index->n = 0;
		o.index->complete = o.index->bad = o.index->open = 0;
	}
	rc = run_loop(&r);
	if (o.index != NULL && rc == RESTORE_OK) {
		o.index->complete = !o.index->bad;
		o.index->total = sqlsplit_bytes(r.split);
	}
	st->bytes = sqlsplit_bytes(r.split);
	st->tables = rowproof_ntables(r.proof);
	run_free(&r);
	return rc;
}

int
restore_exit_code(enum restore_status rc)
{
	switch (rc) {
	case RESTORE_OK:	return 0;
	case RESTORE_EDATA:	return EX_DATAERR;
	case RESTORE_EIO:	return EX_IOERR;
	case RESTORE_ENOMEM:	return EX_OSERR;
	case RESTORE_EUSAGE:	return EX_USAGE;
	case RESTORE_EPERM:	return EX_NOPERM;
	default:		return 1;
	}
}
