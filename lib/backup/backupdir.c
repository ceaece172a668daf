/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* backupdir: listing a backup directory once, for every tool, and what is
 * decided from the listing: names resolved, removals. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "backup/backupdir.h"
#include "format/manifest.h"

static int
newest_first(const void *va, const void *vb)
{
	const struct backupdir_entry *a = va, *b = vb;

	if (a->time != b->time)
		return a->time > b->time ? -1 : 1;
	return -strcmp(a->name, b->name);
}

static int
by_name(const void *va, const void *vb)
{
	const struct backupdir_entry *a = va, *b = vb;

	return strcmp(a->name, b->name);
}

static int
skip(struct backupdir *d, const char *name, const char *why, int error)
{
	struct backupdir_skip *grown;

	if ((grown = reallocarray(d->skipped, d->nskipped + 1,
	    sizeof(*grown))) == NULL)
		return -1;
	d->skipped = grown;
	if ((grown[d->nskipped].name = strdup(name)) == NULL)
		return -1;
	grown[d->nskipped].why = why;
	grown[d->nskipped++].error = error;
	return 0;
}

/* One regular file: its entry, the time "the name's, else the mtime". */
static int
add(struct backupdir *d, size_t *cap, const char *name, const struct stat *st)
{
	struct backupdir_entry *e, *grown;
	char path[PATH_MAX];

	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((grown = reallocarray(d->entries, *cap, sizeof(*grown))) ==
		    NULL)
			return -1;
		d->entries = grown;
	}
	e = &d->entries[d->n];
	memset(e, 0, sizeof(*e));
	if ((e->name = strdup(name)) == NULL)
		return -1;
	if (manifest_path(d->path, name, path, sizeof(path)) == -1 ||
	    (e->manifest = strdup(path)) == NULL) {
		free(e->name);
		return -1;
	}
	e->is_backup = backupname_parse(e->name, &e->bn) == 0;
	e->time = e->is_backup && e->bn.has_time ? e->bn.time : st->st_mtime;
	e->size = (uint64_t)st->st_size;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	d->n++;
	return 0;
}

int
backupdir_open(struct backupdir *d, const char *path,
    enum backupdir_mode mode)
{
	struct backupname bn;
	struct dirent *de;
	struct stat st;
	const char *why;
	size_t cap = 0;
	DIR *dp;
	int fd;

	memset(d, 0, sizeof(*d));
	d->path = path;
	if ((d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((fd = dup(d->fd)) == -1)
		return -1;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dp)) == NULL) {
			d->read_error = errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (mode == BACKUPDIR_BACKUPS &&
		    backupname_parse(de->d_name, &bn) == -1)
			continue;
		/* A file name cannot hold "/"; one with ".." or a control
		 * character is odd but no attack on this directory.  It is
		 * never an entry, so it is never named or removed. */
		if ((why = backupname_check(de->d_name,
		    strlen(de->d_name))) != NULL) {
			if (skip(d, de->d_name, why, 0) == -1)
				goto fail;
			continue;
		}
		if (fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT &&	/* ENOENT: gone meanwhile */
			    skip(d, de->d_name, NULL, errno) == -1)
				goto fail;
			continue;
		}
		/* symlinks, directories and the rest are never entries */
		if (!S_ISREG(st.st_mode)) {
			if (skip(d, de->d_name, NULL, 0) == -1)
				goto fail;
			continue;
		}
		if (add(d, &cap, de->d_name, &st) == -1)
			goto fail;
	}
	closedir(dp);
	/* an order that does not depend on readdir's */
	if (d->n > 1)
		qsort(d->entries, d->n, sizeof(*d->entries),
		    mode == BACKUPDIR_BACKUPS ? newest_first : by_name);
	return 0;
fail:
	closedir(dp);
	return -1;
}

void
backupdir_close(struct backupdir *d)
{
	size_t i;
	int saved = errno;

	backupdir_free(d->entries, d->n);
	for (i = 0; i < d->nskipped; i++)
		free(d->skipped[i].name);
	free(d->skipped);
	if (d->fd >= 0)
		close(d->fd);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	errno = saved;
}

int
backupdir_list(const char *dir, struct backupdir_entry **entries, size_t *n)
{
	struct backupdir d;

	if (backupdir_open(&d, dir, BACKUPDIR_BACKUPS) == -1 ||
	    (d.read_error != 0 && (errno = d.read_error) != 0)) {
		backupdir_close(&d);
		return -1;
	}
	*entries = d.entries;
	*n = d.n;
	d.entries = NULL;
	d.n = 0;
	backupdir_close(&d);
	return 0;
}

void
backupdir_free(struct backupdir_entry *entries, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(entries[i].name);
		free(entries[i].manifest);
	}
	free(entries);
}

int
backupdir_health(const struct backupdir_entry *e)
{
	return e->manifest != NULL ? manifest_health(e->manifest) : -1;
}

long
backupdir_resolve(const struct backupdir_entry *entries, size_t n,
    const char *query, long *skipped)
{
	size_t i;
	long first = -1;
	int label;

	/* "latest" and a kind never mean a suspicious backup; a label does,
	 * when it names nothing else */
	label = strcmp(query, "latest") != 0 &&
	    backupname_kind_lookup(query, strlen(query)) < 0;
	*skipped = -1;
	for (i = 0; i < n; i++) {
		if (!entries[i].is_backup ||
		    (entries[i].bn.format != BACKUPNAME_SQL_GZ &&
		    entries[i].bn.format != BACKUPNAME_SQL))
			continue;
		if (strcmp(query, "latest") != 0 &&
		    !backupname_matches(&entries[i].bn, query))
			continue;
		if (backupdir_health(&entries[i]) == 0) {
			if (first == -1)
				first = (long)i;
			continue;
		}
		*skipped = first;
		return (long)i;
	}
	if (label && first != -1)
		return first;
	*skipped = first;
	return -1;
}

enum backupdir_companion
backupdir_companion(const char *name, char *stem, size_t size)
{
	struct backupname bn;
	size_t len;

	/* what cr-backup --force kept beside a backup, or its manifest */
	if ((len = backupname_suspect_stem(name)) > 0 && len < size) {
		memcpy(stem, name, len);
		stem[len] = '\0';
		return manifest_stem(name) > 0 ? BACKUPDIR_SUSPECT_MANIFEST :
		    BACKUPDIR_SUSPECT;
	}
	if ((len = manifest_stem(name)) > 0 && len < size) {
		memcpy(stem, name, len);
		stem[len] = '\0';
		if (backupname_parse(stem, &bn) == 0)
			return BACKUPDIR_MANIFEST;
	}
	return BACKUPDIR_OTHER;
}

int
backupdir_has_manifest(const struct backupdir *d,
    const struct backupdir_entry *e)
{
	char name[NAME_MAX + 1];
	struct stat st;

	return manifest_path(NULL, e->name, name, sizeof(name)) == 0 &&
	    fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode);
}

enum backupdir_removal
backupdir_remove(const struct backupdir *d, const struct backupdir_entry *e,
    int manifest)
{
	char name[NAME_MAX + 1];
	struct stat st;

	if (fstatat(d->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return BACKUPDIR_STAT_FAILED;
	if (!S_ISREG(st.st_mode) || st.st_ino != e->ino || st.st_dev != e->dev)
		return BACKUPDIR_CHANGED;
	if (unlinkat(d->fd, e->name, 0) == -1)
		return BACKUPDIR_UNLINK_FAILED;
	/* the manifest follows its backup, never the other way round */
	if (manifest && (manifest_path(NULL, e->name, name, sizeof(name)) == -1 ||
	    (unlinkat(d->fd, name, 0) == -1 && errno != ENOENT)))
		return BACKUPDIR_MANIFEST_FAILED;
	return BACKUPDIR_REMOVED;
}
