/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpscan: the streaming completeness check behind cr-verify.  The SQL
 * goes through the splitter cr-restore uses (lib/sql/sqlsplit.c), so both read
 * a dump with the same token rules: COPY statements, psql meta-commands and
 * pg_dump's marker comments are recognised where the server and psql would
 * see them, and COPY data is only searched for its rows and \. line. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "format/dumpfmt.h"
#include "sql/dumpscan.h"
#include "sql/schemasum.h"
#include "sql/sqlsplit.h"

struct dumpscan {
	struct dumpscan_info	 info;
	struct dumpscan_table	*tables;
	size_t			 ntables, captables;

	int			 failed;
	char			 err[512];
	uint64_t		 err_off;

	uint64_t		 off;		/* bytes fed */
	unsigned char		 magic[5];

	/* The schema sum fed the same bytes, told where COPY data lies; the
	 * piece being fed. */
	struct schemasum	*sum;
	uint64_t		 sum_fed;
	const char		*piece;
	uint64_t		 piece_off;
	size_t			 piece_len;

	/* The splitter, in push mode. */
	struct sqlsplit		*split;
	int			 eof;
	int			 split_failed;	/* at the end: why in split_err */
	char			 split_err[256];
	uint64_t		 split_err_off;

	/* What the markers said. */
	int			 saw_header;
	uint64_t		 complete_off;
	char			 restrict_key[128];
	int			 restricted, unrestricted;
	int			 trailer_line_seen;
	uint64_t		 trailer_line_off;

	/* COPY data. */
	int			 in_copy;
	char			*copy_name;
	size_t			 copy_ncols;	/* columns named, 0 when unknown */
	uint64_t		 copy_off, copy_rows;

	/* CRC-32 of everything before the last line, which is held back in
	 * case it is the trailer. */
	uint32_t		 crc;
	uint64_t		 crc_len;
	char			 held[DUMPFMT_TRAILER_MAX];
	size_t			 heldlen;
	int			 held_long, last_nl;
};

static void
fail(struct dumpscan *s, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = 1;
	s->err_off = off;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

struct dumpscan *
dumpscan_new(void)
{
	struct dumpscan *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->split = sqlsplit_new(NULL, NULL)) == NULL) {
		free(s);
		return NULL;
	}
	sqlsplit_want_outline(s->split, 1);
	return s;
}

void
dumpscan_free(struct dumpscan *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ntables; i++)
		free(s->tables[i].name);
	free(s->tables);
	free(s->copy_name);
	sqlsplit_free(s->split);
	free(s);
}

const char *
dumpscan_error(const struct dumpscan *s)
{
	return s->failed ? s->err : NULL;
}

uint64_t
dumpscan_error_offset(const struct dumpscan *s)
{
	return s->err_off;
}

const struct dumpscan_info *
dumpscan_info(const struct dumpscan *s)
{
	return &s->info;
}

void
dumpscan_schemasum(struct dumpscan *s, struct schemasum *sum)
{
	s->sum = sum;
}

/* The schema sum fed the piece's bytes before input offset at. */
static void
sum_upto(struct dumpscan *s, uint64_t at)
{
	uint64_t end = s->piece_off + s->piece_len;

	if (s->sum == NULL)
		return;
	if (at > end)
		at = end;
	if (at > s->sum_fed) {
		schemasum_feed(s->sum, s->piece + (s->sum_fed - s->piece_off),
		    (size_t)(at - s->sum_fed));
		s->sum_fed = at;
	}
}

/* --- the trailer checksum ------------------------------------------------ */

static void
crc_add(struct dumpscan *s, const void *p, size_t n)
{
	s->crc = dumpfmt_crc(s->crc, p, n);
	s->crc_len += n;
}

static void
hold(struct dumpscan *s, const char *p, size_t n)
{
	if (s->held_long || s->heldlen + n > sizeof(s->held)) {
		/* Too long to be the trailer: it is covered. */
		crc_add(s, s->held, s->heldlen);
		crc_add(s, p, n);
		s->heldlen = 0;
		s->held_long = 1;
		return;
	}
	memcpy(s->held + s->heldlen, p, n);
	s->heldlen += n;
}

static void
checksum_feed(struct dumpscan *s, const char *buf, size_t n)
{
	const char *nl;

	/* The last line starts after the last newline that is not the
	 * final byte: everything before that is covered for certain. */
	nl = n > 1 ? memrchr(buf, '\n', n - 1) : NULL;
	if (nl != NULL || s->last_nl) {
		crc_add(s, s->held, s->heldlen);
		s->heldlen = 0;
		s->held_long = 0;
	}
	if (nl != NULL) {
		crc_add(s, buf, (size_t)(nl + 1 - buf));
		hold(s, nl + 1, (size_t)(buf + n - (nl + 1)));
	} else
		hold(s, buf, n);
	s->last_nl = buf[n - 1] == '\n';
}

/* --- statements ---------------------------------------------------------- */

static void
stmt_begin(struct dumpscan *s, uint64_t off)
{
	if (!s->saw_header) {
		if (memcmp(s->magic, "PGDMP", 5) == 0)
			fail(s, 0, "a pg_dump custom-format archive, not a plain SQL dump");
		else
			fail(s, off, "not a plain pg_dump dump: SQL before the "
			    "\"-- PostgreSQL database dump\" header");
	} else if (s->info.complete)
		fail(s, off, "SQL after pg_dump's completion line");
}

/* --- lines ---------------------------------------------------------------- */

static int
starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

static void
copy_value(char *dst, size_t dstlen, const char *src, size_t len)
{
	if (dst[0] != '\0')
		return;		/* the first one counts */
	if (len >= dstlen)
		len = dstlen - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void
header_line(struct dumpscan *s, const char *line, size_t len, uint64_t off)
{
	char key[32], value[512];
	struct dumpscan_info *in = &s->info;
	long format;

	if (!dumpfmt_header_parse(line, len, key, sizeof(key), value, sizeof(value)))
		return;
	in->cr_header = 1;
	if (strcmp(key, "format") == 0) {
		format = strtol(value, NULL, 10);
		if (format > DUMPFMT_FORMAT)
			fail(s, off, "made by a newer cr-dump (stream format %ld); "
			    "this cr-verify knows format %d", format, DUMPFMT_FORMAT);
	} else if (strcmp(key, "version") == 0)
		copy_value(in->cr_version, sizeof(in->cr_version), value, strlen(value));
	else if (strcmp(key, "database") == 0)
		copy_value(in->database, sizeof(in->database), value, strlen(value));
	else if (strcmp(key, "user") == 0)
		copy_value(in->user, sizeof(in->user), value, strlen(value));
	else if (strcmp(key, "started") == 0)
		copy_value(in->started, sizeof(in->started), value, strlen(value));
	else if (strcmp(key, "contents") == 0)
		copy_value(in->contents, sizeof(in->contents), value, strlen(value));
	else if (strcmp(key, "options") == 0)
		copy_value(in->options, sizeof(in->options), value, strlen(value));
}

static void
comment_line(struct dumpscan *s, const char *line, size_t len, uint64_t off)
{
	static const char from[] = "-- Dumped from database version ";
	static const char by[] = "-- Dumped by pg_dump version ";

	if (len == 27 && memcmp(line, "-- PostgreSQL database dump", 27) == 0)
		s->saw_header = 1;
	else if (len == 36 && memcmp(line, "-- PostgreSQL database dump complete", 36) == 0) {
		if (s->saw_header && !s->info.complete) {
			s->info.complete = 1;
			s->complete_off = off;
		}
	} else if (starts(line, len, from))
		copy_value(s->info.server_version, sizeof(s->info.server_version),
		    line + sizeof(from) - 1, len - (sizeof(from) - 1));
	else if (starts(line, len, by))
		copy_value(s->info.pg_dump_version, sizeof(s->info.pg_dump_version),
		    line + sizeof(by) - 1, len - (sizeof(by) - 1));
	else if (starts(line, len, DUMPFMT_TRAILER_PREFIX)) {
		if (!s->trailer_line_seen) {
			s->trailer_line_seen = 1;
			s->trailer_line_off = off;
		}
	} else if (!s->saw_header && starts(line, len, DUMPFMT_HEADER_PREFIX))
		header_line(s, line, len, off);
}

static void
meta_line(struct dumpscan *s, const char *line, size_t len, uint64_t off)
{
	const char *key;
	size_t keylen;

	if (!s->saw_header) {
		fail(s, off, "not a plain pg_dump dump: a psql command before the "
		    "\"-- PostgreSQL database dump\" header");
		return;
	}
	if (starts(line, len, "\\restrict ")) {
		key = line + 10;
		keylen = len - 10;
		if (s->restricted || keylen >= sizeof(s->restrict_key)) {
			fail(s, off, "unexpected \\restrict line");
			return;
		}
		memcpy(s->restrict_key, key, keylen);
		s->restrict_key[keylen] = '\0';
		s->restricted = 1;
	} else if (starts(line, len, "\\unrestrict ")) {
		key = line + 12;
		keylen = len - 12;
		if (!s->restricted || s->unrestricted || keylen != strlen(s->restrict_key) ||
		    memcmp(key, s->restrict_key, keylen) != 0) {
			fail(s, off, "\\unrestrict line does not match the \\restrict line");
			return;
		}
		s->unrestricted = 1;
	} else if (s->info.complete)
		fail(s, off, "a psql command after pg_dump's completion line");
}

static void
add_table(struct dumpscan *s)
{
	struct dumpscan_table *grown;
	size_t cap;

	s->info.ntables++;
	s->info.rows += s->copy_rows;
	if (s->ntables == DUMPSCAN_MAX_TABLES)
		return;		/* counted, not listed */
	if (s->ntables == s->captables) {
		cap = s->captables ? s->captables * 2 : 64;
		if ((grown = reallocarray(s->tables, cap, sizeof(*grown))) == NULL) {
			fail(s, s->copy_off, "out of memory");
			return;
		}
		s->tables = grown;
		s->captables = cap;
	}
	s->tables[s->ntables].name = s->copy_name;
	s->tables[s->ntables].rows = s->copy_rows;
	s->copy_name = NULL;
	s->ntables++;
	s->info.tables = s->tables;
	s->info.nlisted = s->ntables;
}

/* The splitter's items until it wants more input. */
static void
split_items(struct dumpscan *s)
{
	struct sqlsplit_item it;
	struct sqlsplit_copy copy;

	while (!s->failed) {
		switch (sqlsplit_next(s->split, &it)) {
		case SQLSPLIT_AGAIN:
		case SQLSPLIT_END:
			return;
		case SQLSPLIT_ERROR:
			if (s->in_copy && it.rows > 0 && sqlsplit_errno(s->split) == 0)
				fail(s, it.offset, "row %" PRIu64 " of the COPY data of %s has %zu "
				    "fields, the COPY names %zu columns", it.rows,
				    s->copy_name ? s->copy_name : "?", it.len, s->copy_ncols);
			else if (!s->eof)
				fail(s, it.offset, "%s", sqlsplit_error(s->split));
			else {
				/* The end of the input: said in dumpscan_finish. */
				s->split_failed = 1;
				s->split_err_off = it.offset;
				strlcpy(s->split_err, sqlsplit_error(s->split),
				    sizeof(s->split_err));
			}
			return;
		case SQLSPLIT_STATEMENT_START:
			stmt_begin(s, it.offset);
			break;
		case SQLSPLIT_STATEMENT:
			if (!it.copy_in)
				break;
			free(s->copy_name);
			s->copy_name = NULL;
			s->copy_ncols = 0;
			/* Its rows have as many fields as it names columns. */
			if (sqlsplit_copy_target(&it, &copy) == 0) {
				s->copy_name = strndup(it.text + copy.name_off, copy.name_len);
				s->copy_ncols = copy.columns;
			}
			sqlsplit_copy_fields(s->split, s->copy_ncols);
			s->in_copy = 1;
			s->copy_off = it.offset + it.len + 1;
			/* its data starts on the line after its ';' */
			sum_upto(s, it.offset + it.len - 1);
			if (s->sum != NULL)
				schemasum_copy_begin(s->sum, it.offset + it.len - 1);
			s->copy_rows = 0;
			break;
		case SQLSPLIT_COPY_DATA:
			s->copy_rows += it.rows;
			break;
		case SQLSPLIT_COPY_END:
			sum_upto(s, it.offset);
			if (s->sum != NULL)
				schemasum_copy_end(s->sum, it.offset);
			add_table(s);
			s->in_copy = 0;
			break;
		case SQLSPLIT_META:
			meta_line(s, it.text, it.len, it.offset);
			break;
		case SQLSPLIT_COMMENT:
			comment_line(s, it.text, it.len, it.offset);
			break;
		}
	}
}

int
dumpscan_feed(struct dumpscan *s, const void *buf, size_t len)
{
	size_t i;

	if (s->failed)
		return -1;
	if (len == 0)
		return 0;
	for (i = 0; s->off + i < sizeof(s->magic) && i < len; i++)
		s->magic[s->off + i] = ((const unsigned char *)buf)[i];
	checksum_feed(s, buf, len);
	s->piece = buf;
	s->piece_off = s->off;
	s->piece_len = len;
	sqlsplit_push(s->split, buf, len);
	split_items(s);
	s->off += len;
	sum_upto(s, s->off);
	return s->failed ? -1 : 0;
}

/* Why the SQL does not end like a complete pg_dump, or NULL. */
static const char *
sql_problem(struct dumpscan *s, char *buf, size_t len, uint64_t *off)
{
	*off = s->off;
	if (s->in_copy) {
		snprintf(buf, len, "input ends inside the COPY data of %s (started at offset %"
		    PRIu64 ", %" PRIu64 " rows so far)", s->copy_name ? s->copy_name : "?",
		    s->copy_off, s->copy_rows);
		return buf;
	}
	if (!s->saw_header) {
		*off = 0;
		if (memcmp(s->magic, "PGDMP", 5) == 0)
			return "a pg_dump custom-format archive, not a plain SQL dump";
		return "not a plain pg_dump dump: no \"-- PostgreSQL database dump\" header";
	}
	if (!s->info.complete)
		return "no \"-- PostgreSQL database dump complete\" line";
	if (s->split_failed) {
		*off = s->split_err_off;
		snprintf(buf, len, "input ends inside a statement: %s", s->split_err);
		return buf;
	}
	if (s->restricted && !s->unrestricted)
		return "no \\unrestrict line after the completion line";
	if (!s->last_nl)
		return "the last line has no newline";
	return NULL;
}

int
dumpscan_finish(struct dumpscan *s)
{
	struct dumpscan_info *in = &s->info;
	const char *why;
	char buf[384];
	uint64_t at, trailer_off;
	int r = 0;

	in->bytes = s->off;
	if (s->failed)
		return -1;
	s->eof = 1;
	sqlsplit_push(s->split, NULL, 0);
	split_items(s);
	if (s->failed)
		return -1;
	if (s->off == 0) {
		fail(s, 0, "empty input");
		return -1;
	}
	why = sql_problem(s, buf, sizeof(buf), &at);
	if (!s->held_long && s->heldlen > 0)
		r = dumpfmt_trailer_parse(s->held, s->heldlen, &in->trailer_bytes,
		    &in->trailer_crc);
	trailer_off = s->off - s->heldlen;
	if (r == -1)
		fail(s, trailer_off, "damaged or truncated cr-dump trailer line");
	else if (r == 1) {
		if (s->trailer_line_seen && s->trailer_line_off != trailer_off)
			fail(s, s->trailer_line_off, "a cr-dump trailer that is not the last line");
		else if (in->trailer_bytes != trailer_off)
			fail(s, trailer_off, "the trailer counts %" PRIu64 " bytes before it, "
			    "the input has %" PRIu64 ": data was lost or added",
			    in->trailer_bytes, trailer_off);
		else if (in->trailer_crc != s->crc)
			fail(s, trailer_off, "CRC-32 mismatch: the trailer says %08" PRIx32
			    ", the data has %08" PRIx32 ": the dump was altered",
			    in->trailer_crc, s->crc);
		else
			in->trailer = 1;
	} else if (s->trailer_line_seen)
		fail(s, s->trailer_line_off, "a cr-dump trailer that is not the last line");
	else if (in->cr_header)
		fail(s, s->off, "incomplete: no cr-dump trailer%s%s%s",
		    why ? " (" : "", why ? why : "", why ? ")" : "");
	if (s->failed)
		return -1;
	if (why != NULL) {
		fail(s, at, "incomplete: %s", why);
		return -1;
	}
	return 0;
}
