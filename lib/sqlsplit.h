/* sqlsplit: streaming splitter of SQL scripts (pg_dump plain dumps and
 * hand-written migrations) into statements, COPY data and psql meta-commands.
 * Shared by cr-restore and cr-migrate.  Understands -- and nested block
 * comments, standard and E'' strings, quoted identifiers, dollar quoting
 * with tags, and COPY ... FROM stdin data up to the \. line.  Memory is
 * bounded by the largest single statement, never by the script. */
#ifndef CR_SQLSPLIT_H
#define CR_SQLSPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sqlsplit;

/* Where the script comes from: read(2)-like, returns bytes, 0 at end, -1 on
 * error (errno set).  Lets callers feed a file, stdin or a gzin stream. */
typedef ssize_t (*sqlsplit_read_fn)(void *arg, void *buf, size_t len);

enum sqlsplit_kind {
	SQLSPLIT_END = 0,	/* clean end of input */
	SQLSPLIT_STATEMENT,	/* one statement; text ends with its ';' (or is the
				 * unterminated tail of the input, see 'terminated') */
	SQLSPLIT_COPY_DATA,	/* COPY FROM stdin data: whole rows, large chunks */
	SQLSPLIT_COPY_END,	/* the \. line that ended the COPY data */
	SQLSPLIT_META,		/* a psql backslash command line, without newline */
	SQLSPLIT_ERROR		/* see sqlsplit_error() */
};

struct sqlsplit_item {
	enum sqlsplit_kind	 kind;
	const char		*text;	/* valid until the next sqlsplit_next() */
	size_t			 len;
	unsigned long		 line;	/* 1-based input line where the item starts */
	uint64_t		 rows;	/* COPY_DATA: rows in this chunk */
	int			 terminated; /* STATEMENT: ended by ';' */
	int			 copy_in;   /* STATEMENT: COPY ... FROM stdin, data follows */
};

/* STATEMENT and META texts are NUL-terminated (text[len] == '\0'), so they
 * can go straight to PQexec.  A backslash command in the middle of a
 * statement is returned as META on its own; the statement then continues
 * without that line. */

struct sqlsplit *sqlsplit_new(sqlsplit_read_fn, void *arg);

/* The next item.  Returns its kind (also in item->kind). */
enum sqlsplit_kind sqlsplit_next(struct sqlsplit *, struct sqlsplit_item *item);

const char *sqlsplit_error(const struct sqlsplit *);	/* one line */
int sqlsplit_errno(const struct sqlsplit *);	/* read failed: its errno; else 0 */
uint64_t sqlsplit_bytes(const struct sqlsplit *);	/* input bytes consumed */

/* Whether '...' strings treat backslash as an escape: standard_conforming_
 * strings on (the default) they do not.  Callers that execute the script can
 * follow the server's setting after each statement. */
void sqlsplit_set_standard_strings(struct sqlsplit *, int on);

void sqlsplit_free(struct sqlsplit *);

#endif
