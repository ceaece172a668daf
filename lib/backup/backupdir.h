/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* backupdir: the one lister of a backup directory.  Its regular files, each
 * with its name, its time (the name's, else the file's mtime: said here
 * only), size, identity (dev/ino, to re-check before acting on it) and
 * manifest path; which one a name like "latest" or "pre_deployment_v1.2.0"
 * means; removing a listed backup with its manifest.  Nothing prints: what
 * was passed over is returned to say. */
#ifndef CR_BACKUPDIR_H
#define CR_BACKUPDIR_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "format/backupname.h"

struct backupdir_entry {
	char			*name;
	int			 is_backup;	/* the name parses as a backup's */
	struct backupname	 bn;		/* is_backup: pointers into name */
	time_t			 time;		/* the name's, else mtime */
	uint64_t		 size;
	dev_t			 dev;		/* the file listed: compare these, */
	ino_t			 ino;		/* not names, before acting on it */
	char			*manifest;	/* DIR/NAME.json (manifest_path) */
};

/* A name the listing passed over: unsafe as a file name (why, from
 * backupname_check), its fstatat failed (error, its errno), or neither: not
 * a regular file (a symlink, a directory, ...). */
struct backupdir_skip {
	char		*name;
	const char	*why;
	int		 error;
};

struct backupdir {
	const char		*path;		/* the caller's */
	int			 fd;		/* the directory, for *at calls */
	struct backupdir_entry	*entries;
	size_t			 n;
	struct backupdir_skip	*skipped;
	size_t			 nskipped;
	int			 read_error;	/* errno when readdir stopped short */
};

/* Which files backupdir_open lists, and in what order. */
enum backupdir_mode {
	BACKUPDIR_BACKUPS,	/* backup names only, newest first (time, name) */
	BACKUPDIR_FILES		/* every regular file with a safe name, by name */
};

/* List path.  Returns 0 (check read_error and skipped), or -1 with errno
 * when the directory cannot be opened or memory runs out.  Close with
 * backupdir_close, also after -1. */
int backupdir_open(struct backupdir *, const char *path, enum backupdir_mode);
void backupdir_close(struct backupdir *);

/* The backups in dir, newest first: backupdir_open's entries on their own.
 * Returns 0 and sets *entries (free with backupdir_free) and *n, or -1 with
 * errno. */
int backupdir_list(const char *dir, struct backupdir_entry **entries,
    size_t *n);
void backupdir_free(struct backupdir_entry *entries, size_t n);

/* What the listed entry's manifest says: 1 healthy, 0 not healthy, -1 none
 * or unreadable (manifest_health). */
int backupdir_health(const struct backupdir_entry *);

/* The newest restorable backup (.sql.gz or .sql) among entries (newest
 * first) that query names: "latest" (any), a kind ("daily",
 * "pre_deployment", ...), or a stem without its timestamp
 * ("pre_deployment_v1.2.0").  A backup whose manifest says it is not healthy
 * is passed over, and *skipped is set to the newest such match (else -1);
 * only a label, named exactly, falls back to it when nothing healthy
 * matches.  Returns its index, or -1 when none matches. */
long backupdir_resolve(const struct backupdir_entry *entries, size_t n,
    const char *query, long *skipped);

/* What a file beside the backups is, when it is not one: a manifest
 * (NAME.json of a backup NAME), a suspicious backup cr-backup --force kept
 * (NAME.suspect-TIME), or its manifest.  The backup's NAME goes into stem. */
enum backupdir_companion {
	BACKUPDIR_OTHER,
	BACKUPDIR_MANIFEST,
	BACKUPDIR_SUSPECT,
	BACKUPDIR_SUSPECT_MANIFEST
};
enum backupdir_companion backupdir_companion(const char *name, char *stem,
    size_t size);

/* Remove a listed entry, if it is still the regular file that was listed
 * (same dev/ino), then, with manifest, its manifest (one gone already is no
 * failure).  errno says why for the failures. */
enum backupdir_removal {
	BACKUPDIR_REMOVED,
	BACKUPDIR_CHANGED,		/* not the file listed: nothing removed */
	BACKUPDIR_STAT_FAILED,		/* nothing removed */
	BACKUPDIR_UNLINK_FAILED,	/* nothing removed */
	BACKUPDIR_MANIFEST_FAILED	/* the backup went, its manifest stayed */
};
enum backupdir_removal backupdir_remove(const struct backupdir *,
    const struct backupdir_entry *, int manifest);

/* Whether the listed entry has a manifest: a regular file NAME.json. */
int backupdir_has_manifest(const struct backupdir *,
    const struct backupdir_entry *);

#endif
