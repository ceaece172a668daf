/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* schemasum: hashing a plain pg_dump's SQL lines; its COPY blocks are where
 * dumpscan's splitter found them. */
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

void
schemasum_copy_begin(struct schemasum *s, uint64_t at)
{
	s->copy_next = 1;
	s->copy_at = at;
}

void
schemasum_copy_end(struct schemasum *s, uint64_t at)
{
	if (!s->in_copy)
		return;
	s->end_known = 1;
	s->end_at = at;
	if (s->off > at)
		s->block_bytes -= s->off - at;	/* fed already, as data */
}

static void
block_done(struct schemasum *s)
{
	uint64_t *grown;

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
	s->in_copy = s->end_known = 0;
}

/* COPY data from p: counted, not hashed, up to its \. line once known,
 * which ends the block with its newline.  Returns the bytes used. */
static size_t
copy_feed(struct schemasum *s, const char *p, size_t len)
{
	const char *nl;
	size_t n;

	if (!s->end_known) {
		s->block_bytes += len;
		return len;
	}
	if (s->off < s->end_at) {
		n = s->end_at - s->off < len ? (size_t)(s->end_at - s->off) : len;
		s->block_bytes += n;
		return n;
	}
	if ((nl = memchr(p, '\n', len)) == NULL)
		return len;
	block_done(s);
	return (size_t)(nl - p) + 1;
}

void
schemasum_feed(struct schemasum *s, const void *buf, size_t len)
{
	const char *p = buf, *nl;
	size_t seg, take;
	int ended;

	while (len > 0) {
		if (s->in_copy) {
			seg = copy_feed(s, p, len);
			s->off += seg;
			p += seg;
			len -= seg;
			continue;
		}
		if (!s->mid_line) {
			s->mid_line = 1;
			s->kind = UNDECIDED;
			s->headlen = 0;
		}
		nl = memchr(p, '\n', len);
		seg = nl != NULL ? (size_t)(nl - p) + 1 : len;
		ended = nl != NULL;
		if (s->kind == UNDECIDED) {
			take = SCHEMASUM_HEAD - s->headlen;
			if (take > seg)
				take = seg;
			memcpy(s->head + s->headlen, p, take);
			s->headlen += take;
			decide(s, ended && take == seg);
			if (s->kind == SQL && seg > take)
				sha256_update(&s->hash, p + take, seg - take);
		} else if (s->kind == SQL)
			sha256_update(&s->hash, p, seg);
		s->off += seg;
		p += seg;
		len -= seg;
		if (ended) {
			s->mid_line = 0;
			/* the line of a COPY ... FROM stdin; ended: its data */
			if (s->copy_next && s->off > s->copy_at) {
				s->copy_next = 0;
				s->in_copy = 1;
				s->end_known = 0;
				s->block_bytes = 0;
			}
		}
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
