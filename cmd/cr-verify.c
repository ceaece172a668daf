/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cr-verify: check in one streaming pass that a (gzipped) plain pg_dump is
 * intact and complete, and report what is in it. */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "backup/alarms.h"
#include "backup/health.h"
#include "backup/verify.h"
#include "base/cliopt.h"
#include "base/json.h"
#include "base/progress.h"
#include "base/size.h"
#include "base/utc.h"
#include "format/dumpfmt.h"
#include "format/manifest.h"

#define STATUS_MAX_TREND	HEALTH_MAX_TREND

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

static void
linef(const char *label, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line(label, buf);
}

static const char *
human(uint64_t bytes, char buf[SIZE_IEC_LEN])
{
	return size_iec(bytes, buf);
}

static double
ratio(const struct manifest *m)
{
	return m->stored_bytes > 0 ? (double)m->bytes / (double)m->stored_bytes : 0.0;
}

/* What a verified file holds, for people; name as the user gave it. */
static void
report_text(const char *name, const struct manifest *m)
{
	char s[SIZE_IEC_LEN];
	size_t i;

	printf("%s: OK, complete (%s)\n", name, m->trailer ?
	    "cr-dump trailer and pg_dump completion line" : "pg_dump completion line");
	if (m->gzip)
		line("compressed:", human(m->stored_bytes, s));
	line("uncompressed:", human(m->bytes, s));
	if (m->gzip)
		linef("ratio:", "%.2f", ratio(m));
	if (verbose && m->gzip)
		linef("bytes:", "%" PRIu64 " SQL, %" PRIu64 " gzip in %u member%s",
		    m->bytes, m->stored_bytes, m->gzip_members,
		    m->gzip_members == 1 ? "" : "s");
	else if (verbose)
		linef("bytes:", "%" PRIu64 " SQL", m->bytes);
	if (m->database != NULL)
		line("database:", m->database);
	if (m->user != NULL)
		line("role:", m->user);
	if (m->dump_time != NULL)
		line("dump time:", m->dump_time);
	linef("server:", "PostgreSQL %s", m->server_version ? m->server_version : "?");
	line("pg_dump:", m->pg_dump_version ? m->pg_dump_version : "?");
	if (m->cr_dump)
		linef("made by:", "cr-dump %s", m->cr_version ? m->cr_version : "");
	else
		line("made by:", "pg_dump without cr-dump");
	line("schema only:", m->schema_only == 1 ? "yes" : m->schema_only == 0 ?
	    "no" : "unknown (plain pg_dump)");
	line("selection:", m->selection);
	if (m->options != NULL)
		line("options:", m->options);
	linef("tables:", "%" PRIu64, m->tables_with_data);
	linef("rows:", "%" PRIu64, m->rows);
	for (i = 0; verbose && i < m->ntables; i++) {
		printf("  %12" PRIu64 "  ", m->tables[i].rows);
		put_escaped(m->tables[i].name);
		putchar('\n');
	}
	if (verbose && m->ntables < m->tables_with_data)
		printf("  (and %" PRIu64 " more tables, not listed)\n",
		    m->tables_with_data - m->ntables);
	if (m->note != NULL)
		line("note:", m->note);
}

/* A failure with no object of its own to carry it: one line on stderr and,
 * with --json, the error object.  Returns code. */
static int
fail(int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = jw_vfail(stderr, json ? stdout : NULL, "cr-verify", code, fmt, ap);
	va_end(ap);
	if (rc == -1)
		err(EX_IOERR, "standard output");
	return code;
}

/* What verify_file found wrong with m, on stderr. */
static void
report_failure(const struct manifest *m)
{
	size_t i;

	if (m->ok)
		return;
	if (m->has_offset)
		fprintf(stderr, "cr-verify: %s: %s (%soffset %" PRIu64 ")\n", m->file,
		    m->error, m->gzip ? "uncompressed " : "", m->offset);
	else
		fprintf(stderr, "cr-verify: %s: %s\n", m->file, m->error);
	for (i = 0; i < m->ndamage; i++)
		fprintf(stderr, "cr-verify: %s: damage: %s\n", m->file, m->damage[i]);
}

static int
verify_input(const char *path, int hash, int damage, struct manifest *m)
{
	struct verify_opts o = { hash, damage, stderr, progress_mode, "cr-verify" };

	/* -q: no progress line unless --progress */
	if (quiet && progress_mode == PROGRESS_AUTO)
		o.progress = PROGRESS_OFF;
	verify_file(path, &o, m);
	report_failure(m);
	return m->exit;
}

/* The default verb: verify one input and report it. */
static int
verify(const char *path)
{
	struct manifest m;
	struct jw w;
	int code;

	code = verify_input(path, 0, 1, &m);
	if (json) {
		jw_begin(&w, stdout);
		manifest_put(&w, &m);
		if (jw_finish(&w) == -1)
			err(EX_IOERR, "standard output");
	} else if (!quiet && code == 0)
		report_text(m.file, &m);
	manifest_free(&m);
	return code;
}

/* --manifest: verify path, judge it (lib/alarms) and write its manifest to
 * out; the alarms go into it and on stderr. */
static int
make_manifest(const char *path, const char *out, const char *name,
    long duration, const struct alarms_policy *policy)
{
	struct manifest m;
	const char *slash;
	char why[1024];
	size_t i;
	int code;

	if ((code = verify_input(path, 1, 0, &m)) != 0) {
		manifest_free(&m);
		return code;
	}
	if (name == NULL)
		name = (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
	/* a manifest records the backup's name, never the temporary file
	 * cr-backup verifies before renaming it (--name) */
	free(m.file);
	if ((m.file = strdup(name)) == NULL || (m.name = strdup(name)) == NULL)
		err(EX_OSERR, NULL);
	m.is_manifest = 1;
	m.duration = duration;
	if ((code = alarms_judge(&m, policy, why, sizeof(why))) != 0)
		errx(code, "%s", why);
	if (manifest_write(out, &m, why, sizeof(why)) == -1)
		errx(EX_CANTCREAT, "%s", why);
	if (!quiet)
		report_text(path, &m);
	for (i = 0; i < m.nalarms; i++)
		fprintf(stderr, "cr-verify: %s: %s\n", name, m.alarms[i]);
	if (m.nalarms > 0 && m.baseline != NULL)
		fprintf(stderr, "cr-verify: %s: compared with %s\n", name, m.baseline);
	code = m.nalarms > 0 ? ALARMS_EXIT_SUSPECT : 0;
	manifest_free(&m);
	return code;
}

/* One side of --compare: a manifest (NAME.json, or the .json beside a
 * backup), else the backup scanned now. */
static int
load_side(const char *path, struct manifest *m)
{
	char json_path[PATH_MAX], why[512];
	const char *slash = strrchr(path, '/');
	struct stat sb;

	if (manifest_stem(slash != NULL ? slash + 1 : path) > 0)
		strlcpy(json_path, path, sizeof(json_path));
	else if (manifest_path(NULL, path, json_path, sizeof(json_path)) == -1 ||
	    stat(json_path, &sb) == -1)
		json_path[0] = '\0';
	if (json_path[0] == '\0') {
		if (verify_input(path, 0, 0, m) == 0)
			return 0;
		if (json)
			fail(m->exit, "%s: %s", m->file, m->error);
		return m->exit;
	}
	if (manifest_read(json_path, m, why, sizeof(why)) == -1)
		return fail(EX_DATAERR, "%s: %s", json_path, why);
	return 0;
}

struct compare_out {
	int		 changed, added, removed;
	struct jw	*w;
};

static void
compare_line(const struct manifest_delta *d, void *arg)
{
	struct compare_out *c = arg;
	const char *status;
	char a[SIZE_IEC_LEN], b[SIZE_IEC_LEN];

	status = !d->in_old ? "added" : !d->in_new ? "removed" :
	    d->old_rows != d->new_rows ? "changed" : "same";
	c->added += !d->in_old;
	c->removed += !d->in_new;
	c->changed += d->in_old && d->in_new && d->old_rows != d->new_rows;
	if (c->w != NULL) {
		jw_object(c->w, NULL);
		jw_str(c->w, "name", d->name);
		jw_str(c->w, "status", status);
		if (d->in_old)
			jw_uint(c->w, "old_rows", d->old_rows);
		else
			jw_null(c->w, "old_rows");
		if (d->in_new)
			jw_uint(c->w, "new_rows", d->new_rows);
		else
			jw_null(c->w, "new_rows");
		if (d->has_bytes) {
			jw_uint(c->w, "old_bytes", d->old_bytes);
			jw_uint(c->w, "new_bytes", d->new_bytes);
		}
		jw_end(c->w);
		return;
	}
	if (strcmp(status, "same") == 0 && !verbose)
		return;
	printf("  %-8s ", status);
	put_escaped(d->name);
	if (d->in_old && d->in_new) {
		printf(": %" PRIu64 " -> %" PRIu64 " rows (%+" PRId64 ", %+d%%)",
		    d->old_rows, d->new_rows, (int64_t)(d->new_rows - d->old_rows),
		    alarms_percent(d->old_rows, d->new_rows));
		if (d->has_bytes)
			printf(", %s -> %s", human(d->old_bytes, a), human(d->new_bytes, b));
		putchar('\n');
	} else
		printf(": %" PRIu64 " rows\n", d->in_old ? d->old_rows : d->new_rows);
}

static void
old_new(struct jw *w, const char *key, uint64_t old, uint64_t new)
{
	jw_object(w, key);
	jw_uint(w, "old", old);
	jw_uint(w, "new", new);
	jw_end(w);
}

static void
old_new_text(const char *label, uint64_t old, uint64_t new, int sizes)
{
	char a[SIZE_IEC_LEN], b[SIZE_IEC_LEN];

	if (sizes)
		printf("  %-14s%s -> %s (%+d%%)\n", label, human(old, a),
		    human(new, b), alarms_percent(old, new));
	else
		printf("  %-14s%" PRIu64 " -> %" PRIu64 " (%+d%%)\n", label, old,
		    new, alarms_percent(old, new));
}

/* --compare: two backups or manifests, table by table. */
static int
compare(const char *old_path, const char *new_path, int max_shrink)
{
	struct manifest old, new;
	struct compare_out c = { 0, 0, 0, NULL };
	struct jw w;
	char **alarms = NULL;
	size_t nalarms = 0, i;
	int code, schema;

	if ((code = load_side(old_path, &old)) != 0) {
		manifest_free(&old);
		return code;
	}
	if ((code = load_side(new_path, &new)) != 0) {
		manifest_free(&old);
		manifest_free(&new);
		return code;
	}
	schema = old.schema_sha256 == NULL || new.schema_sha256 == NULL ? -1 :
	    strcmp(old.schema_sha256, new.schema_sha256) != 0;
	if (json) {
		c.w = &w;
		jw_begin(&w, stdout);
		jw_str(&w, "old", old_path);
		jw_str(&w, "new", new_path);
		old_new(&w, "rows", old.rows, new.rows);
		old_new(&w, "bytes", old.bytes, new.bytes);
		old_new(&w, "stored_bytes", old.stored_bytes, new.stored_bytes);
		jw_array(&w, "tables");
	} else {
		printf("%s -> %s\n", old_path, new_path);
		old_new_text("rows:", old.rows, new.rows, 0);
		old_new_text("uncompressed:", old.bytes, new.bytes, 1);
		old_new_text("stored:", old.stored_bytes, new.stored_bytes, 1);
	}
	if (manifest_compare(&old, &new, compare_line, &c) == -1 ||
	    alarms_shrink(&old, &new, max_shrink, &alarms, &nalarms) == -1)
		err(EX_OSERR, NULL);
	if (json) {
		jw_end(&w);
		jw_int(&w, "tables_added", c.added);
		jw_int(&w, "tables_removed", c.removed);
		jw_int(&w, "tables_changed", c.changed);
		if (schema >= 0)
			jw_bool(&w, "schema_changed", schema);
		else
			jw_null(&w, "schema_changed");
		jw_array(&w, "shrunk");
		for (i = 0; i < nalarms; i++)
			jw_str(&w, NULL, alarms[i]);
		jw_end(&w);
		if (jw_finish(&w) == -1)
			err(EX_IOERR, "standard output");
	} else {
		printf("  tables:       %d added, %d removed, %d changed\n", c.added,
		    c.removed, c.changed);
		printf("  schema:       %s\n", schema == 1 ? "changed" : schema == 0 ?
		    "unchanged" : "unknown");
	}
	for (i = 0; i < nalarms; i++) {
		fprintf(stderr, "cr-verify: %s\n", alarms[i]);
		free(alarms[i]);
	}
	free(alarms);
	manifest_free(&old);
	manifest_free(&new);
	return nalarms > 0 ? ALARMS_EXIT_SUSPECT : 0;
}

static void
status_json(const char *dir, const struct health *h)
{
	const struct health_kind *k;
	struct jw w;
	char when[UTC_LEN];
	size_t i, t;
	int kind;

	jw_begin(&w, stdout);
	jw_str(&w, "dir", dir);
	jw_bool(&w, "healthy", h->code == 0);
	jw_int(&w, "exit", h->code);
	/* seconds, as every duration in cr's JSON; null: no limit */
	if (h->cutoff != 0)
		jw_int(&w, "max_age_s", (long long)(h->now - h->cutoff));
	else
		jw_null(&w, "max_age_s");
	jw_array(&w, "problems");
	for (i = 0; i < h->nproblems; i++)
		jw_str(&w, NULL, h->problems[i]);
	jw_end(&w);
	jw_array(&w, "kinds");
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		if ((k = &h->kinds[kind])->count == 0)
			continue;
		jw_object(&w, NULL);
		jw_str(&w, "kind", backupname_kind_name((enum backupname_kind)kind));
		jw_uint(&w, "count", k->count);
		if (k->newest == NULL) {
			jw_null(&w, "newest");
			jw_end(&w);
			continue;
		}
		jw_str(&w, "newest", k->newest->name);
		jw_str(&w, "time", utc_iso(k->newest->time, when));
		jw_int(&w, "age_s", (long long)(h->now - k->newest->time));
		jw_uint(&w, "stored_bytes", k->newest->size);
		jw_bool(&w, "verified", k->code == 0);
		jw_str(&w, "error", k->error[0] != '\0' ? k->error : NULL);
		jw_str(&w, "manifest", k->manifest);
		jw_bool(&w, "manifest_healthy", k->healthy);
		if (k->have_rows)
			jw_uint(&w, "rows", k->rows);
		else
			jw_null(&w, "rows");
		jw_array(&w, "trend");
		for (t = 0; t < k->ntrend; t++) {
			jw_object(&w, NULL);
			jw_str(&w, "name", k->trend[t]->name);
			jw_uint(&w, "rows", k->trend_rows[t]);
			jw_uint(&w, "stored_bytes", k->trend[t]->size);
			jw_end(&w);
		}
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	if (jw_finish(&w) == -1)
		err(EX_IOERR, "standard output");
}

static void
status_text(const char *dir, const struct health *h)
{
	const struct health_kind *k;
	char age[64], s[SIZE_IEC_LEN];
	size_t i, t;
	int kind;

	printf("%s: %s\n", dir, h->code == 0 ? "healthy" : "UNHEALTHY");
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		if ((k = &h->kinds[kind])->count == 0)
			continue;
		if (k->newest == NULL) {
			printf("  %-15s %zu backup%s, none restorable here\n",
			    backupname_kind_name((enum backupname_kind)kind),
			    k->count, k->count == 1 ? "" : "s");
			continue;
		}
		health_age(h->now - k->newest->time, age, sizeof(age));
		printf("  %-15s %s\n", backupname_kind_name((enum backupname_kind)kind),
		    k->newest->name);
		printf("  %-15s age %s, %s, %zu backup%s of this kind; %s, manifest %s%s\n",
		    "", age, human(k->newest->size, s), k->count, k->count == 1 ? "" : "s",
		    k->code == 0 ? "verified" : "DOES NOT VERIFY", k->manifest,
		    k->healthy ? "" : " (suspicious)");
		if (k->ntrend > 0) {
			printf("  %-15s rows, oldest first:", "");
			for (t = 0; t < k->ntrend; t++)
				printf(" %" PRIu64, k->trend_rows[t]);
			putchar('\n');
		}
	}
	for (i = 0; i < h->nproblems; i++)
		fprintf(stderr, "cr-verify: %s: %s\n", dir, h->problems[i]);
}

/* --status: the health of a backup directory (lib/health). */
static int
status(const char *dir, const char *max_age, size_t ntrend)
{
	struct verify_opts o = { 0, 0, stderr, progress_mode, "cr-verify" };
	struct health h;
	char why[1024];
	int code;

	if (quiet && progress_mode == PROGRESS_AUTO)
		o.progress = PROGRESS_OFF;
	if ((code = health_check(dir, max_age, ntrend, &o, &h, why,
	    sizeof(why))) != 0)
		return fail(code, "%s", why);
	if (json)
		status_json(dir, &h);
	else
		status_text(dir, &h);
	code = h.code;
	health_free(&h);
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
		code = make_manifest(argv[0], manifest, name, duration,
		    &(struct alarms_policy){ given, ngiven, allow_empty,
		    baseline, max_shrink });
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
