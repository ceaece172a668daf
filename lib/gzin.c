/* gzin: streaming gzip reader (see gzin.h).  A producer thread reads and
 * inflates into a ring of chunks; the caller's thread checks CRC-32 and ISIZE
 * as it takes them, so inflating and checking run side by side as in pigz. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "gzin.h"

#define INBUF	(128 * 1024)
#define CHUNK	(256 * 1024)
#define RING	4

/* What follows a chunk's data. */
#define CH_MEMBER_END	0x1	/* a member ended: check its CRC-32 and ISIZE */
#define CH_EOF		0x2	/* clean end of input */
#define CH_ERROR	0x4	/* the producer failed: p_kind, p_err */

/* gzip header flags, RFC 1952 */
#define FHCRC		0x02
#define FEXTRA		0x04
#define FNAME		0x08
#define FCOMMENT	0x10
#define FRESERVED	0xe0

struct chunk {
	unsigned char *buf;
	size_t len;
	int flags;
	int is_gzip;
	uint32_t crc_want, isize_want;	/* with CH_MEMBER_END */
	uint64_t trailer_at;		/* compressed offset of that trailer */
	uint64_t in_total;		/* compressed bytes consumed so far */
};

enum pstate { P_START, P_HEADER, P_DATA, P_TRAILER, P_NEXT, P_PASS, P_END };

struct gzin {
	int fd, flags;

	/* producer: read, parse, inflate */
	enum pstate state;
	unsigned char *in;
	size_t in_pos, in_len;
	uint64_t in_base;		/* input offset of in[0] */
	int in_eof;
	z_stream strm;
	unsigned p_member;		/* member being read, from 1 */
	int p_is_gzip;
	enum gzin_errkind p_kind;
	char p_err[160];

	/* ring between producer and consumer */
	struct chunk ring[RING];
	unsigned head, tail, count;
	pthread_mutex_t lock;
	pthread_cond_t data_cond, space_cond;
	pthread_t thread;
	int threaded, thread_done, stop;

	/* consumer: check and hand out */
	struct chunk *cur;
	size_t cur_pos;
	uint32_t crc;
	uint64_t member_len;
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

	g->p_kind = kind;
	va_start(ap, fmt);
	vsnprintf(g->p_err, sizeof(g->p_err), fmt, ap);
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

/* One read(2).  The producer thread may be cancelled only while blocked
 * here, when it holds no lock, so gzin_close never waits on a stalled pipe. */
static ssize_t
read_some(struct gzin *g, void *buf, size_t len)
{
	ssize_t n;
	int old;

	do {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		n = read(g->fd, buf, len);
		pthread_setcancelstate(old, NULL);
	} while (n == -1 && errno == EINTR);
	return n;
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

static uint32_t
get32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Fill c with up to CHUNK bytes of output.  It ends early at a member end
 * (so the consumer checks the member before anything after it), the end of
 * the input, or an error. */
static void
fill_chunk(struct gzin *g, struct chunk *c)
{
	ssize_t n;
	size_t avail;
	int ret;

	c->len = 0;
	c->flags = 0;
	while (c->len < CHUNK && !(c->flags & (CH_MEMBER_END | CH_EOF | CH_ERROR))) {
		switch (g->state) {
		case P_START:
		case P_NEXT:
			next_member(g, c);
			break;
		case P_HEADER:
			if (parse_header(g, c) == 0)
				g->state = P_DATA;
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
			c->crc_want = get32le(g->in + g->in_pos);
			c->isize_want = get32le(g->in + g->in_pos + 4);
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

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->stop && g->count == RING)
			pthread_cond_wait(&g->space_cond, &g->lock);
		if (g->stop)
			break;
		c = &g->ring[g->head];
		pthread_mutex_unlock(&g->lock);

		fill_chunk(g, c);

		pthread_mutex_lock(&g->lock);
		g->head = (g->head + 1) % RING;
		g->count++;
		pthread_cond_signal(&g->data_cond);
		if (c->flags & (CH_EOF | CH_ERROR))
			break;
	}
	g->thread_done = 1;
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct gzin *
gzin_open(int fd, int flags)
{
	struct gzin *g;
	int i;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->fd = fd;
	g->flags = flags;
	g->state = P_START;
	g->crc = (uint32_t)crc32(0, NULL, 0);
	if ((g->in = malloc(INBUF)) == NULL)
		goto fail;
	for (i = 0; i < RING; i++)
		if ((g->ring[i].buf = malloc(CHUNK)) == NULL)
			goto fail;
	/* raw inflate (-15): gzin parses headers and trailers itself */
	if (inflateInit2(&g->strm, -15) != Z_OK)
		goto fail;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->data_cond, NULL);
	pthread_cond_init(&g->space_cond, NULL);
	/* Without a thread, gzin_read fills chunks itself: slower, same result. */
	g->threaded = pthread_create(&g->thread, NULL, producer_main, g) == 0;
	return g;
fail:
	for (i = 0; i < RING; i++)
		free(g->ring[i].buf);
	free(g->in);
	free(g);
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

/* The chunk's data is used up: act on what follows it, give it back. */
static void
chunk_done(struct gzin *g, struct chunk *c)
{
	g->bytes_in = c->in_total;
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
		consumer_error(g, g->p_kind, "%s", g->p_err);
	if (c->flags & CH_EOF)
		g->eof = 1;
	g->cur = NULL;
	if (g->threaded) {
		pthread_mutex_lock(&g->lock);
		g->tail = (g->tail + 1) % RING;
		g->count--;
		pthread_cond_signal(&g->space_cond);
		pthread_mutex_unlock(&g->lock);
	}
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
			if (g->threaded) {
				pthread_mutex_lock(&g->lock);
				while (g->count == 0)
					pthread_cond_wait(&g->data_cond, &g->lock);
				c = &g->ring[g->tail];
				pthread_mutex_unlock(&g->lock);
			} else {
				c = &g->ring[0];
				fill_chunk(g, c);
			}
			g->cur = c;
			g->cur_pos = 0;
			g->is_gzip = c->is_gzip;
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
	if (g->is_gzip) {
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
	int i, done;

	if (g == NULL)
		return;
	if (g->threaded) {
		pthread_mutex_lock(&g->lock);
		g->stop = 1;
		pthread_cond_broadcast(&g->space_cond);
		done = g->thread_done;
		pthread_mutex_unlock(&g->lock);
		/* It may sit in read(2) on a pipe nobody writes to any more. */
		if (!done)
			pthread_cancel(g->thread);
		pthread_join(g->thread, NULL);
	}
	pthread_cond_destroy(&g->data_cond);
	pthread_cond_destroy(&g->space_cond);
	pthread_mutex_destroy(&g->lock);
	inflateEnd(&g->strm);
	for (i = 0; i < RING; i++)
		free(g->ring[i].buf);
	free(g->in);
	free(g);
}
