/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-verify: check in one streaming pass that a (gzipped) plain pg_dump is
 * intact and complete, and report what is in it. */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "backup/backupdir.h"
#include "base/cliopt.h"
#include "sql/dumpscan.h"
#include "sql/dumpsalvage.h"
#include "gz/gzin.h"
#include "gz/gzsalvage.h"
#include "format/dumpfmt.h"
#include "base/json.h"
#include "format/manifest.h"
#include "base/progress.h"
#include "backup/retention.h"
#include "sql/schemasum.h"
#include "base/sha256.h"
#include "base/size.h"

/* sysexits.h has no code for "intact, but suspicious" (no tables, or shrunk
 * against its baseline): the manifest is written and says why. */
#define EXIT_SUSPECT	3

struct result {
	const char	*name;
	int		 code;		/* exit status for this file */
	char		 error[640];
	int		 have_offset;
	uint64_t	 offset;	/* uncompressed */
	int		 gzip;
	unsigned	 members;
	uint64_t	 in_bytes;	/* as stored */
	char		 schema_sha256[SHA256_HEX_BYTES];
	uint64_t	*table_bytes;	/* per COPY block, or NULL; the caller frees */
	char		**damage;	/* damaged gzip: what each gap touches */
	size_t		 ndamage;
};

/* What a manifest adds to the --json object. */
struct extra {
	const char	*name;		/* the backup's file name */
	char		 sha256[SHA256_HEX_BYTES];
	uint64_t	 file_bytes;
	long		 duration;	/* -1: not given */
	const char	*baseline;	/* manifest compared against, or NULL */
	char		**alarms;
	size_t		 nalarms;
};

static int quiet, verbose, json;
static enum progress_mode progress_mode;
enum { OPT_PROGRESS = 0x100, OPT_NO_PROGRESS };

static const struct cliopt_help help[] = {
	{ "quiet",	NULL,		"print nothing but errors (and --json output)" },
	{ "verbose",	NULL,		"also exact byte counts and every table's rows" },
	{ "json",	NULL,		"one JSON object per file instead of the report" },
	{ "manifest",	"OUT.JSON",	"verify one file and write its manifest" },
	{ "name",	"NAME",		"with --manifest: the backup's name to record" },
	{ "duration",	"SECONDS",	"with --manifest: how long the backup took" },
	{ "baseline",	"MANIFEST|DIR",	"with --manifest: compare rows with this manifest" },
	{ "max-shrink",	"PCT",		"an alarm when rows shrank more than PCT percent" },
	{ "allow-empty", NULL,		"a dump without tables is healthy" },
	{ "alarm",	"TEXT",		"with --manifest: record TEXT as an alarm; repeatable" },
	{ "compare",	NULL,		"compare two backups (or manifests): old new" },
	{ "status",	NULL,		"the health of a backup directory: dir" },
	{ "max-age",	"DURATION",	"with --status: how old the newest daily may be (26h)" },
	{ "trend",	"N",		"with --status: the rows of the N newest backups (5)" },
	{ "help",	NULL,		"print this help and exit" },
	{ "progress",	NULL,		"a progress line even when stderr is not a terminal" },
	{ "no-progress", NULL,		"no progress line, even on a terminal" },
	{ "version",	NULL,		"print the version and exit" },
	{ NULL,		NULL,		NULL }
};

static void
synopsis(FILE *f)
{
	fprintf(f,
	    "usage: cr-verify [-qv] [--json] [file ...]\n"
	    "       cr-verify [-q] --manifest out.json [--name name] [--duration sec]\n"
	    "                 [--baseline manifest|dir] [--max-shrink pct] [--allow-empty]\n"
	    "                 [--alarm text]... file\n"
	    "       cr-verify [--json] [--max-shrink pct] --compare old new\n"
	    "       cr-verify [--json] [--max-age duration] [--trend n] --status dir\n");
}

static void __attribute__((noreturn))
usage(int status)
{
	synopsis(stderr);
	exit(status);
}

static void
json_string(FILE *fp, const char *s)
{
	char *q;

	if ((q = json_quote(s)) == NULL)
		err(EX_OSERR, NULL);
	fputs(q, fp);
	free(q);
}

static void
json_field(FILE *fp, const char *key, const char *value, int comma)
{
	fprintf(fp, "%s\"%s\":", comma ? "," : "", key);
	if (value == NULL || *value == '\0')
		fprintf(fp, "null");
	else
		json_string(fp, value);
}

/* ,"key":["s",...] */
static void
json_array(FILE *fp, const char *key, char *const *v, size_t n)
{
	size_t i;

	fprintf(fp, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(',', fp);
		json_string(fp, v[i]);
	}
	putc(']', fp);
}

static double
ratio(const struct result *r, const struct dumpscan_info *in)
{
	return r->in_bytes > 0 ? (double)in->bytes / (double)r->in_bytes : 0.0;
}

static const char *
schema_only(const struct dumpscan_info *in)
{
	if (strcmp(in->contents, "schema") == 0)
		return "true";
	if (strcmp(in->contents, "schema+data") == 0)
		return "false";
	return "null";		/* plain pg_dump does not say */
}

/* Which part of the database the dump holds, as its cr-dump header says:
 * "full" only for schema and data with no selecting option.  pg_dump run
 * by hand records no selection: not known, which is not "partial". */
static const char *
selection(const struct dumpscan_info *in, char *buf, size_t len)
{
	if (!in->cr_header || in->contents[0] == '\0')
		return "unknown (made without cr-dump, which records it)";
	if (in->options[0] == '\0' && strcmp(in->contents, "schema+data") == 0)
		return "full";
	if (in->options[0] == '\0')
		snprintf(buf, len, "%s", in->contents);
	else
		snprintf(buf, len, "%s (%s)", in->contents, in->options);
	return buf;
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

static void
report_json(FILE *fp, const struct result *r, const struct dumpscan_info *in,
    const struct extra *x)
{
	char sel[600];
	size_t i;

	fprintf(fp, JSON_OPEN);
	/* a manifest records the backup's name, never the temporary file
	 * cr-backup verifies before renaming it (--name) */
	json_field(fp, "file", x != NULL ? x->name : r->name, 0);
	fprintf(fp, ",\"ok\":%s", r->code == 0 ? "true" : "false");
	if (r->code != 0) {
		json_field(fp, "error", r->error, 1);
		if (r->have_offset)
			fprintf(fp, ",\"offset\":%" PRIu64, r->offset);
		else
			fprintf(fp, ",\"offset\":null");
		fprintf(fp, ",\"exit\":%d", r->code);
		if (r->ndamage > 0)
			json_array(fp, "damage", r->damage, r->ndamage);
	}
	if (x != NULL) {
		json_field(fp, "name", x->name, 1);
		fprintf(fp, ",\"healthy\":%s", x->nalarms == 0 ? "true" : "false");
		json_array(fp, "alarms", x->alarms, x->nalarms);
		json_field(fp, "baseline", x->baseline, 1);
		json_field(fp, "sha256", x->sha256, 1);
		fprintf(fp, ",\"file_bytes\":%" PRIu64, x->file_bytes);
		if (x->duration >= 0)
			fprintf(fp, ",\"duration_s\":%ld", x->duration);
		else
			fprintf(fp, ",\"duration_s\":null");
	}
	fprintf(fp, ",\"gzip\":%s,\"gzip_members\":%u", r->gzip ? "true" : "false", r->members);
	fprintf(fp, ",\"stored_bytes\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"ratio\":%.2f",
	    r->in_bytes, in->bytes, ratio(r, in));
	fprintf(fp, ",\"cr_dump\":%s", in->cr_header ? "true" : "false");
	json_field(fp, "cr_version", in->cr_version, 1);
	fprintf(fp, ",\"trailer\":%s", in->trailer ? "true" : "false");
	if (in->trailer)
		fprintf(fp, ",\"trailer_crc32\":\"%08" PRIx32 "\"", in->trailer_crc);
	json_field(fp, "database", in->database, 1);
	json_field(fp, "user", in->user, 1);
	json_field(fp, "dump_time", in->started, 1);
	json_field(fp, "server_version", in->server_version, 1);
	json_field(fp, "pg_dump_version", in->pg_dump_version, 1);
	json_field(fp, "options", in->options, 1);
	json_field(fp, "contents", in->contents, 1);
	json_field(fp, "selection", selection(in, sel, sizeof(sel)), 1);
	fprintf(fp, ",\"schema_only\":%s", schema_only(in));
	if (r->code == 0)
		json_field(fp, "schema_sha256", r->schema_sha256, 1);
	fprintf(fp, ",\"complete\":%s", in->complete ? "true" : "false");
	fprintf(fp, ",\"tables_with_data\":%zu,\"rows\":%" PRIu64 ",\"tables\":[",
	    in->ntables, in->rows);
	for (i = 0; i < in->nlisted; i++) {
		fprintf(fp, "%s{", i > 0 ? "," : "");
		json_field(fp, "name", in->tables[i].name ? in->tables[i].name : "?", 0);
		fprintf(fp, ",\"rows\":%" PRIu64, in->tables[i].rows);
		if (r->table_bytes != NULL)
			fprintf(fp, ",\"bytes\":%" PRIu64, r->table_bytes[i]);
		fprintf(fp, "}");
	}
	fprintf(fp, "]");
	if (in->nlisted < in->ntables)
		fprintf(fp, ",\"tables_listed\":%zu", in->nlisted);
	if (r->code == 0)
		json_field(fp, "note", note(in), 1);
	fprintf(fp, "}\n");
}

/* s on one line, escaped as cr-dump header values are (dumpfmt_escape):
 * names may hold any character. */
static void
put_escaped(const char *s)
{
	size_t len = 4 * strlen(s) + 1;	/* \xHH is the longest escape */
	char *buf;

	if ((buf = malloc(len)) == NULL)
		err(EX_OSERR, NULL);
	if (dumpfmt_escape(s, buf, len) == -1)
		errx(1, "dumpfmt_escape: buffer too small");
	fputs(buf, stdout);
	free(buf);
}

/* "  label:        value\n", the value escaped.  One fact a line, so
 * scripts can pick fields with sed; --json is the stable interface. */
static void
line(const char *label, const char *value)
{
	printf("  %-14s", label);
	put_escaped(value);
	putchar('\n');
}

/* IEC units, as everywhere in cr (lib/size). */
static void
human(uint64_t bytes, char *buf, size_t len)
{
	char s[SIZE_IEC_LEN];

	snprintf(buf, len, "%s", size_iec(bytes, s));
}

static void
report_text(const struct result *r, const struct dumpscan_info *in)
{
	char buf[600];
	size_t i;

	if (r->code != 0)
		return;
	printf("%s: OK, complete (%s)\n", r->name, in->trailer ?
	    "cr-dump trailer and pg_dump completion line" : "pg_dump completion line");
	if (r->gzip) {
		human(r->in_bytes, buf, sizeof(buf));
		line("compressed:", buf);
	}
	human(in->bytes, buf, sizeof(buf));
	line("uncompressed:", buf);
	if (r->gzip) {
		snprintf(buf, sizeof(buf), "%.2f", ratio(r, in));
		line("ratio:", buf);
	}
	if (verbose) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " SQL", in->bytes);
		if (r->gzip)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    ", %" PRIu64 " gzip in %u member%s", r->in_bytes, r->members,
			    r->members == 1 ? "" : "s");
		line("bytes:", buf);
	}
	if (in->database[0] != '\0')
		line("database:", in->database);
	if (in->user[0] != '\0')
		line("role:", in->user);
	if (in->started[0] != '\0')
		line("dump time:", in->started);
	snprintf(buf, sizeof(buf), "PostgreSQL %s", in->server_version[0] ?
	    in->server_version : "?");
	line("server:", buf);
	line("pg_dump:", in->pg_dump_version[0] ? in->pg_dump_version : "?");
	if (in->cr_header) {
		snprintf(buf, sizeof(buf), "cr-dump %s", in->cr_version);
		line("made by:", buf);
	} else
		line("made by:", "pg_dump without cr-dump");
	line("schema only:", strcmp(schema_only(in), "true") == 0 ? "yes" :
	    strcmp(schema_only(in), "false") == 0 ? "no" : "unknown (plain pg_dump)");
	line("selection:", selection(in, buf, sizeof(buf)));
	if (in->options[0] != '\0')
		line("options:", in->options);
	snprintf(buf, sizeof(buf), "%zu", in->ntables);
	line("tables:", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, in->rows);
	line("rows:", buf);
	if (verbose)
		for (i = 0; i < in->nlisted; i++) {
			printf("  %12" PRIu64 "  ", in->tables[i].rows);
			put_escaped(in->tables[i].name ? in->tables[i].name : "?");
			putchar('\n');
		}
	if (verbose && in->nlisted < in->ntables)
		printf("  (and %zu more tables, not listed)\n", in->ntables - in->nlisted);
	if (note(in) != NULL)
		line("note:", note(in));
}

/* The stored file's SHA-256 and size, taken from the bytes gzin reads for
 * the scan (on its reading thread): one read of the file, not two. */
struct file_hash {
	struct sha256	sha;
	uint64_t	bytes;
	char		hex[SHA256_HEX_BYTES];
};

static void
file_hash_tap(void *arg, const void *buf, size_t len)
{
	struct file_hash *h = arg;

	sha256_update(&h->sha, buf, len);
	h->bytes += len;
}

/* Scan one input (NULL or "-": standard input) into r and *scanp (the
 * caller frees it); returns its exit status.  An input that cannot be
 * opened is reported here and leaves *scanp NULL.  With fh, the input's
 * SHA-256 and size go there when the scan succeeds. */
static int
scan_input(const char *path, struct result *r, struct dumpscan **scanp,
    struct file_hash *fh)
{
	struct stat sb;
	struct schemasum sum;
	struct dumpscan *scan;
	struct progress bar;
	char label[PATH_MAX + 16];
	struct gzin *gz;
	const void *data;
	const uint64_t *blocks;
	size_t nblocks;
	ssize_t n;
	int fd, saved;

	*scanp = NULL;
	memset(r, 0, sizeof(*r));
	r->name = path != NULL ? path : "-";
	if (path == NULL || strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1 && fstat(fd, &sb) == 0 &&
	    S_ISDIR(sb.st_mode)) {
		close(fd);
		fd = -1;
		errno = EISDIR;
	}
	if (fd == -1) {
		saved = errno;
		warn("%s", path);
		r->code = EX_NOINPUT;
		snprintf(r->error, sizeof(r->error), "%s", strerror(saved));
		return EX_NOINPUT;
	}
	if (fh != NULL) {
		sha256_init(&fh->sha);
		fh->bytes = 0;
		fh->hex[0] = '\0';
	}
	if ((gz = gzin_open_tap(fd, GZIN_AUTO, fh != NULL ? file_hash_tap : NULL,
	    fh)) == NULL || (scan = dumpscan_new()) == NULL)
		err(EX_OSERR, NULL);
	schemasum_init(&sum);
	/* the input read against its size; -q: none unless --progress */
	snprintf(label, sizeof(label), "cr-verify: %s", r->name);
	progress_start(&bar, stderr, quiet && progress_mode == PROGRESS_AUTO ?
	    PROGRESS_OFF : progress_mode, label, fstat(fd, &sb) == 0 &&
	    S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0);
	for (;;) {
		n = gzin_next(gz, &data);
		if (n > 0) {
			progress_update(&bar, gzin_bytes_in(gz), NULL, 0);
			schemasum_feed(&sum, data, (size_t)n);
			/* After an SQL-level failure in gzip input, read on:
			 * when the gzip layer is damaged too, that is the cause
			 * to report. */
			if (dumpscan_feed(scan, data, (size_t)n) == -1 && !gzin_is_gzip(gz))
				break;
			continue;
		}
		if (n == 0)
			(void)dumpscan_finish(scan);
		else {
			r->code = gzin_errkind(gz) == GZIN_EIO ? EX_IOERR :
			    gzin_errkind(gz) == GZIN_ENOMEM ? EX_OSERR : EX_DATAERR;
			snprintf(r->error, sizeof(r->error), "%s%s", gzin_is_gzip(gz) ?
			    "gzip: " : "", gzin_error(gz));
			r->have_offset = 1;
			r->offset = gzin_bytes_out(gz);
			(void)dumpscan_finish(scan);
		}
		break;
	}
	progress_clear_line(&bar);
	if (r->code == 0 && dumpscan_error(scan) != NULL) {
		r->code = EX_DATAERR;
		snprintf(r->error, sizeof(r->error), "%s", dumpscan_error(scan));
		r->have_offset = 1;
		r->offset = dumpscan_error_offset(scan);
	}
	schemasum_final_hex(&sum, r->schema_sha256);
	/* per-table bytes only when every COPY block was counted by both */
	if (r->code == 0 && schemasum_blocks(&sum, &blocks, &nblocks) == 0 &&
	    nblocks == dumpscan_info(scan)->ntables) {
		if (nblocks > 0) {
			r->table_bytes = sum.blocks;
			sum.blocks = NULL;
		}
	} else
		/* a COPY-like line inside a literal: the line scan cannot
		 * vouch for the schema hash either */
		r->schema_sha256[0] = '\0';
	schemasum_free(&sum);
	r->gzip = gzin_is_gzip(gz);
	r->members = gzin_members(gz);
	r->in_bytes = gzin_bytes_in(gz);
	if (!r->gzip)
		r->in_bytes = dumpscan_info(scan)->bytes;
	if (r->code != 0)
		fprintf(stderr, "cr-verify: %s: %s (%soffset %" PRIu64 ")\n", r->name,
		    r->error, r->gzip ? "uncompressed " : "", r->offset);
	gzin_close(gz);	/* its reading thread is done with fh */
	if (fd != STDIN_FILENO)
		close(fd);
	if (fh != NULL) {
		if (r->code == 0 && sha256_final_hex(&fh->sha, fh->hex) == -1) {
			r->code = EX_OSERR;
			snprintf(r->error, sizeof(r->error), "SHA-256: %s",
			    strerror(errno));
			fprintf(stderr, "cr-verify: %s: %s\n", r->name, r->error);
		}
		sha256_discard(&fh->sha);
	}
	*scanp = scan;
	return r->code;
}

static void
damage_add(struct result *r, const char *line)
{
	char **v;

	if ((v = reallocarray(r->damage, r->ndamage + 1, sizeof(*v))) == NULL ||
	    (v[r->ndamage] = strdup(line)) == NULL)
		err(EX_OSERR, NULL);
	r->damage = v;
	r->ndamage++;
}

/* A damaged gzip file: read it again as cr-restore --salvage would, and
 * say what each gap takes (lib/gzsalvage, lib/dumpsalvage): the bytes,
 * the tables' rows, the statements.  Only for a file: a pipe is read once. */
static void
damage_report(const char *path, struct result *r)
{
	struct gzsalvage *sv;
	struct dumpsalvage *ds;
	struct stat sb;
	char buf[65536], line[640];
	unsigned i;
	ssize_t n;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return;
	}
	if ((sv = gzsalvage_open(fd)) == NULL || (ds = dumpsalvage_new(sv)) == NULL)
		err(EX_OSERR, NULL);
	while ((n = dumpsalvage_read(ds, buf, sizeof(buf))) > 0)
		continue;
	if (n == 0) {
		for (i = 0; i < gzsalvage_ngaps(sv); i++) {
			gzsalvage_describe(sv, i, line, sizeof(line));
			damage_add(r, line);
		}
		for (i = 0; i < dumpsalvage_nnotes(ds); i++)
			damage_add(r, dumpsalvage_note(ds, i));
		for (i = 0; i < r->ndamage; i++)
			fprintf(stderr, "cr-verify: %s: damage: %s\n", r->name, r->damage[i]);
	}
	dumpsalvage_free(ds);
	gzsalvage_close(sv);
	close(fd);
}

/* Verify one input and report it; returns its exit status. */
static int
verify(const char *path)
{
	struct result r;
	struct dumpscan *scan;
	size_t i;

	scan_input(path, &r, &scan, NULL);
	if (r.code == EX_DATAERR && r.gzip)
		damage_report(path, &r);
	if (scan == NULL) {
		if (json) {
			printf(JSON_OPEN);
			json_field(stdout, "file", r.name, 0);
			printf(",\"ok\":false");
			json_field(stdout, "error", r.error, 1);
			printf(",\"offset\":null,\"exit\":%d}\n", EX_NOINPUT);
		}
		return r.code;
	}
	if (json)
		report_json(stdout, &r, dumpscan_info(scan), NULL);
	else if (!quiet)
		report_text(&r, dumpscan_info(scan));
	dumpscan_free(scan);
	free(r.table_bytes);
	for (i = 0; i < r.ndamage; i++)
		free(r.damage[i]);
	free(r.damage);
	return r.code;
}

/* A scanned dump as a manifest, for comparisons; names are borrowed. */
static int
compare_table_names(const void *va, const void *vb)
{
	const struct manifest_table *a = va, *b = vb;

	return strcmp(a->name, b->name);
}

static void
info_to_manifest(const struct result *r, const struct dumpscan_info *in,
    struct manifest *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->healthy = 1;
	m->stored_bytes = r->in_bytes;
	m->bytes = in->bytes;
	m->rows = in->rows;
	/* a copy: r is often the caller's local */
	if (r->code == 0 && r->schema_sha256[0] != '\0' &&
	    (m->schema_sha256 = strdup(r->schema_sha256)) == NULL)
		err(EX_OSERR, NULL);
	if (in->nlisted > 0 &&
	    (m->tables = reallocarray(NULL, in->nlisted, sizeof(*m->tables))) == NULL)
		err(EX_OSERR, NULL);
	for (i = 0; i < in->nlisted; i++) {
		m->tables[i].name = in->tables[i].name ? in->tables[i].name : "?";
		m->tables[i].rows = in->tables[i].rows;
		m->tables[i].has_bytes = r->table_bytes != NULL;
		m->tables[i].bytes = r->table_bytes != NULL ? r->table_bytes[i] : 0;
	}
	m->ntables = in->nlisted;
	if (m->ntables > 1)
		qsort(m->tables, m->ntables, sizeof(*m->tables), compare_table_names);
}

struct shrink {
	int	 pct;
	char	**alarms;
	size_t	 nalarms;
};

static void
add_alarm(char ***alarms, size_t *n, char *text)
{
	if (text == NULL || (*alarms = reallocarray(*alarms, *n + 1,
	    sizeof(**alarms))) == NULL)
		err(EX_OSERR, NULL);
	(*alarms)[(*n)++] = text;
}

static int
percent(uint64_t old, uint64_t new)
{
	if (old == 0)
		return 0;
	return (int)(((double)new - (double)old) * 100.0 / (double)old);
}

static void
shrink_table(const struct manifest_delta *d, void *arg)
{
	struct shrink *s = arg;
	char *text;

	if (!d->in_old || d->old_rows == 0)
		return;
	if (!d->in_new) {
		if (asprintf(&text, "table %s is gone (had %" PRIu64 " rows)",
		    d->name, d->old_rows) == -1)
			text = NULL;
		add_alarm(&s->alarms, &s->nalarms, text);
	} else if (manifest_shrunk(d->old_rows, d->new_rows, s->pct)) {
		if (asprintf(&text, "table %s shrank from %" PRIu64 " to %" PRIu64
		    " rows (%d%%)", d->name, d->old_rows, d->new_rows,
		    percent(d->old_rows, d->new_rows)) == -1)
			text = NULL;
		add_alarm(&s->alarms, &s->nalarms, text);
	}
}

/* Alarms of new against old: the total rows and each table. */
static void
shrink_alarms(const struct manifest *old, const struct manifest *new, int pct,
    char ***alarms, size_t *nalarms)
{
	struct shrink s = { pct, *alarms, *nalarms };
	char *text;

	if (pct <= 0)
		return;
	if (manifest_shrunk(old->rows, new->rows, pct)) {
		if (asprintf(&text, "total rows shrank from %" PRIu64 " to %" PRIu64
		    " (%d%%)", old->rows, new->rows, percent(old->rows, new->rows)) == -1)
			text = NULL;
		add_alarm(&s.alarms, &s.nalarms, text);
	}
	manifest_compare(old, new, shrink_table, &s);
	*alarms = s.alarms;
	*nalarms = s.nalarms;
}

struct manifest_job {
	const struct result		*r;
	const struct dumpscan_info	*in;
	const struct extra		*x;
};

static int
fill_manifest(FILE *fp, void *arg)
{
	const struct manifest_job *j = arg;

	report_json(fp, j->r, j->in, j->x);
	return ferror(fp) ? -1 : 0;
}

/* --manifest: verify path, then write its manifest to out; the alarms (no
 * tables, shrunk against the baseline) go into it and on stderr. */
static int
make_manifest(const char *path, const char *out, const char *name,
    long duration, const char *baseline, int max_shrink, int allow_empty,
    char **given, size_t ngiven)
{
	struct manifest_job job;
	struct manifest old, new;
	struct extra x;
	struct result r;
	struct dumpscan *scan;
	struct stat sb;
	const struct dumpscan_info *in;
	char base[PATH_MAX], why[512], *text;
	const char *slash;
	size_t i;
	struct file_hash fh;
	int code, found = 0;

	if ((code = scan_input(path, &r, &scan, &fh)) != 0) {
		dumpscan_free(scan);
		return code;
	}
	in = dumpscan_info(scan);
	memset(&x, 0, sizeof(x));
	if (name == NULL)
		name = (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
	x.name = name;
	x.duration = duration;
	memcpy(x.sha256, fh.hex, sizeof(x.sha256));
	x.file_bytes = fh.bytes;
	/* what the caller found out itself (a failed test restore) */
	for (i = 0; i < ngiven; i++) {
		if ((text = strdup(given[i])) == NULL)
			err(EX_OSERR, NULL);
		add_alarm(&x.alarms, &x.nalarms, text);
	}
	if (in->ntables == 0 && !allow_empty) {
		if ((text = strdup("no tables: an empty database, or the wrong "
		    "one?")) == NULL)
			err(EX_OSERR, NULL);
		add_alarm(&x.alarms, &x.nalarms, text);
	}
	if (baseline != NULL && max_shrink > 0) {
		if (stat(baseline, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			found = manifest_find_baseline(baseline, name, base,
			    sizeof(base), why, sizeof(why));
			if (found == -1)
				errx(EX_NOINPUT, "--baseline %s", why);
		} else {
			strlcpy(base, baseline, sizeof(base));
			found = 1;
		}
	}
	if (found == 1) {
		if (manifest_load(base, &old, why, sizeof(why)) == -1)
			errx(EX_DATAERR, "%s: %s", base, why);
		x.baseline = base;
		info_to_manifest(&r, in, &new);
		shrink_alarms(&old, &new, max_shrink, &x.alarms, &x.nalarms);
		free(new.tables);
		free(new.schema_sha256);
		manifest_free(&old);
	}
	job.r = &r;
	job.in = in;
	job.x = &x;
	if (manifest_write(out, fill_manifest, &job, why, sizeof(why)) == -1)
		errx(EX_CANTCREAT, "%s", why);
	if (!quiet)
		report_text(&r, in);
	for (i = 0; i < x.nalarms; i++) {
		fprintf(stderr, "cr-verify: %s: %s\n", name, x.alarms[i]);
		free(x.alarms[i]);
	}
	if (x.nalarms > 0 && x.baseline != NULL)
		fprintf(stderr, "cr-verify: %s: compared with %s\n", name,
		    x.baseline);
	free(x.alarms);
	code = x.nalarms > 0 ? EXIT_SUSPECT : 0;
	dumpscan_free(scan);
	free(r.table_bytes);
	return code;
}

/* One side of --compare: a manifest (NAME.json, or the .json beside a
 * backup), else the backup scanned now. */
static int
load_side(const char *path, struct manifest *m, int *borrowed,
    struct dumpscan **scanp)
{
	struct result r;
	char json_path[PATH_MAX], why[512];
	const char *slash = strrchr(path, '/');
	struct stat sb;

	*borrowed = 0;
	*scanp = NULL;
	if (manifest_stem(slash != NULL ? slash + 1 : path) > 0)
		strlcpy(json_path, path, sizeof(json_path));
	else if (manifest_path(NULL, path, json_path, sizeof(json_path)) == -1 ||
	    stat(json_path, &sb) == -1)
		json_path[0] = '\0';
	if (json_path[0] != '\0') {
		if (manifest_load(json_path, m, why, sizeof(why)) == -1) {
			warnx("%s: %s", json_path, why);
			return EX_DATAERR;
		}
		return 0;
	}
	if (scan_input(path, &r, scanp, NULL) != 0)
		return r.code;
	info_to_manifest(&r, dumpscan_info(*scanp), m);
	free(r.table_bytes);
	m->selection = NULL;
	*borrowed = 1;
	return 0;
}

struct compare_out {
	int	 changed, added, removed;
	int	 first;
};

static void
compare_line(const struct manifest_delta *d, void *arg)
{
	struct compare_out *c = arg;
	const char *status;

	status = !d->in_old ? "added" : !d->in_new ? "removed" :
	    d->old_rows != d->new_rows ? "changed" : "same";
	if (!d->in_old)
		c->added++;
	else if (!d->in_new)
		c->removed++;
	else if (d->old_rows != d->new_rows)
		c->changed++;
	if (json) {
		printf("%s{", c->first ? "" : ",");
		c->first = 0;
		json_field(stdout, "name", d->name, 0);
		printf(",\"status\":\"%s\"", status);
		if (d->in_old)
			printf(",\"old_rows\":%" PRIu64, d->old_rows);
		else
			printf(",\"old_rows\":null");
		if (d->in_new)
			printf(",\"new_rows\":%" PRIu64, d->new_rows);
		else
			printf(",\"new_rows\":null");
		if (d->has_bytes)
			printf(",\"old_bytes\":%" PRIu64 ",\"new_bytes\":%" PRIu64,
			    d->old_bytes, d->new_bytes);
		printf("}");
		return;
	}
	if (strcmp(status, "same") == 0 && !verbose)
		return;
	printf("  %-8s ", status);
	put_escaped(d->name);
	if (d->in_old && d->in_new) {
		printf(": %" PRIu64 " -> %" PRIu64 " rows (%+" PRId64 ", %+d%%)",
		    d->old_rows, d->new_rows, (int64_t)(d->new_rows - d->old_rows),
		    percent(d->old_rows, d->new_rows));
		if (d->has_bytes) {
			char a[64], b[64];

			human(d->old_bytes, a, sizeof(a));
			human(d->new_bytes, b, sizeof(b));
			printf(", %s -> %s", a, b);
		}
		putchar('\n');
	} else
		printf(": %" PRIu64 " rows\n", d->in_old ? d->old_rows : d->new_rows);
}

/* What load_side gave: a manifest, or, borrowed from a scan of the backup
 * itself, its tables and schema hash. */
static void
free_side(struct manifest *m, int borrowed, struct dumpscan *scan)
{
	if (borrowed) {
		free(m->tables);
		free(m->schema_sha256);
	} else
		manifest_free(m);
	dumpscan_free(scan);
}

static int
compare(const char *old_path, const char *new_path, int max_shrink)
{
	struct manifest old, new;
	struct dumpscan *old_scan, *new_scan;
	struct compare_out c = { 0, 0, 0, 1 };
	char **alarms = NULL, human_old[64], human_new[64];
	size_t nalarms = 0, i;
	int code, old_b, new_b;

	if ((code = load_side(old_path, &old, &old_b, &old_scan)) != 0) {
		dumpscan_free(old_scan);
		return code;
	}
	if ((code = load_side(new_path, &new, &new_b, &new_scan)) != 0) {
		free_side(&old, old_b, old_scan);
		dumpscan_free(new_scan);
		return code;
	}
	if (json) {
		printf(JSON_OPEN);
		json_field(stdout, "old", old_path, 0);
		json_field(stdout, "new", new_path, 1);
		printf(",\"rows\":{\"old\":%" PRIu64 ",\"new\":%" PRIu64 "}", old.rows, new.rows);
		printf(",\"bytes\":{\"old\":%" PRIu64 ",\"new\":%" PRIu64 "}", old.bytes, new.bytes);
		printf(",\"stored_bytes\":{\"old\":%" PRIu64 ",\"new\":%" PRIu64 "}",
		    old.stored_bytes, new.stored_bytes);
		printf(",\"tables\":[");
	} else {
		printf("%s -> %s\n", old_path, new_path);
		printf("  rows:         %" PRIu64 " -> %" PRIu64 " (%+d%%)\n", old.rows,
		    new.rows, percent(old.rows, new.rows));
		human(old.bytes, human_old, sizeof(human_old));
		human(new.bytes, human_new, sizeof(human_new));
		printf("  uncompressed: %s -> %s (%+d%%)\n", human_old, human_new,
		    percent(old.bytes, new.bytes));
		human(old.stored_bytes, human_old, sizeof(human_old));
		human(new.stored_bytes, human_new, sizeof(human_new));
		printf("  stored:       %s -> %s (%+d%%)\n", human_old, human_new,
		    percent(old.stored_bytes, new.stored_bytes));
	}
	manifest_compare(&old, &new, compare_line, &c);
	shrink_alarms(&old, &new, max_shrink, &alarms, &nalarms);
	if (json) {
		printf("],\"tables_added\":%d,\"tables_removed\":%d,\"tables_changed\":%d",
		    c.added, c.removed, c.changed);
		printf(",\"schema_changed\":%s", old.schema_sha256 != NULL &&
		    new.schema_sha256 != NULL ? (strcmp(old.schema_sha256,
		    new.schema_sha256) != 0 ? "true" : "false") : "null");
		json_array(stdout, "shrunk", alarms, nalarms);
		printf("}\n");
	} else {
		printf("  tables:       %d added, %d removed, %d changed\n", c.added,
		    c.removed, c.changed);
		printf("  schema:       %s\n", old.schema_sha256 != NULL &&
		    new.schema_sha256 != NULL ? (strcmp(old.schema_sha256,
		    new.schema_sha256) != 0 ? "changed" : "unchanged") : "unknown");
	}
	for (i = 0; i < nalarms; i++) {
		fprintf(stderr, "cr-verify: %s\n", alarms[i]);
		free(alarms[i]);
	}
	free(alarms);
	code = nalarms > 0 ? EXIT_SUSPECT : 0;
	free_side(&old, old_b, old_scan);
	free_side(&new, new_b, new_scan);
	return code;
}

/* --status: per kind, the newest backup, its age and size, whether it and
 * its manifest verify, and the row counts of the last few. */
#define STATUS_MAX_TREND	30

struct kind_status {
	size_t				 count;
	const struct backupdir_entry	*newest;	/* restorable */
	int				 code;		/* its verification */
	char				 error[640];
	const char			*manifest;	/* ok missing mismatch unreadable */
	int				 healthy;	/* as its manifest says */
	uint64_t			 rows;
	int				 have_rows;
	size_t				 ntrend;	/* oldest first */
	const struct backupdir_entry	*trend[STATUS_MAX_TREND];
	uint64_t			 trend_rows[STATUS_MAX_TREND];
};

static void
age_text(time_t age, char *buf, size_t len)
{
	if (age < 0)
		age = 0;
	snprintf(buf, len, "%lldd%02lldh%02lldm", (long long)(age / 86400),
	    (long long)(age % 86400 / 3600), (long long)(age % 3600 / 60));
}

static void
iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

/* Verify the newest of a kind and its manifest. */
static void
status_check(const char *dir, struct kind_status *k)
{
	struct manifest m;
	struct result r;
	struct dumpscan *scan;
	struct file_hash fh;
	char path[PATH_MAX], json_path[PATH_MAX], why[512];

	k->healthy = 1;
	k->manifest = "unreadable";
	if (snprintf(path, sizeof(path), "%s/%s", dir, k->newest->name) >=
	    (int)sizeof(path) || manifest_path(dir, k->newest->name, json_path,
	    sizeof(json_path)) == -1) {
		k->code = EX_NOINPUT;
		snprintf(k->error, sizeof(k->error), "path too long");
		return;
	}
	k->code = scan_input(path, &r, &scan, &fh);
	if (k->code != 0)
		snprintf(k->error, sizeof(k->error), "%s", r.error);
	else {
		k->rows = dumpscan_info(scan)->rows;
		k->have_rows = 1;
	}
	dumpscan_free(scan);
	free(r.table_bytes);
	if (access(json_path, F_OK) == -1) {
		k->manifest = "missing";
		return;
	}
	if (manifest_load(json_path, &m, why, sizeof(why)) == -1) {
		k->manifest = "unreadable";
		return;
	}
	k->healthy = m.healthy;
	/* a backup that does not verify has no hash to compare */
	if (k->code != 0 || m.sha256 == NULL || strcmp(m.sha256, fh.hex) != 0 ||
	    m.file_bytes != fh.bytes)
		k->manifest = "mismatch";
	else
		k->manifest = "ok";
	manifest_free(&m);
}

/* The rows of up to ntrend newest backups of a kind, from their manifests. */
static void
status_trend(const char *dir, const struct backupdir_entry *e, size_t n,
    enum backupname_kind kind, size_t want, struct kind_status *k)
{
	struct manifest m;
	char path[PATH_MAX], why[512];
	size_t i, j;

	k->ntrend = 0;
	for (i = 0; i < n && k->ntrend < want; i++) {
		if (e[i].bn.kind != kind)
			continue;
		if (manifest_path(dir, e[i].name, path, sizeof(path)) == -1 ||
		    manifest_load(path, &m, why, sizeof(why)) == -1)
			continue;
		k->trend[k->ntrend] = &e[i];
		k->trend_rows[k->ntrend++] = m.rows;
		manifest_free(&m);
	}
	/* oldest first, as a trend reads */
	for (i = 0, j = k->ntrend; i + 1 < j; i++, j--) {
		const struct backupdir_entry *t = k->trend[i];
		uint64_t r = k->trend_rows[i];

		k->trend[i] = k->trend[j - 1];
		k->trend_rows[i] = k->trend_rows[j - 1];
		k->trend[j - 1] = t;
		k->trend_rows[j - 1] = r;
	}
}

static int
status(const char *dir, const char *max_age, size_t ntrend)
{
	struct kind_status kinds[BACKUPNAME_NKINDS];
	struct backupdir_entry *e;
	struct retention_span span;
	char *problems[BACKUPNAME_NKINDS * 2 + 2], buf[700], age[64], when[32];
	size_t n, i, t, nproblems = 0;
	time_t now = time(NULL), cutoff = 0;
	int kind, code = 0, stale = 0, bad = 0, suspect = 0;
	struct kind_status *k;

	if (retention_parse_span(max_age, &span) == -1)
		errx(EX_USAGE, "--max-age %s: a duration like 26h, 2d or 1w (0h: no limit)",
		    max_age);
	if (span.years || span.months || span.weeks || span.days || span.hours)
		cutoff = retention_span_cutoff(&span, now);
	if (backupdir_list(dir, &e, &n) == -1)
		err(EX_NOINPUT, "%s", dir);
	memset(kinds, 0, sizeof(kinds));
	for (i = 0; i < n; i++) {
		k = &kinds[e[i].bn.kind];
		k->count++;
		if (k->newest == NULL && (e[i].bn.format == BACKUPNAME_SQL_GZ ||
		    e[i].bn.format == BACKUPNAME_SQL))
			k->newest = &e[i];
	}
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		k = &kinds[kind];
		if (k->newest == NULL)
			continue;
		status_check(dir, k);
		status_trend(dir, e, n, (enum backupname_kind)kind, ntrend, k);
		if (k->code != 0 || (strcmp(k->manifest, "ok") != 0 &&
		    strcmp(k->manifest, "missing") != 0)) {
			snprintf(buf, sizeof(buf), "the newest %s backup %s %s",
			    backupname_kind_name((enum backupname_kind)kind),
			    k->newest->name, k->code != 0 ? "does not verify" :
			    "does not match its manifest");
			problems[nproblems++] = strdup(buf);
			bad = 1;
		} else if (!k->healthy) {
			snprintf(buf, sizeof(buf), "the newest %s backup %s is "
			    "suspicious (see its manifest's alarms)",
			    backupname_kind_name((enum backupname_kind)kind),
			    k->newest->name);
			problems[nproblems++] = strdup(buf);
			suspect = 1;
		}
	}
	k = &kinds[BACKUPNAME_DAILY];
	if (cutoff != 0 && k->newest == NULL) {
		problems[nproblems++] = strdup("no daily backup");
		stale = 1;
	} else if (cutoff != 0 && k->newest->time < cutoff) {
		age_text(now - k->newest->time, age, sizeof(age));
		snprintf(buf, sizeof(buf), "the newest daily backup is %s old "
		    "(--max-age %s)", age, max_age);
		problems[nproblems++] = strdup(buf);
		stale = 1;
	}
	for (i = 0; i < nproblems; i++)
		if (problems[i] == NULL)
			err(EX_OSERR, NULL);
	code = bad ? EX_DATAERR : stale ? EX_TEMPFAIL : suspect ? EXIT_SUSPECT : 0;

	if (json) {
		printf(JSON_OPEN);
		json_field(stdout, "dir", dir, 0);
		printf(",\"healthy\":%s,\"exit\":%d", code == 0 ? "true" : "false", code);
		/* seconds, as every duration in cr's JSON; null: no limit */
		if (cutoff != 0)
			printf(",\"max_age_s\":%lld", (long long)(now - cutoff));
		else
			printf(",\"max_age_s\":null");
		json_array(stdout, "problems", problems, nproblems);
		printf(",\"kinds\":[");
	} else
		printf("%s: %s\n", dir, code == 0 ? "healthy" : "UNHEALTHY");
	for (kind = 0, i = 0; kind < BACKUPNAME_NKINDS; kind++) {
		k = &kinds[kind];
		if (k->count == 0)
			continue;
		if (json) {
			printf("%s{\"kind\":\"%s\",\"count\":%zu", i++ > 0 ? "," : "",
			    backupname_kind_name((enum backupname_kind)kind), k->count);
			if (k->newest == NULL) {
				printf(",\"newest\":null}");
				continue;
			}
			json_field(stdout, "newest", k->newest->name, 1);
			iso_time(k->newest->time, when, sizeof(when));
			json_field(stdout, "time", when, 1);
			printf(",\"age_s\":%lld,\"stored_bytes\":%" PRIu64,
			    (long long)(now - k->newest->time), k->newest->size);
			printf(",\"verified\":%s", k->code == 0 ? "true" : "false");
			json_field(stdout, "error", k->error, 1);
			printf(",\"manifest\":\"%s\",\"manifest_healthy\":%s",
			    k->manifest, k->healthy ? "true" : "false");
			if (k->have_rows)
				printf(",\"rows\":%" PRIu64, k->rows);
			else
				printf(",\"rows\":null");
			printf(",\"trend\":[");
			for (t = 0; t < k->ntrend; t++) {
				printf("%s{", t > 0 ? "," : "");
				json_field(stdout, "name", k->trend[t]->name, 0);
				printf(",\"rows\":%" PRIu64 ",\"stored_bytes\":%" PRIu64 "}",
				    k->trend_rows[t], k->trend[t]->size);
			}
			printf("]}");
			continue;
		}
		if (k->newest == NULL) {
			printf("  %-15s %zu backup%s, none restorable here\n",
			    backupname_kind_name((enum backupname_kind)kind),
			    k->count, k->count == 1 ? "" : "s");
			continue;
		}
		age_text(now - k->newest->time, age, sizeof(age));
		human(k->newest->size, buf, sizeof(buf));
		printf("  %-15s %s\n", backupname_kind_name((enum backupname_kind)kind),
		    k->newest->name);
		printf("  %-15s age %s, %s, %zu backup%s of this kind; %s, manifest %s%s\n",
		    "", age, buf, k->count, k->count == 1 ? "" : "s",
		    k->code == 0 ? "verified" : "DOES NOT VERIFY", k->manifest,
		    k->healthy ? "" : " (suspicious)");
		if (k->ntrend > 0) {
			printf("  %-15s rows, oldest first:", "");
			for (t = 0; t < k->ntrend; t++)
				printf(" %" PRIu64, k->trend_rows[t]);
			putchar('\n');
		}
	}
	if (json)
		printf("]}\n");
	for (i = 0; i < nproblems; i++) {
		if (!json)
			fprintf(stderr, "cr-verify: %s: %s\n", dir, problems[i]);
		free(problems[i]);
	}
	backupdir_free(e, n);
	return code;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "manifest",	required_argument,	NULL, 'm' },
		{ "name",	required_argument,	NULL, 'n' },
		{ "duration",	required_argument,	NULL, 'D' },
		{ "baseline",	required_argument,	NULL, 'B' },
		{ "max-shrink",	required_argument,	NULL, 'S' },
		{ "allow-empty", no_argument,		NULL, 'E' },
		{ "alarm",	required_argument,	NULL, 'L' },
		{ "compare",	no_argument,		NULL, 'C' },
		{ "status",	no_argument,		NULL, 's' },
		{ "max-age",	required_argument,	NULL, 'A' },
		{ "trend",	required_argument,	NULL, 'T' },
		{ "progress",	no_argument,		NULL, OPT_PROGRESS },
		{ "no-progress", no_argument,		NULL, OPT_NO_PROGRESS },
		{ NULL,		0,			NULL, 0 }
	};
	const char *manifest = NULL, *name = NULL, *baseline = NULL;
	const char *max_age = "26h";
	size_t trend = 5, ngiven = 0;
	char **given = NULL;
	int health = 0;
	long duration = -1;
	int ch, i, code, worst = 0, max_shrink = 0, allow_empty = 0, cmp = 0;

	cliopt_init(argc, argv, &(struct cliopt_tool){ .prog = "cr-verify",
	    .version = CR_VERSION, .optstring = "qvV", .longopts = longopts,
	    .help = help, .synopsis = synopsis });
	while ((ch = cliopt_next(argc, argv, NULL)) != -1) {
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'm':
			manifest = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'D':
			duration = (long)cliopt_num(optarg, 0, LONG_MAX);
			break;
		case 'B':
			baseline = optarg;
			break;
		case 'S':
			max_shrink = (int)cliopt_num(optarg, 0, 100);
			break;
		case 'E':
			allow_empty = 1;
			break;
		case 'L':
			if (optarg[0] == '\0' || strchr(optarg, '\n') != NULL)
				errx(EX_USAGE, "--alarm: one line of text");
			if ((given = reallocarray(given, ngiven + 1,
			    sizeof(*given))) == NULL)
				err(EX_OSERR, NULL);
			given[ngiven++] = optarg;
			break;
		case 'C':
			cmp = 1;
			break;
		case 's':
			health = 1;
			break;
		case 'A':
			max_age = optarg;
			break;
		case 'T':
			trend = (size_t)cliopt_num(optarg, 0, STATUS_MAX_TREND);
			break;
		case OPT_PROGRESS:
			progress_mode = PROGRESS_ON;
			break;
		case OPT_NO_PROGRESS:
			progress_mode = PROGRESS_OFF;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (health) {
		if (argc != 1 || cmp || manifest != NULL || ngiven > 0)
			usage(EX_USAGE);
		code = status(argv[0], max_age, trend);
	} else if (cmp) {
		if (argc != 2 || manifest != NULL || ngiven > 0)
			usage(EX_USAGE);
		code = compare(argv[0], argv[1], max_shrink);
	} else if (manifest != NULL) {
		if (argc != 1 || strcmp(argv[0], "-") == 0 || json)
			usage(EX_USAGE);
		code = make_manifest(argv[0], manifest, name, duration, baseline,
		    max_shrink, allow_empty, given, ngiven);
	} else {
		if (name != NULL || duration != -1 || baseline != NULL ||
		    max_shrink != 0 || allow_empty || ngiven > 0)
			usage(EX_USAGE);
		if (argc == 0 && isatty(STDIN_FILENO))
			errx(EX_USAGE, "standard input is a terminal; name a file or redirect a dump");
		if (argc == 0)
			worst = verify(NULL);
		for (i = 0; i < argc; i++)
			if ((code = verify(argv[i])) > worst)
				worst = code;
		code = worst;
	}
	free(given);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "standard output");
	return code;
}
