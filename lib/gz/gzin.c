/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* gzin: gzip reader (see gzin.h).  A producer thread reads the input.
 * Members written by cr-gz (with the "CR" subfield, docs/stream-format.md)
 * are read whole and decompressed by worker threads with libdeflate, which
 * check each one's CRC-32 and length; any other member is inflated by the
 * producer with zlib into a ring of chunks, and the caller's thread checks
 * its CRC-32 and ISIZE as it takes them, as in pigz.  The caller takes the
 * chunks in input order and checks that the members of a cr-gz stream come
 * in order (each linked to the one before; in format 1, numbered) and add up
 * to what its end member says. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "gz/gzin.h"
#include "format/gzfmt.h"
#include "base/workpool.h"

#define INBUF	(128 * 1024)
#define CHUNK	(256 * 1024)	/* output of the zlib path per chunk */
#define GZIN_MAX_THREADS 8

/* What a chunk holds, and what follows its data. */
#define CH_MEMBER_END	0x01	/* a zlib member ended: check its CRC-32 and ISIZE */
#define CH_EOF		0x02	/* clean end of input */
#define CH_ERROR	0x04	/* the producer or a worker failed: kind, err */
#define CH_FOREIGN	0x08	/* a member without the CR subfield starts here */
#define CH_CR_DATA	0x10	/* a cr-gz data member, whole */
#define CH_CR_END	0x20	/* a cr-gz end member */

/* gzip header flags, RFC 1952 */
#define FHCRC		0x02
#define FEXTRA		0x04
#define FNAME		0x08
#define FCOMMENT	0x10
#define FRESERVED	0xe0

enum cstate { C_FREE, C_QUEUED, C_READY };

struct chunk {
	unsigned char *buf;		/* output, GZ_BLOCK_MAX bytes */
	unsigned char *member;		/* a cr-gz member as read, GZ_MEMBER_MAX */
	size_t len, member_len;
	int flags;
	enum cstate state;
	struct workpool_item item;	/* the workers' queue */
	int is_gzip;
	unsigned number;		/* member number from 1, of a CR member */
	uint64_t member_at;		/* its compressed offset */
	int format;			/* of a CR member: 1 (SEQ) or 2 (LINK) */
	size_t hlen;			/* its header's length */
	uint64_t seq, total;		/* from its subfield: format 1's SEQ; format
					 * 2's end member: COUNT in seq; TOTAL */
	uint32_t link;			/* format 2: LINK */
	uint32_t tail;			/* format 2 data: CRC-32 of its last bytes */
	uint32_t crc;			/* CR data: CRC-32 of buf; end: the stream's */
	uint32_t crc_want, isize_want;	/* with CH_MEMBER_END */
	uint64_t trailer_at;		/* compressed offset of that trailer */
	uint64_t in_total;		/* compressed bytes consumed so far */
	enum gzin_errkind kind;		/* with CH_ERROR */
	char err[160];
};

enum pstate { P_START, P_HEADER, P_DATA, P_TRAILER, P_NEXT, P_PASS, P_END };


struct gzin {
	int fd, flags;
	gzin_tap_fn *tap;		/* sees every byte read, or NULL */
	void *tap_arg;

	/* producer: read, parse, inflate foreign members */
	enum pstate state;
	unsigned char *in;
	size_t in_pos, in_len;
	uint64_t in_base;		/* input offset of in[0] */
	int in_eof;
	z_stream strm;
	unsigned p_member;		/* member being read, from 1 */
	int p_is_gzip;

	/* ring between producer, workers and consumer */
	struct chunk *ring;
	unsigned nring, head, tail, count;
	struct workpool pool;		/* decodes queued cr-gz members */
	pthread_mutex_t lock;
	pthread_cond_t data_cond, space_cond;
	pthread_t thread;
	int thread_started, thread_done, stop;
	int wake[2];			/* gzin_close to the producer: stop reading */
	struct libdeflate_decompressor **decompressors;
	int nalloc;

	/* consumer: check and hand out */
	struct chunk *cur;
	size_t cur_pos;
	uint32_t crc;			/* of the zlib member being taken */
	uint64_t member_len;
	int cr_active;			/* inside a cr-gz stream */
	int cr_format;			/* its format */
	uint64_t cr_seq, cr_total;	/* data members so far, length so far */
	uint32_t cr_link;		/* format 2: LINK the next member must have */
	uint32_t cr_crc;		/* CRC-32 of the stream so far */
	uint64_t bytes_in, bytes_out;
	unsigned members;
	int is_gzip, eof;
	enum gzin_errkind kind;
	char err[200];
};

static void
produce_error(struct gzin *g, struct chunk *c, enum gzin_errkind kind,
    const char *fmt, ...)
{
	va_list ap;

	c->kind = kind;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->flags |= CH_ERROR;
	g->state = P_END;
}

static void
truncated(struct gzin *g, struct chunk *c)
{
	produce_error(g, c, GZIN_EDATA, "unexpected end of data after %llu bytes",
	    (unsigned long long)(g->in_base + g->in_len));
}

/* One read(2), given up with ECANCELED when gzin_close writes to the wake
 * pipe, so it never waits on a stalled pipe (no pthread_cancel: unwinding
 * a thread's stack confuses AddressSanitizer). */
static ssize_t
read_some(struct gzin *g, void *buf, size_t len)
{
	struct pollfd pfd[2];
	ssize_t n;

	for (;;) {
		pfd[0].fd = g->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = g->wake[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents != 0) {
			errno = ECANCELED;
			return -1;
		}
		if ((n = read(g->fd, buf, len)) > 0 && g->tap != NULL)
			g->tap(g->tap_arg, buf, (size_t)n);
		if (n != -1 || errno != EINTR)
			return n;
	}
}

/* Have at least want bytes at in + in_pos, unless the input ends first.
 * Returns how many are there, or -1 after a read error. */
static ssize_t
in_need(struct gzin *g, struct chunk *c, size_t want)
{
	ssize_t n;

	while (g->in_len - g->in_pos < want && !g->in_eof) {
		if (g->in_pos > 0) {
			memmove(g->in, g->in + g->in_pos, g->in_len - g->in_pos);
			g->in_base += g->in_pos;
			g->in_len -= g->in_pos;
			g->in_pos = 0;
		}
		if ((n = read_some(g, g->in + g->in_len, INBUF - g->in_len)) == -1) {
			produce_error(g, c, GZIN_EIO, "read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			g->in_eof = 1;
		g->in_len += (size_t)n;
	}
	return (ssize_t)(g->in_len - g->in_pos);
}

/* Next header byte, or -1 at end of input or on error (reported). */
static int
header_byte(struct gzin *g, struct chunk *c, uLong *hcrc)
{
	ssize_t n;
	unsigned char b;

	if ((n = in_need(g, c, 1)) <= 0) {
		if (n == 0)
			truncated(g, c);
		return -1;
	}
	b = g->in[g->in_pos++];
	*hcrc = crc32(*hcrc, &b, 1);
	return b;
}

/* A zero-terminated header field (FNAME, FCOMMENT). */
static int
skip_string(struct gzin *g, struct chunk *c, uLong *hcrc)
{
	int b;

	while ((b = header_byte(g, c, hcrc)) > 0)
		continue;
	return b;
}

/* RFC 1952 member header; the magic is known to be there. */
static int
parse_header(struct gzin *g, struct chunk *c)
{
	unsigned char h[10];
	uLong hcrc = crc32(0, NULL, 0);
	unsigned want;
	int b, i, lo, hi;
	long xlen;

	g->p_member++;
	for (i = 0; i < 10; i++) {
		if ((b = header_byte(g, c, &hcrc)) == -1)
			return -1;
		h[i] = (unsigned char)b;
	}
	if (h[2] != Z_DEFLATED) {
		produce_error(g, c, GZIN_EDATA,
		    "unknown compression method %u in member %u", h[2], g->p_member);
		return -1;
	}
	if (h[3] & FRESERVED) {
		produce_error(g, c, GZIN_EDATA,
		    "reserved header flags set in member %u", g->p_member);
		return -1;
	}
	if (h[3] & FEXTRA) {
		if ((lo = header_byte(g, c, &hcrc)) == -1 ||
		    (hi = header_byte(g, c, &hcrc)) == -1)
			return -1;
		for (xlen = lo | hi << 8; xlen > 0; xlen--)
			if (header_byte(g, c, &hcrc) == -1)
				return -1;
	}
	if ((h[3] & FNAME && skip_string(g, c, &hcrc) == -1) ||
	    (h[3] & FCOMMENT && skip_string(g, c, &hcrc) == -1))
		return -1;
	if (h[3] & FHCRC) {
		want = hcrc & 0xffff;
		if ((lo = header_byte(g, c, &hcrc)) == -1 ||
		    (hi = header_byte(g, c, &hcrc)) == -1)
			return -1;
		if ((unsigned)(lo | hi << 8) != want) {
			produce_error(g, c, GZIN_EDATA,
			    "header CRC mismatch in member %u", g->p_member);
			return -1;
		}
	}
	if (inflateReset(&g->strm) != Z_OK) {
		produce_error(g, c, GZIN_ENOMEM, "inflateReset failed");
		return -1;
	}
	return 0;
}

/* 1 with the "CR" subfield's length in *slen if the member at in + in_pos
 * carries one, 0 if it does not, -1 after an error (reported). */
static int
cr_subfield(struct gzin *g, struct chunk *c, size_t *slen)
{
	ssize_t n;

	if ((n = in_need(g, c, 12)) == -1)
		return -1;
	if (n < 12)
		return 0;	/* parse_header reports the truncation */
	if ((n = in_need(g, c, gzfmt_extra_end(g->in + g->in_pos))) == -1)
		return -1;
	return gzfmt_has_subfield(g->in + g->in_pos, (size_t)n, slen);
}

/* A cr-gz member, read whole into c: the header is strict (docs/stream-format.md),
 * the deflate data is the workers' to check. */
static void
read_cr_member(struct gzin *g, struct chunk *c, size_t slen)
{
	struct gzfmt_member m;
	size_t have, msize;
	ssize_t n;

	c->number = ++g->p_member;
	c->member_at = g->in_base + g->in_pos;
	g->p_is_gzip = 1;
	if ((n = in_need(g, c, GZ_HEADER_LEN(slen))) == -1)
		return;
	switch (gzfmt_parse_header(g->in + g->in_pos, (size_t)n, &m)) {
	case GZFMT_OK:
		break;
	case GZFMT_BAD_HEADER:
		produce_error(g, c, GZIN_EDATA, "bad cr-gz header in member %u "
		    "(compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at);
		return;
	case GZFMT_SHORT:
		truncated(g, c);
		return;
	case GZFMT_BAD_SIZE:
		produce_error(g, c, GZIN_EDATA, "size field of member %u out of "
		    "range (compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at + 16);
		return;
	}
	msize = m.msize;
	c->hlen = m.hlen;
	c->format = m.format;
	c->seq = m.seq;
	c->link = m.link;
	have = g->in_len - g->in_pos;
	if (have > msize)
		have = msize;
	memcpy(c->member, g->in + g->in_pos, have);
	g->in_pos += have;
	if (have < msize) {
		/* the rest straight from the input, past the buffer */
		g->in_base += g->in_len;
		g->in_pos = g->in_len = 0;
		while (have < msize) {
			if ((n = read_some(g, c->member + have, msize - have)) == -1) {
				produce_error(g, c, GZIN_EIO, "read: %s", strerror(errno));
				return;
			}
			if (n == 0) {
				g->in_eof = 1;
				truncated(g, c);
				return;
			}
			have += (size_t)n;
			g->in_base += (uint64_t)n;
		}
	}
	c->member_len = msize;
	g->state = P_NEXT;
	if (!m.end) {
		c->flags |= CH_CR_DATA;
		return;
	}
	/* The end member: the stream's length and CRC-32 (and in format 2 its
	 * count of data members), no data. */
	c->total = m.total;
	c->crc = m.crc;
	if (!gzfmt_end_body_ok(c->member + m.hlen, &m)) {
		produce_error(g, c, GZIN_EDATA, "bad cr-gz end member %u "
		    "(compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at);
		return;
	}
	c->flags |= CH_CR_END;
}

/* A worker's part: decompress a cr-gz data member and check it. */
static void
decode_cr_member(struct libdeflate_decompressor *d, struct chunk *c)
{
	size_t hlen = c->hlen, dlen, in_used = 0, out_len = 0, tail;
	const unsigned char *trailer = c->member + c->member_len - 8;
	enum libdeflate_result r;

	dlen = c->member_len - hlen - 8;
	r = libdeflate_deflate_decompress_ex(d, c->member + hlen, dlen, c->buf,
	    GZ_BLOCK_MAX, &in_used, &out_len);
	c->len = 0;
	c->kind = GZIN_EDATA;
	if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
		snprintf(c->err, sizeof(c->err), "member %u holds more than %d bytes "
		    "(compressed offset %llu)", c->number, GZ_BLOCK_MAX,
		    (unsigned long long)c->member_at);
	else if (r != LIBDEFLATE_SUCCESS)
		snprintf(c->err, sizeof(c->err), "invalid compressed data in member %u "
		    "(compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at + hlen);
	else if (in_used != dlen)
		snprintf(c->err, sizeof(c->err), "size field of member %u does not match "
		    "its data (compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at + 16);
	else if ((c->crc = (uint32_t)libdeflate_crc32(0, c->buf, out_len)) != gz_get32le(trailer))
		snprintf(c->err, sizeof(c->err), "CRC-32 mismatch in member %u "
		    "(compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at + c->member_len - 8);
	else if (out_len != gz_get32le(trailer + 4))
		snprintf(c->err, sizeof(c->err), "length mismatch in member %u "
		    "(compressed offset %llu)", c->number,
		    (unsigned long long)c->member_at + c->member_len - 4);
	else {
		c->len = out_len;
		c->kind = GZIN_ENONE;
		tail = out_len < GZ_LINK_BYTES ? out_len : GZ_LINK_BYTES;
		c->tail = (uint32_t)libdeflate_crc32(0, c->buf + out_len - tail, tail);
		return;
	}
	c->flags |= CH_ERROR;
}

/* At the start of the input or after a member: another member, the end,
 * or (after a member) trailing garbage. */
static void
next_member(struct gzin *g, struct chunk *c)
{
	ssize_t n;
	int magic;

	if ((n = in_need(g, c, 2)) == -1)
		return;
	if (n == 0) {
		if (g->state == P_START && !(g->flags & GZIN_AUTO))
			produce_error(g, c, GZIN_EDATA, "empty input, not gzip");
		else {
			c->flags |= CH_EOF;
			g->state = P_END;
		}
		return;
	}
	magic = g->in[g->in_pos] == 0x1f && (n == 1 || g->in[g->in_pos + 1] == 0x8b);
	if (g->state == P_START && (!magic || n == 1) && (g->flags & GZIN_AUTO)) {
		g->state = P_PASS;
		return;
	}
	if (magic && n == 1)
		truncated(g, c);
	else if (magic) {
		g->p_is_gzip = 1;
		g->state = P_HEADER;
	} else if (g->state == P_START)
		produce_error(g, c, GZIN_EDATA, "not in gzip format");
	else
		produce_error(g, c, GZIN_EDATA,
		    "trailing garbage after member %u at offset %llu", g->p_member,
		    (unsigned long long)(g->in_base + g->in_pos));
}

/* Fill c with up to CHUNK bytes of output.  It ends early at a member end
 * (so the consumer checks the member before anything after it), the end of
 * the input, or an error. */
static void
fill_chunk(struct gzin *g, struct chunk *c)
{
	ssize_t n;
	size_t avail;
	size_t slen;
	int cr, ret;

	c->len = 0;
	c->flags = 0;
	c->kind = GZIN_ENONE;
	while (c->len < CHUNK && !(c->flags & (CH_MEMBER_END | CH_EOF | CH_ERROR |
	    CH_CR_DATA | CH_CR_END))) {
		switch (g->state) {
		case P_START:
		case P_NEXT:
			next_member(g, c);
			break;
		case P_HEADER:
			if ((cr = cr_subfield(g, c, &slen)) == 1)
				read_cr_member(g, c, slen);
			else if (cr == 0 && parse_header(g, c) == 0) {
				g->state = P_DATA;
				c->flags |= CH_FOREIGN;
				c->number = g->p_member;
			}
			break;
		case P_DATA:
			if (g->in_pos == g->in_len) {
				if ((n = in_need(g, c, 1)) == -1)
					break;
				if (n == 0) {
					truncated(g, c);
					break;
				}
			}
			g->strm.next_in = g->in + g->in_pos;
			g->strm.avail_in = (uInt)(g->in_len - g->in_pos);
			g->strm.next_out = c->buf + c->len;
			g->strm.avail_out = (uInt)(CHUNK - c->len);
			ret = inflate(&g->strm, Z_NO_FLUSH);
			g->in_pos = g->in_len - g->strm.avail_in;
			c->len = CHUNK - g->strm.avail_out;
			if (ret == Z_STREAM_END)
				g->state = P_TRAILER;
			else if (ret == Z_MEM_ERROR)
				produce_error(g, c, GZIN_ENOMEM, "inflate: out of memory");
			else if (ret != Z_OK && ret != Z_BUF_ERROR)
				produce_error(g, c, GZIN_EDATA,
				    "invalid compressed data in member %u at offset %llu: %s",
				    g->p_member, (unsigned long long)(g->in_base + g->in_pos),
				    g->strm.msg ? g->strm.msg : "inflate failed");
			break;
		case P_TRAILER:
			if ((n = in_need(g, c, 8)) == -1)
				break;
			if (n < 8) {
				truncated(g, c);
				break;
			}
			/* RFC 1952: CRC-32, then ISIZE = length mod 2^32, LSB first */
			c->crc_want = gz_get32le(g->in + g->in_pos);
			c->isize_want = gz_get32le(g->in + g->in_pos + 4);
			c->trailer_at = g->in_base + g->in_pos;
			g->in_pos += 8;
			c->flags |= CH_MEMBER_END;
			g->state = P_NEXT;
			break;
		case P_PASS:
			/* not gzip and GZIN_AUTO: the input as it is */
			avail = g->in_len - g->in_pos;
			if (avail > 0) {
				if (avail > CHUNK - c->len)
					avail = CHUNK - c->len;
				memcpy(c->buf + c->len, g->in + g->in_pos, avail);
				g->in_pos += avail;
				c->len += avail;
				break;
			}
			if ((n = read_some(g, c->buf + c->len, CHUNK - c->len)) == -1)
				produce_error(g, c, GZIN_EIO, "read: %s", strerror(errno));
			else if (n == 0) {
				c->flags |= CH_EOF;
				g->state = P_END;
			} else {
				c->len += (size_t)n;
				g->in_base += (uint64_t)n;
			}
			break;
		case P_END:
			c->flags |= CH_EOF;	/* not reached: the producer stops */
			break;
		}
	}
	c->is_gzip = g->p_is_gzip;
	c->in_total = g->in_base + g->in_pos;
}

static void *
producer_main(void *arg)
{
	struct gzin *g = arg;
	struct chunk *c;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->stop && g->count == g->nring)
			pthread_cond_wait(&g->space_cond, &g->lock);
		if (g->stop)
			break;
		c = &g->ring[g->head];
		pthread_mutex_unlock(&g->lock);

		fill_chunk(g, c);

		pthread_mutex_lock(&g->lock);
		g->head = (g->head + 1) % g->nring;
		g->count++;
		if ((c->flags & (CH_CR_DATA | CH_ERROR)) == CH_CR_DATA) {
			c->state = C_QUEUED;
			workpool_push(&g->pool, &c->item);
		} else {
			c->state = C_READY;
			pthread_cond_signal(&g->data_cond);
		}
		if (c->flags & (CH_EOF | CH_ERROR))
			break;
	}
	g->thread_done = 1;
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

#define CHUNK_OF(it)	((struct chunk *)(void *)((char *)(it) - offsetof(struct chunk, item)))

/* A worker's job (lib/workpool), on its own decompressor. */
static int
run_chunk(void *ctx, struct workpool_item *it)
{
	decode_cr_member(ctx, CHUNK_OF(it));
	return 0;
}

/* Lock held: the chunk is ready for the consumer. */
static void
chunk_decoded(void *owner, struct workpool_item *it, int rc)
{
	struct gzin *g = owner;

	(void)rc;
	CHUNK_OF(it)->state = C_READY;
	pthread_cond_signal(&g->data_cond);
}

struct gzin *
gzin_open(int fd, int flags)
{
	return gzin_open_tap(fd, flags, NULL, NULL);
}

struct gzin *
gzin_open_tap(int fd, int flags, gzin_tap_fn *tap, void *arg)
{
	struct gzin *g;
	long cpus;
	unsigned i;
	int n, rc;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->fd = fd;
	g->flags = flags;
	g->tap = tap;
	g->tap_arg = arg;
	g->state = P_START;
	g->crc = (uint32_t)crc32(0, NULL, 0);
	g->wake[0] = g->wake[1] = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->data_cond, NULL);
	pthread_cond_init(&g->space_cond, NULL);
	/* raw inflate (-15): gzin parses headers and trailers itself */
	if (inflateInit2(&g->strm, -15) != Z_OK) {
		free(g);
		errno = ENOMEM;
		return NULL;
	}

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	g->nalloc = cpus < 1 ? 1 : cpus > GZIN_MAX_THREADS ? GZIN_MAX_THREADS : (int)cpus;
	/* a member per worker, one being read, one being taken, one ready */
	g->nring = (unsigned)g->nalloc + 3;
	if (pipe2(g->wake, O_CLOEXEC) == -1)
		goto fail;
	if ((g->in = malloc(INBUF)) == NULL ||
	    (g->ring = calloc(g->nring, sizeof(*g->ring))) == NULL ||
	    (g->decompressors = calloc((size_t)g->nalloc, sizeof(*g->decompressors))) == NULL)
		goto fail;
	for (i = 0; i < g->nring; i++)
		if ((g->ring[i].buf = malloc(GZ_BLOCK_MAX)) == NULL ||
		    (g->ring[i].member = malloc(GZ_MEMBER_MAX)) == NULL)
			goto fail;
	for (n = 0; n < g->nalloc; n++) {
		if ((g->decompressors[n] = libdeflate_alloc_decompressor()) == NULL) {
			errno = ENOMEM;
			goto fail;
		}
		if (n == 0) {
			/* libdeflate picks its CPU-specific code on the first call:
			 * make that call here, not racing on the workers */
			static const unsigned char empty[2] = { 0x03, 0x00 };
			size_t out_len;

			(void)libdeflate_crc32(0, empty, sizeof(empty));
			(void)libdeflate_deflate_decompress_ex(g->decompressors[0], empty,
			    sizeof(empty), g->ring[0].buf, 0, NULL, &out_len);
		}
	}
	if (workpool_start(&g->pool, &g->lock, &g->stop, g->nalloc,
	    (void *const *)g->decompressors, run_chunk, chunk_decoded, g) == -1)
		goto fail;
	if ((rc = pthread_create(&g->thread, NULL, producer_main, g)) != 0) {
		errno = rc;
		goto fail;
	}
	g->thread_started = 1;
	return g;
fail:
	rc = errno;
	gzin_close(g);
	errno = rc;
	return NULL;
}

static void
consumer_error(struct gzin *g, enum gzin_errkind kind, const char *fmt, ...)
{
	va_list ap;

	g->kind = kind;
	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
}

/* Whether cr-gz member c may come next: in format 2 its LINK is that of
 * the stream so far (0 opens a stream), in format 1 its SEQ the count of
 * data members so far. */
static int
in_place(const struct gzin *g, const struct chunk *c)
{
	uint64_t count = g->cr_active ? g->cr_seq : 0;
	uint32_t link = g->cr_active ? g->cr_link : 0;

	if (g->cr_active && c->format != g->cr_format)
		return 0;
	if (c->format == 1)
		return c->seq == count;
	return c->link == link;
}

/* A cr-gz chunk or the start of a member, before any of its data is handed
 * out: members of a cr-gz stream come in order, nothing else comes between
 * them, and the end member's length and CRC-32 are those of the stream. */
static void
chunk_begin(struct gzin *g, struct chunk *c)
{
	uint64_t want = g->cr_active ? g->cr_seq : 0;

	if (c->flags & (CH_CR_DATA | CH_CR_END) && !(c->flags & CH_ERROR)) {
		if (!in_place(g, c)) {
			if (c->format == 1 && (!g->cr_active || g->cr_format == 1))
				consumer_error(g, GZIN_EDATA, "member %u is number %llu of a "
				    "cr-gz stream, not %llu: a member is missing, repeated or "
				    "moved (compressed offset %llu)", c->number,
				    (unsigned long long)c->seq, (unsigned long long)want,
				    (unsigned long long)c->member_at);
			else if (g->cr_active && c->format != g->cr_format)
				consumer_error(g, GZIN_EDATA, "member %u is of cr-gz format "
				    "%d inside a stream of format %d (compressed offset %llu)",
				    c->number, c->format, g->cr_format,
				    (unsigned long long)c->member_at);
			else
				consumer_error(g, GZIN_EDATA, "member %u does not follow "
				    "the member before it in its cr-gz stream: a member is "
				    "missing, repeated or moved (compressed offset %llu)",
				    c->number, (unsigned long long)c->member_at);
			return;
		}
		if (c->flags & CH_CR_DATA) {
			g->cr_active = 1;
			g->cr_format = c->format;
			g->cr_seq++;
			g->cr_link = c->tail;
			g->cr_crc = (uint32_t)crc32_combine(g->cr_crc, c->crc, (z_off_t)c->len);
			g->cr_total += c->len;
			return;
		}
		if (c->seq != want || c->total != g->cr_total || c->crc != g->cr_crc)
			consumer_error(g, GZIN_EDATA, "end member %u does not match the "
			    "%s of its cr-gz stream (compressed offset %llu)", c->number,
			    c->seq != want ? "member count" :
			    c->total != g->cr_total ? "length" : "CRC-32",
			    (unsigned long long)c->member_at);
		g->cr_active = 0;
		g->cr_seq = g->cr_total = 0;
		g->cr_crc = 0;
		g->cr_link = 0;
		return;
	}
	if (!g->cr_active)
		return;
	if (c->flags & CH_FOREIGN)
		consumer_error(g, GZIN_EDATA, "member %u lacks the CR subfield inside "
		    "a cr-gz stream", c->number);
	else if (c->flags & CH_EOF)
		consumer_error(g, GZIN_EDATA, "unexpected end of data after %llu bytes",
		    (unsigned long long)c->in_total);
}

/* The chunk's data is used up: act on what follows it, give it back. */
static void
chunk_done(struct gzin *g, struct chunk *c)
{
	g->bytes_in = c->in_total;
	if (c->flags & (CH_CR_DATA | CH_CR_END) && !(c->flags & CH_ERROR))
		g->members++;
	if (c->flags & CH_MEMBER_END) {
		g->members++;
		if (g->crc != c->crc_want)
			consumer_error(g, GZIN_EDATA,
			    "CRC-32 mismatch in member %u (compressed offset %llu)",
			    g->members, (unsigned long long)c->trailer_at);
		else if ((uint32_t)g->member_len != c->isize_want)
			consumer_error(g, GZIN_EDATA,
			    "length mismatch in member %u (compressed offset %llu)",
			    g->members, (unsigned long long)c->trailer_at + 4);
		g->crc = (uint32_t)crc32(0, NULL, 0);
		g->member_len = 0;
	}
	if (c->flags & CH_ERROR && g->kind == GZIN_ENONE)
		consumer_error(g, c->kind, "%s", c->err);
	if (c->flags & CH_EOF)
		g->eof = 1;
	g->cur = NULL;
	pthread_mutex_lock(&g->lock);
	c->state = C_FREE;
	g->tail = (g->tail + 1) % g->nring;
	g->count--;
	pthread_cond_signal(&g->space_cond);
	pthread_mutex_unlock(&g->lock);
}

/* Bytes ready at *p without taking them: > 0, 0 at the clean end, -1. */
static ssize_t
peek(struct gzin *g, unsigned char **p)
{
	struct chunk *c;

	for (;;) {
		if (g->kind != GZIN_ENONE)
			return -1;
		if (g->eof)
			return 0;
		if ((c = g->cur) == NULL) {
			pthread_mutex_lock(&g->lock);
			while (g->ring[g->tail].state != C_READY)
				pthread_cond_wait(&g->data_cond, &g->lock);
			c = &g->ring[g->tail];
			pthread_mutex_unlock(&g->lock);
			g->cur = c;
			g->cur_pos = 0;
			g->is_gzip = c->is_gzip;
			chunk_begin(g, c);
			if (g->kind != GZIN_ENONE)
				return -1;
		}
		if (g->cur_pos < c->len) {
			*p = c->buf + g->cur_pos;
			return (ssize_t)(c->len - g->cur_pos);
		}
		chunk_done(g, c);
	}
}

static void
take(struct gzin *g, const unsigned char *p, size_t n)
{
	/* a cr-gz member's CRC-32 was checked by its worker */
	if (g->is_gzip && !(g->cur->flags & CH_CR_DATA)) {
		g->crc = (uint32_t)crc32(g->crc, p, (uInt)n);
		g->member_len += n;
	}
	g->cur_pos += n;
	g->bytes_out += n;
}

ssize_t
gzin_read(struct gzin *g, void *buf, size_t len)
{
	unsigned char *p;
	ssize_t n;

	if (len == 0)
		return 0;
	if ((n = peek(g, &p)) <= 0)
		return n;
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(buf, p, (size_t)n);
	take(g, p, (size_t)n);
	return n;
}

ssize_t
gzin_next(struct gzin *g, const void **data)
{
	unsigned char *p;
	ssize_t n;

	if ((n = peek(g, &p)) > 0) {
		take(g, p, (size_t)n);
		*data = p;
	}
	return n;
}

const char *
gzin_error(const struct gzin *g)
{
	return g->kind == GZIN_ENONE ? "no error" : g->err;
}

enum gzin_errkind
gzin_errkind(const struct gzin *g)
{
	return g->kind;
}

int
gzin_exit_code(const struct gzin *g)
{
	switch (g->kind) {
	case GZIN_ENONE:	return 0;
	case GZIN_EDATA:	return EX_DATAERR;
	case GZIN_EIO:		return EX_IOERR;
	default:		return EX_OSERR;
	}
}

int
gzin_is_gzip(const struct gzin *g)
{
	return g->is_gzip;
}

uint64_t
gzin_bytes_in(const struct gzin *g)
{
	return g->bytes_in;
}

uint64_t
gzin_bytes_out(const struct gzin *g)
{
	return g->bytes_out;
}

unsigned
gzin_members(const struct gzin *g)
{
	return g->members;
}

void
gzin_close(struct gzin *g)
{
	unsigned i;
	int n, done;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_broadcast(&g->space_cond);
	workpool_wake(&g->pool);
	done = g->thread_done;
	pthread_mutex_unlock(&g->lock);
	if (g->thread_started) {
		/* It may sit in poll(2) on a pipe nobody writes to any more. */
		if (!done)
			(void)!write(g->wake[1], "", 1);
		pthread_join(g->thread, NULL);
	}
	if (g->wake[0] != -1) {
		close(g->wake[0]);
		close(g->wake[1]);
	}
	workpool_join(&g->pool);
	if (g->decompressors != NULL)
		for (n = 0; n < g->nalloc; n++)
			libdeflate_free_decompressor(g->decompressors[n]);
	if (g->ring != NULL)
		for (i = 0; i < g->nring; i++) {
			free(g->ring[i].buf);
			free(g->ring[i].member);
		}
	pthread_cond_destroy(&g->data_cond);
	pthread_cond_destroy(&g->space_cond);
	pthread_mutex_destroy(&g->lock);
	inflateEnd(&g->strm);
	free(g->decompressors);
	free(g->ring);
	free(g->in);
	free(g);
}
