/* restore: execute a split SQL script on a connection, refuse psql
 * meta-commands, tally COPY rows and prove them; scratch database and swap
 * for the atomic replace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>
#include <zlib.h>

#include "pgconn.h"
#include "restore.h"

/* pg_dump's first and completion lines: a dump that has the one must end
 * with the other, or it was cut short.  A cr-dump stream (docs/stream-
 * format.md) starts with header lines and must end with its trailer. */
#define PGDUMP_HEAD	"-- PostgreSQL database dump\n"
#define PGDUMP_DONE	"\n-- PostgreSQL database dump complete\n"
#define CRDUMP_HEAD	"-- cr-dump: "
#define CRDUMP_TRAILER	"-- cr-dump trailer: "
#define HEADSIZE	4096
#define TAILSIZE	512

/* The read callback's wrapper: remembers the first and last bytes, and the
 * CRC-32 of everything before the last TAILSIZE bytes. */
struct input {
	sqlsplit_read_fn fn;
	void		*arg;
	char		 head[HEADSIZE];
	size_t		 headlen;
	char		 tail[TAILSIZE];
	size_t		 taillen;
	uint64_t	 total;
	uLong		 crc;		/* of the bytes before the tail */
};

struct table {
	char		*name;		/* as written in the COPY statement */
	uint64_t	 carried;	/* rows in the dump */
	uint64_t	 loaded;	/* rows the server reported */
	int		 csv;		/* rows may span lines: trust 'loaded' */
	unsigned	 copies;	/* COPY blocks that ended */
	unsigned	 counted_at;	/* 'copies' when 'counted' was taken */
	uint64_t	 counted;	/* count(*) taken early, see below */
	int		 queued;
};

/* count(*) of a table costs a scan.  In autocommit mode it is taken on a
 * second connection as soon as the table's COPY has committed, while the
 * restore goes on, instead of in a row at the end.  Such an early count
 * still holds at the end as long as only statements that cannot change
 * rows ran after it (what pg_dump writes after the data: CREATE, ALTER,
 * COMMENT, GRANT, setval, ...); after any other statement all tables are
 * counted again at the end. */
struct counter {
	PGconn		*conn;		/* NULL: count at the end only */
	size_t		*queue;		/* table indexes */
	size_t		 qhead, qlen, qcap;
	size_t		 inflight;	/* table index, or (size_t)-1 */
	unsigned	 inflight_at;
	int		 partitioned;	/* the in-flight query counts the whole tree */
	int		 stale;		/* early counts cannot be trusted */
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

	struct table	*tables;
	size_t		 ntables, tablecap;

	struct sqlsplit_restrict guard;	/* \restrict ... \unrestrict */

	unsigned long	 line;		/* of the item being executed */
	struct counter	 counter;

	int		 in_copy;
	size_t		 copy_table;	/* index, or (size_t)-1 when unnamed */
	int		 copy_csv;
	uint64_t	 copy_rows;
	unsigned long	 copy_line;	/* the COPY statement */
	unsigned long	 copy_data_line; /* its first data line */
	char		 copy_head[96];
};

static void counter_add(struct run *, size_t);
static void counter_stop(struct run *);
static void counter_pump(struct run *, int);
static int changes_no_rows(const char *);

static ssize_t
input_read(void *arg, void *buf, size_t len)
{
	struct input *in = arg;
	const unsigned char *b = buf;
	ssize_t n;
	size_t k, drop, fromtail;

	n = in->fn(in->arg, buf, len);
	if (n <= 0)
		return n;
	in->total += (size_t)n;
	if (in->headlen < sizeof(in->head)) {
		k = sizeof(in->head) - in->headlen;
		if (k > (size_t)n)
			k = n;
		memcpy(in->head + in->headlen, buf, k);
		in->headlen += k;
	}
	/* Bytes pushed out of the tail window go into the CRC, in order. */
	drop = in->taillen + (size_t)n > TAILSIZE ? in->taillen + (size_t)n - TAILSIZE : 0;
	fromtail = drop < in->taillen ? drop : in->taillen;
	in->crc = crc32(in->crc, (const Bytef *)in->tail, (uInt)fromtail);
	memmove(in->tail, in->tail + fromtail, in->taillen - fromtail);
	in->taillen -= fromtail;
	in->crc = crc32(in->crc, b, (uInt)(drop - fromtail));
	b += drop - fromtail;
	memcpy(in->tail + in->taillen, b, (size_t)n - (drop - fromtail));
	in->taillen += (size_t)n - (drop - fromtail);
	return n;
}

static int
contains(const char *hay, size_t haylen, const char *needle)
{
	return memmem(hay, haylen, needle, strlen(needle)) != NULL;
}

/* At the end of the input: is the stream whole, as far as its own markers
 * tell?  Returns NULL or what is wrong. */
static const char *
input_incomplete(const struct input *in, char *buf, size_t len)
{
	unsigned long long bytes;
	unsigned int crc;
	char line[128];
	size_t start;
	uLong sum;

	if (in->headlen >= strlen(CRDUMP_HEAD) &&
	    memcmp(in->head, CRDUMP_HEAD, strlen(CRDUMP_HEAD)) == 0) {
		/* The last line, which must be the trailer. */
		if (in->taillen < 2 || in->tail[in->taillen - 1] != '\n')
			return "the cr-dump trailer is missing: the dump is incomplete";
		for (start = in->taillen - 1; start > 0 && in->tail[start - 1] != '\n'; start--)
			;
		if (start == 0 || in->taillen - start >= sizeof(line) ||
		    in->taillen - start < strlen(CRDUMP_TRAILER) ||
		    memcmp(in->tail + start, CRDUMP_TRAILER, strlen(CRDUMP_TRAILER)) != 0)
			return "the cr-dump trailer is missing: the dump is incomplete";
		memcpy(line, in->tail + start, in->taillen - start);
		line[in->taillen - start] = '\0';
		if (sscanf(line, CRDUMP_TRAILER "bytes=%llu crc32=%8x end", &bytes, &crc) != 2) 
			return "the cr-dump trailer is malformed";
		snprintf(buf, len, CRDUMP_TRAILER "bytes=%llu crc32=%08x end\n", bytes, crc);
		if (strcmp(buf, line) != 0)
			return "the cr-dump trailer is malformed";
		if (bytes != in->total - (in->taillen - start)) {
			snprintf(buf, len, "the cr-dump trailer counts %llu bytes before it, "
			    "the input has %llu: the dump is damaged", bytes,
			    (unsigned long long)(in->total - (in->taillen - start)));
			return buf;
		}
		sum = crc32(in->crc, (const Bytef *)in->tail, (uInt)start);
		if (sum != crc) {
			snprintf(buf, len, "CRC-32 mismatch: the cr-dump trailer says %08x, "
			    "the input has %08lx: the dump is damaged", crc, sum);
			return buf;
		}
	}
	if (contains(in->head, in->headlen, "\n" PGDUMP_HEAD) ||
	    (in->headlen >= strlen(PGDUMP_HEAD) &&
	    memcmp(in->head, PGDUMP_HEAD, strlen(PGDUMP_HEAD)) == 0)) {
		if (!contains(in->tail, in->taillen, PGDUMP_DONE))
			return "the input ends before pg_dump's \"dump complete\" line: "
			    "truncated dump?";
	}
	return NULL;
}

/* The start of a statement on one line, for messages. */
static void
statement_head(const char *s, size_t len, char *out, size_t outlen)
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

static void
server_error(struct run *r, PGresult *res, unsigned long line, const char *what)
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
		    PQresultErrorMessage(res) : PQerrorMessage(r->conn), one, sizeof(one));
		snprintf(msg, sizeof(msg), "%s", one);
	} else
		snprintf(msg, sizeof(msg), "%s: %s%s%s%s%s", sev != NULL ? sev : "ERROR",
		    prim, detail != NULL ? " DETAIL: " : "", detail != NULL ? detail : "",
		    hint != NULL ? " HINT: " : "", hint != NULL ? hint : "");
	pgconn_oneline(msg, one, sizeof(one));
	snprintf(r->err, r->errlen, "line %lu: %s (%s)", line, one, what);
	r->st->line = line;
}

static enum restore_status
sql_error(struct run *r, PGresult *res, const struct sqlsplit_item *it)
{
	char head[96], what[128];

	statement_head(it->text, it->len, head, sizeof(head));
	snprintf(what, sizeof(what), "statement: %s", head);
	server_error(r, res, it->line, what);
	if (r->o != NULL && r->o->interrupted != NULL && *r->o->interrupted) {
		snprintf(r->err, r->errlen, "interrupted at line %lu", it->line);
		return RESTORE_EINTR;
	}
	return RESTORE_ESQL;
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

static void
drain(PGconn *conn)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

/* Leave COPY IN mode after a failure on our side. */
static void
copy_abort(struct run *r, const char *why)
{
	if (r->conn != NULL && r->in_copy) {
		PQputCopyEnd(r->conn, why);
		drain(r->conn);
	}
	r->in_copy = 0;
}

/* The table a COPY statement names, as written ("public.\"a b\""), or NULL.
 * Sets *csv for CSV data and *binary for binary data. */
static char *
copy_target(const char *s, size_t len, int *csv, int *binary)
{
	size_t i = 4, start, j;
	char *name;
	const char *rest;

	*csv = *binary = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	start = i;
	for (;;) {
		if (i < len && s[i] == '"') {
			for (i++; i < len; i++) {
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"')
						i++;
					else
						break;
				}
			}
			if (i == len)
				return NULL;
			i++;
		} else if (i < len && ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' || (unsigned char)s[i] >= 0x80)) {
			for (i++; i < len && ((s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
			    s[i] == '_' || s[i] == '$' || (unsigned char)s[i] >= 0x80); i++)
				;
		} else
			return NULL;
		if (i < len && s[i] == '.') {
			i++;
			continue;
		}
		break;
	}
	if ((name = strndup(s + start, i - start)) == NULL)
		return NULL;
	/* The options after FROM stdin decide the data format. */
	for (j = i, rest = NULL; j + 5 <= len; j++)
		if (strncasecmp(s + j, "stdin", 5) == 0)
			rest = s + j + 5;
	if (rest != NULL) {
		for (; rest + 3 <= s + len; rest++) {
			if (strncasecmp(rest, "csv", 3) == 0)
				*csv = 1;
			if (rest + 6 <= s + len && strncasecmp(rest, "binary", 6) == 0)
				*binary = 1;
		}
	}
	return name;
}

static size_t
table_slot(struct run *r, char *name, int csv)
{
	struct table *t;
	size_t i;

	for (i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].name, name) == 0) {
			free(name);
			r->tables[i].csv |= csv;
			return i;
		}
	if (r->ntables == r->tablecap) {
		size_t cap = r->tablecap ? r->tablecap * 2 : 64;
		if ((t = reallocarray(r->tables, cap, sizeof(*t))) == NULL) {
			free(name);
			return (size_t)-1;
		}
		r->tables = t;
		r->tablecap = cap;
	}
	t = &r->tables[r->ntables];
	t->name = name;
	t->carried = t->loaded = 0;
	t->csv = csv;
	return r->ntables++;
}

static enum restore_status
copy_begin(struct run *r, const struct sqlsplit_item *it)
{
	char *name;
	int binary;

	name = copy_target(it->text, it->len, &r->copy_csv, &binary);
	if (binary) {
		free(name);
		return data_error(r, it->line, "%s", "binary COPY data is not supported");
	}
	r->copy_table = (size_t)-1;
	if (name != NULL && (r->copy_table = table_slot(r, name, r->copy_csv)) == (size_t)-1) {
		snprintf(r->err, r->errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	r->in_copy = 1;
	r->copy_rows = 0;
	r->copy_line = it->line;
	r->copy_data_line = 0;
	statement_head(it->text, it->len, r->copy_head, sizeof(r->copy_head));
	return RESTORE_OK;
}

/* An error the server reported about COPY data: point at the input line. */
static enum restore_status
copy_error(struct run *r, PGresult *res, unsigned long fallback)
{
	const char *ctx = res != NULL ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *p;
	unsigned long line = fallback, n;
	char what[256], one[200];

	if (ctx != NULL && r->copy_data_line > 0 && (p = strstr(ctx, ", line ")) != NULL &&
	    sscanf(p, ", line %lu", &n) == 1 && n > 0)
		line = r->copy_data_line + n - 1;
	if (ctx != NULL) {
		pgconn_oneline(ctx, one, sizeof(one));
		snprintf(what, sizeof(what), "%s", one);
	} else
		snprintf(what, sizeof(what), "statement: %s", r->copy_head);
	server_error(r, res, line, what);
	r->in_copy = 0;
	if (r->o->interrupted != NULL && *r->o->interrupted) {
		snprintf(r->err, r->errlen, "interrupted at line %lu", line);
		return RESTORE_EINTR;
	}
	return RESTORE_ESQL;
}

/* PQputCopyData or PQputCopyEnd failed: usually the server has already
 * rejected the data, and its result says why. */
static enum restore_status
copy_send_failed(struct run *r, unsigned long line)
{
	PGresult *res;
	enum restore_status rc;

	if ((res = PQgetResult(r->conn)) != NULL &&
	    PQresultStatus(res) == PGRES_FATAL_ERROR) {
		rc = copy_error(r, res, line);
		PQclear(res);
		drain(r->conn);
		return rc;
	}
	PQclear(res);
	return copy_error(r, NULL, line);
}

static enum restore_status
copy_data(struct run *r, const struct sqlsplit_item *it)
{
	if (r->copy_data_line == 0)
		r->copy_data_line = it->line;
	r->copy_rows += it->rows;
	if (r->conn != NULL && PQputCopyData(r->conn, it->text, (int)it->len) != 1)
		return copy_send_failed(r, it->line);
	return RESTORE_OK;
}

static enum restore_status
copy_end(struct run *r, const struct sqlsplit_item *it)
{
	struct table *t = r->copy_table != (size_t)-1 ? &r->tables[r->copy_table] : NULL;
	PGresult *res;
	uint64_t loaded = r->copy_rows;
	char msg[512];

	if (r->copy_data_line == 0)
		r->copy_data_line = it->line;
	if (r->conn != NULL) {
		if (PQputCopyEnd(r->conn, NULL) != 1)
			return copy_send_failed(r, it->line);
		res = PQgetResult(r->conn);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			enum restore_status rc = copy_error(r, res, r->copy_line);
			PQclear(res);
			drain(r->conn);
			return rc;
		}
		loaded = strtoull(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		drain(r->conn);
	}
	r->in_copy = 0;
	r->st->rows += r->copy_csv ? loaded : r->copy_rows;
	if (t != NULL) {
		t->carried += r->copy_csv ? loaded : r->copy_rows;
		t->loaded += loaded;
		t->copies++;
	}
	if (!r->copy_csv && loaded != r->copy_rows) {
		snprintf(msg, sizeof(msg), "%s loaded %llu rows but the dump carried %llu "
		    "(a trigger or rule on the table dropped or added rows?)",
		    t != NULL ? t->name : "COPY", (unsigned long long)loaded,
		    (unsigned long long)r->copy_rows);
		snprintf(r->err, r->errlen, "line %lu: row count mismatch: %s",
		    r->copy_line, msg);
		r->st->line = r->copy_line;
		return RESTORE_ECOUNT;
	}
	/* Only a committed COPY can be counted from another session. */
	if (r->conn != NULL && PQtransactionStatus(r->conn) != PQTRANS_IDLE)
		counter_stop(r);
	if (t != NULL)
		counter_add(r, r->copy_table);
	return RESTORE_OK;
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

static enum restore_status
exec_simple(struct run *r, const char *sql)
{
	struct sqlsplit_item it;
	PGresult *res;
	enum restore_status rc = RESTORE_OK;

	res = PQexec(r->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		memset(&it, 0, sizeof(it));
		it.text = sql;
		it.len = strlen(sql);
		rc = sql_error(r, res, &it);
	}
	PQclear(res);
	return rc;
}

static const char *
skip_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (strncasecmp(s, word, n) != 0)
		return NULL;
	return s + n;
}

/* Statements that act beyond the database being restored: another
 * database (a dump made with pg_dump -C/-c drops and creates one by name;
 * with --clean the name is not even the scratch database), or the server's
 * configuration.  pg_dump without -C emits none of them. */
static enum restore_status
refuse_outside(struct run *r, const struct sqlsplit_item *it)
{
	char why[512];

	if (sqlsplit_refused(it, why, sizeof(why)))
		return data_error(r, it->line, "%s", why);
	return RESTORE_OK;
}

/* The splitter follows the script's SETs; the server must have done the
 * same, or the rest would be split otherwise than the server reads it. */
static enum restore_status
session_check(struct run *r, unsigned long line)
{
	char why[384];

	if (sqlsplit_session_check(r->split, PQparameterStatus(r->conn,
	    "standard_conforming_strings"), PQparameterStatus(r->conn, "client_encoding"),
	    why, sizeof(why)) == -1)
		return data_error(r, line, "%s", why);
	return RESTORE_OK;
}

static enum restore_status
statement(struct run *r, const struct sqlsplit_item *it)
{
	PGresult *res;
	enum restore_status rc = RESTORE_OK;
	char head[96];

	if (!it->terminated) {
		statement_head(it->text, it->len, head, sizeof(head));
		return data_error(r, it->line,
		    "the input ends inside a statement without its ';' (truncated?): %s", head);
	}
	if ((rc = refuse_outside(r, it)) != RESTORE_OK)
		return rc;
	r->st->statements++;
	if (it->copy_in && (rc = copy_begin(r, it)) != RESTORE_OK)
		return rc;
	if (r->conn == NULL)
		return RESTORE_OK;
	if (r->ntables > 0 && !r->counter.stale && !it->copy_in && !changes_no_rows(it->text))
		counter_stop(r);
	counter_pump(r, 0);

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
			drain(r->conn);
			statement_head(it->text, it->len, head, sizeof(head));
			rc = data_error(r, it->line,
			    "COPY FROM STDIN in a form cr-restore does not recognise: %s", head);
		}
		break;
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		statement_head(it->text, it->len, head, sizeof(head));
		rc = data_error(r, it->line, "refused COPY TO STDOUT in a restore: %s", head);
		break;
	default:
		r->in_copy = 0;
		rc = sql_error(r, res, it);
		break;
	}
	PQclear(res);
	if (rc != RESTORE_OK)
		return rc;
	return session_check(r, it->line);
}

static void
notice_receiver(void *arg, const PGresult *res)
{
	struct run *r = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (r->o->notice != NULL)
		r->o->notice(r->o->notice_arg, r->line, sev != NULL ? sev : "NOTICE",
		    msg != NULL ? msg : PQresultErrorMessage(res));
}

static enum restore_status
run_loop(struct run *r)
{
	struct sqlsplit_item it;
	enum restore_status rc;
	const char *why;
	char buf[256];

	for (;;) {
		if (r->o != NULL && r->o->interrupted != NULL && *r->o->interrupted) {
			copy_abort(r, "cr-restore: interrupted");
			snprintf(r->err, r->errlen, "interrupted");
			return RESTORE_EINTR;
		}
		it.line = 0;
		switch (sqlsplit_next(r->split, &it)) {
		case SQLSPLIT_END:
			if (r->guard.on) {
				snprintf(r->err, r->errlen, "the input ends without the "
				    "\\unrestrict matching the \\restrict of line %lu: "
				    "truncated dump?", r->guard.line);
				return RESTORE_EDATA;
			}
			/* An empty pipe is what a failed first stage leaves:
			 * never replace a database with nothing. */
			if (r->in.total == 0)
				return data_error(r, 0, "%s", "the input is empty");
			if (r->st->statements == 0)
				return data_error(r, 0, "%s", "the input holds no SQL statement");
			if ((why = input_incomplete(&r->in, buf, sizeof(buf))) != NULL)
				return data_error(r, 0, "%s", why);
			return RESTORE_OK;
		case SQLSPLIT_ERROR:
			copy_abort(r, "cr-restore: bad input");
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
		default:
			rc = RESTORE_OK;
			break;
		}
		if (rc != RESTORE_OK) {
			copy_abort(r, "cr-restore: stopped");
			return rc;
		}
		if (r->o->progress != NULL) {
			r->st->bytes = sqlsplit_bytes(r->split);
			r->st->tables = r->ntables;
			r->o->progress(r->o->progress_arg, r->st);
		}
	}
}

/* A second connection to the same database with the same settings
 * (PQconninfo holds them all, a password typed on the terminal too). */
static PGconn *
counter_connect(PGconn *conn)
{
	PQconninfoOption *opts, *o;
	const char **kw, **val;
	PGconn *c = NULL;
	size_t n = 0;

	if ((opts = PQconninfo(conn)) == NULL)
		return NULL;
	for (o = opts; o->keyword != NULL; o++)
		n++;
	kw = calloc(n + 1, sizeof(*kw));
	val = calloc(n + 1, sizeof(*val));
	if (kw != NULL && val != NULL) {
		n = 0;
		for (o = opts; o->keyword != NULL; o++)
			if (o->val != NULL && *o->val != '\0') {
				kw[n] = o->keyword;
				val[n++] = o->val;
			}
		c = PQconnectdbParams(kw, val, 0);
		if (PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
		} else {
			/* As pg_dump's session: policies must not filter a
			 * count; where they would apply the count fails and
			 * the table is counted at the end instead. */
			PGresult *res = PQexec(c, "SET row_security = off");
			PQclear(res);
		}
	}
	free(kw);
	free(val);
	PQconninfoFree(opts);
	return c;
}

static void
counter_stop(struct run *r)
{
	struct counter *k = &r->counter;

	if (k->conn != NULL)
		PQfinish(k->conn);	/* a query still running is cancelled with it */
	k->conn = NULL;
	k->stale = 1;
}

static int
counter_send(struct run *r, size_t i, int partitioned)
{
	struct counter *k = &r->counter;
	char *sql;
	int ok;

	/* With --load-via-partition-root the rows go through the partitioned
	 * parent: count the whole tree there.  Anywhere else ONLY, since
	 * children have COPY blocks of their own. */
	if (partitioned)
		ok = asprintf(&sql, "SELECT 'p', count(*) FROM %s", r->tables[i].name);
	else
		ok = asprintf(&sql, "SELECT c.relkind, (SELECT count(*) FROM ONLY %s) "
		    "FROM pg_catalog.pg_class c WHERE c.oid = '%s'::pg_catalog.regclass",
		    r->tables[i].name, r->tables[i].name);
	if (ok == -1)
		return -1;
	/* The name is a (quoted) identifier chain from copy_target; inside
	 * the regclass literal only a ' could break out, and none can be in
	 * it unquoted: refuse names with one. */
	ok = strchr(r->tables[i].name, '\'') == NULL && PQsendQuery(k->conn, sql) == 1;
	free(sql);
	if (!ok)
		return -1;
	k->inflight = i;
	k->inflight_at = r->tables[i].copies;
	k->partitioned = partitioned;
	return 0;
}

/* Take the in-flight result (waiting for it when block), send the next
 * count.  Any failure just makes the early counts stale. */
static void
counter_pump(struct run *r, int block)
{
	struct counter *k = &r->counter;
	struct table *t;
	PGresult *res;
	size_t i;
	int resend = 0;

	if (k->conn == NULL)
		return;
	if (k->inflight != (size_t)-1) {
		if (!block && (PQconsumeInput(k->conn) == 0 || PQisBusy(k->conn))) {
			if (PQstatus(k->conn) == CONNECTION_BAD)
				counter_stop(r);
			return;
		}
		t = &r->tables[k->inflight];
		res = PQgetResult(k->conn);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			PQclear(res);
			counter_stop(r);
			return;
		}
		if (PQgetvalue(res, 0, 0)[0] == 'p' && !k->partitioned)
			resend = 1;
		else if (k->inflight_at >= t->counted_at) {
			t->counted = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
			t->counted_at = k->inflight_at;
		}
		PQclear(res);
		while ((res = PQgetResult(k->conn)) != NULL)
			PQclear(res);
		i = k->inflight;
		k->inflight = (size_t)-1;
		if (resend && counter_send(r, i, 1) == -1) {
			counter_stop(r);
			return;
		}
		if (resend)
			return;
	}
	while (k->inflight == (size_t)-1 && k->qlen > 0) {
		i = k->queue[k->qhead];
		k->qhead = (k->qhead + 1) % k->qcap;
		k->qlen--;
		r->tables[i].queued = 0;
		if (counter_send(r, i, 0) == -1) {
			counter_stop(r);
			return;
		}
		if (block)
			counter_pump(r, 1);
	}
}

/* A table's COPY has committed: count it early. */
static void
counter_add(struct run *r, size_t i)
{
	struct counter *k = &r->counter;
	size_t *q, j;

	if (k->conn == NULL || k->stale || r->tables[i].queued)
		return;
	if (k->qlen == k->qcap) {
		size_t cap = k->qcap ? k->qcap * 2 : 64;
		if ((q = reallocarray(NULL, cap, sizeof(*q))) == NULL) {
			counter_stop(r);
			return;
		}
		for (j = 0; j < k->qlen; j++)
			q[j] = k->queue[(k->qhead + j) % k->qcap];
		free(k->queue);
		k->queue = q;
		k->qhead = 0;
		k->qcap = cap;
	}
	k->queue[(k->qhead + k->qlen++) % k->qcap] = i;
	r->tables[i].queued = 1;
	counter_pump(r, 0);
}

/* Can this statement, run after some tables were counted, change rows? */
static int
changes_no_rows(const char *s)
{
	static const char *const safe[] = {
		"create", "alter", "comment", "grant", "revoke", "set", "reset",
		"security", "refresh",
	};
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if ((p = skip_word(s, safe[i])) != NULL && (*p == ' ' || *p == '\t' ||
		    *p == '\n' || *p == '\r' || *p == ';'))
			return 1;
	/* pg_dump's SELECT pg_catalog.setval(...), set_config(...) */
	return (p = skip_word(s, "select")) != NULL && skip_word(p, "pg_catalog.") != NULL;
}

/* count(*) of every COPY target against the rows the dump carried. */
static enum restore_status
check_counts(struct run *r)
{
	struct table *t;
	PGresult *res;
	const char *param[1];
	char *sql;
	size_t i;
	int partitioned;
	uint64_t counted;
	struct sqlsplit_item it;

	/* The early counts still running; never wait on them while this
	 * session holds a transaction open, whose locks they may wait for. */
	if (PQtransactionStatus(r->conn) != PQTRANS_IDLE)
		counter_stop(r);
	counter_pump(r, 1);
	for (i = 0; i < r->ntables; i++) {
		if (r->o->interrupted != NULL && *r->o->interrupted) {
			snprintf(r->err, r->errlen, "interrupted");
			return RESTORE_EINTR;
		}
		t = &r->tables[i];
		if (!r->counter.stale && t->copies > 0 && t->counted_at == t->copies) {
			counted = t->counted;
			goto compare;
		}
		memset(&it, 0, sizeof(it));
		it.text = t->name;
		it.len = strlen(t->name);
		param[0] = t->name;
		/* With --load-via-partition-root the rows go through the
		 * partitioned parent: count the whole tree there.  Anywhere
		 * else ONLY, since children have COPY blocks of their own. */
		res = PQexecParams(r->conn, "SELECT relkind FROM pg_catalog.pg_class "
		    "WHERE oid = $1::pg_catalog.regclass", 1, NULL, param, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			enum restore_status rc = sql_error(r, res, &it);
			PQclear(res);
			return rc;
		}
		partitioned = PQgetvalue(res, 0, 0)[0] == 'p';
		PQclear(res);
		if (asprintf(&sql, "SELECT count(*) FROM %s%s", partitioned ? "" : "ONLY ",
		    t->name) == -1) {
			snprintf(r->err, r->errlen, "out of memory");
			return RESTORE_ENOMEM;
		}
		res = PQexec(r->conn, sql);
		free(sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			enum restore_status rc = sql_error(r, res, &it);
			PQclear(res);
			return rc;
		}
		counted = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
compare:
		if (counted != t->carried) {
			snprintf(r->err, r->errlen, "row count mismatch: %s has %llu rows "
			    "after the restore but the dump carried %llu", t->name,
			    (unsigned long long)counted, (unsigned long long)t->carried);
			return RESTORE_ECOUNT;
		}
	}
	return RESTORE_OK;
}

static void
run_free(struct run *r)
{
	size_t i;

	if (r->counter.conn != NULL)
		PQfinish(r->counter.conn);
	free(r->counter.queue);
	for (i = 0; i < r->ntables; i++)
		free(r->tables[i].name);
	free(r->tables);
	sqlsplit_free(r->split);
}

static enum restore_status
run_init(struct run *r, PGconn *conn, const struct restore_opts *o, const char *dbname,
    sqlsplit_read_fn readfn, void *arg, struct restore_stats *st, char *err, size_t errlen)
{
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
	r->counter.inflight = (size_t)-1;
	r->counter.stale = conn == NULL;
	err[0] = '\0';
	if ((r->split = sqlsplit_new(input_read, &r->in)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	return RESTORE_OK;
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
	previous = PQsetNoticeReceiver(conn, notice_receiver, &r);
	/* Commits need not wait for the disk one by one: a restore is done
	 * when it is all done, and then one synchronous commit below makes
	 * everything before it durable (WAL is flushed in order). */
	rc = exec_simple(&r, "SET synchronous_commit = off");
	/* The splitter reads a script as pg_dump writes one: strings with
	 * standard_conforming_strings on, until the script says otherwise. */
	if (rc == RESTORE_OK && session_check(&r, 0) != RESTORE_OK)
		rc = exec_simple(&r, "SET standard_conforming_strings = on");
	if (rc == RESTORE_OK)
		rc = session_check(&r, 0);
	if (rc == RESTORE_OK && o->single_transaction)
		rc = exec_simple(&r, "BEGIN");
	/* Early counts need the COPYs committed: not with -1. */
	if (!o->single_transaction && (r.counter.conn = counter_connect(conn)) == NULL)
		r.counter.stale = 1;
	else if (o->single_transaction)
		r.counter.stale = 1;
	for (i = 0; rc == RESTORE_OK && i < o->nextensions; i++) {
		if (pgconn_quote_ident(o->extensions[i], ident, sizeof(ident)) == -1) {
			snprintf(err, errlen, "extension name too long: %s", o->extensions[i]);
			rc = RESTORE_EDATA;
			break;
		}
		snprintf(sql, sizeof(sql), "CREATE EXTENSION IF NOT EXISTS %s", ident);
		rc = exec_simple(&r, sql);
	}
	if (rc == RESTORE_OK)
		rc = run_loop(&r);
	/* Closing the connection would roll an open transaction back. */
	if (rc == RESTORE_OK && !o->single_transaction &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		rc = data_error(&r, 0, "%s", "the input ends inside a transaction block "
		    "(BEGIN without COMMIT): its statements would be rolled back");
	if (rc == RESTORE_OK)
		rc = check_counts(&r);
	if (rc == RESTORE_OK && o->single_transaction)
		rc = exec_simple(&r, "COMMIT");
	if (rc == RESTORE_OK)
		rc = exec_simple(&r, "SET synchronous_commit = on");
	if (rc == RESTORE_OK)	/* a transaction with an xid: its commit flushes */
		rc = exec_simple(&r, "SELECT pg_catalog.txid_current()");
	st->bytes = sqlsplit_bytes(r.split);
	st->tables = r.ntables;
	run_free(&r);
	PQsetNoticeReceiver(conn, previous, NULL);
	return rc;
}

enum restore_status
restore_scan(sqlsplit_read_fn readfn, void *arg, const char *dbname,
    struct restore_stats *st, char *err, size_t errlen)
{
	struct restore_opts o;
	struct run r;
	enum restore_status rc;

	memset(&o, 0, sizeof(o));
	if ((rc = run_init(&r, NULL, &o, dbname, readfn, arg, st, err, errlen)) != RESTORE_OK)
		return rc;
	rc = run_loop(&r);
	st->bytes = sqlsplit_bytes(r.split);
	st->tables = r.ntables;
	run_free(&r);
	return rc;
}

/* Server-side steps of the atomic replace. */

void
restore_scratch_name(const char *target, long pid, char *out, size_t outlen)
{
	char suffix[40];
	size_t len, max;

	snprintf(suffix, sizeof(suffix), "_cr_restore_%ld", pid);
	max = 63 - strlen(suffix);	/* NAMEDATALEN - 1 */
	len = strlen(target);
	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)target[len] & 0xC0) == 0x80)
			len--;
	}
	snprintf(out, outlen, "%.*s%s", (int)len, target, suffix);
}

static PGresult *
query1(PGconn *conn, const char *sql, const char *arg)
{
	const char *param[1] = { arg };

	return PQexecParams(conn, sql, arg != NULL ? 1 : 0, NULL, param, NULL, NULL, 0);
}

static void
conn_error(PGconn *conn, PGresult *res, const char *what, char *err, size_t errlen)
{
	char one[512];

	pgconn_oneline(res != NULL && *PQresultErrorMessage(res) != '\0' ?
	    PQresultErrorMessage(res) : PQerrorMessage(conn), one, sizeof(one));
	snprintf(err, errlen, "%s: %s", what, one);
}

/* Run one command; on failure describe it as 'what'. */
static int
command(PGconn *conn, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		conn_error(conn, res, what, err, errlen);
	PQclear(res);
	return ok ? 0 : -1;
}

int
restore_db_exists(PGconn *maint, const char *name, char *err, size_t errlen)
{
	PGresult *res;
	int n;

	res = query1(maint, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", name);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		conn_error(maint, res, "looking up the database", err, errlen);
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	PQclear(res);
	return n > 0;
}

int
restore_scratch_leftover(PGconn *maint, const char *target, char *out, size_t outlen)
{
	PGresult *res;
	const char *param[2];
	char prefix[128], lenbuf[16];
	size_t plen;
	int i, n = 0;
	const char *d;

	restore_scratch_name(target, 0, prefix, sizeof(prefix));
	plen = strlen(prefix) - 1;	/* without the "0" */
	prefix[plen] = '\0';
	snprintf(lenbuf, sizeof(lenbuf), "%zu", plen);
	param[0] = prefix;
	param[1] = lenbuf;
	res = PQexecParams(maint, "SELECT datname FROM pg_catalog.pg_database "
	    "WHERE left(datname, $2::int) = $1 ORDER BY 1", 2, NULL, param, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return -1;
	}
	for (i = 0; i < PQntuples(res); i++) {
		d = PQgetvalue(res, i, 0) + plen;
		if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
			continue;
		if (n++ == 0)
			strlcpy(out, PQgetvalue(res, i, 0), outlen);
	}
	PQclear(res);
	return n;
}

static char *
literal(PGconn *conn, const char *s)
{
	return PQescapeLiteral(conn, s, strlen(s));
}

enum restore_status
restore_scratch_create(PGconn *maint, const char *scratch, const char *target,
    int keep_owner, char *err, size_t errlen)
{
	PGresult *res;
	char *q = NULL, *enc = NULL, *coll = NULL, *ctype = NULL, *owner = NULL,
	    *loc = NULL, *sql = NULL;
	const char *provider = "c", *locsql;
	int v = PQserverVersion(maint), ok = 0, r;

	if (v >= 170000)
		locsql = "d.datlocprovider, d.datlocale";
	else if (v >= 150000)
		locsql = "d.datlocprovider, d.daticulocale";
	else
		locsql = "'c'::\"char\", NULL::text";
	if ((q = PQescapeIdentifier(maint, scratch, strlen(scratch))) == NULL)
		goto fail;
	if (asprintf(&sql, "SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, "
	    "d.datctype, CASE WHEN d.datdba = (SELECT oid FROM pg_catalog.pg_roles "
	    "WHERE rolname = current_user) THEN NULL ELSE pg_catalog.pg_get_userbyid(d.datdba) END, "
	    "%s FROM pg_catalog.pg_database d WHERE d.datname = $1", locsql) == -1) {
		sql = NULL;
		goto fail;
	}
	res = query1(maint, sql, target);
	free(sql);
	sql = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		conn_error(maint, res, "reading the target's settings", err, errlen);
		PQclear(res);
		goto out;
	}
	if (PQntuples(res) == 1) {
		enc = literal(maint, PQgetvalue(res, 0, 0));
		coll = literal(maint, PQgetvalue(res, 0, 1));
		ctype = literal(maint, PQgetvalue(res, 0, 2));
		if (keep_owner && !PQgetisnull(res, 0, 3))
			owner = PQescapeIdentifier(maint, PQgetvalue(res, 0, 3),
			    strlen(PQgetvalue(res, 0, 3)));
		provider = PQgetvalue(res, 0, 4)[0] == 'i' ? "icu" :
		    PQgetvalue(res, 0, 4)[0] == 'b' ? "builtin" : "c";
		if (!PQgetisnull(res, 0, 5))
			loc = literal(maint, PQgetvalue(res, 0, 5));
		provider = strcmp(provider, "c") == 0 ? NULL : provider;
		if (provider != NULL)
			provider = strcmp(provider, "icu") == 0 ? "icu" : "builtin";
		r = asprintf(&sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING %s "
		    "LC_COLLATE %s LC_CTYPE %s%s%s%s%s%s%s", q, enc, coll, ctype,
		    provider != NULL ? " LOCALE_PROVIDER " : "", provider != NULL ? provider : "",
		    provider != NULL && loc != NULL ?
		    (strcmp(provider, "icu") == 0 ? " ICU_LOCALE " : " BUILTIN_LOCALE ") : "",
		    provider != NULL && loc != NULL ? loc : "",
		    owner != NULL ? " OWNER " : "", owner != NULL ? owner : "");
	} else
		r = asprintf(&sql, "CREATE DATABASE %s TEMPLATE template0", q);
	PQclear(res);
	if (r == -1) {
		sql = NULL;
		goto fail;
	}
	if (command(maint, sql, "creating the scratch database", err, errlen) == 0)
		ok = 1;
	goto out;
fail:
	snprintf(err, errlen, "out of memory");
out:
	PQfreemem(q);
	PQfreemem(enc);
	PQfreemem(coll);
	PQfreemem(ctype);
	PQfreemem(owner);
	PQfreemem(loc);
	free(sql);
	return ok ? RESTORE_OK : RESTORE_ESQL;
}

enum restore_status
restore_scratch_drop(PGconn *maint, const char *scratch, char *err, size_t errlen)
{
	char *q, *sql;
	int r;

	if ((q = PQescapeIdentifier(maint, scratch, strlen(scratch))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	r = asprintf(&sql, "DROP DATABASE IF EXISTS %s%s", q,
	    PQserverVersion(maint) >= 130000 ? " WITH (FORCE)" : "");
	PQfreemem(q);
	if (r == -1) {
		snprintf(err, errlen, "out of memory");
		return RESTORE_ENOMEM;
	}
	r = command(maint, sql, "dropping the scratch database", err, errlen);
	free(sql);
	return r == 0 ? RESTORE_OK : RESTORE_ESQL;
}

enum restore_status
restore_swap(PGconn *maint, const char *scratch, const char *target, int *ended,
    char *err, size_t errlen)
{
	PGresult *res;
	char *qs = NULL, *qt = NULL, *sql = NULL, what[128];
	int allowconn, force = PQserverVersion(maint) >= 130000;
	enum restore_status rc = RESTORE_ESQL;

	*ended = 0;
	qs = PQescapeIdentifier(maint, scratch, strlen(scratch));
	qt = PQescapeIdentifier(maint, target, strlen(target));
	if (qs == NULL || qt == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = RESTORE_ENOMEM;
		goto out;
	}
	res = query1(maint, "SELECT datallowconn FROM pg_catalog.pg_database "
	    "WHERE datname = $1", target);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		conn_error(maint, res, "looking up the target", err, errlen);
		PQclear(res);
		goto out;
	}
	if (PQntuples(res) == 1) {
		allowconn = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);

		/* No new sessions (an app's pool reconnects at once), then end
		 * the ones there are, then drop. */
		if (asprintf(&sql, "ALTER DATABASE %s ALLOW_CONNECTIONS false", qt) == -1)
			goto nomem;
		if (command(maint, sql, "blocking new connections to the target",
		    err, errlen) == -1)
			goto out;
		free(sql);
		sql = NULL;
		res = query1(maint, "SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid)) "
		    "FROM pg_catalog.pg_stat_activity WHERE datname = $1 "
		    "AND pid <> pg_catalog.pg_backend_pid()", target);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			*ended = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (asprintf(&sql, "DROP DATABASE %s%s", qt, force ? " WITH (FORCE)" : "") == -1)
			goto nomem;
		snprintf(what, sizeof(what), "dropping the old database (it is left as it was)");
		if (command(maint, sql, what, err, errlen) == -1) {
			free(sql);
			sql = NULL;
			if (allowconn && asprintf(&sql, "ALTER DATABASE %s ALLOW_CONNECTIONS true",
			    qt) != -1) {
				char ignored[256];

				command(maint, sql, "", ignored, sizeof(ignored));
			}
			goto out;
		}
		free(sql);
		sql = NULL;
	} else
		PQclear(res);
	if (asprintf(&sql, "ALTER DATABASE %s RENAME TO %s", qs, qt) == -1)
		goto nomem;
	snprintf(what, sizeof(what), "the old database is dropped but renaming %s failed "
	    "(the restored data is in %s)", scratch, scratch);
	if (command(maint, sql, what, err, errlen) == -1)
		goto out;
	rc = RESTORE_OK;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	rc = RESTORE_ENOMEM;
out:
	free(sql);
	PQfreemem(qs);
	PQfreemem(qt);
	return rc;
}
