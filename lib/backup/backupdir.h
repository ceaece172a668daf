/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* backupdir: the backups in one directory (regular files with backup
 * names), each with its time (the name's, else the file's mtime), and which
 * one a name like "latest" or "pre_deployment_v1.2.0" means.  Nothing
 * prints. */
#ifndef CR_BACKUPDIR_H
#define CR_BACKUPDIR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "format/backupname.h"

struct backupdir_entry {
	char			*name;
	struct backupname	 bn;	/* pointers into name */
	time_t			 time;	/* the name's, else mtime */
	uint64_t		 size;
};

/* The backups in dir, newest first (by time, then name).  Returns 0 and
 * sets *entries (free with backupdir_free) and *n, or -1 with errno. */
int backupdir_list(const char *dir, struct backupdir_entry **entries,
    size_t *n);
void backupdir_free(struct backupdir_entry *entries, size_t n);

/* The newest restorable backup (.sql.gz or .sql) that query names:
 * "latest" (any), a kind ("daily", "pre_deployment", ...), or a stem
 * without its timestamp ("pre_deployment_v1.2.0").  With dir, a backup whose
 * manifest (NAME.json in dir) says it is not healthy is passed over, and
 * *skipped is set to the newest such match (else -1); only a label, named
 * exactly, falls back to it when nothing healthy matches.  Returns its
 * index, or -1 when none matches. */
long backupdir_resolve(const char *dir, const struct backupdir_entry *entries,
    size_t n, const char *query, long *skipped);

#endif
