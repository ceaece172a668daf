/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* rotation: cr-rotate's run, from the names to the decisions and their
 * words. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "backup/rotation.h"
#include "base/json.h"
#include "base/utc.h"

static int
note(struct rotation *r, int detail, const char *fmt, ...)
{
	struct rotation_note *grown;
	va_list ap;
	int rc;

	if ((grown = reallocarray(r->notes, r->nnotes + 1, sizeof(*grown))) ==
	    NULL)
		return -1;
	r->notes = grown;
	va_start(ap, fmt);
	rc = vasprintf(&grown[r->nnotes].text, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	grown[r->nnotes++].detail = detail;
	return 0;
}

static int
add(struct rotation *r, const char *name)
{
	struct retention_entry *grown;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		if ((grown = reallocarray(r->entries, r->cap,
		    sizeof(*grown))) == NULL)
			return -1;
		r->entries = grown;
	}
	retention_entry_init(&r->entries[r->n], name, r->n);
	r->n++;
	return 0;
}

int
rotation_list_dir(struct rotation *r, const char *path)
{
	const struct backupdir_skip *s;
	char buf[4 * 80 + 1];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (backupdir_open(&r->dir, path, BACKUPDIR_FILES) == -1)
		return -1;
	for (i = 0; i < r->dir.nskipped; i++) {
		s = &r->dir.skipped[i];
		r->incomplete |= s->error != 0;
		/* one stray file must not stop rotation forever: said, and
		 * never removed */
		if ((s->error != 0 ? note(r, 0, "%s/%s: %s", path, s->name,
		    strerror(s->error)) : s->why == NULL ? note(r, 1,
		    "skip %s: not a regular file", s->name) : note(r, 0,
		    "%s: skipped \"%s\": %s; never removed", path,
		    backupname_shown(s->name, strlen(s->name), buf,
		    sizeof(buf)),
		    s->why)) == -1)
			return -1;
	}
	if (r->dir.read_error != 0 && (r->incomplete = 1) &&
	    note(r, 0, "%s: %s", path, strerror(r->dir.read_error)) == -1)
		return -1;
	for (i = 0; i < r->dir.n; i++) {
		if (add(r, r->dir.entries[i].name) == -1)
			return -1;
		/* no timestamp in the name: the age is the file's */
		if (r->entries[i].is_backup && !r->entries[i].has_time) {
			r->entries[i].has_time = 1;
			r->entries[i].time = r->dir.entries[i].time;
		}
	}
	return 0;
}

int
rotation_read_names(struct rotation *r, FILE *fp, int delim)
{
	char *line = NULL, *copy, buf[4 * 80 + 1];
	size_t size = 0, number = 0, len;
	const char *why;
	ssize_t got;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->dir.fd = -1;
	r->copied = 1;
	while (rc == 0 && (got = getdelim(&line, &size, delim, fp)) != -1) {
		number++;
		len = (size_t)got - (line[got - 1] == delim);
		if (len == 0)
			continue;	/* blank lines name nothing */
		if ((why = backupname_check(line, len)) != NULL) {
			r->rejected++;
			rc = note(r, 0, "%s %zu: rejected \"%s\": %s", delim ?
			    "line" : "name", number, backupname_shown(line, len, buf,
			    sizeof(buf)), why);
		} else if ((copy = strndup(line, len)) == NULL ||
		    add(r, copy) == -1) {
			free(copy);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(fp)) {
		r->incomplete = 1;
		rc = note(r, 0, "stdin: %s", strerror(errno));
	}
	free(line);
	return rc;
}

void
rotation_free(struct rotation *r)
{
	size_t i;

	for (i = 0; r->copied && i < r->n; i++)
		free((char *)r->entries[i].name);
	free(r->entries);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i].text);
	free(r->notes);
	free(r->removed);
	free(r->out);
	backupdir_close(&r->dir);
	memset(r, 0, sizeof(*r));
}

static int
healthy(const struct retention_entry *e, void *arg)
{
	return backupdir_health(&((struct rotation *)arg)->dir.entries[e->seq])
	    == 1;
}

int
rotation_decide(struct rotation *r, const struct retention_policy *policy,
    time_t now)
{
	if (r->n > 0 && ((r->removed = calloc(r->n, 1)) == NULL ||
	    (r->out = calloc(r->n, 1)) == NULL))
		return -1;
	if (retention_decide(policy, r->entries, r->n, now) != 0)
		return -1;
	/* the manifests beside the files say which are healthy: the newest
	 * healthy backup of each kind stays, whatever the policy */
	if (r->dir.path != NULL &&
	    retention_keep_healthy(r->entries, r->n, healthy, r) != 0)
		return -1;
	return 0;
}

int
rotation_stale(const struct rotation *r, const struct retention_policy *policy,
    time_t now, char *buf, size_t size)
{
	struct retention_stale st;
	char newest[UTC_LEN], cutoff[UTC_LEN];

	if (!retention_check_stale(policy, r->entries, r->n, now, &st))
		return 0;
	utc_iso(st.newest, newest);
	utc_iso(st.cutoff, cutoff);
	snprintf(buf, size, "backups have stopped: the newest %s backup is "
	    "from %s, %lld days ago, before the keep window (since %s); "
	    "refusing to remove anything", backupname_kind_name(st.kind),
	    newest, (long long)((now - st.newest) / 86400), cutoff);
	return 1;
}

int
rotation_refusal(const struct rotation *r,
    const struct retention_policy *policy, time_t now, int deleting,
    int allow_stale, char *buf, size_t size)
{
	struct retention_stale st;

	buf[0] = '\0';
	if (!allow_stale &&
	    retention_check_stale(policy, r->entries, r->n, now, &st))
		return 75;	/* EX_TEMPFAIL */
	if (r->rejected > 0 && deleting) {
		snprintf(buf, size, "%zu name%s rejected; nothing removed",
		    r->rejected, r->rejected == 1 ? "" : "s");
		return 65;	/* EX_DATAERR */
	}
	if (r->incomplete && deleting) {
		snprintf(buf, size, "%s could not be listed in full; nothing "
		    "removed", r->dir.path != NULL ? r->dir.path : "stdin");
		return 74;	/* EX_IOERR */
	}
	return 0;
}

int
rotation_apply(struct rotation *r, int deleting)
{
	const struct backupdir_entry *e;
	enum backupdir_removal rc;
	size_t i, removed = 0;
	int status = 0, manifest;

	for (i = 0; i < r->n; i++) {
		if (!retention_removes(&r->entries[i]))
			continue;
		if (r->dir.path == NULL) {	/* a list: only named */
			r->out[i] = ROTATION_NAME;
			continue;
		}
		e = &r->dir.entries[i];
		manifest = backupdir_has_manifest(&r->dir, e);
		rc = deleting ? backupdir_remove(&r->dir, e, manifest) :
		    BACKUPDIR_REMOVED;
		switch (rc) {
		case BACKUPDIR_CHANGED:
			status = status == 74 ? status : 1;
			if (note(r, 0, "%s/%s: changed since it was listed; "
			    "not removed", r->dir.path, e->name) == -1)
				return 71;	/* EX_OSERR */
			continue;
		case BACKUPDIR_STAT_FAILED:
		case BACKUPDIR_UNLINK_FAILED:
			status = 74;	/* EX_IOERR */
			if (note(r, 0, "%s%s/%s: %s", rc ==
			    BACKUPDIR_UNLINK_FAILED ? "unlink " : "", r->dir.path,
			    e->name, strerror(errno)) == -1)
				return 71;
			continue;
		case BACKUPDIR_MANIFEST_FAILED:
			status = 74;
			manifest = 0;
			if (note(r, 0, "unlink %s: %s", e->manifest,
			    strerror(errno)) == -1)
				return 71;
			/* FALLTHROUGH: the backup itself went */
		case BACKUPDIR_REMOVED:
			break;
		}
		r->removed[i] = (unsigned char)deleting;
		removed += (size_t)deleting;
		r->out[i] = ROTATION_NAME | (manifest ? ROTATION_MANIFEST : 0);
	}
	if (removed > 0 && fsync(r->dir.fd) == -1 && (status = 74) &&
	    note(r, 0, "fsync %s: %s", r->dir.path, strerror(errno)) == -1)
		return 71;
	return status;
}

void
rotation_explain(const struct rotation *r,
    const struct retention_policy *policy, size_t i, time_t now, char *buf,
    size_t size)
{
	const struct retention_entry *e = &r->entries[i];
	char why[512], stem[NAME_MAX + 1];
	enum backupdir_companion is;

	is = e->is_backup ? BACKUPDIR_OTHER :
	    backupdir_companion(e->name, stem, sizeof(stem));
	if (is == BACKUPDIR_SUSPECT || is == BACKUPDIR_SUSPECT_MANIFEST)
		snprintf(buf, size, "keep %s: %s suspicious backup that "
		    "cr-backup kept beside %s; never removed by rotation: "
		    "inspect it, then remove it by hand", e->name,
		    is == BACKUPDIR_SUSPECT_MANIFEST ? "the manifest of a" : "a",
		    stem);
	else if (is == BACKUPDIR_MANIFEST)
		snprintf(buf, size, "manifest %s: kept or removed with %s",
		    e->name, stem);
	else {
		retention_reason_format(policy, e, now, why, sizeof(why));
		snprintf(buf, size, "%s %s: %s", retention_removes(e) ?
		    "remove" : "keep", e->name, why);
	}
}

int
rotation_json(const struct rotation *r, const struct retention_policy *policy,
    time_t now, int deleting, int stale, int status, FILE *fp)
{
	char why[512], when[UTC_LEN];
	struct jw w;
	size_t i;

	utc_iso(now, when);
	jw_begin(&w, fp);
	jw_str(&w, "dir", r->dir.path);
	jw_str(&w, "now", when);
	jw_int(&w, "exit", status);
	jw_bool(&w, "stale", stale);
	jw_bool(&w, "delete", deleting);
	jw_array(&w, "decisions");
	for (i = 0; i < r->n; i++) {
		retention_reason_format(policy, &r->entries[i], now, why,
		    sizeof(why));
		jw_object(&w, NULL);
		jw_str(&w, "name", r->entries[i].name);
		jw_bool(&w, "backup", r->entries[i].is_backup);
		jw_str(&w, "action", retention_removes(&r->entries[i]) ?
		    "remove" : "keep");
		jw_bool(&w, "removed", r->removed != NULL && r->removed[i]);
		jw_str(&w, "why", why);
		jw_end(&w);
	}
	jw_end(&w);
	return jw_finish(&w);
}
