/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzsalvage: read what can be read of a damaged gzip file.  A cr-gz stream
 * (docs/stream-format.md) is read member by member; at a member that does
 * not decode or does not follow the one before, the reader skips to the next
 * member that decodes (found by its "CR" subfield) and records a gap: where
 * in the output it lies, how much was lost (exact when the end member or the
 * format 1 numbers tell, bounded or unknown when not) and why.  A repeated
 * member is dropped, losing nothing.  Any other gzip member is inflated up
 * to the damage; nothing after damage in such a member can be recovered.
 * One thread, memory fixed (about 7 MiB).  Nothing prints. */
#ifndef CR_GZSALVAGE_H
#define CR_GZSALVAGE_H

#include <stdint.h>
#include <sys/types.h>

struct gzsalvage;

struct gzsalvage_gap {
	uint64_t out_at;	/* offset in the salvaged output where data is missing */
	uint64_t stream_at;	/* offset in the original stream, if stream_at_known */
	int stream_at_known;
	uint64_t lost;		/* bytes lost: exact if lost_exact, else at most
				 * (lost_bounded) or unknown (neither) */
	int lost_exact, lost_bounded;
	uint64_t in_from, in_to; /* compressed bytes skipped: [in_from, in_to) */
	int repeat;		/* a repeated member dropped: nothing lost */
	int foreign;		/* damage in a gzip member that is not cr-gz's */
	char why[256];		/* the first thing found wrong */
};

struct gzsalvage *gzsalvage_open(int fd);

/* The next run of salvaged bytes at *data, valid until the next call:
 * > 0 bytes, 0 at the end of the input, -1 on a read error or out of memory
 * (errno set).  A run never spans a gap: gzsalvage_ngaps() grows before the
 * run that follows a gap is returned. */
ssize_t gzsalvage_next(struct gzsalvage *, const void **data);

/* Gaps found so far; their sizes are final at the end of their stream
 * (always after gzsalvage_next returned 0). */
unsigned gzsalvage_ngaps(const struct gzsalvage *);
const struct gzsalvage_gap *gzsalvage_gap(const struct gzsalvage *, unsigned i);

/* Whether anything was lost: a gap other than a dropped repeat. */
int gzsalvage_lost(const struct gzsalvage *);

/* One line for gap i, e.g. "bytes 1048576 to 1572863 of the stream lost
 * (exact): CRC-32 mismatch in the member at compressed offset 262171". */
void gzsalvage_describe(const struct gzsalvage *, unsigned i, char *buf, size_t len);

uint64_t gzsalvage_bytes_out(const struct gzsalvage *);

void gzsalvage_close(struct gzsalvage *);

#endif
