/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzfmt: the cr-gz member header, parsed and built (see gzfmt.h and
 * docs/stream-format.md). */
#include <string.h>

#include "format/gzfmt.h"

static const unsigned char end_body[GZ_END_BODY] = { 0x03, 0x00 };

size_t
gzfmt_extra_end(const unsigned char *h)
{
	if (!(h[3] & GZ_FLG_FEXTRA))
		return 10;
	return 12 + ((size_t)h[10] | (size_t)h[11] << 8);
}

int
gzfmt_has_subfield(const unsigned char *h, size_t n, size_t *slen)
{
	const unsigned char *x;
	size_t xlen, sublen;

	if (n < 12 || !(h[3] & GZ_FLG_FEXTRA))
		return 0;
	xlen = (size_t)h[10] | (size_t)h[11] << 8;
	if (n < 12 + xlen)
		return 0;
	/* RFC 1952 2.3.1.1: subfields of SI1, SI2, LEN (LSB first), data */
	for (x = h + 12; xlen >= 4; x += 4 + sublen, xlen -= 4 + sublen) {
		sublen = (size_t)x[2] | (size_t)x[3] << 8;
		if (sublen > xlen - 4)
			return 0;
		if (x[0] == GZ_SUBFIELD_ID1 && x[1] == GZ_SUBFIELD_ID2) {
			*slen = sublen;
			return 1;
		}
	}
	return 0;
}

enum gzfmt_result
gzfmt_parse_header(const unsigned char *h, size_t n, struct gzfmt_member *m)
{
	size_t slen = (size_t)h[14] | (size_t)h[15] << 8;

	memset(m, 0, sizeof(*m));
	m->hlen = GZ_HEADER_LEN(slen);
	/* one subfield, "CR", filling the extra field: XLEN = 4 + LEN */
	if (h[2] != 8 || h[3] != GZ_FLG_FEXTRA ||
	    ((size_t)h[10] | (size_t)h[11] << 8) != 4 + slen ||
	    h[12] != GZ_SUBFIELD_ID1 || h[13] != GZ_SUBFIELD_ID2 ||
	    (slen != GZ_SUBFIELD_DATA && slen != GZ_SUBFIELD_END &&
	    slen != GZ_SUBFIELD_DATA1 && slen != GZ_SUBFIELD_END1))
		return GZFMT_BAD_HEADER;
	if (n < m->hlen)
		return GZFMT_SHORT;
	m->format = slen == GZ_SUBFIELD_DATA1 || slen == GZ_SUBFIELD_END1 ? 1 : 2;
	m->end = slen == GZ_SUBFIELD_END || slen == GZ_SUBFIELD_END1;
	m->msize = gz_get32le(h + 16);
	if (m->msize < m->hlen + 2 + GZ_TRAILER || m->msize > GZ_MEMBER_MAX)
		return GZFMT_BAD_SIZE;
	if (m->format == 1)
		m->seq = gz_get64le(h + 20);
	else
		m->link = gz_get32le(h + 20);
	if (!m->end)
		return GZFMT_OK;
	/* the end member: the stream's count (format 2), length and CRC-32 */
	if (m->format == 1) {
		m->total = gz_get64le(h + 28);
		m->crc = gz_get32le(h + 36);
	} else {
		m->seq = gz_get64le(h + 24);
		m->total = gz_get64le(h + 32);
		m->crc = gz_get32le(h + 40);
	}
	return GZFMT_OK;
}

int
gzfmt_end_body_ok(const unsigned char *body, const struct gzfmt_member *m)
{
	return m->msize == m->hlen + GZ_END_BODY &&
	    memcmp(body, end_body, GZ_END_BODY) == 0;
}

/* RFC 1952 member header with FEXTRA and the "CR" subfield of slen bytes,
 * whose first eight are MSIZE and LINK.  XFL 2 = best compression, 4 =
 * fastest. */
static void
put_header(unsigned char *p, int level, size_t slen, uint32_t msize, uint32_t link)
{
	p[0] = 0x1f;
	p[1] = 0x8b;
	p[2] = 8;			/* CM: deflate */
	p[3] = GZ_FLG_FEXTRA;
	gz_put32le(p + 4, 0);		/* MTIME */
	p[8] = level >= 9 ? 2 : level == 1 ? 4 : 0;
	p[9] = 3;			/* OS: Unix */
	p[10] = (unsigned char)(4 + slen);	/* XLEN, LSB first */
	p[11] = 0;
	p[12] = GZ_SUBFIELD_ID1;
	p[13] = GZ_SUBFIELD_ID2;
	p[14] = (unsigned char)slen;		/* LEN, LSB first */
	p[15] = 0;
	gz_put32le(p + 16, msize);
	gz_put32le(p + 20, link);
}

void
gzfmt_put_data_header(unsigned char *p, int level, uint32_t msize, uint32_t link)
{
	put_header(p, level, GZ_SUBFIELD_DATA, msize, link);
}

void
gzfmt_put_trailer(unsigned char *p, uint32_t crc, uint64_t len)
{
	gz_put32le(p, crc);
	gz_put32le(p + 4, (uint32_t)len);	/* RFC 1952: ISIZE is length mod 2^32 */
}

void
gzfmt_put_end_member(unsigned char *p, int level, uint32_t link, uint64_t count,
    uint64_t total, uint32_t crc)
{
	put_header(p, level, GZ_SUBFIELD_END, GZ_END_MEMBER, link);
	gz_put64le(p + 24, count);	/* data members before it */
	gz_put64le(p + 32, total);
	gz_put32le(p + 40, crc);
	memcpy(p + GZ_END_HEADER, end_body, GZ_END_BODY);
}
