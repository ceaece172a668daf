/* sqlsplit: streaming splitter of SQL scripts into statements, COPY data and
 * psql meta-commands; a resumable lexer over one buffer that grows only for
 * a statement longer than it.  The lexing rules follow psql's psqlscan.l. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlsplit.h"

#define SQLSPLIT_BUFSIZE	(256 * 1024)
/* PostgreSQL's MaxAllocSize: the server takes no longer query. */
#define SQLSPLIT_MAXSTMT	((size_t)1 << 30)

enum mode {
	M_TOP,		/* between statements: whitespace, comments, metas */
	M_STMT,		/* inside a statement that starts at 'start' */
	M_COPYLINE,	/* rest of the line after COPY ... FROM stdin; */
	M_COPY,		/* COPY data rows up to the \. line */
	M_DONE,
	M_FAILED
};

enum lex {
	L_NORMAL,
	L_LINECOMMENT,
	L_BLOCKCOMMENT,
	L_SQUOTE,	/* '...' without backslash escapes */
	L_ESQUOTE,	/* E'...' (or '...' with standard_conforming_strings off) */
	L_DQUOTE,
	L_DOLLAR
};

enum step { S_ITEM, S_NEED };

struct sqlsplit {
	sqlsplit_read_fn readfn;
	void		*arg;
	char		*buf;		/* cap + 1 bytes: room for a NUL */
	size_t		 cap;
	size_t		 start;		/* first byte still needed */
	size_t		 pos;		/* scan position */
	size_t		 end;		/* bytes in buf */
	int		 eof;
	uint64_t	 bytes;		/* read from the input */
	unsigned long	 line;		/* line at pos */

	/* Undone at the next call: the NUL after a returned text, and the
	 * line of a backslash command cut out of a statement. */
	int		 nul_set;
	size_t		 nul_at;
	char		 nul_saved;
	size_t		 cut_from, cut_len;

	enum mode	 mode;
	enum lex	 lex;
	int		 std_strings;
	unsigned long	 tok_line;	/* where the open quote or comment began */
	int		 comment_depth;
	size_t		 tag_off, tag_len; /* dollar tag with both '$', from start */

	unsigned long	 stmt_line;
	int		 paren_depth;
	int		 begin_depth;	/* BEGIN ATOMIC ... END function bodies */
	unsigned	 word_count;
	char		 words[4];	/* psql's CREATE [OR REPLACE] FUNCTION test */
	int		 is_copy, prev_from, copy_in;

	int		 midline;	/* COPY: a row longer than the buffer */
	unsigned long	 chunk_line;
	uint64_t	 chunk_rows;

	int		 err_errno;
	char		 err[256];
};

static int
ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
ident_cont(unsigned char c)
{
	return ident_start(c) || is_digit(c) || c == '$';
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

struct sqlsplit *
sqlsplit_new(sqlsplit_read_fn readfn, void *arg)
{
	struct sqlsplit *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cap = SQLSPLIT_BUFSIZE;
	if ((s->buf = malloc(s->cap + 1)) == NULL) {
		free(s);
		return NULL;
	}
	s->readfn = readfn;
	s->arg = arg;
	s->line = 1;
	s->std_strings = 1;
	s->mode = M_TOP;
	s->lex = L_NORMAL;
	return s;
}

void
sqlsplit_free(struct sqlsplit *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}

const char *
sqlsplit_error(const struct sqlsplit *s)
{
	return s->err;
}

int
sqlsplit_errno(const struct sqlsplit *s)
{
	return s->err_errno;
}

uint64_t
sqlsplit_bytes(const struct sqlsplit *s)
{
	return s->bytes - (s->end - s->pos);
}

void
sqlsplit_set_standard_strings(struct sqlsplit *s, int on)
{
	s->std_strings = on;
}

static enum sqlsplit_kind
fail(struct sqlsplit *s, struct sqlsplit_item *it, const char *fmt, unsigned long line)
{
	snprintf(s->err, sizeof(s->err), fmt, line);
	s->mode = M_FAILED;
	it->kind = SQLSPLIT_ERROR;
	return SQLSPLIT_ERROR;
}

/* Move pos forward n bytes, counting the newlines passed. */
static void
advance(struct sqlsplit *s, size_t n)
{
	const char *p = s->buf + s->pos, *e = p + n;

	while ((p = memchr(p, '\n', e - p)) != NULL) {
		s->line++;
		p++;
	}
	s->pos += n;
}

/* Make room and read once more.  Returns 0, or -1 with s->err set. */
static int
fill(struct sqlsplit *s)
{
	ssize_t n;
	size_t newcap;
	char *nb;

	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->pos -= s->start;
		s->end -= s->start;
		s->start = 0;
	}
	if (s->end == s->cap) {
		/* Only a statement (or a lexeme) longer than the buffer gets
		 * here; COPY data is sent in buffer-sized chunks instead. */
		if (s->cap >= SQLSPLIT_MAXSTMT) {
			snprintf(s->err, sizeof(s->err),
			    "statement starting at line %lu is longer than 1 GB",
			    s->mode == M_STMT ? s->stmt_line : s->line);
			return -1;
		}
		newcap = s->cap * 2;
		if ((nb = realloc(s->buf, newcap + 1)) == NULL) {
			snprintf(s->err, sizeof(s->err),
			    "out of memory for the statement starting at line %lu",
			    s->mode == M_STMT ? s->stmt_line : s->line);
			return -1;
		}
		s->buf = nb;
		s->cap = newcap;
	}
	do
		n = s->readfn(s->arg, s->buf + s->end, s->cap - s->end);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		s->err_errno = errno;
		snprintf(s->err, sizeof(s->err), "read error: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		s->eof = 1;
	s->end += n;
	s->bytes += n;
	return 0;
}

static void
set_nul(struct sqlsplit *s, size_t at)
{
	s->nul_set = 1;
	s->nul_at = at;
	s->nul_saved = s->buf[at];
	s->buf[at] = '\0';
}

static void
begin_statement(struct sqlsplit *s)
{
	s->mode = M_STMT;
	s->start = s->pos;
	s->stmt_line = s->line;
	s->paren_depth = 0;
	s->begin_depth = 0;
	s->word_count = 0;
	memset(s->words, 0, sizeof(s->words));
	s->is_copy = s->prev_from = s->copy_in = 0;
}

static int
word_is(const char *w, size_t len, const char *kw)
{
	return strlen(kw) == len && strncasecmp(w, kw, len) == 0;
}

/* An unquoted word of a statement: psql's heuristics for BEGIN ATOMIC
 * bodies, and ours for COPY ... FROM stdin. */
static void
statement_word(struct sqlsplit *s, const char *w, size_t len)
{
	if (s->word_count < sizeof(s->words) &&
	    (word_is(w, len, "create") || word_is(w, len, "function") ||
	    word_is(w, len, "procedure") || word_is(w, len, "or") ||
	    word_is(w, len, "replace")))
		s->words[s->word_count] = (char)(w[0] | 0x20);
	if (s->word_count == 0 && word_is(w, len, "copy"))
		s->is_copy = 1;
	s->word_count++;

	if (s->words[0] == 'c' && s->paren_depth == 0 &&
	    (s->words[1] == 'f' || s->words[1] == 'p' ||
	    (s->words[1] == 'o' && s->words[2] == 'r' &&
	    (s->words[3] == 'f' || s->words[3] == 'p')))) {
		if (word_is(w, len, "begin"))
			s->begin_depth++;
		else if (word_is(w, len, "case")) {
			if (s->begin_depth >= 1)
				s->begin_depth++;
		} else if (word_is(w, len, "end")) {
			if (s->begin_depth > 0)
				s->begin_depth--;
		}
	}
	if (s->is_copy && s->paren_depth == 0) {
		if (s->prev_from && word_is(w, len, "stdin"))
			s->copy_in = 1;
		s->prev_from = word_is(w, len, "from");
	} else
		s->prev_from = 0;
}

static enum step
emit_statement(struct sqlsplit *s, struct sqlsplit_item *it, int terminated)
{
	size_t len = s->pos - s->start;

	if (!terminated)
		while (len > 0 && is_space((unsigned char)s->buf[s->start + len - 1]))
			len--;
	it->kind = SQLSPLIT_STATEMENT;
	it->text = s->buf + s->start;
	it->len = len;
	it->line = s->stmt_line;
	it->terminated = terminated;
	it->copy_in = terminated && s->copy_in;
	set_nul(s, s->start + len);
	s->mode = it->copy_in ? M_COPYLINE : (terminated ? M_TOP : M_DONE);
	return S_ITEM;
}

/* A backslash outside quotes: the rest of the line is a psql command. */
static enum step
meta(struct sqlsplit *s, struct sqlsplit_item *it)
{
	char *nl;
	size_t eol, next, len;

	nl = memchr(s->buf + s->pos, '\n', s->end - s->pos);
	if (nl == NULL && !s->eof)
		return S_NEED;
	eol = nl != NULL ? (size_t)(nl - s->buf) : s->end;
	next = nl != NULL ? eol + 1 : eol;
	len = eol - s->pos;
	if (len > 0 && s->buf[s->pos + len - 1] == '\r')
		len--;
	it->kind = SQLSPLIT_META;
	it->text = s->buf + s->pos;
	it->len = len;
	it->line = s->line;
	set_nul(s, s->pos + len);
	if (s->mode == M_STMT) {
		/* Cut the line out of the statement at the next call. */
		s->cut_from = s->pos;
		s->cut_len = next - s->pos;
	} else
		s->pos = next;
	if (nl != NULL)
		s->line++;
	return S_ITEM;
}

/* Lex statements and what lies between them until an item is ready, or more
 * input is needed (only ever returned before the end of input). */
static enum step
lex_step(struct sqlsplit *s, struct sqlsplit_item *it)
{
	const char *b, *p;
	size_t avail, i;
	unsigned char c;

	for (;;) {
		if (s->mode == M_TOP)
			s->start = s->pos;	/* nothing between statements is kept */
		b = s->buf;
		avail = s->end - s->pos;
		if (avail == 0)
			return S_NEED;

		switch (s->lex) {
		case L_LINECOMMENT:
			p = memchr(b + s->pos, '\n', avail);
			if (p == NULL) {
				advance(s, avail);
				continue;
			}
			advance(s, p - (b + s->pos) + 1);
			s->lex = L_NORMAL;
			continue;

		case L_BLOCKCOMMENT:
			c = b[s->pos];
			if ((c == '/' || c == '*') && avail < 2 && !s->eof)
				return S_NEED;
			if (c == '/' && avail >= 2 && b[s->pos + 1] == '*') {
				s->comment_depth++;
				advance(s, 2);
			} else if (c == '*' && avail >= 2 && b[s->pos + 1] == '/') {
				advance(s, 2);
				if (--s->comment_depth == 0)
					s->lex = L_NORMAL;
			} else
				advance(s, 1);
			continue;

		case L_SQUOTE:
		case L_DQUOTE:
			c = s->lex == L_SQUOTE ? '\'' : '"';
			p = memchr(b + s->pos, c, avail);
			if (p == NULL) {
				advance(s, avail);
				continue;
			}
			advance(s, p - (b + s->pos));
			avail = s->end - s->pos;
			if (avail < 2 && !s->eof)
				return S_NEED;
			if (avail >= 2 && b[s->pos + 1] == (char)c) {
				advance(s, 2);	/* doubled: an escaped quote */
				continue;
			}
			advance(s, 1);
			s->lex = L_NORMAL;
			continue;

		case L_ESQUOTE:
			for (i = s->pos; i < s->end && b[i] != '\\' && b[i] != '\''; i++)
				;
			advance(s, i - s->pos);
			avail = s->end - s->pos;
			if (avail == 0)
				continue;
			if (avail < 2 && !s->eof)
				return S_NEED;
			if (b[s->pos] == '\\') {
				advance(s, avail >= 2 ? 2 : 1);
				continue;
			}
			if (avail >= 2 && b[s->pos + 1] == '\'') {
				advance(s, 2);
				continue;
			}
			advance(s, 1);
			s->lex = L_NORMAL;
			continue;

		case L_DOLLAR:
			p = memchr(b + s->pos, '$', avail);
			if (p == NULL) {
				advance(s, avail);
				continue;
			}
			advance(s, p - (b + s->pos));
			avail = s->end - s->pos;
			if (avail < s->tag_len && !s->eof)
				return S_NEED;
			if (avail >= s->tag_len &&
			    memcmp(b + s->pos, b + s->start + s->tag_off, s->tag_len) == 0) {
				advance(s, s->tag_len);
				s->lex = L_NORMAL;
			} else
				advance(s, 1);
			continue;

		case L_NORMAL:
			break;
		}

		c = b[s->pos];
		if (s->mode == M_TOP && (is_space(c) || c == ';')) {
			advance(s, 1);
			continue;
		}
		if ((c == '-' || c == '/') && avail < 2 && !s->eof)
			return S_NEED;
		if (c == '-' && avail >= 2 && b[s->pos + 1] == '-') {
			s->lex = L_LINECOMMENT;
			advance(s, 2);
			continue;
		}
		if (c == '/' && avail >= 2 && b[s->pos + 1] == '*') {
			s->lex = L_BLOCKCOMMENT;
			s->comment_depth = 1;
			s->tok_line = s->line;
			advance(s, 2);
			continue;
		}
		if (c == '\\')
			return meta(s, it);
		if (s->mode == M_TOP)
			begin_statement(s);

		if (ident_start(c)) {
			for (i = s->pos + 1; i < s->end && ident_cont(b[i]); i++)
				;
			if (i == s->end && !s->eof)
				return S_NEED;
			if (i - s->pos == 1 && (c == 'e' || c == 'E') &&
			    i < s->end && b[i] == '\'') {
				s->lex = L_ESQUOTE;
				s->tok_line = s->line;
				s->prev_from = 0;
				advance(s, 2);
				continue;
			}
			statement_word(s, b + s->pos, i - s->pos);
			s->pos = i;
			continue;
		}
		if (is_digit(c)) {
			/* Numbers, 1e10, 0x1F: never a word or a quote.  As in
			 * the server's lexer a '$' ends them: 1$$ is 1 and $$. */
			for (i = s->pos + 1; i < s->end &&
			    (ident_start(b[i]) || is_digit(b[i]) || b[i] == '.'); i++)
				;
			if (i == s->end && !s->eof)
				return S_NEED;
			s->pos = i;
			s->prev_from = 0;
			continue;
		}
		if (!is_space(c))
			s->prev_from = 0;
		switch (c) {
		case '\'':
			s->lex = s->std_strings ? L_SQUOTE : L_ESQUOTE;
			s->tok_line = s->line;
			break;
		case '"':
			s->lex = L_DQUOTE;
			s->tok_line = s->line;
			break;
		case '$':
			if (avail < 2 && !s->eof)
				return S_NEED;
			if (avail < 2 || is_digit(b[s->pos + 1]))
				break;	/* $1: a parameter */
			for (i = s->pos + 1; i < s->end &&
			    (ident_start(b[i]) || (i > s->pos + 1 && is_digit(b[i]))); i++)
				;
			if (i == s->end && !s->eof)
				return S_NEED;
			if (i < s->end && b[i] == '$') {
				s->lex = L_DOLLAR;
				s->tok_line = s->line;
				s->tag_off = s->pos - s->start;
				s->tag_len = i - s->pos + 1;
				advance(s, s->tag_len);
				continue;
			}
			break;
		case '(':
			s->paren_depth++;
			break;
		case ')':
			if (s->paren_depth > 0)
				s->paren_depth--;
			break;
		case ';':
			if (s->paren_depth == 0 && s->begin_depth == 0) {
				advance(s, 1);
				return emit_statement(s, it, 1);
			}
			break;
		}
		advance(s, 1);
	}
}

/* The end of the input while lexing. */
static enum sqlsplit_kind
lex_eof(struct sqlsplit *s, struct sqlsplit_item *it)
{
	switch (s->lex) {
	case L_BLOCKCOMMENT:
		return fail(s, it, "unterminated /* comment starting at line %lu",
		    s->tok_line);
	case L_SQUOTE:
	case L_ESQUOTE:
		return fail(s, it, "unterminated quoted string starting at line %lu",
		    s->tok_line);
	case L_DQUOTE:
		return fail(s, it, "unterminated quoted identifier starting at line %lu",
		    s->tok_line);
	case L_DOLLAR:
		return fail(s, it, "unterminated dollar-quoted string starting at line %lu",
		    s->tok_line);
	case L_NORMAL:
	case L_LINECOMMENT:
		break;
	}
	if (s->mode == M_STMT) {
		emit_statement(s, it, 0);
		return SQLSPLIT_STATEMENT;
	}
	s->mode = M_DONE;
	it->kind = SQLSPLIT_END;
	return SQLSPLIT_END;
}

/* The rest of the line holding COPY ... FROM stdin; may only be blank or a
 * comment: the data starts on the next line. */
static enum step
copyline_step(struct sqlsplit *s, int *bad)
{
	const char *b = s->buf, *p;

	while (s->pos < s->end) {
		if (b[s->pos] == '\n') {
			advance(s, 1);
			s->mode = M_COPY;
			s->start = s->pos;
			s->chunk_line = s->line;
			s->chunk_rows = 0;
			s->midline = 0;
			return S_ITEM;
		}
		if (b[s->pos] == ' ' || b[s->pos] == '\t' || b[s->pos] == '\r') {
			s->pos++;
			continue;
		}
		if (b[s->pos] == '-') {
			if (s->end - s->pos < 2 && !s->eof)
				return S_NEED;
			if (s->end - s->pos >= 2 && b[s->pos + 1] == '-') {
				p = memchr(b + s->pos, '\n', s->end - s->pos);
				if (p == NULL) {
					if (!s->eof)
						return S_NEED;
					s->pos = s->end;
					continue;
				}
				s->pos = p - b;
				continue;
			}
		}
		*bad = 1;
		return S_ITEM;
	}
	return S_NEED;
}

static int
is_end_marker(const char *l, size_t len)
{
	return (len == 2 || (len == 3 && l[2] == '\r')) && l[0] == '\\' && l[1] == '.';
}

static enum step
emit_chunk(struct sqlsplit *s, struct sqlsplit_item *it, size_t upto)
{
	it->kind = SQLSPLIT_COPY_DATA;
	it->text = s->buf + s->start;
	it->len = upto - s->start;
	it->line = s->chunk_line;
	it->rows = s->chunk_rows;
	return S_ITEM;
}

/* COPY data: whole rows in chunks as large as the buffer, then the \. line. */
static enum step
copy_step(struct sqlsplit *s, struct sqlsplit_item *it, int *truncated)
{
	const char *b = s->buf, *nl;
	size_t avail, len;

	for (;;) {
		avail = s->end - s->pos;
		nl = memchr(b + s->pos, '\n', avail);
		if (nl == NULL) {
			if (!s->eof && (s->start > 0 || s->end < s->cap))
				return S_NEED;	/* room left: read for a bigger chunk */
			if (!s->eof) {
				/* The buffer is full. */
				if (s->pos > s->start)
					return emit_chunk(s, it, s->pos);
				/* One row longer than the buffer: send a piece. */
				s->midline = 1;
				s->pos = s->end;
				return emit_chunk(s, it, s->pos);
			}
			if (!s->midline && is_end_marker(b + s->pos, avail))
				len = avail;
			else {
				*truncated = 1;
				return S_ITEM;
			}
		} else
			len = nl - (b + s->pos);

		if (s->midline) {
			s->midline = 0;
			s->chunk_rows++;
			advance(s, len + 1);
			continue;
		}
		if (is_end_marker(b + s->pos, len)) {
			if (s->pos > s->start)
				return emit_chunk(s, it, s->pos);
			it->kind = SQLSPLIT_COPY_END;
			it->text = b + s->pos;
			it->len = 2;
			it->line = s->line;
			it->rows = 0;
			advance(s, nl != NULL ? len + 1 : len);
			s->mode = M_TOP;
			s->lex = L_NORMAL;
			return S_ITEM;
		}
		s->chunk_rows++;
		s->pos += len + 1;
		s->line++;
	}
}

enum sqlsplit_kind
sqlsplit_next(struct sqlsplit *s, struct sqlsplit_item *it)
{
	enum step r;
	int bad;

	memset(it, 0, sizeof(*it));
	if (s->nul_set) {
		s->buf[s->nul_at] = s->nul_saved;
		s->nul_set = 0;
	}
	if (s->cut_len > 0) {
		memmove(s->buf + s->cut_from, s->buf + s->cut_from + s->cut_len,
		    s->end - (s->cut_from + s->cut_len));
		s->end -= s->cut_len;
		s->pos = s->cut_from;
		s->cut_len = 0;
	}
	if (s->mode == M_FAILED) {
		it->kind = SQLSPLIT_ERROR;
		return SQLSPLIT_ERROR;
	}
	if (s->mode == M_DONE) {
		it->kind = SQLSPLIT_END;
		return SQLSPLIT_END;
	}
	if (s->mode != M_STMT) {
		s->start = s->pos;
		s->chunk_line = s->line;
		s->chunk_rows = 0;
	}

	for (;;) {
		bad = 0;
		switch (s->mode) {
		case M_TOP:
		case M_STMT:
			r = lex_step(s, it);
			if (r == S_ITEM)
				return it->kind;
			if (s->eof)
				return lex_eof(s, it);
			break;
		case M_COPYLINE:
			r = copyline_step(s, &bad);
			if (bad)
				return fail(s, it, "line %lu: text after COPY ... FROM stdin; "
				    "(the data must start on the next line)", s->line);
			if (r == S_ITEM)
				continue;	/* now in M_COPY */
			if (s->eof)
				return fail(s, it, "end of input before the COPY data "
				    "of line %lu", s->line);
			break;
		case M_COPY:
			r = copy_step(s, it, &bad);
			if (bad)
				return fail(s, it, "end of input in COPY data before its "
				    "\\. line (data started at line %lu)", s->chunk_line);
			if (r == S_ITEM)
				return it->kind;
			break;
		case M_DONE:
		case M_FAILED:
			it->kind = s->mode == M_DONE ? SQLSPLIT_END : SQLSPLIT_ERROR;
			return it->kind;
		}
		if (fill(s) == -1) {
			s->mode = M_FAILED;
			it->kind = SQLSPLIT_ERROR;
			return SQLSPLIT_ERROR;
		}
	}
}
