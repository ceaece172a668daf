/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* backupdir: listing a backup directory and resolving names in it. */
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

int
backupdir_list(const char *dir, struct backupdir_entry **entries, size_t *n)
{
	struct backupdir_entry *list = NULL, *grown, *e;
	struct dirent *d;
	struct stat st;
	size_t cap = 0, count = 0, i;
	DIR *dp;
	int fd, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((dp = fdopendir(fd)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((d = readdir(dp)) == NULL)
			break;
		if (strncmp(d->d_name, BACKUPNAME_PREFIX,
		    sizeof(BACKUPNAME_PREFIX) - 1) != 0)
			continue;
		if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = reallocarray(list, cap, sizeof(*list))) ==
			    NULL)
				goto fail;
			list = grown;
		}
		e = &list[count];
		if ((e->name = strdup(d->d_name)) == NULL)
			goto fail;
		if (backupname_parse(e->name, &e->bn) == -1) {
			free(e->name);
			continue;
		}
		e->time = e->bn.has_time ? e->bn.time : st.st_mtime;
		e->size = (uint64_t)st.st_size;
		count++;
	}
	if (errno != 0)
		goto fail;
	closedir(dp);
	if (count > 1)
		qsort(list, count, sizeof(*list), newest_first);
	*entries = list;
	*n = count;
	return 0;
fail:
	saved = errno;
	closedir(dp);
	for (i = 0; i < count; i++)
		free(list[i].name);
	free(list);
	errno = saved;
	return -1;
}

void
backupdir_free(struct backupdir_entry *entries, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(entries[i].name);
	free(entries);
}

long
backupdir_resolve(const char *dir, const struct backupdir_entry *entries,
    size_t n, const char *query, long *skipped)
{
	char path[PATH_MAX];
	size_t i;
	long first = -1;
	int label;

	/* "latest" and a kind never mean a suspicious backup; a label does,
	 * when it names nothing else */
	label = strcmp(query, "latest") != 0 &&
	    backupname_kind_lookup(query, strlen(query)) < 0;
	*skipped = -1;
	for (i = 0; i < n; i++) {
		if (entries[i].bn.format != BACKUPNAME_SQL_GZ &&
		    entries[i].bn.format != BACKUPNAME_SQL)
			continue;
		if (strcmp(query, "latest") != 0 &&
		    !backupname_matches(&entries[i].bn, query))
			continue;
		if (dir != NULL && snprintf(path, sizeof(path), "%s/%s%s", dir,
		    entries[i].name, MANIFEST_SUFFIX) < (int)sizeof(path) &&
		    manifest_health(path) == 0) {
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
