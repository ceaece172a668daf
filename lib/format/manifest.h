/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* manifest: the NAME.json file beside each backup (what cr-verify --json
 * says of it, plus its SHA-256 and health), read back for comparisons,
 * shrink alarms and health checks; and the atomic write of such a file.
 * Nothing prints. */
#ifndef CR_MANIFEST_H
#define CR_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MANIFEST_SUFFIX		".json"
#define MANIFEST_MAX_BYTES	(256 << 20)	/* 200000 tables fit */

struct manifest_table {
	char		*name;
	uint64_t	 rows;
	uint64_t	 bytes;		/* of its COPY data */
	int		 has_bytes;
};

/* The fields cr reads back; absent strings are NULL, absent numbers 0. */
struct manifest {
	char			*file;		/* the backup's name */
	char			*sha256;	/* of the stored file */
	char			*schema_sha256;	/* of the statements, no data */
	char			*selection;
	char			*dump_time;
	uint64_t		 stored_bytes;	/* as stored: the gzip bytes */
	uint64_t		 file_bytes;	/* the file's size */
	uint64_t		 bytes;		/* uncompressed */
	uint64_t		 rows;
	int			 healthy;	/* no "healthy": false */
	size_t			 ntables;
	struct manifest_table	*tables;	/* sorted by name */
};

/* The manifest of backup name: "dir/NAME.json" into buf, or "NAME.json"
 * when dir is NULL (for a path relative to a directory descriptor, or when
 * name is a backup's whole path).  Returns 0, or -1 with errno ENAMETOOLONG
 * when it does not fit in len. */
int manifest_path(const char *dir, const char *name, char *buf, size_t len);

/* Whether the file name (no directory) is a manifest's, "NAME.json" with a
 * NAME: returns NAME's length (the backup's name is its first that many
 * bytes), or 0. */
size_t manifest_stem(const char *filename);

/* Read a manifest (a JSON object; unknown keys are skipped).  Returns 0, or
 * -1 with a one-line reason in err. */
int manifest_load(const char *path, struct manifest *, char *err,
    size_t errlen);
void manifest_free(struct manifest *);

/* What the manifest at path says of its backup: 1 healthy, 0 not healthy
 * ("healthy": false), -1 missing or unreadable (no verdict). */
int manifest_health(const char *path);

/* Write path atomically: fill writes the content to a 0600 temp file in the
 * same directory, which is flushed, fsync'd and renamed over path, and the
 * directory fsync'd.  fill returns 0 or -1 (errno set).  Returns 0, or -1
 * with a reason in err (no temp file is left). */
int manifest_write(const char *path, int (*fill)(FILE *, void *), void *arg,
    char *err, size_t errlen);

/* One table in a comparison: in either list or both. */
struct manifest_delta {
	const char	*name;
	int		 in_old, in_new;
	uint64_t	 old_rows, new_rows;
	int		 has_bytes;	/* both sides have them */
	uint64_t	 old_bytes, new_bytes;
};

/* Call fn for every table of old and new, in name order. */
void manifest_compare(const struct manifest *old, const struct manifest *new,
    void (*fn)(const struct manifest_delta *, void *), void *arg);

/* Whether a count fell by more than pct percent (pct 0: never). */
int manifest_shrunk(uint64_t old, uint64_t new, int pct);

/* The newest healthy manifest in dir of a backup of the same kind and
 * format as backup_name (by the time in its name, else the manifest's
 * mtime), other than backup_name's own.  Returns 1 and its path in out, 0
 * when there is none, -1 with err set. */
int manifest_find_baseline(const char *dir, const char *backup_name,
    char *out, size_t outlen, char *err, size_t errlen);

#endif
