/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpfmt: the cr dump stream format, defined once for cr-dump (writer) and
 * cr-verify and cr-restore (checkers): header comment lines, trailer line and checksum.
 * See docs/stream-format.md. */
#ifndef CR_DUMPFMT_H
#define CR_DUMPFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DUMPFMT_FORMAT		1
/* Every header line starts with this; the first one names the format. */
#define DUMPFMT_HEADER_PREFIX	"-- cr-dump: "
#define DUMPFMT_TRAILER_PREFIX	"-- cr-dump trailer: "
/* The longest trailer line, newline included. */
#define DUMPFMT_TRAILER_MAX	96

struct dumpfmt_header {
	const char	*tool_version;		/* CR_VERSION */
	const char	*database;
	const char	*user;
	const char	*server_version;	/* server_version, e.g. "15.18 (Debian ...)" */
	const char	*pg_dump_version;	/* "pg_dump (PostgreSQL) 15.18 ..." */
	time_t		 started;		/* UTC */
	int		 schema_only;		/* contents=schema */
	int		 data_only;		/* contents=data */
	const char	*options;		/* the pg_dump selection options, or "" */
};

/* The header lines for h, each value escaped onto one line, into buf.
 * Returns the length, or -1 when buf is too small. */
int dumpfmt_header_format(const struct dumpfmt_header *h, char *buf, size_t len);

/* Append one pg_dump option to an options value (buf, a string): a space
 * when buf is not empty, then opt, and with a value "=value", quoted as a
 * POSIX shell would need it ('audit_*', a ' inside as '\'') unless it is
 * plain.  Returns 0, or -1 (buf unchanged) when buf is too small. */
int dumpfmt_option_append(char *buf, size_t len, const char *opt, const char *value);

/* s escaped onto one line as header values are (\\, \n, \t, \xHH for
 * other control bytes), into buf.  Returns 0, or -1 when buf is too small. */
int dumpfmt_escape(const char *s, char *buf, size_t len);

/* If line (len bytes, newline excluded) is a header line, store its key
 * and unescaped value (truncated to fit) and return 1; else return 0. */
int dumpfmt_header_parse(const char *line, size_t len, char *key, size_t keylen,
    char *value, size_t valuelen);

/* The trailer line for a stream whose first 'bytes' bytes have checksum
 * crc, newline included, into buf (at least DUMPFMT_TRAILER_MAX).  Returns
 * its length. */
int dumpfmt_trailer_format(uint64_t bytes, uint32_t crc, char *buf, size_t len);

/* Parse a trailer line (len bytes, its newline included).  Returns 1 and
 * fills *bytes and *crc for a well-formed trailer, 0 when the line is not
 * a trailer at all, -1 when it starts like one but is malformed. */
int dumpfmt_trailer_parse(const char *line, size_t len, uint64_t *bytes, uint32_t *crc);

/* pg_dump's first and completion lines: a dump that has the one must end
 * with the other, or it was cut short. */
#define DUMPFMT_PGDUMP_HEAD	"-- PostgreSQL database dump\n"
#define DUMPFMT_PGDUMP_DONE	"\n-- PostgreSQL database dump complete\n"

#define DUMPFMT_TRACK_HEAD	4096
#define DUMPFMT_TRACK_TAIL	512

/* A stream's completeness as its own markers tell, tracked while it is
 * read in fixed memory: the first and last bytes, the byte count, and the
 * CRC-32 of everything before the tail window.  Zero it to start. */
struct dumpfmt_track {
	char		 head[DUMPFMT_TRACK_HEAD];
	size_t		 headlen;
	char		 tail[DUMPFMT_TRACK_TAIL];
	size_t		 taillen;
	uint64_t	 total;
	uint32_t	 crc;		/* of the bytes before the tail */
};

enum dumpfmt_end {
	DUMPFMT_END_OK,			/* whole, or nothing to check */
	DUMPFMT_END_NO_TRAILER,		/* cr-dump header, last line no trailer */
	DUMPFMT_END_BAD_TRAILER,	/* a malformed trailer line */
	DUMPFMT_END_BYTES,		/* trailer's count differs */
	DUMPFMT_END_CRC,		/* trailer's CRC-32 differs */
	DUMPFMT_END_NO_COMPLETE		/* pg_dump's completion line missing */
};

/* What the trailer said and what the stream had (for the messages). */
struct dumpfmt_end_facts {
	uint64_t	 trailer_bytes, bytes;
	uint32_t	 trailer_crc, crc;
};

void dumpfmt_track_feed(struct dumpfmt_track *t, const void *buf, size_t len);
/* Made by cr-dump, or pg_dump's own first lines are in the head. */
int dumpfmt_track_pg_dump(const struct dumpfmt_track *t);
/* At the end of the stream: the first thing that is wrong, or
 * DUMPFMT_END_OK.  A cr-dump stream must end with its trailer, whose count
 * and CRC-32 match; a pg_dump script with its completion line. */
enum dumpfmt_end dumpfmt_track_end(const struct dumpfmt_track *t,
    struct dumpfmt_end_facts *f);

/* The checksum: CRC-32 (ISO-HDLC, as gzip and zlib) of the covered bytes.
 * Start with crc 0.  It detects accidents (truncation, corruption), not
 * tampering. */
uint32_t dumpfmt_crc(uint32_t crc, const void *buf, size_t len);

#endif
