/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* rotation: one run of cr-rotate: the names (a directory's files through
 * backupdir, or a list), the keep policy's decisions (retention), why
 * nothing may be removed, and the words for all of it: everything but the
 * printing and the removing, which the tool does.  Nothing prints. */
#ifndef CR_ROTATION_H
#define CR_ROTATION_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "backup/backupdir.h"
#include "backup/retention.h"

/* Something to say about the names, in the order met: a name rejected, a
 * file skipped, a read that failed. */
struct rotation_note {
	char	*text;
	int	 detail;	/* for -v only, said without the tool's name */
};

struct rotation {
	struct backupdir	 dir;		/* a directory's (dir.path NULL
						 * for a list) */
	struct retention_entry	*entries;	/* in a directory, entries[i] is
						 * dir.entries[i] */
	size_t			 n, cap;
	struct rotation_note	*notes;
	size_t			 nnotes;
	size_t			 rejected;	/* names refused (a list) */
	int			 incomplete;	/* not every name could be read */
	unsigned char		*removed;	/* per entry, by rotation_apply */
	unsigned char		*out;		/* per entry: ROTATION_NAME... */
	int			 copied;	/* entries own their names */
};

/* The regular files directly in path (backupdir_open's BACKUPDIR_FILES),
 * or the names in fp, one per delim-ended line (blank ones name nothing;
 * one that is not a safe file name is rejected).  Returns 0, or -1 with
 * errno (the directory cannot be opened, out of memory).  Free with
 * rotation_free, also after -1. */
int rotation_list_dir(struct rotation *, const char *path);
int rotation_read_names(struct rotation *, FILE *fp, int delim);
void rotation_free(struct rotation *);

/* Decide every name by the policy at now; in a directory, the newest
 * backup of each kind whose manifest says it is healthy stays too.
 * Returns 0, or -1 with errno ENOMEM. */
int rotation_decide(struct rotation *, const struct retention_policy *,
    time_t now);

/* 1 and the words (the newest backup of the kind, the keep window) in buf
 * when a scheduled kind's backups have stopped, else 0. */
int rotation_stale(const struct rotation *, const struct retention_policy *,
    time_t now, char *buf, size_t size);

/* Why nothing may be removed, as an exit status, or 0: backups have
 * stopped (75, unless allow_stale), with deleting names were rejected (65)
 * or not all could be read (74); the words for 65 and 74 in buf. */
int rotation_refusal(const struct rotation *, const struct retention_policy *,
    time_t now, int deleting, int allow_stale, char *buf, size_t size);

/* What the policy removes: named in out (ROTATION_NAME, and
 * ROTATION_MANIFEST for its NAME.json), and with deleting removed from the
 * directory with its manifest, each only if it is still the file listed
 * (dev/ino), then the directory fsync'd.  What failed is added to the
 * notes.  Returns 0, or an exit status: 1 a file changed since it was
 * listed (not removed), 74 a removal or the fsync failed. */
#define ROTATION_NAME		1
#define ROTATION_MANIFEST	2
int rotation_apply(struct rotation *, int deleting);

/* -v's line for entry i: "keep NAME: why", "remove NAME: why", or what a
 * manifest or a kept suspicious backup beside the backups is. */
void rotation_explain(const struct rotation *, const struct retention_policy *,
    size_t i, time_t now, char *buf, size_t size);

/* --json: the whole run as one object on fp (docs/json.md "cr-rotate"):
 * every name's decision and why, what was removed, and the exit status.
 * Returns 0, or -1 on a write error. */
int rotation_json(const struct rotation *, const struct retention_policy *,
    time_t now, int deleting, int stale, int status, FILE *fp);

#endif
