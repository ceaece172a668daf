/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* schemasum: a SHA-256 of a plain dump's schema, the statements without the
 * COPY data, sequence values (setval), comments or \restrict lines, so two
 * dumps of the same schema compare equal whatever their data and times; and
 * the bytes of each COPY block's data, in dump order.  Where COPY data lies
 * is not its own guess: lib/sql/dumpscan, which splits the dump with
 * lib/sql/sqlsplit, says (dumpscan_schemasum), so the blocks are the
 * tables dumpscan counts.  The rest of a line's fate is the sum's
 * definition, kept as manifests store it: every byte of every line outside
 * COPY data except lines that start with "--", "\restrict ",
 * "\unrestrict " or "SELECT pg_catalog.setval(".  Memory is fixed but for
 * one count per COPY block (at most SCHEMASUM_MAX_BLOCKS).  Nothing
 * prints. */
#ifndef CR_SCHEMASUM_H
#define CR_SCHEMASUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

#define SCHEMASUM_HEAD	32	/* enough to tell "SELECT pg_catalog.setval(" */
#define SCHEMASUM_MAX_BLOCKS	200000	/* as dumpscan lists tables */

struct schemasum {
	struct sha256	hash;
	uint64_t	off;		/* bytes fed */
	int		mid_line;
	int		kind;		/* of the current line, 0 undecided */
	char		head[SCHEMASUM_HEAD];
	size_t		headlen;
	/* COPY data, as the splitter found it. */
	int		copy_next;	/* data starts after the line holding copy_at */
	uint64_t	copy_at;
	int		in_copy;	/* in its data */
	int		end_known;	/* its \. line is at end_at */
	uint64_t	end_at;
	uint64_t	block_bytes;	/* data rows of the current block */
	uint64_t	*blocks;	/* bytes of each finished block */
	size_t		nblocks, capblocks;
	int		blocks_lost;	/* out of memory or past the maximum */
};

void schemasum_init(struct schemasum *);
/* The dump's next bytes; dumpscan calls it, after telling where COPY data
 * starts and ends up to the end of these bytes. */
void schemasum_feed(struct schemasum *, const void *buf, size_t len);
/* A COPY ... FROM stdin statement ends at input offset at (its ';'): its
 * data starts on the next line. */
void schemasum_copy_begin(struct schemasum *, uint64_t at);
/* Its \. line starts at input offset at. */
void schemasum_copy_end(struct schemasum *, uint64_t at);
void schemasum_final_hex(struct schemasum *, char hex[SHA256_HEX_BYTES]);
/* The data bytes of each COPY block, in order, in *blocks and *n (valid
 * until schemasum_free).  Returns 0, or -1 when they could not all be kept. */
int schemasum_blocks(const struct schemasum *, const uint64_t **blocks,
    size_t *n);
void schemasum_free(struct schemasum *);

#endif
