/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumpsalvage: the repair of a salvaged dump, line by line (see
 * dumpsalvage.h).  Outside COPY data the text of the current object is held
 * until the next object comment shows it whole; COPY rows pass straight on. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dumpfmt.h"
#include "sql/dumpsalvage.h"
#include "sql/sqlsplit.h"

#define LINE_MAX_BYTES	((size_t)64 << 20)

enum mode {
	M_SQL,		/* statements; the current object's text held in obj */
	M_SKIP,		/* after a gap in statements: to the next object comment */
	M_COPY,		/* COPY data */
	M_RESYNC	/* COPY data after a gap: rows with the right column count */
};

struct buf {
	char *p;
	size_t len, cap;
};

/* A table whose COPY data a gap cut. */
struct dumpsalvage_table {
	char		 name[200];	/* as in the COPY statement */
	uint64_t	 rows;		/* rows passed on */
	unsigned	 cuts;		/* gaps in its data */
	uint64_t	 dropped;	/* partial or malformed lines dropped */
	char		 before[64];	/* first field of the last row before the first cut */
	char		 after[64];	/* first field of the first row after the last cut */
	int		 end_lost;	/* its "\." was lost and put back */
};

struct dumpsalvage {
	struct gzsalvage *src;
	unsigned gaps_seen;
	const char *run;
	size_t run_len;
	int eof, finished;

	struct buf line;	/* the line being assembled */
	struct buf obj;		/* M_SQL: the current object's text */
	struct buf out;		/* repaired text waiting for the reader */
	size_t out_pos;
	struct buf hold;	/* M_RESYNC, one column: "" and "--" lines held */

	enum mode mode;
	int skip_partial;	/* drop up to the next newline: a cut line */
	int lost_here;		/* a loss seen since the last line */
	char header[200];	/* the last object comment, "Name: ...; Type: ..." */
	int table_data;		/* it is of Type: TABLE DATA */
	size_t ncols;		/* the COPY's columns (0: any) */
	int table;		/* index into tables, or -1 */
	int resynced;		/* M_RESYNC: a row was taken since the cut */
	char last_first[64];	/* first field of the last row taken */
	char restrict_key[128];
	int unrestricted, complete;

	struct dumpsalvage_table *tables;
	unsigned ntables, atables;
	char **notes;
	unsigned nnotes, anotes;
	int enomem;
};

static int
buf_add(struct buf *b, const void *p, size_t n)
{
	char *q;
	size_t cap;

	if (n == 0)		/* b->p may still be NULL: memcpy must not see it */
		return 0;
	if (b->len + n > b->cap) {
		for (cap = b->cap ? b->cap : 4096; cap < b->len + n; cap *= 2)
			continue;
		if ((q = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int
add_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

static void
note(struct dumpsalvage *d, const char *fmt, ...)
{
	char line[512], **n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (d->nnotes == d->anotes) {
		if ((n = reallocarray(d->notes, d->anotes ? 2 * d->anotes : 8, sizeof(*n))) == NULL) {
			d->enomem = 1;
			return;
		}
		d->notes = n;
		d->anotes = d->anotes ? 2 * d->anotes : 8;
	}
	if ((d->notes[d->nnotes] = strdup(line)) == NULL)
		d->enomem = 1;
	else
		d->nnotes++;
}

static int
starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

static int
is_line(const char *line, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(line, s, len) == 0;
}

/* One of pg_dump's object comments, or its completion line. */
static int
is_object_comment(const char *line, size_t len)
{
	return starts(line, len, "-- Name: ") || starts(line, len, "-- Data for Name: ") ||
	    is_line(line, len, "-- PostgreSQL database dump complete\n");
}

static size_t
fields(const char *line, size_t len)
{
	size_t i, n = 1;

	for (i = 0; i < len; i++)
		if (line[i] == '\t')
			n++;
	return n;
}

/* "COPY name (a, "b,c", d) FROM stdin;" as pg_dump writes it, one line:
 * its name and column count, read as lib/sql/sqlsplit reads every COPY. */
static int
copy_statement(const char *line, size_t len, char *name, size_t namelen, size_t *ncols)
{
	struct sqlsplit_item it;
	struct sqlsplit_copy c;

	if (!starts(line, len, "COPY ") || len < 14 ||
	    memcmp(line + len - 13, " FROM stdin;\n", 13) != 0)
		return 0;
	memset(&it, 0, sizeof(it));
	it.kind = SQLSPLIT_STATEMENT;
	it.text = line;
	it.len = len - 1;
	if (sqlsplit_copy_target(&it, &c) == -1)
		return 0;
	*ncols = c.columns;
	snprintf(name, namelen, "%.*s", (int)c.name_len, line + c.name_off);
	return 1;
}

static void
first_field(const char *line, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	while (n < len && line[n] != '\t' && line[n] != '\n')
		n++;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, line, n);
	out[n] = '\0';
}

static struct dumpsalvage_table *
cur_table(struct dumpsalvage *d)
{
	return d->table >= 0 ? &d->tables[d->table] : NULL;
}

static int
table_start(struct dumpsalvage *d, const char *name)
{
	struct dumpsalvage_table *t;

	if (d->ntables == d->atables) {
		if ((t = reallocarray(d->tables, d->atables ? 2 * d->atables : 16,
		    sizeof(*t))) == NULL)
			return -1;
		d->tables = t;
		d->atables = d->atables ? 2 * d->atables : 16;
	}
	t = &d->tables[d->ntables];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	d->table = (int)d->ntables++;
	return 0;
}

static int
flush_obj(struct dumpsalvage *d)
{
	int rc = buf_add(&d->out, d->obj.p, d->obj.len);

	d->obj.len = 0;
	return rc;
}

/* A gap: what is being written is cut. */
static void
gap(struct dumpsalvage *d)
{
	struct dumpsalvage_table *t = cur_table(d);

	switch (d->mode) {
	case M_COPY:
	case M_RESYNC:
		if (t != NULL) {
			if (t->cuts == 0)
				snprintf(t->before, sizeof(t->before), "%s", d->last_first);
			t->cuts++;
			if (d->line.len > 0)
				t->dropped++;
		}
		d->mode = M_RESYNC;
		d->resynced = 0;
		d->hold.len = 0;
		break;
	case M_SQL:
		if (d->obj.len > 0)
			note(d, "statements cut by a gap (a salvage skips them): those of "
			    "\"%s\"", d->header[0] != '\0' ? d->header : "the dump's preamble");
		else if (d->header[0] != '\0')
			note(d, "statements lost in a gap after those of \"%s\"", d->header);
		else
			note(d, "the start of the dump is lost");
		d->obj.len = 0;
		d->mode = M_SKIP;
		break;
	case M_SKIP:
		break;
	}
	d->line.len = 0;
	d->skip_partial = 1;
}

static int line_sql(struct dumpsalvage *, const char *, size_t);

static int
end_copy(struct dumpsalvage *d, int lost)
{
	struct dumpsalvage_table *t = cur_table(d);

	if (lost && t != NULL)
		t->end_lost = 1;
	d->mode = M_SQL;
	d->table = -1;
	d->hold.len = 0;
	return add_str(&d->out, "\\.\n");
}

static int
row(struct dumpsalvage *d, const char *line, size_t len)
{
	struct dumpsalvage_table *t = cur_table(d);

	if (t != NULL) {
		t->rows++;
		first_field(line, len, d->last_first, sizeof(d->last_first));
		if (d->mode == M_RESYNC && !d->resynced)
			snprintf(t->after, sizeof(t->after), "%s", d->last_first);
	}
	d->resynced = 1;
	return buf_add(&d->out, line, len);
}

static int
line_resync(struct dumpsalvage *d, const char *line, size_t len)
{
	struct dumpsalvage_table *t = cur_table(d);
	size_t i, n;

	if (is_line(line, len, "\\.\n")) {
		d->hold.len = 0;
		return end_copy(d, 0);
	}
	if (is_object_comment(line, len)) {
		/* the gap took the end of the data: put the "\." back */
		if (end_copy(d, 1) == -1)
			return -1;
		return line_sql(d, line, len);
	}
	if (d->ncols == 1 && (is_line(line, len, "\n") || is_line(line, len, "--\n")))
		return buf_add(&d->hold, line, len);
	for (i = 0; i < d->hold.len; i += n) {
		n = (size_t)((char *)memchr(d->hold.p + i, '\n', d->hold.len - i) - (d->hold.p + i)) + 1;
		if (row(d, d->hold.p + i, n) == -1)
			return -1;
	}
	d->hold.len = 0;
	if (d->ncols == 0 || fields(line, len - 1) == d->ncols)
		return row(d, line, len);
	if (t != NULL)
		t->dropped++;
	return 0;
}

static int
line_sql(struct dumpsalvage *d, const char *line, size_t len)
{
	char name[200];
	const char *p;
	size_t n;

	if (starts(line, len, DUMPFMT_HEADER_PREFIX) || starts(line, len, DUMPFMT_TRAILER_PREFIX))
		return 0;	/* no longer that stream: its count and CRC-32 do not hold */
	if (is_object_comment(line, len)) {
		if (flush_obj(d) == -1)
			return -1;
		p = line + 3;
		n = len - 4;
		snprintf(d->header, sizeof(d->header), "%.*s", (int)n, p);
		d->table_data = strstr(d->header, "; Type: TABLE DATA;") != NULL;
		if (is_line(line, len, "-- PostgreSQL database dump complete\n"))
			d->complete = 1;
		d->mode = M_SQL;
		return buf_add(&d->obj, line, len);
	}
	if (d->table_data && copy_statement(line, len, name, sizeof(name), &d->ncols)) {
		if (flush_obj(d) == -1 || buf_add(&d->out, line, len) == -1 ||
		    table_start(d, name) == -1)
			return -1;
		d->last_first[0] = '\0';
		d->mode = M_COPY;
		return 0;
	}
	if (starts(line, len, "\\restrict ")) {
		n = len - 11;
		if (n >= sizeof(d->restrict_key))
			n = sizeof(d->restrict_key) - 1;
		memcpy(d->restrict_key, line + 10, n);
		d->restrict_key[n] = '\0';
	} else if (starts(line, len, "\\unrestrict ")) {
		if (d->restrict_key[0] == '\0') {
			note(d, "\\unrestrict without its \\restrict, which a gap took: dropped");
			return 0;
		}
		d->unrestricted = 1;
	}
	return buf_add(&d->obj, line, len);
}

static int
line_done(struct dumpsalvage *d, const char *line, size_t len)
{
	struct dumpsalvage_table *t = cur_table(d);

	if (d->skip_partial) {
		d->skip_partial = 0;
		if (t != NULL && (d->mode == M_RESYNC))
			t->dropped++;
		return 0;
	}
	switch (d->mode) {
	case M_SQL:
		return line_sql(d, line, len);
	case M_SKIP:
		if (is_object_comment(line, len)) {
			d->mode = M_SQL;
			if (line_sql(d, line, len) == -1)
				return -1;
			note(d, "after the gap the dump resumes at \"%s\"", d->header);
			return 0;
		}
		if (is_line(line, len, "\\.\n"))
			note(d, "COPY data whose COPY statement a gap took: skipped");
		return 0;
	case M_COPY:
		if (is_line(line, len, "\\.\n"))
			return end_copy(d, 0);
		return row(d, line, len);
	case M_RESYNC:
		return line_resync(d, line, len);
	}
	return 0;
}

/* New gaps of the source that lost something. */
static int
new_loss(struct dumpsalvage *d)
{
	const struct gzsalvage_gap *g;
	int lost = 0;

	for (; d->gaps_seen < gzsalvage_ngaps(d->src); d->gaps_seen++) {
		g = gzsalvage_gap(d->src, d->gaps_seen);
		if (!g->repeat && !(g->lost_exact && g->lost == 0))
			lost = 1;
	}
	return lost;
}

static int
finish(struct dumpsalvage *d)
{
	struct dumpsalvage_table *t;
	unsigned i;

	if (new_loss(d))
		gap(d);
	if (d->line.len > 0 && !d->skip_partial) {
		/* no newline at the very end */
		if (buf_add(&d->line, "\n", 1) == -1 || line_done(d, d->line.p, d->line.len) == -1)
			return -1;
	}
	d->line.len = 0;
	if (d->mode == M_COPY || d->mode == M_RESYNC) {
		if (end_copy(d, 1) == -1)
			return -1;
	} else if (d->mode == M_SQL && flush_obj(d) == -1)
		return -1;
	if (gzsalvage_lost(d->src) && !d->complete) {
		note(d, "the end of the dump is lost: pg_dump's completion line put back");
		if (add_str(&d->out, "\n-- PostgreSQL database dump complete\n\n") == -1)
			return -1;
	}
	if (gzsalvage_lost(d->src) && d->restrict_key[0] != '\0' && !d->unrestricted &&
	    (add_str(&d->out, "\\unrestrict ") == -1 || add_str(&d->out, d->restrict_key) == -1 ||
	    add_str(&d->out, "\n") == -1))
		return -1;
	for (i = 0; i < d->ntables; i++) {
		t = &d->tables[i];
		if (t->cuts == 0 && !t->end_lost)
			continue;
		note(d, "COPY data of %s: rows lost %s%s%s%s%s; %llu rows kept, %llu cut or "
		    "malformed lines dropped%s", t->name,
		    t->before[0] != '\0' ? "after the row starting " : "from the start",
		    t->before, t->after[0] != '\0' ? ", before the row starting " : "",
		    t->after, t->after[0] == '\0' ? ", to the end of its data" : "",
		    (unsigned long long)t->rows, (unsigned long long)t->dropped,
		    t->end_lost ? "; its end marker was put back" : "");
	}
	d->finished = 1;
	return d->enomem ? -1 : 0;
}

/* Take the next run from the source into lines; 0 at the end. */
static int
pump(struct dumpsalvage *d)
{
	const void *p;
	const char *nl;
	ssize_t n;
	size_t k;

	if ((n = gzsalvage_next(d->src, &p)) == -1)
		return -1;
	if (n == 0) {
		d->eof = 1;
		return finish(d);
	}
	if (new_loss(d))
		gap(d);
	d->run = p;
	d->run_len = (size_t)n;
	while (d->run_len > 0) {
		nl = memchr(d->run, '\n', d->run_len);
		k = nl != NULL ? (size_t)(nl - d->run) + 1 : d->run_len;
		if (d->line.len + k > LINE_MAX_BYTES) {
			errno = EFBIG;
			return -1;
		}
		if (nl != NULL && d->line.len == 0) {
			if (line_done(d, d->run, k) == -1)
				return -1;
		} else {
			if (buf_add(&d->line, d->run, k) == -1)
				return -1;
			if (nl != NULL) {
				if (line_done(d, d->line.p, d->line.len) == -1)
					return -1;
				d->line.len = 0;
			}
		}
		d->run += k;
		d->run_len -= k;
	}
	return d->enomem ? -1 : 0;
}

struct dumpsalvage *
dumpsalvage_new(struct gzsalvage *src)
{
	struct dumpsalvage *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->src = src;
	d->table = -1;
	return d;
}

ssize_t
dumpsalvage_read(void *arg, void *buf, size_t len)
{
	struct dumpsalvage *d = arg;
	size_t n;

	while (d->out_pos == d->out.len && !d->finished) {
		d->out.len = d->out_pos = 0;
		if (pump(d) == -1) {
			if (d->enomem)
				errno = ENOMEM;
			return -1;
		}
	}
	n = d->out.len - d->out_pos;
	if (n > len)
		n = len;
	memcpy(buf, d->out.p + d->out_pos, n);
	d->out_pos += n;
	return (ssize_t)n;
}

unsigned
dumpsalvage_nnotes(const struct dumpsalvage *d)
{
	return d->nnotes;
}

const char *
dumpsalvage_note(const struct dumpsalvage *d, unsigned i)
{
	return i < d->nnotes ? d->notes[i] : NULL;
}

int
dumpsalvage_lost(const struct dumpsalvage *d)
{
	return gzsalvage_lost(d->src);
}

void
dumpsalvage_free(struct dumpsalvage *d)
{
	unsigned i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nnotes; i++)
		free(d->notes[i]);
	free(d->notes);
	free(d->tables);
	free(d->line.p);
	free(d->obj.p);
	free(d->out.p);
	free(d->hold.p);
	free(d);
}
