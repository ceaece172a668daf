/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpfmt: cr dump header and trailer lines, and the stream checksum. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <libdeflate.h>

#include "base/utc.h"
#include "format/dumpfmt.h"

/* Append s to buf escaped onto one line: backslash, control characters and
 * DEL as C escapes, other bytes (UTF-8 included) as they are. */
static int
escape(char *buf, size_t len, size_t *off, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	char tmp[4];
	size_t n;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		n = 0;
		if (c == '\\') {
			tmp[n++] = '\\';
			tmp[n++] = '\\';
		} else if (c == '\n') {
			tmp[n++] = '\\';
			tmp[n++] = 'n';
		} else if (c == '\t') {
			tmp[n++] = '\\';
			tmp[n++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			tmp[n++] = '\\';
			tmp[n++] = 'x';
			tmp[n++] = hex[c >> 4];
			tmp[n++] = hex[c & 0xf];
		} else
			tmp[n++] = (char)c;
		if (*off + n >= len)
			return -1;
		memcpy(buf + *off, tmp, n);
		*off += n;
	}
	return 0;
}

int
dumpfmt_escape(const char *s, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0 || escape(buf, len, &off, s) == -1)
		return -1;
	buf[off] = '\0';
	return 0;
}

int
dumpfmt_option_append(char *buf, size_t len, const char *opt, const char *value)
{
	size_t off = strlen(buf), start = off;
	const char *p;
	int plain;

#define PUT(c)	do { if (off + 1 >= len) goto full; buf[off++] = (c); } while (0)
	if (off > 0)
		PUT(' ');
	for (p = opt; *p != '\0'; p++)
		PUT(*p);
	if (value != NULL) {
		PUT('=');
		plain = *value != '\0' &&
		    value[strcspn(value, " \t\n'\"\\$`;&|<>()*?[]{}~#!")] == '\0';
		if (!plain)
			PUT('\'');
		for (p = value; *p != '\0'; p++) {
			if (*p == '\'' && !plain) {
				PUT('\'');
				PUT('\\');
				PUT('\'');
			}
			PUT(*p);
		}
		if (!plain)
			PUT('\'');
	}
#undef PUT
	buf[off] = '\0';
	return 0;
full:
	buf[start] = '\0';
	return -1;
}

static int
put_line(char *buf, size_t len, size_t *off, const char *key, const char *value)
{
	int n;

	n = snprintf(buf + *off, len - *off, "%s%s=", DUMPFMT_HEADER_PREFIX, key);
	if (n < 0 || (size_t)n >= len - *off)
		return -1;
	*off += (size_t)n;
	if (escape(buf, len, off, value != NULL ? value : "") == -1 || *off + 1 >= len)
		return -1;
	buf[(*off)++] = '\n';
	buf[*off] = '\0';
	return 0;
}

int
dumpfmt_header_format(const struct dumpfmt_header *h, char *buf, size_t len)
{
	static const char note[] =
	    "-- This dump is complete only when its last line is a cr-dump trailer;\n"
	    "-- check it with cr-verify(1).  It restores with plain psql.\n"
	    "\n";
	char format[16], started[UTC_LEN];
	size_t off = 0;

	snprintf(format, sizeof(format), "%d", DUMPFMT_FORMAT);
	if (utc_iso(h->started, started)[0] == '\0')
		return -1;
	if (put_line(buf, len, &off, "format", format) == -1 ||
	    put_line(buf, len, &off, "version", h->tool_version) == -1 ||
	    put_line(buf, len, &off, "database", h->database) == -1 ||
	    put_line(buf, len, &off, "user", h->user) == -1 ||
	    put_line(buf, len, &off, "server", h->server_version) == -1 ||
	    put_line(buf, len, &off, "pg_dump", h->pg_dump_version) == -1 ||
	    put_line(buf, len, &off, "started", started) == -1 ||
	    put_line(buf, len, &off, "contents", h->schema_only ? "schema" :
	    h->data_only ? "data" : "schema+data") == -1 ||
	    put_line(buf, len, &off, "options", h->options) == -1)
		return -1;
	if (off + sizeof(note) > len)
		return -1;
	memcpy(buf + off, note, sizeof(note));
	return (int)(off + sizeof(note) - 1);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dumpfmt_header_parse(const char *line, size_t len, char *key, size_t keylen,
    char *value, size_t valuelen)
{
	const size_t plen = sizeof(DUMPFMT_HEADER_PREFIX) - 1;
	const char *p, *end = line + len, *eq;
	size_t o = 0;
	int hi, lo;

	if (len <= plen || memcmp(line, DUMPFMT_HEADER_PREFIX, plen) != 0)
		return 0;
	p = line + plen;
	if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL || eq == p)
		return 0;
	if ((size_t)(eq - p) >= keylen || valuelen == 0)
		return 0;
	memcpy(key, p, (size_t)(eq - p));
	key[eq - p] = '\0';
	for (p = eq + 1; p < end && o + 1 < valuelen; p++) {
		if (*p != '\\' || p + 1 >= end) {
			value[o++] = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'n':
			value[o++] = '\n';
			break;
		case 't':
			value[o++] = '\t';
			break;
		case 'x':
			if (p + 2 < end && (hi = hexval(p[1])) >= 0 &&
			    (lo = hexval(p[2])) >= 0) {
				value[o++] = (char)(hi << 4 | lo);
				p += 2;
			} else
				value[o++] = 'x';
			break;
		default:
			value[o++] = *p;
			break;
		}
	}
	value[o] = '\0';
	return 1;
}

int
dumpfmt_trailer_format(uint64_t bytes, uint32_t crc, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%sbytes=%" PRIu64 " crc32=%08" PRIx32 " end\n",
	    DUMPFMT_TRAILER_PREFIX, bytes, crc);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
dumpfmt_trailer_parse(const char *line, size_t len, uint64_t *bytes, uint32_t *crc)
{
	const size_t plen = sizeof(DUMPFMT_TRAILER_PREFIX) - 1;
	char copy[DUMPFMT_TRAILER_MAX + 1], again[DUMPFMT_TRAILER_MAX + 1];
	unsigned long long b;
	unsigned int c;
	int n;

	if (len < plen || memcmp(line, DUMPFMT_TRAILER_PREFIX, plen) != 0)
		return 0;
	if (len > DUMPFMT_TRAILER_MAX || memchr(line, '\0', len) != NULL)
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	if (sscanf(copy + plen, "bytes=%llu crc32=%8x end", &b, &c) != 2)
		return -1;
	/* Only the exact spelling cr-dump writes is accepted: any other byte
	 * in the line means it was damaged. */
	n = dumpfmt_trailer_format((uint64_t)b, (uint32_t)c, again, sizeof(again));
	if (n < 0 || (size_t)n != len || memcmp(again, copy, len) != 0)
		return -1;
	*bytes = (uint64_t)b;
	*crc = (uint32_t)c;
	return 1;
}

/* libdeflate's CRC-32 is zlib's (same polynomial, same chaining from 0),
 * several times faster where the CPU has carry-less multiply. */
uint32_t
dumpfmt_crc(uint32_t crc, const void *buf, size_t len)
{
	return libdeflate_crc32(crc, buf, len);
}

void
dumpfmt_track_feed(struct dumpfmt_track *t, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t k, drop, fromtail;

	t->total += len;
	if (t->headlen < sizeof(t->head)) {
		k = sizeof(t->head) - t->headlen;
		if (k > len)
			k = len;
		memcpy(t->head + t->headlen, b, k);
		t->headlen += k;
	}
	/* Bytes pushed out of the tail window go into the checksum, in order. */
	drop = t->taillen + len > sizeof(t->tail) ? t->taillen + len - sizeof(t->tail) : 0;
	fromtail = drop < t->taillen ? drop : t->taillen;
	t->crc = dumpfmt_crc(t->crc, t->tail, fromtail);
	memmove(t->tail, t->tail + fromtail, t->taillen - fromtail);
	t->taillen -= fromtail;
	t->crc = dumpfmt_crc(t->crc, b, drop - fromtail);
	b += drop - fromtail;
	memcpy(t->tail + t->taillen, b, len - (drop - fromtail));
	t->taillen += len - (drop - fromtail);
}

static int
starts_with(const char *s, size_t len, const char *prefix)
{
	return len >= strlen(prefix) && memcmp(s, prefix, strlen(prefix)) == 0;
}

int
dumpfmt_track_cr_dump(const struct dumpfmt_track *t)
{
	return starts_with(t->head, t->headlen, DUMPFMT_HEADER_PREFIX);
}

static int
pg_dump_head(const struct dumpfmt_track *t)
{
	return starts_with(t->head, t->headlen, DUMPFMT_PGDUMP_HEAD) ||
	    memmem(t->head, t->headlen, "\n" DUMPFMT_PGDUMP_HEAD,
	    strlen("\n" DUMPFMT_PGDUMP_HEAD)) != NULL;
}

int
dumpfmt_track_pg_dump(const struct dumpfmt_track *t)
{
	return dumpfmt_track_cr_dump(t) || pg_dump_head(t);
}

enum dumpfmt_end
dumpfmt_track_end(const struct dumpfmt_track *t, struct dumpfmt_end_facts *f)
{
	size_t start;

	memset(f, 0, sizeof(*f));
	if (dumpfmt_track_cr_dump(t)) {
		/* The last line, which must be the trailer. */
		if (t->taillen < 2 || t->tail[t->taillen - 1] != '\n')
			return DUMPFMT_END_NO_TRAILER;
		for (start = t->taillen - 1; start > 0 && t->tail[start - 1] != '\n'; start--)
			;
		if (start == 0)
			return DUMPFMT_END_NO_TRAILER;
		switch (dumpfmt_trailer_parse(t->tail + start, t->taillen - start,
		    &f->trailer_bytes, &f->trailer_crc)) {
		case 0:
			return DUMPFMT_END_NO_TRAILER;
		case -1:
			return DUMPFMT_END_BAD_TRAILER;
		}
		f->bytes = t->total - (t->taillen - start);
		if (f->trailer_bytes != f->bytes)
			return DUMPFMT_END_BYTES;
		f->crc = dumpfmt_crc(t->crc, t->tail, start);
		if (f->crc != f->trailer_crc)
			return DUMPFMT_END_CRC;
	}
	if (pg_dump_head(t) && memmem(t->tail, t->taillen, DUMPFMT_PGDUMP_DONE,
	    strlen(DUMPFMT_PGDUMP_DONE)) == NULL)
		return DUMPFMT_END_NO_COMPLETE;
	return DUMPFMT_END_OK;
}
