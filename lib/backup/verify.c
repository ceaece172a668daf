/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* verify: one backup read once, through gzin into dumpscan and schemasum,
 * and what they found as a manifest. */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "backup/verify.h"
#include "base/sha256.h"
#include "base/size.h"
#include "format/dumpfmt.h"
#include "gz/gzin.h"
#include "gz/gzsalvage.h"
#include "sql/dumpsalvage.h"
#include "sql/dumpscan.h"
#include "sql/schemasum.h"

/* The stored file's SHA-256 and size, taken from the bytes gzin reads for
 * the scan (on its reading thread): one read of the file, not two. */
struct file_hash {
	struct sha256	sha;
	uint64_t	bytes;
};

static void
file_hash_tap(void *arg, const void *buf, size_t len)
{
	struct file_hash *h = arg;

	sha256_update(&h->sha, buf, len);
	h->bytes += len;
}

/* s, or NULL for "" (written as null); -1 when out of memory. */
static int
dup_or_null(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	return (*out = strdup(s)) == NULL ? -1 : 0;
}

static int
failed(struct manifest *m, int code, const char *error)
{
	m->ok = 0;
	m->exit = code;
	free(m->error);
	if ((m->error = strdup(error)) == NULL)
		m->exit = EX_OSERR;
	return m->exit;
}

/* Which part of the database the dump holds, as its cr-dump header says:
 * "full" only for schema and data with no selecting option.  pg_dump run
 * by hand records no selection: not known, which is not "partial". */
static int
selection(const struct dumpscan_info *in, char **out)
{
	if (!in->cr_header || in->contents[0] == '\0')
		*out = strdup("unknown (made without cr-dump, which records it)");
	else if (in->options[0] == '\0' && strcmp(in->contents, "schema+data") == 0)
		*out = strdup("full");
	else if (in->options[0] == '\0')
		*out = strdup(in->contents);
	else if (asprintf(out, "%s (%s)", in->contents, in->options) == -1)
		*out = NULL;
	return *out == NULL ? -1 : 0;
}

static const char *
note(const struct dumpscan_info *in)
{
	if (in->ntables == 0)
		return "no table data at all: an empty database, or the wrong one?";
	if (in->trailer)
		return NULL;
	return "no cr-dump trailer: only pg_dump's completion line vouches for this dump";
}

/* What the scan found, into m; table_bytes (or NULL) per listed table. */
static int
from_scan(const struct dumpscan_info *in, const uint64_t *table_bytes,
    struct manifest *m)
{
	size_t i;
	int fail = 0;

	m->bytes = in->bytes;
	m->cr_dump = in->cr_header;
	m->trailer = in->trailer;
	m->trailer_crc32 = in->trailer_crc;
	m->complete = in->complete;
	m->tables_with_data = in->ntables;
	m->rows = in->rows;
	m->schema_only = strcmp(in->contents, "schema") == 0 ? 1 :
	    strcmp(in->contents, "schema+data") == 0 ? 0 : -1;
	fail |= dup_or_null(&m->cr_version, in->cr_version);
	fail |= dup_or_null(&m->database, in->database);
	fail |= dup_or_null(&m->user, in->user);
	fail |= dup_or_null(&m->dump_time, in->started);
	fail |= dup_or_null(&m->server_version, in->server_version);
	fail |= dup_or_null(&m->pg_dump_version, in->pg_dump_version);
	fail |= dup_or_null(&m->options, in->options);
	fail |= dup_or_null(&m->contents, in->contents);
	fail |= selection(in, &m->selection);
	if (m->ok)
		fail |= dup_or_null(&m->note, note(in));
	if (in->nlisted > 0 && (m->tables = calloc(in->nlisted,
	    sizeof(*m->tables))) == NULL)
		return -1;
	for (i = 0; i < in->nlisted; i++) {
		if ((m->tables[i].name = strdup(in->tables[i].name != NULL ?
		    in->tables[i].name : "?")) == NULL)
			return -1;
		m->ntables++;
		m->tables[i].rows = in->tables[i].rows;
		m->tables[i].has_bytes = table_bytes != NULL;
		m->tables[i].bytes = table_bytes != NULL ? table_bytes[i] : 0;
	}
	return fail ? -1 : 0;
}

static int
damage_add(struct manifest *m, const char *line)
{
	char **v;

	if ((v = reallocarray(m->damage, m->ndamage + 1, sizeof(*v))) == NULL)
		return -1;
	m->damage = v;
	if ((v[m->ndamage] = strdup(line)) == NULL)
		return -1;
	m->ndamage++;
	return 0;
}

/* A damaged gzip file: read it again as cr-restore --salvage would, and
 * say what each gap takes (lib/gzsalvage, lib/dumpsalvage): the bytes,
 * the tables' rows, the statements.  Only for a file: a pipe is read once. */
static int
damage_report(const char *path, struct manifest *m)
{
	struct gzsalvage *sv;
	struct dumpsalvage *ds = NULL;
	struct stat sb;
	char buf[65536], line[640];
	unsigned i;
	ssize_t n = -1;
	int fd, rc = 0;

	if (path == NULL || strcmp(path, "-") == 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 0;
	}
	if ((sv = gzsalvage_open(fd)) == NULL || (ds = dumpsalvage_new(sv)) == NULL)
		rc = -1;
	while (rc == 0 && (n = dumpsalvage_read(ds, buf, sizeof(buf))) > 0)
		continue;
	if (rc == 0 && n == 0) {
		for (i = 0; rc == 0 && i < gzsalvage_ngaps(sv); i++) {
			gzsalvage_describe(sv, i, line, sizeof(line));
			rc = damage_add(m, line);
		}
		for (i = 0; rc == 0 && i < dumpsalvage_nnotes(ds); i++)
			rc = damage_add(m, dumpsalvage_note(ds, i));
	}
	if (ds != NULL)
		dumpsalvage_free(ds);
	if (sv != NULL)
		gzsalvage_close(sv);
	close(fd);
	return rc;
}

/* Read fd through gzin into scan and sum, with a progress line; the
 * failure, if any, into m. */
static void
scan(int fd, struct gzin *gz, struct dumpscan *ds, struct schemasum *sum,
    const struct verify_opts *o, struct manifest *m)
{
	struct progress bar;
	struct stat sb;
	char label[PATH_MAX + 64], error[640];
	const void *data;
	ssize_t n;

	/* the input read against its size */
	snprintf(label, sizeof(label), "%s: %s", o->prog != NULL ? o->prog :
	    "verify", m->file);
	progress_start(&bar, o->progress_fp, o->progress_fp == NULL ?
	    PROGRESS_OFF : o->progress, label, fstat(fd, &sb) == 0 &&
	    S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0);
	for (;;) {
		n = gzin_next(gz, &data);
		if (n > 0) {
			progress_update(&bar, gzin_bytes_in(gz), NULL, 0);
			schemasum_feed(sum, data, (size_t)n);
			/* After an SQL-level failure in gzip input, read on:
			 * when the gzip layer is damaged too, that is the cause
			 * to report. */
			if (dumpscan_feed(ds, data, (size_t)n) == -1 && !gzin_is_gzip(gz))
				break;
			continue;
		}
		(void)dumpscan_finish(ds);
		if (n < 0) {
			snprintf(error, sizeof(error), "%s%s", gzin_is_gzip(gz) ?
			    "gzip: " : "", gzin_error(gz));
			failed(m, gzin_exit_code(gz), error);
			m->has_offset = 1;
			m->offset = gzin_bytes_out(gz);
		}
		break;
	}
	progress_clear_line(&bar);
	if (m->ok && dumpscan_error(ds) != NULL) {
		failed(m, EX_DATAERR, dumpscan_error(ds));
		m->has_offset = 1;
		m->offset = dumpscan_error_offset(ds);
	}
}

int
verify_file(const char *path, const struct verify_opts *o, struct manifest *m)
{
	struct file_hash fh;
	struct schemasum sum;
	struct dumpscan *ds = NULL;
	struct gzin *gz = NULL;
	struct stat sb;
	char hex[SHA256_HEX_BYTES];
	const uint64_t *blocks = NULL;
	size_t nblocks;
	int fd, reconciled;

	memset(m, 0, sizeof(*m));
	m->ok = m->healthy = 1;
	m->duration = -1;
	m->schema_only = -1;
	if ((m->file = strdup(path != NULL ? path : "-")) == NULL)
		return failed(m, EX_OSERR, "out of memory");
	if (path == NULL || strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1 &&
	    fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		fd = -1;
		errno = EISDIR;
	}
	if (fd == -1)
		return failed(m, EX_NOINPUT, strerror(errno));
	m->scanned = 1;
	sha256_init(&fh.sha);
	fh.bytes = 0;
	schemasum_init(&sum);
	if ((gz = gzin_open_tap(fd, GZIN_AUTO, o->hash ? file_hash_tap : NULL,
	    &fh)) == NULL || (ds = dumpscan_new()) == NULL)
		failed(m, EX_OSERR, "out of memory");
	else
		scan(fd, gz, ds, &sum, o, m);
	schemasum_final_hex(&sum, hex);
	/* per-table bytes only when every COPY block was counted by both; a
	 * COPY-like line inside a literal otherwise, and the line scan cannot
	 * vouch for the schema hash either */
	reconciled = m->ok && schemasum_blocks(&sum, &blocks, &nblocks) == 0 &&
	    nblocks == dumpscan_info(ds)->ntables;
	if (reconciled && dup_or_null(&m->schema_sha256, hex) == -1)
		failed(m, EX_OSERR, "out of memory");
	if (ds != NULL && from_scan(dumpscan_info(ds), reconciled && nblocks > 0 ?
	    blocks : NULL, m) == -1)
		failed(m, EX_OSERR, "out of memory");
	schemasum_free(&sum);
	if (gz != NULL) {
		m->gzip = gzin_is_gzip(gz);
		m->gzip_members = gzin_members(gz);
		m->stored_bytes = m->gzip ? gzin_bytes_in(gz) : m->bytes;
		gzin_close(gz);	/* its reading thread is done with fh */
	}
	dumpscan_free(ds);
	if (fd != STDIN_FILENO)
		close(fd);
	if (o->hash && m->ok) {
		if (sha256_final_hex(&fh.sha, hex) == -1) {
			snprintf(hex, sizeof(hex), "SHA-256: %s", strerror(errno));
			failed(m, EX_OSERR, hex);
		} else if ((m->sha256 = strdup(hex)) == NULL)
			failed(m, EX_OSERR, "out of memory");
		m->file_bytes = fh.bytes;
	}
	sha256_discard(&fh.sha);
	if (o->damage && m->exit == EX_DATAERR && m->gzip &&
	    damage_report(path, m) == -1)
		failed(m, EX_OSERR, "out of memory");
	return m->exit;
}

void
verify_put_escaped(FILE *fp, const char *s)
{
	size_t len = 4 * strlen(s) + 1;	/* \xHH is the longest escape */
	char *buf;

	/* out of memory: the name as it is, rather than nothing */
	if ((buf = malloc(len)) == NULL || dumpfmt_escape(s, buf, len) == -1)
		fputs(s, fp);
	else
		fputs(buf, fp);
	free(buf);
}

/* "  label:        value\n", the value escaped.  One fact a line, so
 * scripts can pick fields with sed; --json is the stable interface. */
static void
line(FILE *fp, const char *label, const char *fmt, ...)
{
	char buf[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(fp, "  %-14s", label);
	verify_put_escaped(fp, buf);
	putc('\n', fp);
}

void
verify_print(FILE *fp, const char *name, const struct manifest *m, int verbose)
{
	char s[SIZE_IEC_LEN];
	size_t i;

	fprintf(fp, "%s: OK, complete (%s)\n", name, m->trailer ?
	    "cr-dump trailer and pg_dump completion line" : "pg_dump completion line");
	if (m->gzip)
		line(fp, "compressed:", "%s", size_iec(m->stored_bytes, s));
	line(fp, "uncompressed:", "%s", size_iec(m->bytes, s));
	if (m->gzip)
		line(fp, "ratio:", "%.2f", m->stored_bytes > 0 ?
		    (double)m->bytes / (double)m->stored_bytes : 0.0);
	if (verbose && m->gzip)
		line(fp, "bytes:", "%" PRIu64 " SQL, %" PRIu64 " gzip in %u member%s",
		    m->bytes, m->stored_bytes, m->gzip_members,
		    m->gzip_members == 1 ? "" : "s");
	else if (verbose)
		line(fp, "bytes:", "%" PRIu64 " SQL", m->bytes);
	if (m->database != NULL)
		line(fp, "database:", "%s", m->database);
	if (m->user != NULL)
		line(fp, "role:", "%s", m->user);
	if (m->dump_time != NULL)
		line(fp, "dump time:", "%s", m->dump_time);
	line(fp, "server:", "PostgreSQL %s", m->server_version ? m->server_version : "?");
	line(fp, "pg_dump:", "%s", m->pg_dump_version ? m->pg_dump_version : "?");
	if (m->cr_dump)
		line(fp, "made by:", "cr-dump %s", m->cr_version ? m->cr_version : "");
	else
		line(fp, "made by:", "pg_dump without cr-dump");
	line(fp, "schema only:", "%s", m->schema_only == 1 ? "yes" :
	    m->schema_only == 0 ? "no" : "unknown (plain pg_dump)");
	line(fp, "selection:", "%s", m->selection);
	if (m->options != NULL)
		line(fp, "options:", "%s", m->options);
	line(fp, "tables:", "%" PRIu64, m->tables_with_data);
	line(fp, "rows:", "%" PRIu64, m->rows);
	for (i = 0; verbose && i < m->ntables; i++) {
		fprintf(fp, "  %12" PRIu64 "  ", m->tables[i].rows);
		verify_put_escaped(fp, m->tables[i].name);
		putc('\n', fp);
	}
	if (verbose && m->ntables < m->tables_with_data)
		fprintf(fp, "  (and %" PRIu64 " more tables, not listed)\n",
		    m->tables_with_data - m->ntables);
	if (m->note != NULL)
		line(fp, "note:", "%s", m->note);
}

void
verify_why(const struct manifest *m, char *buf, size_t len)
{
	if (m->has_offset)
		snprintf(buf, len, "%s: %s (%soffset %" PRIu64 ")", m->file,
		    m->error, m->gzip ? "uncompressed " : "", m->offset);
	else
		snprintf(buf, len, "%s: %s", m->file, m->error);
}
