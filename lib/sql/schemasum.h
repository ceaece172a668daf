/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* schemasum: a SHA-256 of a plain dump's schema, the statements without the
 * COPY data, sequence values (setval), comments or \restrict lines, so two
 * dumps of the same schema compare equal whatever their data and times; and
 * the bytes of each COPY block's data, in dump order.  Fed the uncompressed
 * dump in any pieces; memory is fixed but for one count per COPY block (at
 * most SCHEMASUM_MAX_BLOCKS).  Nothing prints. */
#ifndef CR_SCHEMASUM_H
#define CR_SCHEMASUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

#define SCHEMASUM_HEAD	32	/* enough to tell "SELECT pg_catalog.setval(" */
#define SCHEMASUM_TAIL	16	/* " FROM stdin;\n" */
#define SCHEMASUM_MAX_BLOCKS	200000	/* as dumpscan lists tables */

struct schemasum {
	struct sha256	hash;
	int		in_copy;	/* between COPY ... FROM stdin; and \. */
	int		line_in_copy;	/* the current line is a data row or \. */
	int		mid_line;
	int		kind;		/* of the current line, 0 undecided */
	char		head[SCHEMASUM_HEAD];
	size_t		headlen;
	char		tail[SCHEMASUM_TAIL];
	size_t		taillen;
	size_t		linelen;
	uint64_t	block_bytes;	/* data rows of the current block */
	uint64_t	*blocks;	/* bytes of each finished block */
	size_t		nblocks, capblocks;
	int		blocks_lost;	/* out of memory or past the maximum */
};

void schemasum_init(struct schemasum *);
void schemasum_feed(struct schemasum *, const void *buf, size_t len);
void schemasum_final_hex(struct schemasum *, char hex[SHA256_HEX_BYTES]);
/* The data bytes of each COPY block, in order, in *blocks and *n (valid
 * until schemasum_free).  Returns 0, or -1 when they could not all be kept. */
int schemasum_blocks(const struct schemasum *, const uint64_t **blocks,
    size_t *n);
void schemasum_free(struct schemasum *);

#endif
