/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzsalvage: the damaged-file reader (see gzsalvage.h).  It walks the input
 * in a window big enough for two whole members, so after damage it can try
 * every later position where a gzip header starts until a cr-gz member
 * decodes and checks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "base/io.h"
#include "format/gzfmt.h"
#include "gz/gzsalvage.h"

#define WINDOW		(4 * 1024 * 1024)	/* >= 2 * GZ_MEMBER_MAX */
#define CHUNK		(256 * 1024)		/* output of a foreign member per run */
#define RECENT		16			/* members remembered to spot repeats */

/* gzip header flags, RFC 1952 */
#define FHCRC		0x02
#define FEXTRA		0x04
#define FNAME		0x08
#define FCOMMENT	0x10

struct member {
	int format;		/* 1 or 2 */
	int end;		/* an end member */
	size_t msize, hlen;
	uint32_t link;		/* format 2 */
	uint64_t seq;		/* format 1: SEQ; end members: the count */
	uint64_t total;		/* end members */
	uint32_t crc;		/* data: of its data; end: the stream's */
	uint32_t tail;		/* data: CRC-32 of its last GZ_LINK_BYTES */
	size_t len;		/* data: its length */
};

struct recent {
	uint32_t link, crc, len;
};

struct gzsalvage {
	int fd;
	unsigned char *buf;
	size_t pos, len;
	uint64_t base;		/* input offset of buf[0] */
	int eof;
	unsigned char *out;
	struct libdeflate_decompressor *d;
	z_stream strm;
	int zinit;
	int foreign;		/* inflating a foreign member */
	uint64_t foreign_at;	/* its offset */
	uint64_t foreign_out;	/* its output so far */
	uint32_t foreign_crc;

	/* the cr-gz stream being read */
	int active, format;
	uint32_t link;		/* format 2: the LINK the next member must carry */
	uint64_t seq;		/* format 1: the SEQ it must carry */
	uint64_t seen;		/* bytes of it salvaged */
	uint64_t count;		/* data members of it salvaged */
	uint64_t out_start;	/* bytes_out where it started */
	unsigned first_gap;	/* its first gap */
	struct recent recent[RECENT];
	unsigned nrecent;

	/* an open gap: damage seen, no good member since */
	int in_gap;

	struct gzsalvage_gap *gaps;
	unsigned ngaps, agaps;
	uint64_t bytes_out;
	int done;
};

/* At least want bytes at buf + pos unless the input ends first; returns how
 * many are there, or -1 with errno. */
static ssize_t
ensure(struct gzsalvage *s, size_t want)
{
	ssize_t n;

	while (s->len - s->pos < want && !s->eof) {
		if (s->pos > 0) {
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->base += s->pos;
			s->len -= s->pos;
			s->pos = 0;
		}
		n = io_read(s->fd, s->buf + s->len, WINDOW - s->len);
		if (n == -1)
			return -1;
		if (n == 0)
			s->eof = 1;
		s->len += (size_t)n;
	}
	return (ssize_t)(s->len - s->pos);
}

static struct gzsalvage_gap *
gap_open(struct gzsalvage *s, const char *fmt, ...)
{
	struct gzsalvage_gap *g, *n;
	va_list ap;

	if (s->ngaps == s->agaps) {
		if ((n = reallocarray(s->gaps, s->agaps ? 2 * s->agaps : 8, sizeof(*n))) == NULL)
			return NULL;
		s->gaps = n;
		s->agaps = s->agaps ? 2 * s->agaps : 8;
	}
	g = &s->gaps[s->ngaps++];
	memset(g, 0, sizeof(*g));
	g->out_at = s->bytes_out;
	g->in_from = g->in_to = s->base + s->pos;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	return g;
}

static struct gzsalvage_gap *
last_gap(struct gzsalvage *s)
{
	return &s->gaps[s->ngaps - 1];
}

/* The stream ends (its end member, another stream, or the input): gaps of
 * unknown size stay unknown, but the positions of those after exact ones
 * are known. */
static void
stream_close(struct gzsalvage *s, int has_total, uint64_t total)
{
	uint64_t exact = 0, lost, shift = 0;
	unsigned i, unknown = 0;
	int positions = 1;

	for (i = s->first_gap; i < s->ngaps; i++)
		if (s->gaps[i].lost_exact)
			exact += s->gaps[i].lost;
		else
			unknown++;
	if (has_total && total >= s->seen + exact) {
		lost = total - s->seen - exact;
		for (i = s->first_gap; i < s->ngaps; i++)
			if (!s->gaps[i].lost_exact) {
				s->gaps[i].lost = lost;
				if (unknown == 1)
					s->gaps[i].lost_exact = 1;
				else
					s->gaps[i].lost_bounded = 1;
			}
	}
	for (i = s->first_gap; i < s->ngaps; i++) {
		if (positions && s->gaps[i].out_at >= s->out_start) {
			s->gaps[i].stream_at = s->gaps[i].out_at - s->out_start + shift;
			s->gaps[i].stream_at_known = 1;
		}
		if (!s->gaps[i].lost_exact)
			positions = 0;
		shift += s->gaps[i].lost;
	}
	s->active = 0;
	s->in_gap = 0;
	s->first_gap = s->ngaps;
	s->nrecent = 0;
}

static void
stream_open(struct gzsalvage *s, int format, uint64_t out_start)
{
	s->active = 1;
	s->format = format;
	s->link = 0;
	s->seq = 0;
	s->seen = 0;
	s->count = 0;
	s->out_start = out_start;
	s->nrecent = 0;
}

/* What is at buf + pos. */
enum found { F_NONE, F_CR, F_FOREIGN, F_BAD, F_FAIL };

/* A cr-gz member at buf + pos, decoded into out and checked on its own
 * (header, deflate data, CRC-32, ISIZE).  F_BAD with why set if it is not
 * one, F_FOREIGN for a gzip header without the CR subfield, F_NONE if no
 * gzip magic is there, F_FAIL on a read error. */
static enum found
look(struct gzsalvage *s, struct member *m, char *why, size_t whylen)
{
	struct gzfmt_member f;
	const unsigned char *h;
	size_t slen, dlen, in_used, out_len, tail;
	uint64_t at = s->base + s->pos;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	if ((n = ensure(s, 16)) == -1)
		return F_FAIL;
	h = s->buf + s->pos;
	if (n < 2 || h[0] != 0x1f || h[1] != 0x8b)
		return F_NONE;
	if (n < 10) {
		snprintf(why, whylen, "input ends in a gzip header at compressed offset %llu",
		    (unsigned long long)at);
		return F_BAD;
	}
	if (h[2] != 8) {
		snprintf(why, whylen, "unknown compression method at compressed offset %llu",
		    (unsigned long long)at);
		return F_BAD;
	}
	if (n >= 12 && (n = ensure(s, gzfmt_extra_end(h))) == -1)
		return F_FAIL;
	h = s->buf + s->pos;
	if (!gzfmt_has_subfield(h, (size_t)n, &slen))
		return F_FOREIGN;
	if ((n = ensure(s, GZ_HEADER_LEN(slen))) == -1)
		return F_FAIL;
	h = s->buf + s->pos;
	switch (gzfmt_parse_header(h, (size_t)n, &f)) {
	case GZFMT_OK:
		break;
	case GZFMT_BAD_HEADER:
		snprintf(why, whylen, "bad cr-gz header at compressed offset %llu",
		    (unsigned long long)at);
		return F_BAD;
	case GZFMT_SHORT:
		snprintf(why, whylen, "the input ends inside the member at "
		    "compressed offset %llu", (unsigned long long)at);
		return F_BAD;
	case GZFMT_BAD_SIZE:
		snprintf(why, whylen, "size field out of range in the member at "
		    "compressed offset %llu", (unsigned long long)at);
		return F_BAD;
	}
	m->hlen = f.hlen;
	m->msize = f.msize;
	if ((n = ensure(s, m->msize)) == -1)
		return F_FAIL;
	h = s->buf + s->pos;
	if ((size_t)n < m->msize) {
		snprintf(why, whylen, "the input ends inside the member at "
		    "compressed offset %llu", (unsigned long long)at);
		return F_BAD;
	}
	m->format = f.format;
	m->end = f.end;
	m->seq = f.seq;
	m->link = f.link;
	if (m->end) {
		if (!gzfmt_end_body_ok(h + m->hlen, &f)) {
			snprintf(why, whylen, "bad cr-gz end member at compressed offset %llu",
			    (unsigned long long)at);
			return F_BAD;
		}
		m->total = f.total;
		m->crc = f.crc;
		m->len = 0;
		return F_CR;
	}
	dlen = m->msize - m->hlen - 8;
	if (libdeflate_deflate_decompress_ex(s->d, h + m->hlen, dlen, s->out,
	    GZ_BLOCK_MAX, &in_used, &out_len) != LIBDEFLATE_SUCCESS || in_used != dlen) {
		snprintf(why, whylen, "invalid compressed data in the member at "
		    "compressed offset %llu", (unsigned long long)at);
		return F_BAD;
	}
	m->crc = (uint32_t)libdeflate_crc32(0, s->out, out_len);
	if (m->crc != gz_get32le(h + m->msize - 8) || out_len != gz_get32le(h + m->msize - 4) ||
	    out_len == 0) {
		snprintf(why, whylen, "CRC-32 or length mismatch in the member at "
		    "compressed offset %llu", (unsigned long long)at);
		return F_BAD;
	}
	m->len = out_len;
	tail = out_len < GZ_LINK_BYTES ? out_len : GZ_LINK_BYTES;
	m->tail = (uint32_t)libdeflate_crc32(0, s->out + out_len - tail, tail);
	return F_CR;
}

/* Past the damage: on to the next place where a gzip header may start. */
static int
skip(struct gzsalvage *s)
{
	unsigned char *p;
	ssize_t n;

	s->pos++;
	for (;;) {
		if ((n = ensure(s, 2)) == -1)
			return -1;
		if (n < 2) {
			s->pos = s->len;
			return 0;
		}
		p = memchr(s->buf + s->pos, 0x1f, s->len - s->pos - 1);
		if (p == NULL) {
			s->pos = s->len - 1;
			continue;
		}
		s->pos = (size_t)(p - s->buf);
		if (p[1] == 0x8b)
			return 0;
		s->pos++;
	}
}

static int
is_repeat(const struct gzsalvage *s, const struct member *m)
{
	unsigned i;

	for (i = 0; i < s->nrecent && i < RECENT; i++)
		if (s->recent[i].link == m->link && s->recent[i].crc == m->crc &&
		    s->recent[i].len == m->len)
			return 1;
	return 0;
}

/* A good cr-gz member at pos: its data is the next run, unless it repeats
 * one before.  Returns the run's length, 0 for none, -1 out of memory. */
static ssize_t
take_member(struct gzsalvage *s, const struct member *m)
{
	struct gzsalvage_gap *g;
	uint64_t at = s->base + s->pos;
	int opens, fits;

	/* a data member that opens a stream, or the end member of an empty one */
	opens = m->format == 1 ? m->seq == 0 && !m->end :
	    m->link == 0 && (!m->end || m->seq == 0);
	fits = s->active && m->format == s->format &&
	    (m->format == 1 ? m->seq == s->seq : m->link == s->link);

	if (s->in_gap) {
		g = last_gap(s);
		g->in_to = at;
		s->in_gap = 0;
		if (fits) {
			/* only bytes between members: nothing of the stream is missing */
			g->lost = 0;
			g->lost_exact = 1;
		}
	} else if (!fits && s->active && !m->end && is_repeat(s, m)) {
		if ((g = gap_open(s, "the member at compressed offset %llu repeats "
		    "one before it: dropped", (unsigned long long)at)) == NULL)
			return -1;
		g->in_to = at + m->msize;
		g->repeat = 1;
		g->lost_exact = 1;
		s->pos += m->msize;
		return 0;
	} else if (!fits && !opens) {
		if ((g = gap_open(s, "the member at compressed offset %llu does not follow "
		    "the one before it: members are missing", (unsigned long long)at)) == NULL)
			return -1;
	} else if (!fits && s->active) {
		if ((g = gap_open(s, "a new cr-gz stream starts at compressed offset %llu "
		    "before the end member of the one before: its end is lost",
		    (unsigned long long)at)) == NULL)
			return -1;
	}

	if (!fits) {
		if (opens || (s->active && m->format != s->format)) {
			if (s->active)
				stream_close(s, 0, 0);
			stream_open(s, m->format, s->bytes_out);
		} else if (!s->active) {
			/* a stream whose start is lost, from the gap on */
			stream_open(s, m->format, last_gap(s)->out_at);
			s->first_gap = s->ngaps - 1;
		} else if (m->format == 1 && !m->end && m->seq > s->seq &&
		    s->ngaps > s->first_gap) {
			/* format 1: every member but the last is 1 MiB */
			g = last_gap(s);
			g->lost = (m->seq - s->seq) * (uint64_t)GZ_BLOCK_MAX;
			g->lost_exact = 1;
		}
	}

	s->pos += m->msize;
	if (m->end) {
		if (s->ngaps == s->first_gap && (m->total != s->seen || m->seq != s->count) &&
		    gap_open(s, "the end member at compressed offset %llu does not match "
		    "the members before it", (unsigned long long)at) == NULL)
			return -1;
		stream_close(s, 1, m->total);
		return 0;
	}
	s->recent[s->nrecent++ % RECENT] = (struct recent){ m->link, m->crc, (uint32_t)m->len };
	s->link = m->tail;
	s->seq = m->format == 1 ? m->seq + 1 : s->seq + 1;
	s->count++;
	s->seen += m->len;
	return (ssize_t)m->len;
}

/* A foreign member's header at pos: skip it; 0, or -1 if it is cut. */
static int
foreign_header(struct gzsalvage *s)
{
	const unsigned char *h = s->buf + s->pos;
	size_t i = 10, xlen;
	ssize_t n;
	int flg = h[3];

	if ((n = ensure(s, 12)) < 10)
		return -1;
	h = s->buf + s->pos;
	if (flg & FEXTRA) {
		if (n < 12)
			return -1;
		xlen = (size_t)h[10] | (size_t)h[11] << 8;
		i = 12 + xlen;
	}
	if ((n = ensure(s, i + 512)) == -1)
		return -1;
	h = s->buf + s->pos;
	if ((size_t)n < i)
		return -1;
	if (flg & FNAME) {
		while (i < (size_t)n && h[i] != 0)
			i++;
		i++;
	}
	if (flg & FCOMMENT) {
		while (i < (size_t)n && h[i] != 0)
			i++;
		i++;
	}
	if (flg & FHCRC)
		i += 2;
	if (i > (size_t)n)
		return -1;
	s->pos += i;
	return 0;
}

/* Inflate some of a foreign member into out: > 0 bytes, 0 when it ended
 * (or failed: a gap is then open), -1 on a read error. */
static ssize_t
foreign_run(struct gzsalvage *s)
{
	ssize_t n;
	int ret;
	size_t got;

	if ((n = ensure(s, 1)) == -1)
		return -1;
	s->strm.next_in = s->buf + s->pos;
	s->strm.avail_in = (uInt)(s->len - s->pos);
	s->strm.next_out = s->out;
	s->strm.avail_out = CHUNK;
	ret = n == 0 ? Z_BUF_ERROR : inflate(&s->strm, Z_NO_FLUSH);
	s->pos = s->len - s->strm.avail_in;
	got = CHUNK - s->strm.avail_out;
	s->foreign_crc = (uint32_t)crc32(s->foreign_crc, s->out, (uInt)got);
	s->foreign_out += got;
	if (ret == Z_STREAM_END) {
		if ((n = ensure(s, 8)) == -1)
			return -1;
		if (n < 8 || gz_get32le(s->buf + s->pos) != s->foreign_crc ||
		    gz_get32le(s->buf + s->pos + 4) != (uint32_t)s->foreign_out) {
			s->foreign = 0;
			if (gap_open(s, "the gzip member at compressed offset %llu fails its "
			    "CRC-32 or length check: its %llu bytes from output offset %llu "
			    "may be wrong, and a member that is not cr-gz's cannot tell where",
			    (unsigned long long)s->foreign_at,
			    (unsigned long long)s->foreign_out,
			    (unsigned long long)(s->bytes_out + got - s->foreign_out)) == NULL)
				return -1;
			last_gap(s)->foreign = 1;
			last_gap(s)->out_at = s->bytes_out + got - s->foreign_out;
			s->in_gap = 1;
			s->pos += (size_t)n;
			return (ssize_t)got;
		}
		s->pos += 8;
		s->foreign = 0;
		return (ssize_t)got;
	}
	if (ret == Z_OK || (ret == Z_BUF_ERROR && got > 0))
		return (ssize_t)got;
	/* damage, or the input ends: nothing after it can be had */
	s->foreign = 0;
	if (gap_open(s, "%s in the gzip member at compressed offset %llu, after %llu "
	    "bytes of its data: it is not cr-gz's, so nothing after the damage can "
	    "be recovered from it", n == 0 ? "the input ends" : "damage",
	    (unsigned long long)s->foreign_at,
	    (unsigned long long)s->foreign_out) == NULL)
		return -1;
	last_gap(s)->foreign = 1;
	last_gap(s)->out_at = s->bytes_out + got;
	s->in_gap = 1;
	if (n > 0 && skip(s) == -1)
		return -1;
	return (ssize_t)got;
}

struct gzsalvage *
gzsalvage_open(int fd)
{
	struct gzsalvage *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->fd = fd;
	if ((s->buf = malloc(WINDOW)) == NULL || (s->out = malloc(GZ_BLOCK_MAX)) == NULL ||
	    (s->d = libdeflate_alloc_decompressor()) == NULL ||
	    inflateInit2(&s->strm, -15) != Z_OK) {
		gzsalvage_close(s);
		errno = ENOMEM;
		return NULL;
	}
	s->zinit = 1;
	return s;
}

ssize_t
gzsalvage_next(struct gzsalvage *s, const void **data)
{
	struct member m;
	char why[256];
	ssize_t n;

	while (!s->done) {
		if (s->foreign) {
			if ((n = foreign_run(s)) == -1)
				return -1;
			if (n > 0) {
				*data = s->out;
				s->bytes_out += (uint64_t)n;
				return n;
			}
			continue;
		}
		switch (look(s, &m, why, sizeof(why))) {
		case F_FAIL:
			return -1;
		case F_NONE:
			if (ensure(s, 1) == 0) {
				/* the end of the input */
				if (s->active) {
					if (!s->in_gap && gap_open(s, "the input ends before the "
					    "stream's end member: its end is lost") == NULL)
						return -1;
					stream_close(s, 0, 0);
				} else if (s->in_gap)
					s->in_gap = 0;
				s->done = 1;
				break;
			}
			snprintf(why, sizeof(why), "%s at compressed offset %llu",
			    s->base + s->pos == 0 ? "not gzip" : "no gzip member",
			    (unsigned long long)(s->base + s->pos));
			/* FALLTHROUGH */
		case F_BAD:
			if (!s->in_gap) {
				if (gap_open(s, "%s", why) == NULL)
					return -1;
				s->in_gap = 1;
			}
			if (skip(s) == -1)
				return -1;
			last_gap(s)->in_to = s->base + s->pos;
			break;
		case F_FOREIGN:
			if (s->active || s->in_gap) {
				/* inside a cr-gz stream a foreign member is damage;
				 * inside a gap, 1f 8b 08 is as likely to be in the
				 * deflate data of a member as to start one: only a
				 * cr-gz member, which checks, ends a gap */
				if (!s->in_gap) {
					if (gap_open(s, "a gzip member without the CR subfield "
					    "inside a cr-gz stream at compressed offset %llu",
					    (unsigned long long)(s->base + s->pos)) == NULL)
						return -1;
					s->in_gap = 1;
				}
				if (skip(s) == -1)
					return -1;
				break;
			}
			if (s->in_gap) {
				last_gap(s)->in_to = s->base + s->pos;
				s->in_gap = 0;
			}
			s->foreign_at = s->base + s->pos;
			if (foreign_header(s) == -1) {
				if (gap_open(s, "a gzip header cut short at compressed offset "
				    "%llu", (unsigned long long)s->foreign_at) == NULL)
					return -1;
				s->in_gap = 1;
				last_gap(s)->foreign = 1;
				if (skip(s) == -1)
					return -1;
				break;
			}
			inflateReset(&s->strm);
			s->foreign = 1;
			s->foreign_out = 0;
			s->foreign_crc = (uint32_t)crc32(0, NULL, 0);
			break;
		case F_CR:
			if ((n = take_member(s, &m)) == -1)
				return -1;
			if (n > 0) {
				*data = s->out;
				s->bytes_out += (uint64_t)n;
				return n;
			}
			break;
		}
	}
	return 0;
}

unsigned
gzsalvage_ngaps(const struct gzsalvage *s)
{
	return s->ngaps;
}

const struct gzsalvage_gap *
gzsalvage_gap(const struct gzsalvage *s, unsigned i)
{
	return i < s->ngaps ? &s->gaps[i] : NULL;
}

int
gzsalvage_lost(const struct gzsalvage *s)
{
	unsigned i;

	for (i = 0; i < s->ngaps; i++)
		if (!s->gaps[i].repeat && !(s->gaps[i].lost_exact && s->gaps[i].lost == 0))
			return 1;
	return 0;
}

void
gzsalvage_describe(const struct gzsalvage *s, unsigned i, char *buf, size_t len)
{
	const struct gzsalvage_gap *g = &s->gaps[i];
	char where[96], size[224];

	if (g->repeat || (g->lost_exact && g->lost == 0)) {
		snprintf(buf, len, "nothing lost at output offset %llu (compressed bytes "
		    "%llu to %llu skipped): %s", (unsigned long long)g->out_at,
		    (unsigned long long)g->in_from, (unsigned long long)g->in_to, g->why);
		return;
	}
	if (g->stream_at_known)
		snprintf(where, sizeof(where), "at byte %llu of the stream (output offset %llu)",
		    (unsigned long long)g->stream_at, (unsigned long long)g->out_at);
	else
		snprintf(where, sizeof(where), "at output offset %llu",
		    (unsigned long long)g->out_at);
	if (g->lost_exact && g->stream_at_known)
		snprintf(size, sizeof(size), "bytes %llu to %llu of the stream lost (exact)",
		    (unsigned long long)g->stream_at,
		    (unsigned long long)(g->stream_at + g->lost - 1));
	else if (g->lost_exact)
		snprintf(size, sizeof(size), "%llu bytes lost (exact) %s",
		    (unsigned long long)g->lost, where);
	else if (g->lost_bounded)
		snprintf(size, sizeof(size), "at most %llu bytes lost %s",
		    (unsigned long long)g->lost, where);
	else
		snprintf(size, sizeof(size), "bytes lost %s, how many unknown", where);
	snprintf(buf, len, "%s (compressed bytes %llu to %llu): %s", size,
	    (unsigned long long)g->in_from, (unsigned long long)g->in_to, g->why);
}

uint64_t
gzsalvage_bytes_out(const struct gzsalvage *s)
{
	return s->bytes_out;
}

void
gzsalvage_close(struct gzsalvage *s)
{
	if (s == NULL)
		return;
	if (s->zinit)
		inflateEnd(&s->strm);
	libdeflate_free_decompressor(s->d);
	free(s->buf);
	free(s->out);
	free(s->gaps);
	free(s);
}
