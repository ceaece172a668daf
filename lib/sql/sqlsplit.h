/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sqlsplit: the SQL lexer of cr.  A streaming splitter of SQL scripts
 * (pg_dump plain dumps and hand-written migrations) into statements, COPY
 * data and psql meta-commands, shared by cr-restore, cr-migrate and
 * cr-verify, and the classifier that decides from each statement's tokens
 * whether it may run.  The token rules are the server's (scan.l): -- comments
 * end at \n or \r, nested block comments, '' strings as standard_conforming_
 * strings says, E'' B'' X'' U&'' strings, continued strings, quoted and U&""
 * identifiers, dollar quotes with tags, numbers (1$$ is a number and a
 * quote, 1e5$$ one bad token).  Memory is bounded by the largest single
 * statement, never by the script. */
#ifndef CR_SQLSPLIT_H
#define CR_SQLSPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sqlsplit;

/* Where the script comes from: read(2)-like, returns bytes, 0 at end, -1 on
 * error (errno set).  Lets callers feed a file, stdin or a gzin stream; or
 * see sqlsplit_push. */
typedef ssize_t (*sqlsplit_read_fn)(void *arg, void *buf, size_t len);

enum sqlsplit_kind {
	SQLSPLIT_END = 0,	/* clean end of input */
	SQLSPLIT_STATEMENT,	/* one statement; text ends with its ';' (or is the
				 * unterminated tail of the input, see 'terminated') */
	SQLSPLIT_COPY_DATA,	/* COPY FROM stdin data: whole rows, large chunks */
	SQLSPLIT_COPY_END,	/* the \. line that ended the COPY data */
	SQLSPLIT_META,		/* a psql backslash command line, without newline */
	SQLSPLIT_ERROR,		/* see sqlsplit_error() */
	SQLSPLIT_COMMENT,	/* a -- comment line between statements, without
				 * newline (only with sqlsplit_want_outline) */
	SQLSPLIT_STATEMENT_START, /* where a statement starts (only with
				 * sqlsplit_want_outline): no text */
	SQLSPLIT_AGAIN		/* push mode: the piece is used up */
};

/* What a statement is, from its tokens (comments and whitespace skipped). */
enum sqlsplit_class {
	SQLSPLIT_PLAIN = 0,	/* anything not below */
	SQLSPLIT_COPY_IN,	/* COPY [BINARY] name [(cols)] FROM STDIN ... */
	SQLSPLIT_COPY_OTHER,	/* any other COPY: a server file, PROGRAM, STDOUT */
	SQLSPLIT_DATABASE,	/* CREATE, DROP or ALTER DATABASE */
	SQLSPLIT_SYSTEM,	/* ALTER SYSTEM */
	SQLSPLIT_LEXSTATE,	/* changes how strings are read in a way the
				 * splitter cannot follow (see 'why') */
	SQLSPLIT_TRANSACTION	/* BEGIN, START TRANSACTION, COMMIT, END,
				 * ROLLBACK (not TO), ABORT, PREPARE TRANSACTION */
};

/* One token of a statement, where it is in the statement's text. */
struct sqlsplit_tok {
	uint32_t	 off, len;
	unsigned char	 kind;		/* enum sqlsplit_token */
	unsigned char	 flags;		/* SQLSPLIT_TOKF_* */
};

/* The tokens a statement item carries: the first this many. */
#define SQLSPLIT_MAXTOKENS	65536

struct sqlsplit_item {
	enum sqlsplit_kind	 kind;
	const char		*text;	/* valid until the next sqlsplit_next() */
	size_t			 len;
	unsigned long		 line;	/* 1-based input line where the item starts */
	uint64_t		 offset; /* input offset where the item starts (or,
					  * for ERROR, where the problem is) */
	uint64_t		 rows;	/* COPY_DATA: rows in this chunk */
	int			 terminated; /* STATEMENT: ended by ';' */
	int			 copy_in;   /* STATEMENT: COPY ... FROM stdin, data follows */
	/* STATEMENT: its class, and its first keywords lower-cased and
	 * separated by one space ("drop database"; a quoted identifier or any
	 * other token ends the list). */
	enum sqlsplit_class	 cls;
	char			 keywords[48];
	const char		*why;	/* LEXSTATE: what the splitter cannot follow */
	/* STATEMENT: its tokens (comments and whitespace are none), valid
	 * as text is; tokens_cut when it has more than SQLSPLIT_MAXTOKENS.
	 * An item a caller makes or gives another text has tokens NULL:
	 * the readers of tokens then lex its text (sqlsplit_lex). */
	const struct sqlsplit_tok *tokens;
	unsigned		 ntokens;
	int			 tokens_cut;
};

/* The tokens of a statement, as scan.l reads them; what the classifier and a
 * token hook see.  Comments and whitespace are no tokens. */
enum sqlsplit_token {
	SQLSPLIT_TOK_WORD,	/* unquoted identifier or keyword */
	SQLSPLIT_TOK_QIDENT,	/* "..." or U&"..." */
	SQLSPLIT_TOK_STRING,	/* '' E'' B'' X'' U&'' N'', maybe continued */
	SQLSPLIT_TOK_NUMBER,
	SQLSPLIT_TOK_DOLLARSTR,	/* $tag$...$tag$ */
	SQLSPLIT_TOK_LPAREN, SQLSPLIT_TOK_RPAREN, SQLSPLIT_TOK_SEMI, SQLSPLIT_TOK_COMMA,
	SQLSPLIT_TOK_DOT, SQLSPLIT_TOK_EQ,
	SQLSPLIT_TOK_OTHER	/* any other character, one at a time; $1 */
};

/* Token flags. */
#define SQLSPLIT_TOKF_ESC	0x01	/* backslash escapes: E'' or '' with
					 * standard_conforming_strings off */
#define SQLSPLIT_TOKF_BITS	0x02	/* B'' or X'' */
#define SQLSPLIT_TOKF_UNI	0x04	/* U&'' or U&"" */
#define SQLSPLIT_TOKF_CONT	0x08	/* a string continued over a newline */

/* Called with every token of every statement as the lexer reads it, before
 * the statement is returned: index 0 starts a statement.  text is valid
 * only during the call. */
typedef void (*sqlsplit_token_fn)(void *arg, unsigned index, enum sqlsplit_token kind,
    unsigned flags, const char *text, size_t len);
void sqlsplit_token_hook(struct sqlsplit *, sqlsplit_token_fn, void *arg);

/* The tokens of a text that does not come from a splitter's item (a
 * statement held back, a -t name), lexed as a script's first statement is:
 * into *tokens (malloc'd, the caller frees), offsets in text.  Returns
 * their number, or -1 when the text is not one whole statement (an
 * unterminated quote or comment, a second statement, a psql command, more
 * than SQLSPLIT_MAXTOKENS tokens) or memory ran out. */
int sqlsplit_lex(const char *text, size_t len, struct sqlsplit_tok **tokens,
    unsigned *ntokens);

/* What a COPY statement names, from its tokens (its text lexed when the
 * item has none): the one reading of COPY [BINARY] name [(columns)] ...
 * for cr-restore, cr-verify and the restore plan. */
struct sqlsplit_copy {
	size_t		 name_off, name_len; /* the table as written in the text:
					 * public."My Table" */
	unsigned	 name_tok, name_parts; /* its first token, its parts */
	size_t		 columns;	/* listed; 0: no list */
	int		 csv, binary;	/* the data's format, from the options */
};
/* 0, or -1 when it is no COPY of a table (or out of memory). */
int sqlsplit_copy_target(const struct sqlsplit_item *, struct sqlsplit_copy *);

/* STATEMENT, META and COMMENT texts are NUL-terminated (text[len] == '\0'),
 * so they can go straight to PQexec.  A backslash command in the middle of
 * a statement is returned as META on its own; the statement then continues
 * without that line. */

struct sqlsplit *sqlsplit_new(sqlsplit_read_fn, void *arg);

/* Push mode: made with a NULL read function, the splitter is given its
 * input piece by piece; sqlsplit_next returns SQLSPLIT_AGAIN when it has
 * used a piece up.  COPY data is read where it lies: items may point into
 * the piece, so it must stay as it is until then.  len 0: the end. */
void sqlsplit_push(struct sqlsplit *, const void *p, size_t len);

/* The next item.  Returns its kind (also in item->kind). */
enum sqlsplit_kind sqlsplit_next(struct sqlsplit *, struct sqlsplit_item *item);

const char *sqlsplit_error(const struct sqlsplit *);	/* one line */
int sqlsplit_errno(const struct sqlsplit *);	/* read failed: its errno; else 0 */
uint64_t sqlsplit_bytes(const struct sqlsplit *);	/* input bytes consumed */

/* Also return -- comment lines between statements as COMMENT items and the
 * start of each statement as STATEMENT_START (cr-verify reads pg_dump's
 * marker comments, and fails SQL where none may be as soon as it starts). */
void sqlsplit_want_outline(struct sqlsplit *, int on);

/* After a COPY ... FROM stdin statement: every row of its data must have
 * this many tab-separated fields (text format escapes tabs in values), or
 * the next item is an ERROR with offset at the row, rows its number in the
 * COPY and len its fields.  0: not checked.  Catches a lost \. line, whose
 * data would otherwise run on into the next table's. */
void sqlsplit_copy_fields(struct sqlsplit *, size_t fields);

/* The splitter's own model of how the session reads strings.  It starts as
 * a pg_dump script does (standard_conforming_strings on, an ASCII-safe
 * client encoding) and follows the literal SET, RESET and DISCARD ALL
 * statements it returns; anything that changes those settings in another
 * way is classed SQLSPLIT_LEXSTATE and must be refused.  A caller that runs
 * the script must keep the server in step: check it after every statement
 * with sqlsplit_session_check, and stop when it differs (a function or DO
 * block changed it behind the script's text).
 *
 * The server's reported standard_conforming_strings and client_encoding
 * (PQparameterStatus; NULL: unknown) against the model.  0 when they agree,
 * -1 with one line in why when not. */
int sqlsplit_session_check(const struct sqlsplit *, const char *standard_strings,
    const char *client_encoding, char *why, size_t whylen);

/* Whether a client encoding name (any spelling the server accepts) keeps
 * every byte below 0x80 a character of its own, as the lexer assumes:
 * not SJIS, BIG5, GBK, UHC, GB18030, JOHAB, SHIFT_JIS_2004. */
int sqlsplit_encoding_safe(const char *name);

/* Refusals.  A statement that acts beyond the database being loaded or
 * that the splitter cannot follow: 1 and one line in why, 0 when it may run.
 * Refused: COPY other than FROM STDIN, CREATE/DROP/ALTER DATABASE, ALTER
 * SYSTEM, LEXSTATE.  cr-restore refuses them all (and, unless the dump is
 * trusted, whatever lib/vocab does not allow); cr-migrate, which trusts
 * the app's migrations, only LEXSTATE. */
int sqlsplit_refused(const struct sqlsplit_item *, char *why, size_t whylen);

/* The first words of a statement (about 60 bytes, blanks squeezed, never cut
 * inside a UTF-8 sequence, "..." when cut) into out, for a message. */
void sqlsplit_head(const char *text, size_t len, char *out, size_t outlen);

/* psql meta-commands: only pg_dump's "\restrict KEY" and the matching
 * "\unrestrict KEY" are understood.  Returns 0 for those (state updated),
 * 1 for "\connect"/"\c" naming dbname (or "-"): a no-op for a caller that
 * restores into dbname (may be NULL), -1 with one line in why for anything
 * else. */
struct sqlsplit_restrict {
	int		 on;		/* inside \restrict ... \unrestrict */
	unsigned long	 line;		/* of the \restrict */
	char		 key[128];
};
int sqlsplit_meta_check(struct sqlsplit_restrict *, const struct sqlsplit_item *,
    const char *dbname, char *why, size_t whylen);

void sqlsplit_free(struct sqlsplit *);

#endif
