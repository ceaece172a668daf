/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* schemasum: line classification of a plain pg_dump, hashing the SQL. */
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include "sql/schemasum.h"

enum { UNDECIDED, SQL, SKIP };

void
schemasum_init(struct schemasum *s)
{
	memset(s, 0, sizeof(*s));
	sha256_init(&s->hash);
}

static int
starts(const struct schemasum *s, const char *word)
{
	size_t n = strlen(word);

	return s->headlen >= n && memcmp(s->head, word, n) == 0;
}

/* Decide the current line's kind from its head, once known (ended: the
 * whole line is in head). */
static void
decide(struct schemasum *s, int ended)
{
	if (!ended && s->headlen < SCHEMASUM_HEAD)
		return;
	if (s->in_copy) {
		/* a data row, or the \. that ends the block */
		if (ended && s->linelen <= 3 && starts(s, "\\.") &&
		    (s->linelen == 2 || s->head[2] == '\n' || s->head[2] == '\r'))
			s->in_copy = 0;
		s->kind = SKIP;
		return;
	}
	/* setval carries a sequence's position: data, not schema */
	if (starts(s, "--") || starts(s, "\\restrict ") ||
	    starts(s, "\\unrestrict ") ||
	    starts(s, "SELECT pg_catalog.setval(")) {
		s->kind = SKIP;
		return;
	}
	s->kind = SQL;
	sha256_update(&s->hash, s->head, s->headlen);
}

static void
keep_tail(struct schemasum *s, const char *p, size_t n)
{
	if (n >= SCHEMASUM_TAIL) {
		memcpy(s->tail, p + n - SCHEMASUM_TAIL, SCHEMASUM_TAIL);
		s->taillen = SCHEMASUM_TAIL;
		return;
	}
	if (s->taillen + n > SCHEMASUM_TAIL) {
		memmove(s->tail, s->tail + (s->taillen + n - SCHEMASUM_TAIL),
		    SCHEMASUM_TAIL - n);
		s->taillen = SCHEMASUM_TAIL - n;
	}
	memcpy(s->tail + s->taillen, p, n);
	s->taillen += n;
}

/* The line ended: a COPY ... FROM stdin; statement starts a data block. */
static void
line_end(struct schemasum *s)
{
	static const char from[] = " FROM stdin;\n";
	size_t n = sizeof(from) - 2;	/* without the newline */

	uint64_t *grown;

	if (s->line_in_copy && s->in_copy)
		s->block_bytes += s->linelen;		/* a data row */
	else if (s->line_in_copy) {
		/* the \. line: the block is complete */
		if (s->nblocks == s->capblocks && !s->blocks_lost) {
			s->capblocks = s->capblocks ? s->capblocks * 2 : 64;
			if (s->capblocks > SCHEMASUM_MAX_BLOCKS ||
			    (grown = reallocarray(s->blocks, s->capblocks,
			    sizeof(*s->blocks))) == NULL)
				s->blocks_lost = 1;
			else
				s->blocks = grown;
		}
		if (!s->blocks_lost)
			s->blocks[s->nblocks++] = s->block_bytes;
		s->block_bytes = 0;
	}
	if (s->kind == SQL && s->taillen >= n + 1 &&
	    memcmp(s->tail + s->taillen - n - 1, from, n) == 0)
		s->in_copy = 1;
	s->mid_line = 0;
}

/* COPY data from the start of a line in p: the length of the whole data
 * rows before the \. line, or before the last line when that is cut by
 * the end of p or may be the \. line but is not seen whole. */
static size_t
copy_skip(const char *p, size_t len)
{
	const char *q = p, *end = p + len, *b, *nl;

	while ((b = memchr(q, '\\', (size_t)(end - q))) != NULL) {
		if (b == p || b[-1] == '\n') {
			/* a line starting with a backslash */
			if (end - b < 3 || (b[1] == '.' && b[2] == '\n'))
				return (size_t)(b - p);
		}
		q = b + 1;
	}
	nl = memrchr(p, '\n', len);
	return nl != NULL ? (size_t)(nl + 1 - p) : 0;
}

void
schemasum_feed(struct schemasum *s, const void *buf, size_t len)
{
	const char *p = buf, *nl;
	size_t seg, take, skip;
	int ended;

	while (len > 0) {
		/* COPY data, from a line's start: nothing is hashed, only the
		 * \. line ends the block (exactly "\.\n", as decide() reads a
		 * line that ended), and every line before it is a data row.
		 * So look for a backslash at a line's start rather than at
		 * every line; a line cut by the piece's end goes on below. */
		if (s->in_copy && !s->mid_line) {
			skip = copy_skip(p, len);
			s->block_bytes += skip;
			p += skip;
			len -= skip;
		}
		if (len == 0)
			break;
		if (!s->mid_line) {
			s->mid_line = 1;
			s->kind = UNDECIDED;
			s->headlen = s->taillen = s->linelen = 0;
			s->line_in_copy = s->in_copy;
		}
		nl = memchr(p, '\n', len);
		seg = nl != NULL ? (size_t)(nl - p) + 1 : len;
		ended = nl != NULL;
		s->linelen += seg;
		if (s->kind == UNDECIDED) {
			take = SCHEMASUM_HEAD - s->headlen;
			if (take > seg)
				take = seg;
			memcpy(s->head + s->headlen, p, take);
			s->headlen += take;
			keep_tail(s, p, take);
			decide(s, ended && take == seg);
			if (s->kind == SQL && seg > take) {
				sha256_update(&s->hash, p + take, seg - take);
				keep_tail(s, p + take, seg - take);
			}
		} else if (s->kind == SQL) {
			sha256_update(&s->hash, p, seg);
			keep_tail(s, p, seg);
		}
		if (ended)
			line_end(s);
		p += seg;
		len -= seg;
	}
}

void
schemasum_final_hex(struct schemasum *s, char hex[SHA256_HEX_BYTES])
{
	if (s->mid_line && s->kind == UNDECIDED)
		decide(s, 1);
	sha256_final_hex(&s->hash, hex);
}

int
schemasum_blocks(const struct schemasum *s, const uint64_t **blocks,
    size_t *n)
{
	*blocks = s->blocks;
	*n = s->nblocks;
	return s->blocks_lost ? -1 : 0;
}

void
schemasum_free(struct schemasum *s)
{
	sha256_discard(&s->hash);	/* when final was not reached */
	free(s->blocks);
	s->blocks = NULL;
	s->nblocks = s->capblocks = 0;
}
