/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* compare: two backups, table by table. */
#include <sys/stat.h>

#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <bsd/string.h>

#include "backup/alarms.h"
#include "backup/compare.h"
#include "base/json.h"
#include "base/size.h"

/* One side: a manifest (NAME.json, or the .json beside a backup), else the
 * backup verified now. */
static int
load_side(const char *path, const struct verify_opts *o, struct manifest *m,
    char *err, size_t errlen)
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
		if (verify_file(path, o, m) == 0)
			return 0;
		verify_why(m, err, errlen);
		return m->exit;
	}
	if (manifest_read(json_path, m, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", json_path, why);
		return EX_DATAERR;
	}
	return 0;
}

static const char *
delta_status(const struct manifest_delta *d)
{
	return !d->in_old ? "added" : !d->in_new ? "removed" :
	    d->old_rows != d->new_rows ? "changed" : "same";
}

static void
count(const struct manifest_delta *d, void *arg)
{
	struct compare *c = arg;

	c->added += !d->in_old;
	c->removed += !d->in_new;
	c->changed += d->in_old && d->in_new && d->old_rows != d->new_rows;
}

int
compare_run(const char *old_path, const char *new_path, int max_shrink,
    const struct verify_opts *o, struct compare *c, char *err, size_t errlen)
{
	int code;

	memset(c, 0, sizeof(*c));
	c->old_path = old_path;
	c->new_path = new_path;
	if ((code = load_side(old_path, o, &c->old, err, errlen)) != 0 ||
	    (code = load_side(new_path, o, &c->new, err, errlen)) != 0) {
		compare_free(c);
		return code;
	}
	c->schema_changed = c->old.schema_sha256 == NULL ||
	    c->new.schema_sha256 == NULL ? -1 :
	    strcmp(c->old.schema_sha256, c->new.schema_sha256) != 0;
	if (manifest_compare(&c->old, &c->new, count, c) == -1 ||
	    alarms_shrink(&c->old, &c->new, max_shrink, &c->shrunk,
	    &c->nshrunk) == -1) {
		compare_free(c);
		snprintf(err, errlen, "out of memory");
		return EX_OSERR;
	}
	return 0;
}

void
compare_free(struct compare *c)
{
	size_t i;

	manifest_free(&c->old);
	manifest_free(&c->new);
	for (i = 0; i < c->nshrunk; i++)
		free(c->shrunk[i]);
	free(c->shrunk);
	c->shrunk = NULL;
	c->nshrunk = 0;
}

static void
put_delta(const struct manifest_delta *d, void *arg)
{
	struct jw *w = arg;

	jw_object(w, NULL);
	jw_str(w, "name", d->name);
	jw_str(w, "status", delta_status(d));
	if (d->in_old)
		jw_uint(w, "old_rows", d->old_rows);
	else
		jw_null(w, "old_rows");
	if (d->in_new)
		jw_uint(w, "new_rows", d->new_rows);
	else
		jw_null(w, "new_rows");
	if (d->has_bytes) {
		jw_uint(w, "old_bytes", d->old_bytes);
		jw_uint(w, "new_bytes", d->new_bytes);
	}
	jw_end(w);
}

static void
put_old_new(struct jw *w, const char *key, uint64_t old, uint64_t new)
{
	jw_object(w, key);
	jw_uint(w, "old", old);
	jw_uint(w, "new", new);
	jw_end(w);
}

void
compare_put(struct jw *w, const struct compare *c)
{
	size_t i;

	jw_str(w, "old", c->old_path);
	jw_str(w, "new", c->new_path);
	put_old_new(w, "rows", c->old.rows, c->new.rows);
	put_old_new(w, "bytes", c->old.bytes, c->new.bytes);
	put_old_new(w, "stored_bytes", c->old.stored_bytes, c->new.stored_bytes);
	jw_array(w, "tables");
	(void)manifest_compare(&c->old, &c->new, put_delta, w);
	jw_end(w);
	jw_int(w, "tables_added", c->added);
	jw_int(w, "tables_removed", c->removed);
	jw_int(w, "tables_changed", c->changed);
	if (c->schema_changed >= 0)
		jw_bool(w, "schema_changed", c->schema_changed);
	else
		jw_null(w, "schema_changed");
	jw_array(w, "shrunk");
	for (i = 0; i < c->nshrunk; i++)
		jw_str(w, NULL, c->shrunk[i]);
	jw_end(w);
}

struct print {
	FILE	*fp;
	int	 verbose;
};

static void
print_delta(const struct manifest_delta *d, void *arg)
{
	struct print *p = arg;
	const char *status = delta_status(d);
	char a[SIZE_IEC_LEN], b[SIZE_IEC_LEN];

	if (strcmp(status, "same") == 0 && !p->verbose)
		return;
	fprintf(p->fp, "  %-8s ", status);
	verify_put_escaped(p->fp, d->name);
	if (d->in_old && d->in_new) {
		fprintf(p->fp, ": %" PRIu64 " -> %" PRIu64 " rows (%+" PRId64 ", %+d%%)",
		    d->old_rows, d->new_rows, (int64_t)(d->new_rows - d->old_rows),
		    alarms_percent(d->old_rows, d->new_rows));
		if (d->has_bytes)
			fprintf(p->fp, ", %s -> %s", size_iec(d->old_bytes, a),
			    size_iec(d->new_bytes, b));
		putc('\n', p->fp);
	} else
		fprintf(p->fp, ": %" PRIu64 " rows\n", d->in_old ? d->old_rows :
		    d->new_rows);
}

static void
print_old_new(FILE *fp, const char *label, uint64_t old, uint64_t new,
    int sizes)
{
	char a[SIZE_IEC_LEN], b[SIZE_IEC_LEN];

	if (sizes)
		fprintf(fp, "  %-14s%s -> %s (%+d%%)\n", label, size_iec(old, a),
		    size_iec(new, b), alarms_percent(old, new));
	else
		fprintf(fp, "  %-14s%" PRIu64 " -> %" PRIu64 " (%+d%%)\n", label,
		    old, new, alarms_percent(old, new));
}

void
compare_print(FILE *fp, const struct compare *c, int verbose)
{
	struct print p = { fp, verbose };

	fprintf(fp, "%s -> %s\n", c->old_path, c->new_path);
	print_old_new(fp, "rows:", c->old.rows, c->new.rows, 0);
	print_old_new(fp, "uncompressed:", c->old.bytes, c->new.bytes, 1);
	print_old_new(fp, "stored:", c->old.stored_bytes, c->new.stored_bytes, 1);
	(void)manifest_compare(&c->old, &c->new, print_delta, &p);
	fprintf(fp, "  tables:       %d added, %d removed, %d changed\n",
	    c->added, c->removed, c->changed);
	fprintf(fp, "  schema:       %s\n", c->schema_changed == 1 ? "changed" :
	    c->schema_changed == 0 ? "unchanged" : "unknown");
}
