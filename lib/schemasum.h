/* schemasum: a SHA-256 of a plain dump's schema, the statements without the
 * COPY data, sequence values (setval), comments or \restrict lines, so two
 * dumps of the same schema compare equal whatever their data and times.  Fed the uncompressed
 * dump in any pieces; fixed memory.  Nothing prints. */
#ifndef CR_SCHEMASUM_H
#define CR_SCHEMASUM_H

#include <stddef.h>

#include "sha256.h"

#define SCHEMASUM_HEAD	32	/* enough to tell "SELECT pg_catalog.setval(" */
#define SCHEMASUM_TAIL	16	/* " FROM stdin;\n" */

struct schemasum {
	struct sha256	hash;
	int		in_copy;	/* between COPY ... FROM stdin; and \. */
	int		mid_line;
	int		kind;		/* of the current line, 0 undecided */
	char		head[SCHEMASUM_HEAD];
	size_t		headlen;
	char		tail[SCHEMASUM_TAIL];
	size_t		taillen;
	size_t		linelen;
};

void schemasum_init(struct schemasum *);
void schemasum_feed(struct schemasum *, const void *buf, size_t len);
void schemasum_final_hex(struct schemasum *, char hex[SHA256_HEX_BYTES]);

#endif
