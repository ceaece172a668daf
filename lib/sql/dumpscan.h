/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpscan: streaming checker of a plain-format pg_dump (with or without
 * the cr-dump header and trailer).  Fed the uncompressed bytes in any
 * pieces, it checks in one pass that the dump is complete: pg_dump's
 * header and completion lines, every COPY block ended by \., \restrict and
 * \unrestrict paired, the cr trailer's byte count and CRC-32; and collects
 * what is in it.  Memory is fixed whatever the input size (plus a name per
 * table with data, up to DUMPSCAN_MAX_TABLES).  Nothing prints. */
#ifndef CR_DUMPSCAN_H
#define CR_DUMPSCAN_H

#include <stddef.h>
#include <stdint.h>

struct dumpscan;

#define DUMPSCAN_MAX_TABLES	200000

struct dumpscan_table {
	char		*name;		/* as in the COPY statement: public."My Table" */
	uint64_t	 rows;
};

struct dumpscan_info {
	uint64_t	 bytes;		/* input bytes seen */
	int		 cr_header;	/* made by cr-dump: a trailer is required */
	int		 trailer;	/* a valid trailer ends the input */
	uint64_t	 trailer_bytes;
	uint32_t	 trailer_crc;
	int		 complete;	/* pg_dump's completion line seen */
	/* From the cr-dump header ("" when absent). */
	char		 cr_version[32];
	char		 database[256];
	char		 user[256];
	char		 started[32];
	char		 contents[32];	/* "schema" or "schema+data" */
	char		 options[512];
	/* From pg_dump's own header comments ("" when absent). */
	char		 server_version[128];	/* "Dumped from database version" */
	char		 pg_dump_version[128];	/* "Dumped by pg_dump version" */
	/* COPY blocks seen, and the rows in them.  The first
	 * DUMPSCAN_MAX_TABLES are listed by name, so memory stays bounded. */
	size_t		 ntables;
	size_t		 nlisted;
	const struct dumpscan_table *tables;	/* nlisted of them */
	uint64_t	 rows;
};

/* NULL when out of memory. */
struct dumpscan *dumpscan_new(void);

/* Feed sum (lib/sql/schemasum, initialised) every byte too, and tell it
 * where the splitter finds COPY data: one reading of the dump for both.
 * After a failure the sum is fed no more. */
struct schemasum;
void dumpscan_schemasum(struct dumpscan *, struct schemasum *sum);

/* The next len bytes of the dump.  Returns 0, or -1 once the input is
 * known to be bad (see dumpscan_error); later calls then do nothing. */
int dumpscan_feed(struct dumpscan *, const void *buf, size_t len);

/* End of input.  Returns 0 when the dump is intact and complete, -1 when
 * not (see dumpscan_error). */
int dumpscan_finish(struct dumpscan *);

/* After -1: one line saying what is wrong, and the input offset (of the
 * uncompressed dump) it was found at. */
const char *dumpscan_error(const struct dumpscan *);
uint64_t dumpscan_error_offset(const struct dumpscan *);

/* What the dump holds; complete after dumpscan_finish. */
const struct dumpscan_info *dumpscan_info(const struct dumpscan *);

void dumpscan_free(struct dumpscan *);

#endif
