/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* backupname: backup file names, db_backup_<stem><suffix>: made from a
 * label and a UTC time (the one place cr-backup's names and label rules come
 * from), and parsed back into kind, label and time.  Nothing prints. */
#ifndef CR_BACKUPNAME_H
#define CR_BACKUPNAME_H

#include <stddef.h>
#include <time.h>

#define BACKUPNAME_PREFIX	"db_backup_"
/* cr-backup --force keeps a suspicious new backup beside the one it would
 * have replaced as <name>.suspect-YYYYMMDD_HHMMSS: never a backup name, so
 * never resolved, a baseline, or removed by rotation. */
#define BACKUPNAME_SUSPECT	".suspect-"

/* What a backup is for, which decides its default retention: one line per
 * kind, the one place a kind is added (docs/design.md, "Walkthroughs").
 * X(NAME, word, default keep rules, cadence): the word that begins its
 * stem; the rules as cr-rotate's --keep KIND=SPEC reads them (lib/backup/
 * retention parses them); the days between two scheduled backups of the
 * kind, 0 for one made on demand (retention calls a scheduled kind stale
 * when its newest backup is older than its keep window).  The stems after
 * db_backup_ (time: YYYYMMDD_HHMMSS):
 *	daily		<time>
 *	pre_deployment	pre_deployment[_<label>][_<time>]
 *	weekly_archive	weekly_archive[_<label>][_<time>]
 *	pre_migration	pre_migration_<NNN>[_<time>]
 *	named		<label>[_<time>], any other label
 * Daily is first (the stem that is only a time) and named last (any other
 * label); a new kind goes between them.  The daily rules: find -mtime +7
 * meant a week of dailies, counted back from the newest daily so that
 * stopped backups never age out, and at least the newest 7 whatever their
 * dates. */
#define BACKUPNAME_KINDS(X)						\
	X(DAILY,		"daily",	  "last:7,recent:7d",	1) \
	X(PRE_DEPLOYMENT,	"pre_deployment", "within:30d",		0) \
	X(WEEKLY_ARCHIVE,	"weekly_archive", "within:90d",		7) \
	X(PRE_MIGRATION,	"pre_migration",  "forever",		0) \
	X(NAMED,		"named",	  "forever",		0)

enum backupname_kind {
#define BACKUPNAME_ENUM(name, word, rules, cadence)	BACKUPNAME_##name,
	BACKUPNAME_KINDS(BACKUPNAME_ENUM)
#undef BACKUPNAME_ENUM
	BACKUPNAME_NKINDS
};

/* A kind's default keep rules (a --keep SPEC) and its cadence in days (0:
 * not scheduled), from BACKUPNAME_KINDS. */
const char *backupname_kind_rules(enum backupname_kind kind);
int backupname_kind_cadence(enum backupname_kind kind);

/* How the dump is stored: the suffix after the stem. */
enum backupname_format {
	BACKUPNAME_SQL_GZ,		/* .sql.gz */
	BACKUPNAME_SQL,			/* .sql */
	BACKUPNAME_SQL_GZ_AGE,		/* .sql.gz.age */
	BACKUPNAME_SQL_GZ_GPG,		/* .sql.gz.gpg */
	BACKUPNAME_NFORMATS
};

struct backupname {
	enum backupname_kind	 kind;
	enum backupname_format	 format;
	const char		*label;		/* in the name, unterminated */
	size_t			 label_len;	/* 0 for daily backups */
	const char		*stem;		/* after the prefix, unterminated */
	size_t			 stem_len;	/* without the timestamp: 0 for
						 * daily backups */
	int			 has_time;	/* the name has a timestamp */
	time_t			 time;		/* read as UTC */
};

/* Is name (len bytes, may hold NULs) safe to handle as a file name inside one
 * directory?  Returns NULL if so, else why not: empty, too long, "/", "..",
 * control characters. */
const char *backupname_check(const char *name, size_t len);

/* Parse a NUL-terminated file name.  Returns 0 and fills *bn when the name
 * follows the backup naming pattern, -1 when it does not.  A trailing
 * _YYYYMMDD_HHMMSS (or, after a label, _YYYYMMDD) must be a real UTC date
 * and time to count as a timestamp. */
int backupname_parse(const char *name, struct backupname *bn);

/* Make the name of a backup into buf (size bytes).  label: NULL for a daily
 * backup (when required), else the stem the operator chose, e.g. "v1.2",
 * "pre_deployment_v1.2.0", "pre_migration_042": a letter, then letters,
 * digits, '.', '_' or '-', so it never passes for a timestamp.  when: NULL
 * for no timestamp, else appended as _YYYYMMDD_HHMMSS in UTC.  The name must
 * parse back to the label and time asked for.  Returns 0, or -1 with *why
 * saying what is wrong with the label (or that the name is too long). */
int backupname_make(char *buf, size_t size, const char *label,
    const time_t *when, enum backupname_format format, const char **why);

/* Whether a parsed name answers to query: its stem without the timestamp
 * ("pre_deployment_v1.2.0", "weekly_archive"), or its kind's name ("daily",
 * "pre_deployment", ...). */
int backupname_matches(const struct backupname *bn, const char *query);

/* "daily", "pre_deployment", "weekly_archive", "pre_migration", "named". */
const char *backupname_kind_name(enum backupname_kind kind);

/* The kind named by the len bytes at s (also accepts "automated" for daily),
 * or -1. */
int backupname_kind_lookup(const char *s, size_t len);

/* The name cr-backup --force keeps a suspicious new backup under, beside
 * backup name: name.suspect-YYYYMMDD_HHMMSS, when in UTC.  Returns 0, or -1
 * when name is not a backup's, the time is out of range or it does not fit
 * in size. */
int backupname_suspect_make(char *buf, size_t size, const char *name,
    time_t when);

/* When name is such a suspect name (or begins with one: its manifest), the
 * length of the backup name before BACKUPNAME_SUSPECT, else 0. */
size_t backupname_suspect_stem(const char *name);

/* The len bytes of name (NULs too) for a message, in buf: control
 * characters made visible (vis(3), C style), a long one cut.  Returns buf. */
const char *backupname_shown(const char *name, size_t len, char *buf,
    size_t size);

/* ".sql.gz", ".sql", ".sql.gz.age", ".sql.gz.gpg". */
const char *backupname_format_suffix(enum backupname_format format);

#endif
