/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlsplit: streaming splitter of SQL scripts into statements, COPY data and
 * psql meta-commands; a resumable lexer over one buffer that grows only for
 * a statement longer than it.  The token rules are the server's scan.l (as
 * psql's psqlscan.l repeats them); each statement's tokens feed the
 * classifier and the model of how the session reads strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include "sql/sqlsplit.h"

#define SQLSPLIT_BUFSIZE	(256 * 1024)
/* PostgreSQL's MaxAllocSize: the server takes no longer query. */
#define SQLSPLIT_MAXSTMT	((size_t)1 << 30)
#define HEADTOK			8	/* leading tokens the classifier reads */
#define TOKENS_FIRST		64	/* tokens room at first */

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
	L_LINECOMMENT,	/* -- up to \n or \r */
	L_BLOCKCOMMENT,	/* nested */
	L_SQUOTE,	/* a '' string of kind 'flavor' */
	L_QSTOP,	/* after a string's closing quote: whitespace with a
			 * newline and another quote continue the string */
	L_DQUOTE,
	L_DOLLAR
};

/* How a '' string reads: scan.l's xq (and xus), xe, xb/xh. */
enum flavor {
	F_PLAIN,	/* no backslash escapes, '' is a quote */
	F_ESC,		/* E'' or '' with standard_conforming_strings off */
	F_BITS		/* B'' X'': ends at the next quote, '' is not special */
};

/* The token kinds and flags are sqlsplit.h's; short names here. */
#define tok		sqlsplit_token
#define T_WORD		SQLSPLIT_TOK_WORD
#define T_QIDENT	SQLSPLIT_TOK_QIDENT
#define T_STRING	SQLSPLIT_TOK_STRING
#define T_NUMBER	SQLSPLIT_TOK_NUMBER
#define T_DOLLARSTR	SQLSPLIT_TOK_DOLLARSTR
#define T_LPAREN	SQLSPLIT_TOK_LPAREN
#define T_RPAREN	SQLSPLIT_TOK_RPAREN
#define T_SEMI		SQLSPLIT_TOK_SEMI
#define T_COMMA		SQLSPLIT_TOK_COMMA
#define T_DOT		SQLSPLIT_TOK_DOT
#define T_EQ		SQLSPLIT_TOK_EQ
#define T_OTHER		SQLSPLIT_TOK_OTHER
#define TF_ESC		SQLSPLIT_TOKF_ESC
#define TF_BITS		SQLSPLIT_TOKF_BITS
#define TF_UNI		SQLSPLIT_TOKF_UNI
#define TF_CONT		SQLSPLIT_TOKF_CONT

enum step { S_ITEM, S_NEED, S_GO };

struct sqlsplit {
	sqlsplit_read_fn readfn;
	void		*arg;
	char		*buf;		/* cap + 1 bytes: room for a NUL */
	size_t		 cap;
	size_t		 start;		/* first byte still needed */
	size_t		 pos;		/* scan position */
	size_t		 end;		/* bytes in buf */
	int		 eof;
	int		 again;		/* SQLSPLIT_AGAIN was returned */
	/* Push mode (no read function): the piece given by sqlsplit_push.
	 * COPY data in it is read in place ("lent" as buf) instead of being
	 * copied into our own buffer, which waits in own. */
	const char	*push;
	size_t		 pushlen;
	int		 push_eof, lent;
	char		*own;
	size_t		 owncap;
	uint64_t	 bytes;		/* read from the input */
	unsigned long	 line;		/* line at pos */
	int		 comments;	/* return COMMENT items */
	sqlsplit_token_fn hook;		/* sqlsplit_token_hook */
	void		*hook_arg;
	int		 bol;		/* M_TOP: pos is at the start of a line */

	/* Undone at the next call: the NUL after a returned text, and the
	 * line of a backslash command cut out of a statement. */
	int		 nul_set;
	size_t		 nul_at;
	char		 nul_saved;
	size_t		 cut_from, cut_len;

	enum mode	 mode;
	enum lex	 lex;
	enum flavor	 flavor;
	unsigned char	 tok_flags;	/* of the open string or identifier */
	size_t		 tok_off;	/* where it began, from start */
	size_t		 qstop_end;	/* just after a string's closing quote */
	int		 qs_newline, qs_comment;
	unsigned long	 tok_line;	/* where the open quote or comment began */
	int		 comment_depth;
	size_t		 tag_off, tag_len; /* dollar tag with both '$', from start */

	/* The statement being read, from its tokens. */
	unsigned long	 stmt_line;
	uint64_t	 stmt_offset;
	int		 paren_depth;
	unsigned	 ntok;
	struct sqlsplit_tok *toks;	/* the statement's first tokcap tokens */
	unsigned	 tokcap;
	int		 routine;	/* CREATE [OR REPLACE] FUNCTION|PROCEDURE */
	int		 prev_begin;	/* the last token was the word BEGIN */
	int		 body_depth;	/* in BEGIN ATOMIC ... END: CASE/END nesting */
	int		 copy_state;
	int		 sc_state;	/* set_config( 'name' , */
	const char	*lexwhy;	/* the statement changes what we cannot follow */

	/* The model of the session's string reading. */
	int		 std_strings;
	int		 encoding_safe;
	int		 in_block;	/* the script's own BEGIN ... COMMIT */

	int		 midline;	/* COPY: a row longer than the buffer */
	uint64_t	 row_offset, row_tabs; /* of that row so far */
	size_t		 copy_fields;	/* fields every row must have, or 0 */
	uint64_t	 copy_rows;	/* rows of this COPY so far */
	unsigned long	 copy_line;	/* where its data started */
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

/* A splitter whose buffer holds cap bytes. */
static struct sqlsplit *
splitter_new(size_t cap, sqlsplit_read_fn readfn, void *arg)
{
	struct sqlsplit *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cap = cap;
	s->tokcap = TOKENS_FIRST;
	if ((s->buf = malloc(s->cap + 1)) == NULL ||
	    (s->toks = reallocarray(NULL, s->tokcap, sizeof(*s->toks))) == NULL) {
		free(s->buf);
		free(s);
		return NULL;
	}
	s->readfn = readfn;
	s->arg = arg;
	s->line = 1;
	s->bol = 1;
	s->std_strings = 1;
	s->encoding_safe = 1;
	s->mode = M_TOP;
	s->lex = L_NORMAL;
	return s;
}

struct sqlsplit *
sqlsplit_new(sqlsplit_read_fn readfn, void *arg)
{
	return splitter_new(SQLSPLIT_BUFSIZE, readfn, arg);
}

void
sqlsplit_free(struct sqlsplit *s)
{
	if (s == NULL)
		return;
	free(s->lent ? s->own : s->buf);
	free(s->toks);
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
sqlsplit_want_outline(struct sqlsplit *s, int on)
{
	s->comments = on;
}

void
sqlsplit_token_hook(struct sqlsplit *s, sqlsplit_token_fn fn, void *arg)
{
	s->hook = fn;
	s->hook_arg = arg;
}

void
sqlsplit_copy_fields(struct sqlsplit *s, size_t fields)
{
	s->copy_fields = fields;
}

/* The input offset of buffer position at. */
static uint64_t
offset_of(const struct sqlsplit *s, size_t at)
{
	return s->bytes - (s->end - at);
}

static enum sqlsplit_kind
fail(struct sqlsplit *s, struct sqlsplit_item *it, const char *fmt, unsigned long line)
{
	snprintf(s->err, sizeof(s->err), fmt, line);
	s->mode = M_FAILED;
	it->kind = SQLSPLIT_ERROR;
	it->offset = offset_of(s, s->pos);
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

/* Make room and read once more.  Returns 0, 1 when a push-mode splitter
 * has used its piece up, or -1 with s->err set. */
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
			    "statement starting at line %lu is longer than 1 GiB",
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
	if (s->readfn == NULL) {
		if (s->pushlen == 0) {
			if (!s->push_eof)
				return 1;
			s->eof = 1;
			return 0;
		}
		n = (ssize_t)(s->pushlen < s->cap - s->end ? s->pushlen : s->cap - s->end);
		memcpy(s->buf + s->end, s->push, (size_t)n);
		s->push += n;
		s->pushlen -= (size_t)n;
		s->end += (size_t)n;
		s->bytes += (size_t)n;
		return 0;
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
	s->stmt_offset = offset_of(s, s->pos);
	s->paren_depth = 0;
	s->ntok = 0;
	s->routine = s->prev_begin = s->body_depth = 0;
	s->copy_state = 0;
	s->sc_state = 0;
	s->lexwhy = NULL;
}

static int
word_is(const char *w, size_t len, const char *kw)
{
	return strlen(kw) == len && strncasecmp(w, kw, len) == 0;
}

/* Token i of the statement (i < HEADTOK) is the word kw. */
static int
head_is(const struct sqlsplit *s, unsigned i, const char *kw)
{
	return i < s->ntok && i < HEADTOK && s->toks[i].kind == T_WORD &&
	    word_is(s->buf + s->start + s->toks[i].off, s->toks[i].len, kw);
}

/* The name a word or quoted identifier token stands for, lower-cased (GUC
 * and function names here are compared that way), into out; 0 when it is
 * no plain name (a U&"" identifier, or too long). */
static int
token_name(const char *b, const struct sqlsplit_tok *t, char *out, size_t outlen)
{
	size_t i, o = 0, from = 0, to = t->len;

	if (t->kind == T_QIDENT) {
		if (t->flags & TF_UNI)
			return 0;
		from = 1;
		to = t->len - 1;
	} else if (t->kind != T_WORD)
		return 0;
	for (i = from; i < to; i++) {
		if (o + 1 >= outlen)
			return 0;
		if (t->kind == T_QIDENT && b[i] == '"')
			i++;	/* "" stands for " */
		out[o++] = (char)(b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i]);
	}
	out[o] = '\0';
	return 1;
}

/* The value of a string token, into out: 1, or 0 when it does not fit
 * (a plain string: its value is no shorter than out), or -1 when it cannot
 * be read off the text (escapes, U&, a continuation, a bit string). */
static int
string_value(const char *b, const struct sqlsplit_tok *t, char *out, size_t outlen)
{
	size_t i, o = 0, from = 1;

	if (t->kind != T_STRING || (t->flags & (TF_UNI | TF_CONT | TF_BITS)))
		return -1;
	if (b[0] != '\'')
		from = 2;	/* E'...' or N'...' */
	for (i = from; i + 1 < t->len; i++)
		if (b[i] == '\\' && (t->flags & TF_ESC))
			return -1;
	for (i = from; i + 1 < t->len; i++) {
		if (o + 1 >= outlen)
			return 0;
		if (b[i] == '\'')
			i++;	/* '' stands for ' */
		out[o++] = b[i];
	}
	out[o] = '\0';
	return 1;
}

static int
tracked_name(const char *name)
{
	return strcmp(name, "standard_conforming_strings") == 0 ||
	    strcmp(name, "client_encoding") == 0;
}

/* Room for one more token of the statement: 1, or 0 when it is not kept
 * (past SQLSPLIT_MAXTOKENS, or out of memory). */
static int
more_tokens(struct sqlsplit *s)
{
	struct sqlsplit_tok *v;

	if (s->ntok != s->tokcap || s->tokcap >= SQLSPLIT_MAXTOKENS ||
	    (v = reallocarray(s->toks, s->tokcap * 2, sizeof(*v))) == NULL)
		return 0;
	s->toks = v;
	s->tokcap *= 2;
	return 1;
}

/* A significant token of the statement: the classifier's input. */
static void
statement_token(struct sqlsplit *s, enum tok kind, unsigned flags, size_t off, size_t len)
{
	const char *w = s->buf + s->start + off;
	struct sqlsplit_tok t = { .off = (uint32_t)off, .len = (uint32_t)len,
	    .kind = (unsigned char)kind, .flags = (unsigned char)flags };
	char name[64];
	int begin = 0, r;

	if (s->hook != NULL)
		s->hook(s->hook_arg, s->ntok, kind, flags, w, len);
	if (s->ntok < s->tokcap || more_tokens(s))
		s->toks[s->ntok] = t;
	s->ntok++;
	if (kind == T_LPAREN)
		s->paren_depth++;
	else if (kind == T_RPAREN && s->paren_depth > 0)
		s->paren_depth--;

	/* BEGIN ATOMIC ... END: a routine body of CREATE [OR REPLACE]
	 * FUNCTION|PROCEDURE, where BEGIN ATOMIC can stand only outside
	 * parentheses; its statements' semicolons and CASE ... END inside. */
	if (s->ntok == 2 && head_is(s, 0, "create"))
		s->routine = head_is(s, 1, "function") || head_is(s, 1, "procedure");
	else if (s->ntok == 4 && head_is(s, 0, "create") && head_is(s, 1, "or") &&
	    head_is(s, 2, "replace"))
		s->routine = head_is(s, 3, "function") || head_is(s, 3, "procedure");
	if (kind == T_WORD) {
		if (s->body_depth > 0) {
			if (word_is(w, len, "case"))
				s->body_depth++;
			else if (word_is(w, len, "end"))
				s->body_depth--;
		} else if (s->routine && s->paren_depth == 0) {
			if (s->prev_begin && word_is(w, len, "atomic"))
				s->body_depth = 1;
			begin = word_is(w, len, "begin");
		}
	}
	s->prev_begin = begin;

	/* COPY [BINARY] name[.name...] [(columns)] FROM STDIN: scan.l tokens
	 * in gram.y's order, so nothing later in the statement can pass for
	 * the FROM STDIN of the COPY itself. */
	switch (s->copy_state) {
	case 0:
		if (s->ntok == 1 && kind == T_WORD && word_is(w, len, "copy"))
			s->copy_state = 1;
		break;
	case 1:		/* after COPY */
		if (kind == T_WORD && word_is(w, len, "binary") && s->ntok == 2)
			break;
		s->copy_state = kind == T_WORD || kind == T_QIDENT ? 2 : 9;
		break;
	case 2:		/* after a name */
		if (kind == T_DOT)
			s->copy_state = 3;
		else if (kind == T_LPAREN)
			s->copy_state = 4;
		else
			s->copy_state = kind == T_WORD && word_is(w, len, "from") ? 6 : 9;
		break;
	case 3:		/* after name. */
		s->copy_state = kind == T_WORD || kind == T_QIDENT ? 2 : 9;
		break;
	case 4:		/* in the column list */
		if (kind == T_RPAREN && s->paren_depth == 0)
			s->copy_state = 5;
		break;
	case 5:
		s->copy_state = kind == T_WORD && word_is(w, len, "from") ? 6 : 9;
		break;
	case 6:
		s->copy_state = kind == T_WORD && word_is(w, len, "stdin") ? 7 : 9;
		break;
	}

	/* set_config('name', ...) changes a setting by a name the text
	 * shows only when it is one plain literal. */
	switch (s->sc_state) {
	case 0:
		/* set_config or "set_config": 10 or 12 bytes, checked first
		 * (this runs for every word of the script) */
		if ((kind == T_WORD && len == 10) || (kind == T_QIDENT && len == 12)) {
			if (token_name(w, &t, name, sizeof(name)) &&
			    strcmp(name, "set_config") == 0)
				s->sc_state = 1;
		}
		break;
	case 1:
		if (kind == T_LPAREN)
			s->sc_state = 2;
		else {
			s->lexwhy = "set_config not called with a literal parameter name";
			s->sc_state = 0;
		}
		break;
	case 2:
		if (kind != T_STRING)
			s->lexwhy = "set_config not called with a literal parameter name";
		else if ((r = string_value(w, &t, name, sizeof(name))) == -1)
			s->lexwhy = "set_config with a parameter name in escapes";
		else if (r == 1 && tracked_name(name))
			s->lexwhy = "set_config of a setting that changes how the "
			    "script is read (use a plain SET)";
		s->sc_state = 3;
		break;
	case 3:
		if (kind != T_COMMA)
			s->lexwhy = "set_config not called with a literal parameter name";
		s->sc_state = 0;
		break;
	}
}

/* PostgreSQL's parse_bool: 1 true, 0 false, -1 neither. */
static int
parse_bool(const char *v)
{
	size_t len = strlen(v);

	if (len == 0)
		return -1;
	switch (v[0] | 0x20) {
	case 't': return strncasecmp(v, "true", len) == 0 && len <= 4 ? 1 : -1;
	case 'f': return strncasecmp(v, "false", len) == 0 && len <= 5 ? 0 : -1;
	case 'y': return strncasecmp(v, "yes", len) == 0 && len <= 3 ? 1 : -1;
	case 'n': return strncasecmp(v, "no", len) == 0 && len <= 2 ? 0 : -1;
	case 'o':
		if (len < 2)
			return -1;
		if (strncasecmp(v, "on", len) == 0 && len <= 2)
			return 1;
		return strncasecmp(v, "off", len) == 0 && len <= 3 ? 0 : -1;
	}
	if (len == 1 && (v[0] == '1' || v[0] == '0'))
		return v[0] == '1';
	return -1;
}

int
sqlsplit_encoding_safe(const char *name)
{
	static const char *const unsafe[] = {
		/* pg_wchar.h's client-only encodings and their aliases
		 * (encnames.c), spelled as the server compares them: lower
		 * case, no punctuation. */
		"sjis", "shiftjis", "mskanji", "win932", "windows932",
		"shiftjis2004", "big5", "win950", "windows950", "gbk", "win936",
		"windows936", "uhc", "win949", "windows949", "gb18030", "johab"
	};
	char clean[64];
	size_t i, o = 0;

	for (i = 0; name[i] != '\0' && o + 1 < sizeof(clean); i++)
		if ((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9'))
			clean[o++] = name[i];
		else if (name[i] >= 'A' && name[i] <= 'Z')
			clean[o++] = (char)(name[i] + 32);
	clean[o] = '\0';
	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		if (strcmp(clean, unsafe[i]) == 0)
			return 0;
	return 1;
}

/* The SET, RESET and DISCARD statements that decide how strings are read,
 * applied to the model; what it cannot follow sets lexwhy. */
static void
follow_settings(struct sqlsplit *s)
{
	const char *b = s->buf + s->start;
	const struct sqlsplit_tok *h = s->toks, *v;
	char name[64], value[64];
	unsigned i = 1, n = s->ntok;
	int local = 0, names = 0, r;

	if (n > 0 && n <= HEADTOK && h[n - 1].kind == T_SEMI)
		n--;	/* the ';' */
	if (head_is(s, 0, "discard") && head_is(s, 1, "all")) {
		if (s->in_block || n != 2)
			s->lexwhy = "a DISCARD ALL that cannot be followed";
		s->std_strings = 1;
		return;
	}
	if (head_is(s, 0, "reset") && n >= 2) {
		if (head_is(s, 1, "all"))
			name[0] = '\0';
		else if (!token_name(b + h[1].off, &h[1], name, sizeof(name))) {
			if (h[1].kind == T_QIDENT)
				s->lexwhy = "RESET of a setting named in escapes";
			return;
		} else if (!tracked_name(name))
			return;
		if (s->in_block)
			s->lexwhy = "RESET of how strings are read inside a transaction block";
		else if (n != 2)
			s->lexwhy = "a RESET that cannot be followed";
		if (name[0] == '\0' || strcmp(name, "standard_conforming_strings") == 0)
			s->std_strings = 1;
		return;
	}
	if (!head_is(s, 0, "set"))
		return;
	if (head_is(s, 1, "local") || head_is(s, 1, "session")) {
		local = head_is(s, 1, "local");
		i = 2;
	}
	if (i >= n || i >= HEADTOK)
		return;
	if (head_is(s, i, "names")) {
		names = 1;
		strlcpy(name, "client_encoding", sizeof(name));
	} else if (!token_name(b + h[i].off, &h[i], name, sizeof(name))) {
		if (h[i].kind == T_QIDENT)
			s->lexwhy = "SET of a setting named in escapes";
		return;
	}
	if (!tracked_name(name))
		return;
	if (i + 1 < n && i + 1 < HEADTOK && h[i + 1].kind == T_DOT)
		return;		/* a custom setting: name.something */
	if (local) {
		s->lexwhy = "SET LOCAL of how strings are read";
		return;
	}
	if (s->in_block) {
		s->lexwhy = "SET of how strings are read inside a transaction block";
		return;
	}
	/* SET name {TO | =} value, or SET NAMES value */
	if (names && n == i + 1) {
		value[0] = '\0';	/* SET NAMES: the default */
		v = NULL;
	} else {
		if (!names && (i + 2 >= HEADTOK || (h[i + 1].kind != T_EQ &&
		    !head_is(s, i + 1, "to")))) {
			s->lexwhy = "a SET that cannot be followed";
			return;
		}
		if (!names)
			i++;
		if (n != i + 2 || i + 1 >= HEADTOK) {
			s->lexwhy = "a SET that cannot be followed";
			return;
		}
		v = &h[i + 1];
		if (v->kind == T_WORD || v->kind == T_NUMBER) {
			if (v->len >= sizeof(value)) {
				s->lexwhy = "a SET that cannot be followed";
				return;
			}
			memcpy(value, b + v->off, v->len);
			value[v->len] = '\0';
			if (v->kind == T_WORD && word_is(value, v->len, "default"))
				value[0] = '\0';
		} else if ((r = string_value(b + v->off, v, value, sizeof(value))) != 1) {
			s->lexwhy = "a SET that cannot be followed";
			return;
		}
	}
	if (strcmp(name, "client_encoding") == 0) {
		if (value[0] != '\0' && !sqlsplit_encoding_safe(value))
			s->lexwhy = "a client encoding whose characters may hold quote "
			    "or backslash bytes";
		return;
	}
	if (value[0] == '\0')
		s->std_strings = 1;
	else if ((r = parse_bool(value)) == -1)
		s->lexwhy = "a SET that cannot be followed";
	else
		s->std_strings = r;
}

/* The statement's class, its keywords, and what it does to the model. */
static void
classify(struct sqlsplit *s, struct sqlsplit_item *it)
{
	unsigned i;
	size_t o = 0, k;
	const struct sqlsplit_tok *t;
	char c;

	for (i = 0; i < s->ntok && i < 3; i++) {
		t = &s->toks[i];
		if (t->kind != T_WORD || o + t->len + 2 > sizeof(it->keywords))
			break;
		if (o > 0)
			it->keywords[o++] = ' ';
		for (k = 0; k < t->len; k++) {
			c = s->buf[s->start + t->off + k];
			it->keywords[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
	}
	it->keywords[o] = '\0';

	follow_settings(s);
	it->cls = SQLSPLIT_PLAIN;
	if (head_is(s, 0, "copy"))
		it->cls = s->copy_state == 7 ? SQLSPLIT_COPY_IN : SQLSPLIT_COPY_OTHER;
	else if ((head_is(s, 0, "create") || head_is(s, 0, "drop") ||
	    head_is(s, 0, "alter")) && head_is(s, 1, "database"))
		it->cls = SQLSPLIT_DATABASE;
	else if (head_is(s, 0, "alter") && head_is(s, 1, "system"))
		it->cls = SQLSPLIT_SYSTEM;
	else if (s->lexwhy != NULL) {
		it->cls = SQLSPLIT_LEXSTATE;
		it->why = s->lexwhy;
	} else if (head_is(s, 0, "begin") ||
	    (head_is(s, 0, "start") && head_is(s, 1, "transaction"))) {
		it->cls = SQLSPLIT_TRANSACTION;
		s->in_block = 1;
	} else if (head_is(s, 0, "commit") || head_is(s, 0, "end") ||
	    head_is(s, 0, "abort") || (head_is(s, 0, "rollback") && !head_is(s, 1, "to")) ||
	    (head_is(s, 0, "prepare") && head_is(s, 1, "transaction"))) {
		it->cls = SQLSPLIT_TRANSACTION;
		if (!head_is(s, 1, "prepared") && !head_is(s, 1, "and"))
			s->in_block = 0;
	}
	if (s->lexwhy != NULL && it->cls != SQLSPLIT_LEXSTATE)
		it->why = s->lexwhy;
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
	it->offset = s->stmt_offset;
	it->terminated = terminated;
	it->tokens = s->toks;
	it->ntokens = s->ntok < s->tokcap ? s->ntok : s->tokcap;
	it->tokens_cut = s->ntok > s->tokcap;
	classify(s, it);
	it->copy_in = terminated && it->cls == SQLSPLIT_COPY_IN;
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
	it->offset = offset_of(s, s->pos);
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

/* A -- comment at the start of a line between statements, for a caller
 * that reads marker comments; the line has no \r (that ends a comment). */
static enum step
comment_line(struct sqlsplit *s, struct sqlsplit_item *it, const char *nl)
{
	size_t eol = nl != NULL ? (size_t)(nl - s->buf) : s->end;

	it->kind = SQLSPLIT_COMMENT;
	it->text = s->buf + s->pos;
	it->len = eol - s->pos;
	it->line = s->line;
	it->offset = offset_of(s, s->pos);
	set_nul(s, eol);
	s->pos = nl != NULL ? eol + 1 : eol;
	if (nl != NULL)
		s->line++;
	return S_ITEM;
}

/* A string starts at pos: prefix bytes (E, B, U&, ...) then the quote. */
static void
open_string(struct sqlsplit *s, enum flavor f, unsigned flags, size_t prefix)
{
	s->lex = L_SQUOTE;
	s->flavor = f;
	s->tok_flags = (unsigned char)(flags | (f == F_ESC ? TF_ESC : 0) |
	    (f == F_BITS ? TF_BITS : 0));
	s->tok_off = s->pos - s->start;
	s->tok_line = s->line;
	advance(s, prefix + 1);
}

/* The number at pos, as PostgreSQL 15's scan.l reads it: digits and a
 * fraction, then either a signed exponent (1e+5) or any identifier run on
 * ({integer_junk}: 1abc$$ and 1e5$$ are one bad token; a '$' in it is no
 * quote).  Returns its end, or 0 when the buffer ends first. */
static size_t
number_end(const struct sqlsplit *s)
{
	const char *b = s->buf;
	size_t i = s->pos, e = s->end;

	while (i < e && (is_digit(b[i]) || b[i] == '.'))
		i++;
	if (i + 2 >= e && !s->eof)
		return 0;
	if (i + 2 < e && (b[i] == 'e' || b[i] == 'E') && (b[i + 1] == '+' ||
	    b[i + 1] == '-') && is_digit(b[i + 2])) {
		for (i += 2; i < e && is_digit(b[i]); i++)
			;
		if (i == e && !s->eof)
			return 0;
	}
	if (i < e && ident_start(b[i])) {
		while (i < e && ident_cont(b[i]))
			i++;
		if (i == e && !s->eof)
			return 0;
	}
	return i;
}

/* The lexer states, one function each.  Each looks at the input from pos
 * (at least one byte there) and returns S_GO to go on in whatever state it
 * left, S_NEED when it must see more input first (only ever before the end
 * of input), or S_ITEM when an item is ready in it. */

/* L_LINECOMMENT: scan.l's -- comment ends at \n or \r. */
static enum step
lex_line_comment(struct sqlsplit *s)
{
	const char *b = s->buf;
	size_t i;

	for (i = s->pos; i < s->end && b[i] != '\n' && b[i] != '\r'; i++)
		;
	if (i < s->end) {
		s->lex = L_NORMAL;
		if (s->mode == M_TOP)
			s->bol = b[i] == '\n';
		i++;
	}
	advance(s, i - s->pos);
	return S_GO;
}

/* L_BLOCKCOMMENT: nested, as scan.l's xc. */
static enum step
lex_block_comment(struct sqlsplit *s)
{
	const char *b = s->buf;
	size_t avail = s->end - s->pos, i;
	unsigned char c = b[s->pos];

	if ((c == '/' || c == '*') && avail < 2 && !s->eof)
		return S_NEED;
	if (c == '/' && avail >= 2 && b[s->pos + 1] == '*') {
		s->comment_depth++;
		advance(s, 2);
	} else if (c == '*' && avail >= 2 && b[s->pos + 1] == '/') {
		advance(s, 2);
		if (--s->comment_depth == 0) {
			s->lex = L_NORMAL;
			s->bol = 0;
		}
	} else {
		for (i = s->pos + 1; i < s->end && b[i] != '*' && b[i] != '/'; i++)
			;
		advance(s, i - s->pos);
	}
	return S_GO;
}

/* L_SQUOTE: a '' string of its flavor, up to its closing quote. */
static enum step
lex_string(struct sqlsplit *s)
{
	const char *b = s->buf, *p;
	size_t avail = s->end - s->pos, i;

	if (s->flavor == F_ESC) {
		/* E'': a backslash escapes the next byte */
		for (i = s->pos; i < s->end && b[i] != '\\' && b[i] != '\''; i++)
			;
	} else {
		p = memchr(b + s->pos, '\'', avail);
		i = p != NULL ? (size_t)(p - b) : s->end;
	}
	advance(s, i - s->pos);
	avail = s->end - s->pos;
	if (avail == 0)
		return S_GO;
	if (avail < 2 && !s->eof)
		return S_NEED;
	if (b[s->pos] == '\\') {
		advance(s, avail >= 2 ? 2 : 1);
		return S_GO;
	}
	if (s->flavor != F_BITS && avail >= 2 && b[s->pos + 1] == '\'') {
		advance(s, 2);	/* doubled: an escaped quote */
		return S_GO;
	}
	advance(s, 1);
	s->lex = L_QSTOP;
	s->qstop_end = s->pos - s->start;
	s->qs_newline = s->qs_comment = 0;
	return S_GO;
}

/* L_QSTOP: after a string's closing quote, scan.l's quotecontinue:
 * horizontal space or -- comments, a newline, any whitespace or comment
 * lines, a quote continue the string; anything else ends it. */
static enum step
lex_string_stop(struct sqlsplit *s)
{
	const char *b = s->buf;
	size_t avail = s->end - s->pos;
	unsigned char c = b[s->pos];

	if (s->qs_comment) {
		if (c == '\n' || c == '\r') {
			s->qs_comment = 0;
			s->qs_newline = 1;
		}
		advance(s, 1);
		return S_GO;
	}
	if (c == ' ' || c == '\t' || c == '\f') {
		advance(s, 1);
		return S_GO;
	}
	if (c == '\n' || c == '\r') {
		s->qs_newline = 1;
		advance(s, 1);
		return S_GO;
	}
	if (c == '-') {
		if (avail < 2 && !s->eof)
			return S_NEED;
		if (avail >= 2 && b[s->pos + 1] == '-') {
			s->qs_comment = 1;
			advance(s, 2);
			return S_GO;
		}
	}
	if (c == '\'' && s->qs_newline) {
		s->lex = L_SQUOTE;
		s->tok_flags |= TF_CONT;
		advance(s, 1);
		return S_GO;
	}
	s->lex = L_NORMAL;
	statement_token(s, T_STRING, s->tok_flags, s->tok_off, s->qstop_end - s->tok_off);
	return S_GO;
}

/* L_DQUOTE: a quoted identifier, up to its closing quote. */
static enum step
lex_identifier(struct sqlsplit *s)
{
	const char *b = s->buf, *p;
	size_t avail = s->end - s->pos;

	p = memchr(b + s->pos, '"', avail);
	if (p == NULL) {
		advance(s, avail);
		return S_GO;
	}
	advance(s, p - (b + s->pos));
	avail = s->end - s->pos;
	if (avail < 2 && !s->eof)
		return S_NEED;
	if (avail >= 2 && b[s->pos + 1] == '"') {
		advance(s, 2);	/* doubled: an escaped quote */
		return S_GO;
	}
	advance(s, 1);
	s->lex = L_NORMAL;
	statement_token(s, T_QIDENT, s->tok_flags, s->tok_off, s->pos - s->start - s->tok_off);
	return S_GO;
}

/* L_DOLLAR: a dollar-quoted string, up to its tag. */
static enum step
lex_dollar_string(struct sqlsplit *s)
{
	const char *b = s->buf, *p;
	size_t avail = s->end - s->pos;

	p = memchr(b + s->pos, '$', avail);
	if (p == NULL) {
		advance(s, avail);
		return S_GO;
	}
	advance(s, p - (b + s->pos));
	avail = s->end - s->pos;
	if (avail < s->tag_len && !s->eof)
		return S_NEED;
	if (avail >= s->tag_len &&
	    memcmp(b + s->pos, b + s->start + s->tag_off, s->tag_len) == 0) {
		advance(s, s->tag_len);
		s->lex = L_NORMAL;
		statement_token(s, T_DOLLARSTR, 0, s->tag_off, s->pos - s->start - s->tag_off);
	} else
		advance(s, 1);
	return S_GO;
}

/* L_NORMAL at an identifier's first byte: a word, or the prefix of a
 * string (E'' B'' X'' N'' U&'') or of a U&"" identifier. */
static enum step
lex_word(struct sqlsplit *s)
{
	const char *b = s->buf;
	unsigned char c = b[s->pos];
	size_t i;

	for (i = s->pos + 1; i < s->end && ident_cont(b[i]); i++)
		;
	if (i + 1 >= s->end && !s->eof)
		return S_NEED;	/* a prefix needs two bytes after it */
	if (i - s->pos == 1 && i < s->end && b[i] == '\'') {
		switch (c | 0x20) {
		case 'e':
			open_string(s, F_ESC, 0, 1);
			return S_GO;
		case 'b':
		case 'x':
			open_string(s, F_BITS, 0, 1);
			return S_GO;
		case 'n':	/* NCHAR, then an ordinary string */
			open_string(s, s->std_strings ? F_PLAIN : F_ESC, 0, 1);
			return S_GO;
		}
	}
	if (i - s->pos == 1 && (c | 0x20) == 'u' && i + 1 < s->end &&
	    b[i] == '&' && (b[i + 1] == '\'' || b[i + 1] == '"')) {
		if (b[i + 1] == '\'') {
			open_string(s, F_PLAIN, TF_UNI, 2);
			return S_GO;
		}
		s->lex = L_DQUOTE;
		s->tok_flags = TF_UNI;
		s->tok_off = s->pos - s->start;
		s->tok_line = s->line;
		advance(s, 3);
		return S_GO;
	}
	statement_token(s, T_WORD, 0, s->pos - s->start, i - s->pos);
	s->pos = i;
	return S_GO;
}

/* L_NORMAL at a '$': a parameter ($1), a dollar quote's opening tag, or a
 * lone '$' (*lone set: a token of its own). */
static enum step
lex_dollar(struct sqlsplit *s, int *lone)
{
	const char *b = s->buf;
	size_t avail = s->end - s->pos, i;

	*lone = 0;
	if (avail < 2 && !s->eof)
		return S_NEED;
	if (avail >= 2 && is_digit(b[s->pos + 1])) {
		/* $1: a parameter; an identifier may run on */
		for (i = s->pos + 1; i < s->end && is_digit(b[i]); i++)
			;
		if (i < s->end && ident_start(b[i]))
			while (i < s->end && ident_cont(b[i]))
				i++;
		if (i == s->end && !s->eof)
			return S_NEED;
		statement_token(s, T_OTHER, 0, s->pos - s->start, i - s->pos);
		s->pos = i;
		return S_GO;
	}
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
		return S_GO;
	}
	*lone = 1;
	return S_GO;
}

/* L_NORMAL inside a statement, at its next token: words, numbers, the
 * openings of quotes, punctuation; a ';' outside parentheses and routine
 * bodies ends the statement. */
static enum step
lex_token(struct sqlsplit *s, struct sqlsplit_item *it)
{
	unsigned char c = s->buf[s->pos];
	enum tok kind = T_OTHER;
	enum step r;
	size_t i;
	int lone;

	if (ident_start(c))
		return lex_word(s);
	if (is_digit(c)) {
		if ((i = number_end(s)) == 0)
			return S_NEED;
		statement_token(s, T_NUMBER, 0, s->pos - s->start, i - s->pos);
		s->pos = i;
		return S_GO;
	}
	switch (c) {
	case '\'':
		open_string(s, s->std_strings ? F_PLAIN : F_ESC, 0, 0);
		return S_GO;
	case '"':
		s->lex = L_DQUOTE;
		s->tok_flags = 0;
		s->tok_off = s->pos - s->start;
		s->tok_line = s->line;
		advance(s, 1);
		return S_GO;
	case '$':
		if ((r = lex_dollar(s, &lone)) != S_GO || !lone)
			return r;
		break;
	case '(':
		kind = T_LPAREN;
		break;
	case ')':
		kind = T_RPAREN;
		break;
	case ',':
		kind = T_COMMA;
		break;
	case '.':
		kind = T_DOT;
		break;
	case '=':
		kind = T_EQ;
		break;
	case ';':
		kind = T_SEMI;
		break;
	}
	statement_token(s, kind, 0, s->pos - s->start, 1);
	advance(s, 1);
	if (kind == T_SEMI && s->paren_depth == 0 && s->body_depth == 0) {
		s->bol = 0;
		return emit_statement(s, it, 1);
	}
	return S_GO;
}

/* L_NORMAL: between statements (blanks, stray semicolons, comments, psql
 * commands) or inside one; the first byte of a statement begins it. */
static enum step
lex_normal(struct sqlsplit *s, struct sqlsplit_item *it)
{
	const char *b = s->buf, *p;
	size_t avail = s->end - s->pos, n;
	unsigned char c = b[s->pos];

	if (s->mode == M_TOP && (is_space(c) || c == ';')) {
		s->bol = c == '\n';
		advance(s, 1);
		return S_GO;
	}
	if ((c == '-' || c == '/') && avail < 2 && !s->eof)
		return S_NEED;
	if (c == '-' && avail >= 2 && b[s->pos + 1] == '-') {
		if (s->comments && s->mode == M_TOP && s->bol) {
			p = memchr(b + s->pos, '\n', avail);
			if (p == NULL && !s->eof)
				return S_NEED;
			n = p != NULL ? (size_t)(p - (b + s->pos)) : avail;
			if (memchr(b + s->pos, '\r', n) == NULL)
				return comment_line(s, it, p);
		}
		s->lex = L_LINECOMMENT;
		advance(s, 2);
		return S_GO;
	}
	if (c == '/' && avail >= 2 && b[s->pos + 1] == '*') {
		s->lex = L_BLOCKCOMMENT;
		s->comment_depth = 1;
		s->tok_line = s->line;
		advance(s, 2);
		return S_GO;
	}
	if (c == '\\') {
		s->bol = 1;
		return meta(s, it);
	}
	if (is_space(c)) {
		advance(s, 1);
		return S_GO;
	}
	if (s->mode == M_TOP) {
		begin_statement(s);
		if (s->comments) {
			it->kind = SQLSPLIT_STATEMENT_START;
			it->line = s->line;
			it->offset = s->stmt_offset;
			return S_ITEM;
		}
	}
	return lex_token(s, it);
}

/* Lex statements and what lies between them until an item is ready, or more
 * input is needed (only ever returned before the end of input). */
static enum step
lex_step(struct sqlsplit *s, struct sqlsplit_item *it)
{
	enum step r = S_GO;

	for (;;) {
		if (s->mode == M_TOP)
			s->start = s->pos;	/* nothing between statements is kept */
		if (s->pos == s->end)
			return S_NEED;
		switch (s->lex) {
		case L_NORMAL:
			r = lex_normal(s, it);
			break;
		case L_LINECOMMENT:
			r = lex_line_comment(s);
			break;
		case L_BLOCKCOMMENT:
			r = lex_block_comment(s);
			break;
		case L_SQUOTE:
			r = lex_string(s);
			break;
		case L_QSTOP:
			r = lex_string_stop(s);
			break;
		case L_DQUOTE:
			r = lex_identifier(s);
			break;
		case L_DOLLAR:
			r = lex_dollar_string(s);
			break;
		}
		if (r != S_GO)
			return r;
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
		return fail(s, it, "unterminated quoted string starting at line %lu",
		    s->tok_line);
	case L_QSTOP:
		s->lex = L_NORMAL;
		statement_token(s, T_STRING, s->tok_flags, s->tok_off,
		    s->qstop_end - s->tok_off);
		break;
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
	const char *b = s->buf;
	size_t i;

	while (s->pos < s->end) {
		if (b[s->pos] == '\n') {
			advance(s, 1);
			s->mode = M_COPY;
			s->start = s->pos;
			s->chunk_line = s->line;
			s->chunk_rows = 0;
			s->copy_rows = 0;
			s->copy_line = s->line;
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
				/* a -- comment, up to \n or \r as in scan.l */
				for (i = s->pos + 2; i < s->end && b[i] != '\n' && b[i] != '\r'; i++)
					;
				if (i == s->end && !s->eof)
					return S_NEED;
				s->pos = i;
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
	it->offset = offset_of(s, s->start);
	it->rows = s->chunk_rows;
	return S_ITEM;
}

/* COPY data: whole rows in chunks as large as the buffer, then the \. line. */
static size_t
count_tabs(const char *p, size_t n)
{
	size_t tabs = 0, i = 0;
#if defined(__GNUC__) || defined(__clang__)
	/* 16 bytes at a time with the compiler's vector extension (SSE2 on
	 * x86-64, NEON on arm64): one compare and one subtract per 16 bytes,
	 * instead of a memchr call per field. */
	typedef unsigned char v16 __attribute__((vector_size(16)));
	v16 v, acc, tab = { 0 };
	size_t k, rounds;

	tab += '\t';
	while (n - i >= 16) {
		acc = (v16){ 0 };
		/* each lane counts at most 255 before the sum */
		for (rounds = 0; rounds < 255 && n - i >= 16; rounds++, i += 16) {
			memcpy(&v, p + i, sizeof(v));
			acc -= (v16)(v == tab);
		}
		for (k = 0; k < sizeof(acc); k++)
			tabs += acc[k];
	}
#endif
	for (; i < n; i++)
		tabs += p[i] == '\t';
	return tabs;
}

/* A COPY row of tabs + 1 fields ended: whether the COPY's column count
 * (when one was set) allows it; if not, the error item. */
static int
row_fields_bad(struct sqlsplit *s, struct sqlsplit_item *it, uint64_t tabs, size_t at)
{
	if (s->copy_fields == 0 || tabs + 1 == s->copy_fields)
		return 0;
	snprintf(s->err, sizeof(s->err), "row %llu of the COPY data has %llu fields, "
	    "the COPY names %zu columns", (unsigned long long)s->copy_rows + 1,
	    (unsigned long long)tabs + 1, s->copy_fields);
	s->mode = M_FAILED;
	it->kind = SQLSPLIT_ERROR;
	it->offset = s->midline ? s->row_offset : offset_of(s, at);
	it->rows = s->copy_rows + 1;
	it->len = (size_t)tabs + 1;
	return 1;
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
			if (!s->eof && (s->start > 0 || s->end < s->cap || s->lent))
				return S_NEED;	/* room left: read for a bigger chunk */
			if (!s->eof) {
				/* The buffer is full. */
				if (s->pos > s->start)
					return emit_chunk(s, it, s->pos);
				/* One row longer than the buffer: send a piece. */
				if (!s->midline) {
					s->row_offset = offset_of(s, s->pos);
					s->row_tabs = 0;
				}
				if (s->copy_fields > 0)
					s->row_tabs += count_tabs(b + s->pos, s->end - s->pos);
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
			if (row_fields_bad(s, it, s->row_tabs + (s->copy_fields > 0 ?
			    count_tabs(b + s->pos, len) : 0), s->pos))
				return S_ITEM;
			s->midline = 0;
			s->chunk_rows++;
			s->copy_rows++;
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
			it->offset = offset_of(s, s->pos);
			it->rows = 0;
			advance(s, nl != NULL ? len + 1 : len);
			s->mode = M_TOP;
			s->lex = L_NORMAL;
			s->bol = 1;
			s->copy_fields = 0;
			return S_ITEM;
		}
		if (s->copy_fields > 0 && count_tabs(b + s->pos, len) + 1 != s->copy_fields) {
			if (s->pos > s->start)
				return emit_chunk(s, it, s->pos);	/* the rows before it */
			row_fields_bad(s, it, count_tabs(b + s->pos, len), s->pos);
			return S_ITEM;
		}
		s->chunk_rows++;
		s->copy_rows++;
		s->pos += len + 1;
		s->line++;
	}
}

void
sqlsplit_push(struct sqlsplit *s, const void *p, size_t len)
{
	s->push = p;
	s->pushlen = len;
	if (len == 0)
		s->push_eof = 1;
}

/* Back to our own buffer, with what is left of the lent piece.  Returns 0,
 * or -1 when out of memory. */
static int
unlend(struct sqlsplit *s)
{
	const char *rest = s->buf + s->pos;
	size_t n = s->end - s->pos, cap = s->owncap;
	char *nb;

	if (n > cap) {
		while (cap < n)
			cap *= 2;
		if ((nb = realloc(s->own, cap + 1)) == NULL) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
		s->own = nb;
		s->owncap = cap;
	}
	memcpy(s->own, rest, n);
	s->buf = s->own;
	s->cap = s->owncap;
	s->lent = 0;
	s->start = s->pos = 0;
	s->end = n;
	return 0;
}

/* Push mode, COPY data wanting more input: emit the rows found so far,
 * read the next piece in place, or complete a row begun in our buffer from
 * it.  Returns S_ITEM, S_NEED to go on scanning, or -1 when the piece is
 * used up (then fill). */
static int
push_copy(struct sqlsplit *s, struct sqlsplit_item *it)
{
	const char *nl;
	size_t n;

	if (s->pos > s->start && !s->midline)
		return emit_chunk(s, it, s->pos);
	if (s->lent)
		return unlend(s) == -1 ? -2 : S_NEED;
	if (s->pushlen == 0 || s->midline)
		return -1;
	if (s->pos == s->end) {
		/* Nothing of ours left: read the piece where it is. */
		s->own = s->buf;
		s->owncap = s->cap;
		s->buf = (char *)(uintptr_t)s->push;
		s->start = s->pos = 0;
		s->end = s->cap = s->pushlen;
		s->bytes += s->pushlen;
		s->pushlen = 0;
		s->lent = 1;
		s->chunk_line = s->line;
		s->chunk_rows = 0;
		return S_NEED;
	}
	/* A row begun in our buffer: its rest, up to its newline. */
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->pos -= s->start;
		s->end -= s->start;
		s->start = 0;
	}
	nl = memchr(s->push, '\n', s->pushlen);
	n = nl != NULL ? (size_t)(nl - s->push) + 1 : s->pushlen;
	if (n > s->cap - s->end)
		return -1;	/* a row longer than the buffer: fill as ever */
	memcpy(s->buf + s->end, s->push, n);
	s->push += n;
	s->pushlen -= n;
	s->end += n;
	s->bytes += n;
	return S_NEED;
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
	if (s->lent && s->mode != M_COPY && unlend(s) == -1)
		s->mode = M_FAILED;
	if (s->mode == M_FAILED) {
		it->kind = SQLSPLIT_ERROR;
		return SQLSPLIT_ERROR;
	}
	if (s->mode == M_DONE) {
		it->kind = SQLSPLIT_END;
		return SQLSPLIT_END;
	}
	if (s->mode != M_STMT && !s->again) {
		s->start = s->pos;
		s->chunk_line = s->line;
		s->chunk_rows = 0;
	}
	s->again = 0;	/* after AGAIN, a COPY chunk goes on growing */

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
				    "\\. line (data started at line %lu)", s->copy_line);
			if (r == S_ITEM)
				return it->kind;
			if (s->readfn == NULL && !s->eof) {
				switch (push_copy(s, it)) {
				case S_ITEM:
					return it->kind;
				case S_NEED:
					continue;
				case -2:
					s->mode = M_FAILED;
					it->kind = SQLSPLIT_ERROR;
					return SQLSPLIT_ERROR;
				}
			}
			break;
		case M_DONE:
		case M_FAILED:
			it->kind = s->mode == M_DONE ? SQLSPLIT_END : SQLSPLIT_ERROR;
			return it->kind;
		}
		switch (fill(s)) {
		case -1:
			s->mode = M_FAILED;
			it->kind = SQLSPLIT_ERROR;
			return SQLSPLIT_ERROR;
		case 1:
			s->again = 1;
			it->kind = SQLSPLIT_AGAIN;
			return SQLSPLIT_AGAIN;
		}
	}
}

/* --- a statement's tokens -------------------------------------------------- */

static ssize_t
read_nothing(void *arg, void *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

int
sqlsplit_lex(const char *text, size_t len, struct sqlsplit_tok **tokens, unsigned *ntokens)
{
	struct sqlsplit *s;
	struct sqlsplit_item it;
	size_t at, i;
	unsigned k;
	int n = -1;

	*tokens = NULL;
	*ntokens = 0;
	if (text == NULL || len == 0 || len >= SQLSPLIT_MAXSTMT ||
	    (s = splitter_new(len, read_nothing, NULL)) == NULL)
		return -1;
	memcpy(s->buf, text, len);
	s->end = len;
	s->bytes = len;
	s->eof = 1;
	if (sqlsplit_next(s, &it) != SQLSPLIT_STATEMENT || it.tokens_cut)
		goto out;
	/* One statement: nothing but blanks after it. */
	for (i = (size_t)(it.text - s->buf) + it.len; i < len; i++)
		if (!is_space((unsigned char)text[i]))
			goto out;
	if ((*tokens = reallocarray(NULL, it.ntokens ? it.ntokens : 1,
	    sizeof(**tokens))) == NULL)
		goto out;
	at = (size_t)(it.text - s->buf);
	for (k = 0; k < it.ntokens; k++) {
		(*tokens)[k] = it.tokens[k];
		(*tokens)[k].off += (uint32_t)at;
	}
	*ntokens = it.ntokens;
	n = (int)it.ntokens;
out:
	sqlsplit_free(s);
	return n;
}

/* Token k of it is the word w (lower case). */
static int
tok_word(const struct sqlsplit_item *it, const struct sqlsplit_tok *t, unsigned k,
    unsigned n, const char *w)
{
	return k < n && t[k].kind == T_WORD && word_is(it->text + t[k].off, t[k].len, w);
}

/* A format option's value after FROM stdin: csv or binary, however written
 * (a word, 'csv', "csv"). */
static int
tok_value(const struct sqlsplit_item *it, const struct sqlsplit_tok *t, const char *w)
{
	size_t n = strlen(w);

	if (t->kind == T_WORD)
		return word_is(it->text + t->off, t->len, w);
	if ((t->kind == T_STRING && it->text[t->off] == '\'') || t->kind == T_QIDENT)
		return t->len == n + 2 && strncasecmp(it->text + t->off + 1, w, n) == 0;
	return 0;
}

int
sqlsplit_copy_target(const struct sqlsplit_item *it, struct sqlsplit_copy *c)
{
	struct sqlsplit_tok *own = NULL;
	const struct sqlsplit_tok *t = it->tokens;
	unsigned n = it->ntokens, k = 1, depth = 0;
	int r = -1;

	memset(c, 0, sizeof(*c));
	if (t == NULL) {
		if (sqlsplit_lex(it->text, it->len, &own, &n) == -1)
			return -1;
		t = own;
	}
	if (!tok_word(it, t, 0, n, "copy"))
		goto out;
	if (tok_word(it, t, 1, n, "binary")) {
		c->binary = 1;
		k = 2;
	}
	/* name[.name...]: the parts as written, each dot right after a part
	 * (pg_dump writes no space there) */
	if (k >= n || (t[k].kind != T_WORD && t[k].kind != T_QIDENT))
		goto out;
	c->name_tok = k;
	c->name_off = t[k].off;
	for (;;) {
		c->name_parts++;
		c->name_len = t[k].off + t[k].len - c->name_off;
		if (k + 2 < n && t[k + 1].kind == T_DOT &&
		    t[k + 1].off == t[k].off + t[k].len &&
		    (t[k + 2].kind == T_WORD || t[k + 2].kind == T_QIDENT))
			k += 2;
		else
			break;
	}
	k++;
	/* (columns): one more than the commas between its parentheses */
	if (k < n && t[k].kind == T_LPAREN) {
		c->columns = 1;
		for (; k < n; k++) {
			if (t[k].kind == T_LPAREN)
				depth++;
			else if (t[k].kind == T_RPAREN && --depth == 0)
				break;
			else if (t[k].kind == T_COMMA && depth == 1)
				c->columns++;
		}
		if (k == n)
			c->columns = 0;	/* not all kept */
		k++;
	}
	/* FROM stdin, then the options: the data's format */
	for (; k < n; k++)
		if (tok_value(it, &t[k], "csv"))
			c->csv = 1;
		else if (tok_value(it, &t[k], "binary"))
			c->binary = 1;
	r = 0;
out:
	free(own);
	return r;
}

/* --- what may run --------------------------------------------------------- */

int
sqlsplit_session_check(const struct sqlsplit *s, const char *standard_strings,
    const char *client_encoding, char *why, size_t whylen)
{
	int on;

	if (client_encoding != NULL && !sqlsplit_encoding_safe(client_encoding)) {
		snprintf(why, whylen, "the session's client_encoding is %s, whose characters "
		    "may hold quote or backslash bytes: the script cannot be split safely",
		    client_encoding);
		return -1;
	}
	if (standard_strings == NULL)
		return 0;
	on = strcmp(standard_strings, "on") == 0;
	if (on != s->std_strings) {
		snprintf(why, whylen, "the server now reads strings with "
		    "standard_conforming_strings %s, the script's text says %s "
		    "(changed by a function or DO block?): stopped before the next "
		    "statement", on ? "on" : "off", s->std_strings ? "on" : "off");
		return -1;
	}
	return 0;
}

/* The first words of a text, blanks squeezed, for a message. */
void
sqlsplit_head(const char *t, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i;
	int space = 0;

	for (i = 0; i < len && o < 60 && o + 4 < outlen; i++) {
		if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
			space = 1;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = 0;
		out[o++] = t[i];
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

int
sqlsplit_refused(const struct sqlsplit_item *it, char *why, size_t whylen)
{
	char head[96];

	if (it->kind != SQLSPLIT_STATEMENT || it->cls == SQLSPLIT_PLAIN ||
	    it->cls == SQLSPLIT_TRANSACTION || (it->cls == SQLSPLIT_COPY_IN && it->copy_in))
		return 0;
	sqlsplit_head(it->text, it->len, head, sizeof(head));
	switch (it->cls) {
	case SQLSPLIT_DATABASE:
	case SQLSPLIT_SYSTEM:
		snprintf(why, whylen, "refused %s: a restore touches only its own "
		    "database (a dump made with pg_dump -C?)", head);
		return 1;
	case SQLSPLIT_COPY_OTHER:
		snprintf(why, whylen, "refused %s: the only COPY allowed is "
		    "COPY ... FROM stdin", head);
		return 1;
	case SQLSPLIT_COPY_IN:
		snprintf(why, whylen, "refused %s: COPY ... FROM stdin without its ';'", head);
		return 1;
	case SQLSPLIT_LEXSTATE:
		snprintf(why, whylen, "refused %s: %s: the script could no longer be "
		    "split as the server reads it", head, it->why);
		return 1;
	case SQLSPLIT_PLAIN:
	case SQLSPLIT_TRANSACTION:
		break;
	}
	return 0;
}

/* The n-th blank-separated word of a meta-command line (0: the command),
 * into out; 0 when there is none. */
static int
meta_word(const char *t, int n, char *out, size_t outlen)
{
	size_t len;

	for (;;) {
		while (*t == ' ' || *t == '\t' || *t == '\r')
			t++;
		if (*t == '\0')
			return 0;
		len = strcspn(t, " \t\r");
		if (n-- == 0) {
			if (len >= outlen)
				len = outlen - 1;
			memcpy(out, t, len);
			out[len] = '\0';
			return 1;
		}
		t += len;
	}
}

/* The database a \connect line names ("app", "\"dbname='app'\"",
 * -reuse-previous=on first), into out; "" when none. */
static void
connect_target(const char *line, char *out, size_t outlen)
{
	char w[256], *p;
	int i;
	size_t len;

	out[0] = '\0';
	for (i = 1; meta_word(line, i, w, sizeof(w)); i++) {
		if (w[0] == '-' && w[1] != '\0')
			continue;
		p = w;
		len = strlen(p);
		if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
			p[len - 1] = '\0';
			p++;
		}
		if (strncmp(p, "dbname=", 7) == 0) {
			p += 7;
			len = strlen(p);
			if (len >= 2 && p[0] == '\'' && p[len - 1] == '\'') {
				p[len - 1] = '\0';
				p++;
			}
		}
		strlcpy(out, p, outlen);
		return;
	}
}

int
sqlsplit_meta_check(struct sqlsplit_restrict *r, const struct sqlsplit_item *it,
    const char *dbname, char *why, size_t whylen)
{
	char cmd[32], key[sizeof(r->key)], extra[8], db[256], head[96];

	if (!meta_word(it->text, 0, cmd, sizeof(cmd)))
		cmd[0] = '\0';
	sqlsplit_head(it->text, it->len, head, sizeof(head));
	if (strcmp(cmd, "\\restrict") == 0 || strcmp(cmd, "\\unrestrict") == 0) {
		/* pg_dump 15.14+: psql refuses other meta-commands until the
		 * matching \unrestrict; we refuse them anyway.  Exactly one
		 * key: psql would run a second command on the line. */
		if (!meta_word(it->text, 1, key, sizeof(key)) ||
		    meta_word(it->text, 2, extra, sizeof(extra))) {
			snprintf(why, whylen, "refused %s: not a \\restrict or \\unrestrict "
			    "line as pg_dump writes it", head);
			return -1;
		}
		if (cmd[1] == 'r') {
			if (r->on) {
				snprintf(why, whylen, "%s", "\\restrict while already restricted");
				return -1;
			}
			strlcpy(r->key, key, sizeof(r->key));
			r->on = 1;
			r->line = it->line;
			return 0;
		}
		if (!r->on || strcmp(key, r->key) != 0) {
			snprintf(why, whylen, "%s",
			    "\\unrestrict does not match a \\restrict before it");
			return -1;
		}
		r->on = 0;
		return 0;
	}
	if (strcmp(cmd, "\\connect") == 0 || strcmp(cmd, "\\c") == 0) {
		connect_target(it->text, db, sizeof(db));
		if (dbname != NULL && (strcmp(db, dbname) == 0 || strcmp(db, "-") == 0) &&
		    !meta_word(it->text, 2 + (strncmp(it->text + strlen(cmd) +
		    strspn(it->text + strlen(cmd), " \t"), "-reuse", 6) == 0), extra,
		    sizeof(extra)))
			return 1;
		snprintf(why, whylen, "refused %s: a restore goes into one database and "
		    "does not switch", head);
		return -1;
	}
	snprintf(why, whylen, "refused psql meta-command %s (only \\restrict and "
	    "\\unrestrict are understood)", head);
	return -1;
}
