/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzfmt: the cr-gz stream format (docs/stream-format.md), defined once for
 * its writer (gzout) and its readers (gzin, gzsalvage, gzrange): the
 * constants, a member's header with the "CR" subfield, its trailer, and the
 * end member's fields; parsing and building a header.  No I/O, no state. */
#ifndef CR_GZFMT_H
#define CR_GZFMT_H

#include <stddef.h>
#include <stdint.h>

/* A data member holds at most this much input, so ISIZE is at most 1 MiB
 * and a reader's buffers are bounded (docs/stream-format.md). */
#define GZ_BLOCK_MAX		(1024 * 1024)

/* The extra subfield: its ID and its lengths.  Format 2 links each member
 * to the one before; format 1 numbered them (cr-gz before content-defined
 * members), and is still read. */
#define GZ_SUBFIELD_ID1		'C'
#define GZ_SUBFIELD_ID2		'R'
#define GZ_SUBFIELD_DATA	8	/* MSIZE u32, LINK u32 */
#define GZ_SUBFIELD_END		28	/* MSIZE, LINK, COUNT u64, TOTAL u64, CRC u32 */
#define GZ_SUBFIELD_DATA1	12	/* format 1: MSIZE u32, SEQ u64 */
#define GZ_SUBFIELD_END1	24	/* format 1: MSIZE, SEQ u64, TOTAL u64, CRC u32 */
#define GZ_LINK_BYTES		64	/* LINK: CRC-32 of this many last bytes */

/* Member layout: a 10-byte RFC 1952 header with FEXTRA, XLEN, the subfield
 * (SI1 SI2 LEN and its data), deflate data, CRC-32 and ISIZE. */
#define GZ_HEADER_LEN(slen)	(10 + 2 + 4 + (size_t)(slen))
#define GZ_DATA_HEADER		GZ_HEADER_LEN(GZ_SUBFIELD_DATA)	/* 24 */
#define GZ_END_HEADER		GZ_HEADER_LEN(GZ_SUBFIELD_END)	/* 44 */
#define GZ_TRAILER		8	/* CRC-32, ISIZE */
#define GZ_END_BODY		(2 + GZ_TRAILER)	/* empty final block, 0, 0 */
#define GZ_END_MEMBER		(GZ_END_HEADER + GZ_END_BODY)	/* 54 */
/* The largest member a writer makes: header, deflate data of one block
 * (libdeflate's bound for 1 MiB is well under 4 KiB more), trailer. */
#define GZ_MEMBER_MAX		(GZ_BLOCK_MAX + 4096)
#define GZ_FLG_FEXTRA		0x04	/* RFC 1952 FLG bit */

/* A cr-gz member's header, as parsed. */
struct gzfmt_member {
	int format;		/* 1 (SEQ) or 2 (LINK) */
	int end;		/* an end member */
	size_t hlen;		/* header length, GZ_HEADER_LEN(LEN) */
	uint32_t msize;		/* whole member, header to trailer */
	uint32_t link;		/* format 2: LINK */
	uint64_t seq;		/* format 1: SEQ; end members: the count of data members */
	uint64_t total;		/* end members: TOTAL, the stream's length */
	uint32_t crc;		/* end members: the stream's CRC-32 */
};

enum gzfmt_result {
	GZFMT_OK = 0,
	GZFMT_SHORT,		/* fewer than hlen bytes given (hlen is set) */
	GZFMT_BAD_HEADER,	/* flags, XLEN or subfield not cr-gz's */
	GZFMT_BAD_SIZE		/* MSIZE out of range */
};

/* The format's integers are little-endian (RFC 1952 2.1). */
static inline uint32_t
gz_get32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
gz_get64le(const unsigned char *p)
{
	return (uint64_t)gz_get32le(p) | (uint64_t)gz_get32le(p + 4) << 32;
}

static inline void
gz_put32le(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static inline void
gz_put64le(unsigned char *p, uint64_t v)
{
	gz_put32le(p, (uint32_t)v);
	gz_put32le(p + 4, (uint32_t)(v >> 32));
}

/* Whether the gzip header at h (n bytes, the magic already seen) has a "CR"
 * subfield in its extra field: 1 with its LEN in *slen, else 0.  Needs
 * gzfmt_extra_end(h) bytes to answer 1. */
int gzfmt_has_subfield(const unsigned char *h, size_t n, size_t *slen);
/* Bytes from h to the end of its extra field (12 + XLEN), or 10 without
 * FEXTRA; h holds at least 12 bytes. */
size_t gzfmt_extra_end(const unsigned char *h);

/* Parse the cr-gz member header at h (n >= 16 bytes given, the magic and
 * the "CR" subfield already seen): strict (FLG exactly FEXTRA, deflate, one
 * subfield of a known LEN), then MSIZE in range, then the fields.
 * GZFMT_SHORT when n < m->hlen. */
enum gzfmt_result gzfmt_parse_header(const unsigned char *h, size_t n, struct gzfmt_member *m);

/* Whether an end member's body (after its header, m->msize - m->hlen bytes
 * at body) is the empty final block with CRC-32 and ISIZE 0. */
int gzfmt_end_body_ok(const unsigned char *body, const struct gzfmt_member *m);

/* A data member's header into p (GZ_DATA_HEADER bytes): MTIME 0, OS 3, XFL
 * from the level, so the bytes depend on the input alone. */
void gzfmt_put_data_header(unsigned char *p, int level, uint32_t msize, uint32_t link);
/* The trailer at p: CRC-32 and ISIZE (length mod 2^32). */
void gzfmt_put_trailer(unsigned char *p, uint32_t crc, uint64_t len);
/* The whole end member into p (GZ_END_MEMBER bytes). */
void gzfmt_put_end_member(unsigned char *p, int level, uint32_t link, uint64_t count,
    uint64_t total, uint32_t crc);

#endif
