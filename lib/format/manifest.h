/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* manifest: the NAME.json file beside each backup, its one home: the
 * schema (struct manifest, which is also what cr-verify --json prints of a
 * file), writing it, reading it back for comparisons, shrink alarms and
 * health checks, and its path.  Nothing prints. */
#ifndef CR_MANIFEST_H
#define CR_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MANIFEST_SUFFIX		".json"
#define MANIFEST_MAX_BYTES	(256 << 20)	/* 200000 tables fit */

struct jw;

struct manifest_table {
	char		*name;
	uint64_t	 rows;
	uint64_t	 bytes;		/* of its COPY data */
	int		 has_bytes;
};

/* What cr-verify finds in a backup: the object cr-verify --json prints for
 * it, and, with is_manifest, the manifest (NAME.json) cr-verify --manifest
 * writes beside it.  docs/json.md and $defs/verify in docs/json.schema.json
 * say what each member means; a member added here is added to
 * manifest_put and, when cr reads it back, to manifest_read.  Strings are
 * owned (manifest_free); NULL is written as null.  manifest_read fills the
 * members marked "read": the rest are written for people and programs
 * other than cr. */
struct manifest {
	char			*file;		/* the input as named; a manifest: the backup's name */
	int			 ok;
	/* !ok: what failed and where */
	int			 exit;		/* sysexits code */
	char			*error;
	int			 has_offset;
	uint64_t		 offset;	/* in the uncompressed stream */
	char			**damage;	/* what each gap of a damaged gzip file takes */
	size_t			 ndamage;
	int			 scanned;	/* 0: the input could not be opened */
	/* a manifest's own members */
	int			 is_manifest;
	char			*name;		/* the backup's name */
	int			 healthy;	/* read; no alarms */
	char			**alarms;
	size_t			 nalarms;
	char			*baseline;	/* the manifest compared with */
	char			*sha256;	/* read; of the stored file */
	uint64_t		 file_bytes;	/* read; the file's size */
	long			 duration;	/* seconds, -1: not known */
	/* the dump */
	int			 gzip;
	unsigned		 gzip_members;
	uint64_t		 stored_bytes;	/* read; as stored: the gzip bytes */
	uint64_t		 bytes;		/* read; uncompressed */
	int			 cr_dump;	/* made by cr-dump */
	char			*cr_version;
	int			 trailer;
	uint32_t		 trailer_crc32;
	char			*database, *user, *dump_time, *server_version,
				*pg_dump_version, *options, *contents,
				*selection;
	int			 schema_only;	/* -1: not known */
	char			*schema_sha256;	/* read; of the statements, no data */
	int			 complete;
	uint64_t		 tables_with_data;
	uint64_t		 rows;		/* read */
	size_t			 ntables;	/* read; listed, at most tables_with_data */
	struct manifest_table	*tables;	/* read; in dump order as written */
	char			*note;
};

/* The members of m after jw_begin, as cr-verify --json prints them and a
 * manifest holds them. */
void manifest_put(struct jw *, const struct manifest *m);

/* Write m to path as a manifest, atomically (io_write_atomic).  Returns 0,
 * or -1 with a reason in err. */
int manifest_write(const char *path, const struct manifest *m, char *err,
    size_t errlen);

/* The manifest of backup name: "dir/NAME.json" into buf, or "NAME.json"
 * when dir is NULL (for a path relative to a directory descriptor, or when
 * name is a backup's whole path).  Returns 0, or -1 with errno ENAMETOOLONG
 * when it does not fit in len. */
int manifest_path(const char *dir, const char *name, char *buf, size_t len);

/* Whether the file name (no directory) is a manifest's, "NAME.json" with a
 * NAME: returns NAME's length (the backup's name is its first that many
 * bytes), or 0. */
size_t manifest_stem(const char *filename);

/* Read a manifest (a JSON object; unknown keys are skipped) into the
 * members marked "read"; is_manifest is set, healthy is 1 unless it says
 * false.  Returns 0, or -1 with a one-line reason in err. */
int manifest_read(const char *path, struct manifest *, char *err,
    size_t errlen);
void manifest_free(struct manifest *);

/* Make m, what cr-verify found in a backup, that backup's manifest: it
 * records the backup's name (never the temporary file cr-backup verifies
 * before renaming it) and how long the backup took (seconds, -1 not
 * known).  Returns 0, or -1 when out of memory. */
int manifest_of_backup(struct manifest *m, const char *name, long duration);

/* Append a copy of text to m's alarms and clear healthy.  Returns 0, or -1
 * when out of memory. */
int manifest_alarm(struct manifest *m, const char *text);

/* What the manifest at path says of its backup: 1 healthy, 0 not healthy
 * ("healthy": false), -1 missing or unreadable (no verdict). */
int manifest_health(const char *path);

/* One table in a comparison: in either list or both. */
struct manifest_delta {
	const char	*name;
	int		 in_old, in_new;
	uint64_t	 old_rows, new_rows;
	int		 has_bytes;	/* both sides have them */
	uint64_t	 old_bytes, new_bytes;
};

/* Call fn for every table of old and new, in name order (whatever order
 * their lists are in).  Returns 0, or -1 when out of memory. */
int manifest_compare(const struct manifest *old, const struct manifest *new,
    void (*fn)(const struct manifest_delta *, void *), void *arg);

#endif
