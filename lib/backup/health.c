/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* health: the verdict on a backup directory. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "backup/alarms.h"
#include "backup/health.h"
#include "backup/retention.h"
#include "base/json.h"
#include "base/size.h"
#include "base/utc.h"

static void
health_age(time_t age, char *buf, size_t len)
{
	if (age < 0)
		age = 0;
	snprintf(buf, len, "%lldd%02lldh%02lldm", (long long)(age / 86400),
	    (long long)(age % 86400 / 3600), (long long)(age % 3600 / 60));
}

/* Verify the newest of a kind and its manifest. */
static void
check_newest(const char *dir, const struct verify_opts *vo,
    struct health_kind *k)
{
	struct manifest m, got;
	char path[PATH_MAX], json_path[PATH_MAX], why[512];
	struct verify_opts o = *vo;

	k->healthy = 1;
	k->manifest = "unreadable";
	if (snprintf(path, sizeof(path), "%s/%s", dir, k->newest->name) >=
	    (int)sizeof(path) || manifest_path(dir, k->newest->name, json_path,
	    sizeof(json_path)) == -1) {
		k->code = EX_NOINPUT;
		snprintf(k->error, sizeof(k->error), "path too long");
		return;
	}
	o.hash = 1;
	o.damage = 0;
	k->code = verify_file(path, &o, &got);
	if (k->code != 0)
		snprintf(k->error, sizeof(k->error), "%s", got.error);
	else {
		k->rows = got.rows;
		k->have_rows = 1;
	}
	if (access(json_path, F_OK) == -1)
		k->manifest = "missing";
	else if (manifest_read(json_path, &m, why, sizeof(why)) == 0) {
		k->healthy = m.healthy;
		/* a backup that does not verify has no hash to compare */
		k->manifest = k->code != 0 || m.sha256 == NULL ||
		    got.sha256 == NULL || strcmp(m.sha256, got.sha256) != 0 ||
		    m.file_bytes != got.file_bytes ? "mismatch" : "ok";
		manifest_free(&m);
	}
	manifest_free(&got);
}

/* The rows of up to want newest backups of a kind, from their manifests,
 * oldest first as a trend reads. */
static void
trend(const char *dir, const struct health *h, enum backupname_kind kind,
    size_t want, struct health_kind *k)
{
	struct manifest m;
	char path[PATH_MAX], why[512];
	size_t i, got = 0;

	for (i = 0; i < h->n && got < want; i++) {
		if (h->entries[i].bn.kind != kind ||
		    manifest_path(dir, h->entries[i].name, path, sizeof(path)) == -1 ||
		    manifest_read(path, &m, why, sizeof(why)) == -1)
			continue;
		got++;
		k->trend[want - got] = &h->entries[i];
		k->trend_rows[want - got] = m.rows;
		manifest_free(&m);
	}
	k->ntrend = got;
	memmove(k->trend, k->trend + (want - got), got * sizeof(*k->trend));
	memmove(k->trend_rows, k->trend_rows + (want - got),
	    got * sizeof(*k->trend_rows));
}

static int
problem(struct health *h, const char *line)
{
	char **v, *text;

	if ((text = strdup(line)) == NULL)
		return -1;
	if ((v = reallocarray(h->problems, h->nproblems + 1, sizeof(*v))) == NULL) {
		free(text);
		return -1;
	}
	v[h->nproblems++] = text;
	h->problems = v;
	return 0;
}

int
health_check(const char *dir, const char *max_age, size_t ntrend,
    const struct verify_opts *vo, struct health *h, char *err, size_t errlen)
{
	struct retention_span span;
	struct health_kind *k;
	const char *kn;
	char age[64], line[700];
	size_t i;
	int kind, bad = 0, stale = 0, suspect = 0, fail = 0;

	memset(h, 0, sizeof(*h));
	h->now = time(NULL);
	if (retention_parse_span(max_age, &span) == -1) {
		snprintf(err, errlen, "--max-age %s: a duration like 26h, 2d or "
		    "1w (0h: no limit)", max_age);
		return EX_USAGE;
	}
	if (span.years || span.months || span.weeks || span.days || span.hours)
		h->cutoff = retention_span_cutoff(&span, h->now);
	if (ntrend > HEALTH_MAX_TREND)
		ntrend = HEALTH_MAX_TREND;
	if (backupdir_list(dir, &h->entries, &h->n) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return EX_NOINPUT;
	}
	for (i = 0; i < h->n; i++) {
		k = &h->kinds[h->entries[i].bn.kind];
		k->count++;
		if (k->newest == NULL && (h->entries[i].bn.format == BACKUPNAME_SQL_GZ ||
		    h->entries[i].bn.format == BACKUPNAME_SQL))
			k->newest = &h->entries[i];
	}
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		k = &h->kinds[kind];
		if (k->newest == NULL)
			continue;
		kn = backupname_kind_name((enum backupname_kind)kind);
		check_newest(dir, vo, k);
		trend(dir, h, (enum backupname_kind)kind, ntrend, k);
		if (k->code != 0 || (strcmp(k->manifest, "ok") != 0 &&
		    strcmp(k->manifest, "missing") != 0)) {
			snprintf(line, sizeof(line), "the newest %s backup %s %s",
			    kn, k->newest->name, k->code != 0 ? "does not verify" :
			    "does not match its manifest");
			fail |= problem(h, line);
			bad = 1;
		} else if (!k->healthy) {
			snprintf(line, sizeof(line), "the newest %s backup %s is "
			    "suspicious (see its manifest's alarms)", kn,
			    k->newest->name);
			fail |= problem(h, line);
			suspect = 1;
		}
	}
	k = &h->kinds[BACKUPNAME_DAILY];
	if (h->cutoff != 0 && k->newest == NULL) {
		fail |= problem(h, "no daily backup");
		stale = 1;
	} else if (h->cutoff != 0 && k->newest->time < h->cutoff) {
		health_age(h->now - k->newest->time, age, sizeof(age));
		snprintf(line, sizeof(line), "the newest daily backup is %s old "
		    "(--max-age %s)", age, max_age);
		fail |= problem(h, line);
		stale = 1;
	}
	if (fail) {
		health_free(h);
		snprintf(err, errlen, "out of memory");
		return EX_OSERR;
	}
	h->code = bad ? EX_DATAERR : stale ? EX_TEMPFAIL : suspect ?
	    ALARMS_EXIT_SUSPECT : 0;
	return 0;
}

void
health_free(struct health *h)
{
	size_t i;

	for (i = 0; i < h->nproblems; i++)
		free(h->problems[i]);
	free(h->problems);
	backupdir_free(h->entries, h->n);
	memset(h, 0, sizeof(*h));
}

void
health_put(struct jw *w, const char *dir, const struct health *h)
{
	const struct health_kind *k;
	char when[UTC_LEN];
	size_t i, t;
	int kind;

	jw_str(w, "dir", dir);
	jw_bool(w, "healthy", h->code == 0);
	jw_int(w, "exit", h->code);
	/* seconds, as every duration in cr's JSON; null: no limit */
	if (h->cutoff != 0)
		jw_int(w, "max_age_s", (long long)(h->now - h->cutoff));
	else
		jw_null(w, "max_age_s");
	jw_array(w, "problems");
	for (i = 0; i < h->nproblems; i++)
		jw_str(w, NULL, h->problems[i]);
	jw_end(w);
	jw_array(w, "kinds");
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		if ((k = &h->kinds[kind])->count == 0)
			continue;
		jw_object(w, NULL);
		jw_str(w, "kind", backupname_kind_name((enum backupname_kind)kind));
		jw_uint(w, "count", k->count);
		if (k->newest == NULL) {
			jw_null(w, "newest");
			jw_end(w);
			continue;
		}
		jw_str(w, "newest", k->newest->name);
		jw_str(w, "time", utc_iso(k->newest->time, when));
		jw_int(w, "age_s", (long long)(h->now - k->newest->time));
		jw_uint(w, "stored_bytes", k->newest->size);
		jw_bool(w, "verified", k->code == 0);
		jw_str(w, "error", k->error[0] != '\0' ? k->error : NULL);
		jw_str(w, "manifest", k->manifest);
		jw_bool(w, "manifest_healthy", k->healthy);
		if (k->have_rows)
			jw_uint(w, "rows", k->rows);
		else
			jw_null(w, "rows");
		jw_array(w, "trend");
		for (t = 0; t < k->ntrend; t++) {
			jw_object(w, NULL);
			jw_str(w, "name", k->trend[t]->name);
			jw_uint(w, "rows", k->trend_rows[t]);
			jw_uint(w, "stored_bytes", k->trend[t]->size);
			jw_end(w);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

void
health_print(FILE *fp, const char *dir, const struct health *h)
{
	const struct health_kind *k;
	const char *kn;
	char age[64], s[SIZE_IEC_LEN];
	size_t t;
	int kind;

	fprintf(fp, "%s: %s\n", dir, h->code == 0 ? "healthy" : "UNHEALTHY");
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		if ((k = &h->kinds[kind])->count == 0)
			continue;
		kn = backupname_kind_name((enum backupname_kind)kind);
		if (k->newest == NULL) {
			fprintf(fp, "  %-15s %zu backup%s, none restorable here\n",
			    kn, k->count, k->count == 1 ? "" : "s");
			continue;
		}
		health_age(h->now - k->newest->time, age, sizeof(age));
		fprintf(fp, "  %-15s %s\n", kn, k->newest->name);
		fprintf(fp, "  %-15s age %s, %s, %zu backup%s of this kind; %s, "
		    "manifest %s%s\n", "", age, size_iec(k->newest->size, s),
		    k->count, k->count == 1 ? "" : "s", k->code == 0 ?
		    "verified" : "DOES NOT VERIFY", k->manifest, k->healthy ? "" :
		    " (suspicious)");
		if (k->ntrend > 0) {
			fprintf(fp, "  %-15s rows, oldest first:", "");
			for (t = 0; t < k->ntrend; t++)
				fprintf(fp, " %" PRIu64, k->trend_rows[t]);
			putc('\n', fp);
		}
	}
}
