/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* migrate: the migration files of a directory (NNN_name.sql), their
 * numbers, SHA-256 checksums, formats (plain, dbmate, goose: which lines
 * are the up section) and no-transaction markers, the files of the
 * directory that are not run, and the plan that compares the migrations
 * with what a database records as applied.  Nothing prints. */
#ifndef CR_MIGRATE_H
#define CR_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

#define MIGRATE_SHA256_HEX	SHA256_HEX_BYTES	/* as sha256sum(1) prints */

/* The comment line that makes a file run outside a transaction; it must be
 * among the comment lines at the top of the file. */
#define MIGRATE_NO_TRANSACTION	"-- cr:no-transaction"

/* How a file marks what runs.  Plain: all of it.  dbmate: the lines after
 * each "-- migrate:up" line up to the next "-- migrate:down" or
 * "-- migrate:up" line.  goose: the lines after "-- +goose Up" up to
 * "-- +goose Down"; sql-migrate likewise.  The markers are read as those tools read them: whole
 * lines, wherever they are. */
enum migrate_format {
	MIGRATE_PLAIN = 0,
	MIGRATE_DBMATE,
	MIGRATE_GOOSE,
	MIGRATE_SQL_MIGRATE	/* rubenv/sql-migrate: "-- +migrate Up" to
				 * "-- +migrate Down" or the next Up */
};

/* Lines first..last (1-based, inclusive; last ULONG_MAX: to the end). */
struct migrate_span {
	unsigned long	first, last;
};

enum migrate_status {
	MIGRATE_OK = 0,
	MIGRATE_ENOINPUT,	/* directory or file cannot be opened (EX_NOINPUT) */
	MIGRATE_EDATA,		/* bad or duplicate file name (EX_DATAERR) */
	MIGRATE_EIO,		/* read error (EX_IOERR) */
	MIGRATE_ENOMEM
};

struct migration {
	int64_t	 version;
	char	*number;	/* the digits as written: "023" */
	char	*name;		/* file name without .sql: "023_add_feature_x" */
	char	*path;		/* directory and file name */
	char	 checksum[MIGRATE_SHA256_HEX];	/* of the whole file, as
						 * sha256sum(1) prints it */
	int	 no_transaction;
	enum migrate_format	 format;
	struct migrate_span	*up;	/* dbmate, goose: the lines that run */
	size_t			 nup;
};

/* A file of the directory that cr-migrate does not run. */
enum migrate_skip {
	MIGRATE_SKIP_DOWN,	/* NNN_name.down.sql: golang-migrate's down half */
	MIGRATE_SKIP_NOT_SQL	/* 005_add_x.ts, a numbered directory, code */
};

struct migrate_skipped {
	char			*path;
	enum migrate_skip	 why;
};

struct migrate_set {
	struct migration	*v;	/* sorted by version */
	size_t			 n;
	struct migrate_skipped	*skipped;	/* sorted by path */
	size_t			 nskipped;
};

/* Read every *.sql file of dir (dot files are ignored), parse its name,
 * checksum it and find its up section.  Unparsable *.sql names, duplicate
 * numbers and dbmate or goose markers that cannot be read safely (a down
 * section before any up, statements before the up section, an unknown
 * goose annotation) fail with MIGRATE_EDATA and a reason naming the file
 * and line.  *.down.sql files, and files that look like migrations in
 * another language (a number first, or a program's extension: .ts, .js,
 * .go, ...), are listed in skipped, never run. */
enum migrate_status migrate_scan(const char *dir, struct migrate_set *,
    char *err, size_t errlen);
void migrate_set_free(struct migrate_set *);

/* The migration numbered version, or NULL. */
const struct migration *migrate_find(const struct migrate_set *, int64_t version);

/* Parse "023_add_feature_x" or "023_add_feature_x.sql" (len bytes): the
 * number, and the length of the name without ".sql".  Returns 0, or -1 when
 * the name is not NNN_name. */
int migrate_parse_name(const char *s, size_t len, int64_t *version, size_t *stemlen);

/* What the database records for one version. */
struct migrate_applied {
	int64_t	 version;
	char	*name;
	char	*checksum;	/* NULL when unknown (adopted without a file) */
	char	*applied_at;
	char	*method;	/* "up", "no-transaction", "baseline", "adopted", or
				 * "json-list" (only in the app's list) */
};

enum migrate_state {
	MIGRATE_APPLIED,
	MIGRATE_PENDING,
	MIGRATE_DRIFTED,	/* applied, but the file changed since */
	MIGRATE_MISSING		/* applied with a checksum, but no file */
};

struct migrate_plan_entry {
	enum migrate_state		 state;
	int64_t				 version;
	const struct migration		*file;		/* NULL when MISSING */
	const struct migrate_applied	*applied;	/* NULL when PENDING */
};

struct migrate_plan {
	struct migrate_plan_entry	*v;	/* sorted by version */
	size_t				 n;
	size_t				 pending, drifted, missing;
	int64_t				 newest_applied;	/* -1 when none */
};

/* Compare files and applied rows (any order; duplicates by version keep
 * the first).  An applied row with neither file nor checksum (adopted from
 * an app's list of migrations it ran in another form) counts as APPLIED.
 * Returns 0, or -1 when out of memory. */
int migrate_plan_make(const struct migrate_set *, const struct migrate_applied *,
    size_t napplied, struct migrate_plan *);
void migrate_plan_free(struct migrate_plan *);

const char *migrate_state_name(enum migrate_state);

#endif
