/* dumpscan: the streaming completeness check behind cr-verify.  SQL text is
 * run through a small lexer (comments, quotes, dollar quotes) so COPY
 * statements and pg_dump's marker comments are only recognised between
 * statements; COPY data is only searched for its \. line, with memchr. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "dumpfmt.h"
#include "dumpscan.h"

#define LINE_CAP	4096	/* bytes of a line kept for recognising it */
#define STMT_CAP	65536	/* bytes of a statement kept for a COPY's name and columns */
#define TAG_CAP		64	/* NAMEDATALEN */

enum mode { M_SQL, M_COPY };

enum lex {
	L_NORMAL,
	L_DASH,		/* '-' seen: a comment if another follows */
	L_SLASH,	/* '/' seen: a block comment if '*' follows */
	L_LINE_COMMENT,
	L_BLOCK,
	L_BLOCK_STAR,
	L_BLOCK_SLASH,
	L_SQUOTE,
	L_SQUOTE_END,	/* a quote that closes the string unless doubled */
	L_DQUOTE,
	L_DQUOTE_END,
	L_DOLLAR_TAG,	/* '$' seen: reading what may be a dollar-quote tag */
	L_DOLLAR
};

struct dumpscan {
	struct dumpscan_info	 info;
	struct dumpscan_table	*tables;
	size_t			 ntables, captables;

	int			 failed;
	char			 err[512];
	uint64_t		 err_off;

	uint64_t		 off;		/* bytes fed before this buffer */
	const char		*base;		/* this buffer, for offsets */
	unsigned char		 magic[5];
	enum mode		 mode;

	/* The current SQL line. */
	uint64_t		 line_off;
	uint64_t		 line_total;
	char			 line[LINE_CAP];
	size_t			 linelen;
	int			 line_clean;	/* started between statements */
	int			 line_meta;	/* a psql backslash command */

	/* The lexer. */
	enum lex		 lex;
	int			 esc, esc_next;	/* E'' string, backslash pending */
	unsigned		 depth;		/* block comment nesting */
	unsigned		 paren;
	char			 tag[TAG_CAP];
	size_t			 taglen, match;
	unsigned char		 prev1, prev2;	/* last significant bytes */
	uint64_t		 pend_off;
	int			 stmt_empty;
	char			 stmt[STMT_CAP];
	size_t			 stmtlen;
	unsigned char		 hist[16];	/* last statement bytes, a ring */
	unsigned		 hpos;
	int			 copy_pending;	/* COPY ... FROM stdin; ends this line */

	/* What the markers said. */
	int			 saw_header;
	uint64_t		 complete_off;
	char			 restrict_key[128];
	int			 restricted, unrestricted;
	int			 trailer_line_seen;
	uint64_t		 trailer_line_off;

	/* COPY data. */
	char			*copy_name;
	size_t			 copy_ncols;	/* columns named, 0 when unknown */
	uint64_t		 copy_off, copy_rows;
	uint64_t		 copy_line_off, copy_linelen, copy_tabs;
	char			 copy_prefix[3];

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
	s->stmt_empty = 1;
	s->line_clean = 1;
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

/* --- statements and the lexer ------------------------------------------- */

static int
is_ident(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static void
note(struct dumpscan *s, unsigned char c)
{
	if (s->stmtlen < STMT_CAP)
		s->stmt[s->stmtlen++] = (char)c;
	s->hist[s->hpos++ & 15] = c;
}

static void
stmt_begin(struct dumpscan *s, uint64_t off)
{
	s->stmt_empty = 0;
	s->stmtlen = 0;
	if (!s->saw_header) {
		if (memcmp(s->magic, "PGDMP", 5) == 0)
			fail(s, 0, "a pg_dump custom-format archive, not a plain SQL dump");
		else
			fail(s, off, "not a plain pg_dump dump: SQL before the "
			    "\"-- PostgreSQL database dump\" header");
	} else if (s->info.complete)
		fail(s, off, "SQL after pg_dump's completion line");
}

/* The table name of "COPY name (cols) FROM stdin;", as written. */
static char *
copy_table_name(const char *stmt, size_t len)
{
	size_t i = 5;
	int quoted = 0;

	for (; i < len; i++) {
		if (stmt[i] == '"')
			quoted = !quoted;	/* "" inside toggles twice */
		else if (!quoted && (stmt[i] == ' ' || stmt[i] == '\n'))
			break;
	}
	return strndup(stmt + 5, i - 5);
}

/* How many columns "COPY name (a, "b,c") FROM stdin;" names: every row of
 * its data has that many tab-separated fields.  0 when there is no list or
 * it did not fit in the buffer. */
static size_t
copy_columns(const char *stmt, size_t len)
{
	size_t i, n = 1;
	int quoted = 0, inlist = 0;

	for (i = 5; i < len; i++) {
		if (stmt[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (!inlist && stmt[i] == '(')
			inlist = 1;
		else if (inlist && stmt[i] == ',')
			n++;
		else if (inlist && stmt[i] == ')')
			return n;
	}
	return 0;
}

static void
stmt_end(struct dumpscan *s)
{
	static const char tail[] = " FROM stdin;";
	unsigned char last[sizeof(tail) - 1];
	size_t i, n = sizeof(tail) - 1;

	s->stmt_empty = 1;
	s->paren = 0;
	if (s->stmtlen < 5 + n || memcmp(s->stmt, "COPY ", 5) != 0)
		return;
	for (i = 0; i < n; i++)
		last[i] = s->hist[(s->hpos - n + i) & 15];
	if (memcmp(last, tail, n) != 0)
		return;
	free(s->copy_name);
	s->copy_name = copy_table_name(s->stmt, s->stmtlen);
	s->copy_ncols = copy_columns(s->stmt, s->stmtlen);
	s->copy_pending = 1;
}

/* A byte outside comments and quotes. */
static void
normal_byte(struct dumpscan *s, unsigned char c, uint64_t off)
{
	if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
		if (!s->stmt_empty)
			note(s, c);
		s->prev2 = s->prev1;
		s->prev1 = ' ';
		return;
	}
	if (s->stmt_empty)
		stmt_begin(s, off);
	note(s, c);
	switch (c) {
	case '\'':
		s->lex = L_SQUOTE;
		s->esc = (s->prev1 == 'E' || s->prev1 == 'e') && !is_ident(s->prev2);
		s->esc_next = 0;
		break;
	case '"':
		s->lex = L_DQUOTE;
		break;
	case '$':
		if (!is_ident(s->prev1)) {
			s->lex = L_DOLLAR_TAG;
			s->taglen = 0;
		}
		break;
	case '(':
		s->paren++;
		break;
	case ')':
		if (s->paren > 0)
			s->paren--;
		break;
	case ';':
		if (s->paren == 0)
			stmt_end(s);
		break;
	}
	s->prev2 = s->prev1;
	s->prev1 = c;
}

static void
lex_byte(struct dumpscan *s, unsigned char c, uint64_t off)
{
	if (s->copy_pending && c != '\n') {
		fail(s, off, "text after COPY ... FROM stdin; on the same line");
		return;
	}
again:
	switch (s->lex) {
	case L_NORMAL:
		if (c == '-' || c == '/') {
			s->lex = c == '-' ? L_DASH : L_SLASH;
			s->pend_off = off;
			return;
		}
		normal_byte(s, c, off);
		return;
	case L_DASH:
		if (c == '-') {
			s->lex = L_LINE_COMMENT;
			return;
		}
		s->lex = L_NORMAL;
		normal_byte(s, '-', s->pend_off);
		goto again;
	case L_SLASH:
		if (c == '*') {
			s->lex = L_BLOCK;
			s->depth = 1;
			return;
		}
		s->lex = L_NORMAL;
		normal_byte(s, '/', s->pend_off);
		goto again;
	case L_LINE_COMMENT:
		if (c == '\n') {
			s->lex = L_NORMAL;
			normal_byte(s, c, off);
		}
		return;
	case L_BLOCK:
		if (c == '*')
			s->lex = L_BLOCK_STAR;
		else if (c == '/')
			s->lex = L_BLOCK_SLASH;
		return;
	case L_BLOCK_STAR:
		if (c == '/')
			s->lex = --s->depth > 0 ? L_BLOCK : L_NORMAL;
		else if (c != '*')
			s->lex = L_BLOCK;
		return;
	case L_BLOCK_SLASH:
		if (c == '*') {
			s->depth++;
			s->lex = L_BLOCK;
			return;
		}
		s->lex = L_BLOCK;
		goto again;
	case L_SQUOTE:
		note(s, c);
		if (s->esc_next)
			s->esc_next = 0;
		else if (s->esc && c == '\\')
			s->esc_next = 1;
		else if (c == '\'')
			s->lex = L_SQUOTE_END;
		return;
	case L_SQUOTE_END:
		if (c == '\'') {
			note(s, c);
			s->lex = L_SQUOTE;
			return;
		}
		s->lex = L_NORMAL;
		s->prev1 = '\'';
		goto again;
	case L_DQUOTE:
		note(s, c);
		if (c == '"')
			s->lex = L_DQUOTE_END;
		return;
	case L_DQUOTE_END:
		if (c == '"') {
			note(s, c);
			s->lex = L_DQUOTE;
			return;
		}
		s->lex = L_NORMAL;
		s->prev1 = '"';
		goto again;
	case L_DOLLAR_TAG:
		if (c == '$') {
			note(s, c);
			s->lex = L_DOLLAR;
			s->match = 0;
			return;
		}
		if ((isalpha(c) || c == '_' || c >= 0x80 || (s->taglen > 0 && isdigit(c))) &&
		    s->taglen < TAG_CAP) {
			note(s, c);
			s->tag[s->taglen++] = (char)c;
			return;
		}
		/* "$1" and the like: not a dollar quote. */
		s->lex = L_NORMAL;
		s->prev1 = s->taglen > 0 ? (unsigned char)s->tag[s->taglen - 1] : '$';
		goto again;
	case L_DOLLAR:
		note(s, c);
		if (s->match == s->taglen + 1 && c == '$') {
			s->lex = L_NORMAL;
			s->prev1 = '$';
		} else if (s->match >= 1 && s->match <= s->taglen &&
		    c == (unsigned char)s->tag[s->match - 1])
			s->match++;
		else
			s->match = c == '$';
		return;
	}
}

static int
lexer_clean(const struct dumpscan *s)
{
	return s->lex == L_NORMAL && s->stmt_empty && !s->copy_pending;
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
header_line(struct dumpscan *s, const char *line, size_t len)
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
			fail(s, s->line_off, "made by a newer cr-dump (stream format %ld); "
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
comment_line(struct dumpscan *s, const char *line, size_t len)
{
	static const char from[] = "-- Dumped from database version ";
	static const char by[] = "-- Dumped by pg_dump version ";

	if (len == 27 && memcmp(line, "-- PostgreSQL database dump", 27) == 0)
		s->saw_header = 1;
	else if (len == 36 && memcmp(line, "-- PostgreSQL database dump complete", 36) == 0) {
		if (s->saw_header && !s->info.complete) {
			s->info.complete = 1;
			s->complete_off = s->line_off;
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
			s->trailer_line_off = s->line_off;
		}
	} else if (!s->saw_header && starts(line, len, DUMPFMT_HEADER_PREFIX))
		header_line(s, line, len);
}

static void
meta_line(struct dumpscan *s, const char *line, size_t len)
{
	const char *key;
	size_t keylen;

	if (!s->saw_header) {
		fail(s, s->line_off, "not a plain pg_dump dump: a psql command before the "
		    "\"-- PostgreSQL database dump\" header");
		return;
	}
	if (starts(line, len, "\\restrict ")) {
		key = line + 10;
		keylen = len - 10;
		if (s->restricted || keylen >= sizeof(s->restrict_key)) {
			fail(s, s->line_off, "unexpected \\restrict line");
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
			fail(s, s->line_off, "\\unrestrict line does not match the \\restrict line");
			return;
		}
		s->unrestricted = 1;
	} else if (s->info.complete)
		fail(s, s->line_off, "a psql command after pg_dump's completion line");
}

static void
line_start(struct dumpscan *s, uint64_t off)
{
	s->line_off = off;
	s->line_total = 0;
	s->linelen = 0;
	s->line_clean = lexer_clean(s);
	s->line_meta = 0;
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

/* SQL text up to and including the next newline.  Returns where it stopped. */
static const char *
sql_scan(struct dumpscan *s, const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *stop = nl != NULL ? nl : end;
	size_t textlen = (size_t)(stop - p), n;
	uint64_t off = s->off + (uint64_t)(p - s->base);

	if (s->line_total == 0 && textlen > 0)
		s->line_meta = s->line_clean && *p == '\\';
	if (s->line_clean && s->linelen < LINE_CAP) {
		n = textlen < LINE_CAP - s->linelen ? textlen : LINE_CAP - s->linelen;
		memcpy(s->line + s->linelen, p, n);
		s->linelen += n;
	}
	s->line_total += textlen;
	if (!s->line_meta)
		for (; p < stop && !s->failed; p++, off++)
			lex_byte(s, (unsigned char)*p, off);
	if (nl == NULL || s->failed)
		return end;

	/* A whole line. */
	if (s->line_meta)
		meta_line(s, s->line, s->linelen);
	else {
		if (s->line_clean && s->linelen >= 2 && s->line[0] == '-' && s->line[1] == '-')
			comment_line(s, s->line, s->linelen);
		lex_byte(s, '\n', off);
	}
	off++;
	if (s->copy_pending) {
		s->copy_pending = 0;
		s->mode = M_COPY;
		s->copy_off = off;
		s->copy_rows = 0;
		s->copy_linelen = 0;
		s->copy_tabs = 0;
	}
	line_start(s, off);
	return nl + 1;
}

static size_t
count_tabs(const char *p, size_t n)
{
	const char *q, *end = p + n;
	size_t tabs = 0;

	/* memchr is vectorised: fast on long values, fine on short ones. */
	while ((q = memchr(p, '\t', (size_t)(end - p))) != NULL) {
		tabs++;
		p = q + 1;
	}
	return tabs;
}

/* COPY data: count rows up to the \. line, and check that every row has
 * as many fields as the COPY names columns (text format escapes tabs and
 * newlines in values, so this holds exactly).  That catches a lost \.
 * line, which would otherwise end at the next table's. */
static const char *
copy_scan(struct dumpscan *s, const char *p, const char *end)
{
	const char *nl;
	size_t seglen, n;

	while (p < end) {
		if (s->copy_linelen == 0)
			s->copy_line_off = s->off + (uint64_t)(p - s->base);
		nl = memchr(p, '\n', (size_t)(end - p));
		seglen = (size_t)((nl != NULL ? nl : end) - p);
		if (s->copy_linelen < 3) {
			n = 3 - s->copy_linelen;
			memcpy(s->copy_prefix + s->copy_linelen, p, seglen < n ? seglen : n);
		}
		if (s->copy_ncols > 0)
			s->copy_tabs += count_tabs(p, seglen);
		s->copy_linelen += seglen;
		if (nl == NULL)
			return end;
		if (s->copy_linelen == 2 && s->copy_prefix[0] == '\\' &&
		    s->copy_prefix[1] == '.') {
			add_table(s);
			s->mode = M_SQL;
			line_start(s, s->off + (uint64_t)(nl + 1 - s->base));
			return nl + 1;
		}
		if (s->copy_ncols > 0 && s->copy_tabs + 1 != s->copy_ncols) {
			fail(s, s->copy_line_off, "row %" PRIu64 " of the COPY data of %s has %"
			    PRIu64 " fields, the COPY names %zu columns", s->copy_rows + 1,
			    s->copy_name ? s->copy_name : "?", s->copy_tabs + 1, s->copy_ncols);
			return end;
		}
		s->copy_rows++;
		s->copy_linelen = 0;
		s->copy_tabs = 0;
		p = nl + 1;
	}
	return end;
}

int
dumpscan_feed(struct dumpscan *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;
	size_t i;

	if (s->failed)
		return -1;
	if (len == 0)
		return 0;
	for (i = 0; s->off + i < sizeof(s->magic) && i < len; i++)
		s->magic[s->off + i] = (unsigned char)p[i];
	checksum_feed(s, p, len);
	s->base = p;
	while (p < end && !s->failed)
		p = s->mode == M_COPY ? copy_scan(s, p, end) : sql_scan(s, p, end);
	s->off += len;
	return s->failed ? -1 : 0;
}

/* Why the SQL does not end like a complete pg_dump, or NULL. */
static const char *
sql_problem(struct dumpscan *s, char *buf, size_t len, uint64_t *off)
{
	*off = s->off;
	if (s->mode == M_COPY) {
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
	if (s->lex != L_NORMAL && s->lex != L_LINE_COMMENT)
		return "input ends inside a quoted string or comment";
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
	char buf[256];
	uint64_t at, trailer_off;
	int r = 0;

	in->bytes = s->off;
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
