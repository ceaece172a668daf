/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* retention: which backups a keep policy keeps and which go, with the reason
 * for each, restic-style: kept if any rule keeps it.  Nothing prints. */
#ifndef CR_RETENTION_H
#define CR_RETENTION_H

#include <stddef.h>
#include <time.h>

#include "format/backupname.h"

/* A calendar span like restic's --keep-within: 1y6m, 30d, 12h, 4w. */
struct retention_span {
	int	years, months, weeks, days, hours;
};

#define RETENTION_MAX_WITHIN	4

/* The rules for one kind; all zero keeps nothing but the newest backup.
 * within: spans back from now; recent: spans back from the newest backup of
 * the series, so backups that have stopped never age out. */
struct retention_rules {
	int			forever;
	long			last, daily, weekly, monthly, yearly;
	int			nwithin;
	struct retention_span	within[RETENTION_MAX_WITHIN];
	int			nrecent;
	struct retention_span	recent[RETENTION_MAX_WITHIN];
};

/* The effective rules of a kind: its --keep KIND= rules when given, else the
 * global --keep-* rules when any was given (they replace the default table
 * for every kind, as in restic), else the default table. */
struct retention_policy {
	struct retention_rules	global;
	int			global_given;
	struct retention_rules	kind[BACKUPNAME_NKINDS];
	int			kind_given[BACKUPNAME_NKINDS];
	struct retention_rules	defaults[BACKUPNAME_NKINDS];
};

enum retention_option {
	RETENTION_LAST, RETENTION_DAILY, RETENTION_WEEKLY, RETENTION_MONTHLY,
	RETENTION_YEARLY, RETENTION_WITHIN, RETENTION_RECENT
};

/* Why an entry stays or goes. */
enum retention_reason {
	RETENTION_KEEP_NOT_BACKUP,	/* not a backup name: never touched */
	RETENTION_KEEP_NO_TIME,		/* no timestamp and no mtime: no age */
	RETENTION_KEEP_FUTURE,		/* more than a day ahead of now */
	RETENTION_KEEP_NEWEST,		/* newest of its kind and format */
	RETENTION_KEEP_FOREVER,
	RETENTION_KEEP_LAST,
	RETENTION_KEEP_WITHIN,
	RETENTION_KEEP_RECENT,		/* within a span of the newest */
	RETENTION_KEEP_DAILY,
	RETENTION_KEEP_WEEKLY,
	RETENTION_KEEP_MONTHLY,
	RETENTION_KEEP_YEARLY,
	RETENTION_KEEP_HEALTHY,		/* newest healthy of its kind */
	RETENTION_DUPLICATE,		/* same name given again: ignored */
	RETENTION_REMOVE		/* no rule keeps it */
};

struct retention_entry {
	const char		*name;		/* the caller's */
	size_t			 seq;		/* caller's order, for ties */
	int			 is_backup;
	struct backupname	 bn;
	int			 has_time;	/* name's, or caller's mtime */
	time_t			 time;
	enum retention_reason	 reason;	/* set by retention_decide */
	long			 rank;		/* 0 = newest of its series */
};

/* Backups dated further ahead than this are kept but count for nothing:
 * neither as the newest, nor against a count, nor as proof of fresh backups. */
#define RETENTION_FUTURE_SLACK	86400

/* When a scheduled kind (daily, weekly_archive) has not produced a backup
 * within its keep window: see retention_check_stale. */
struct retention_stale {
	enum backupname_kind	kind;
	time_t			newest;
	time_t			cutoff;
};

/* The default table, each kind's own rules (BACKUPNAME_KINDS in
 * lib/format/backupname.h): daily last 7 and recent 7d (every daily from
 * the 7x24h before the newest daily, as the seed's find -mtime +7 meant),
 * pre_deployment within 30d, weekly_archive within 90d, pre_migration and
 * named forever.  Returns 0, or -1 when that table does not parse. */
int retention_policy_init(struct retention_policy *policy);

/* A global --keep-last/-daily/-weekly/-monthly/-yearly N or --keep-within
 * DURATION.  Returns 0, or -1 with errno EINVAL or ERANGE. */
int retention_policy_add(struct retention_policy *policy,
    enum retention_option option, const char *arg);

/* --keep KIND=SPEC[,SPEC...], SPEC one of: N (the newest N), DURATION,
 * forever, last:N, daily:N, weekly:N, monthly:N, yearly:N, within:DURATION,
 * recent:DURATION (back from the newest backup of the series, not from now).
 * The first --keep for a kind replaces its rules; later ones add to them.
 * Returns 0, or -1 with errno EINVAL (ENOENT: no such kind) or ERANGE. */
int retention_policy_add_kind(struct retention_policy *policy,
    const char *kind_spec);

/* What is wrong, in words, with a value retention_policy_add refused for
 * option, and with a KIND=SPEC retention_policy_add_kind refused with
 * errnum (the kinds named from BACKUPNAME_KINDS; into buf). */
const char *retention_option_error(enum retention_option option);
const char *retention_kind_error(int errnum, char *buf, size_t size);

const struct retention_rules *retention_rules_for(
    const struct retention_policy *policy, enum backupname_kind kind);

/* "last 7, within 30d" or "forever" or "none"; truncated to size. */
void retention_rules_format(const struct retention_rules *rules, char *buf,
    size_t size);

/* DURATION: one or more <number><unit>, unit y, m (months), w, d or h. */
int retention_parse_span(const char *s, struct retention_span *span);

/* ISO 8601 in UTC: YYYY-MM-DDTHH:MM:SS[Z], YYYY-MM-DD, or @SECONDS. */
int retention_parse_time(const char *s, time_t *t);

/* The instant span before now, by the UTC calendar. */
time_t retention_span_cutoff(const struct retention_span *span, time_t now);

/* Parse name into e; has_time when the name has a timestamp. */
void retention_entry_init(struct retention_entry *e, const char *name,
    size_t seq);

/* Decide every entry; the array is not reordered.  Returns 0, or -1 with
 * errno ENOMEM. */
int retention_decide(const struct retention_policy *policy,
    struct retention_entry *entries, size_t n, time_t now);

/* Where manifests sit beside the backups (directory mode): keep, per kind,
 * the newest backup whose manifest says it is healthy, whatever the policy
 * says, so suspicious backups (empty, shrunk, accepted shrinks) filling the
 * keep window never push out the last good one.  healthy(e, arg) is asked
 * newest first, for entries retention_decide kept or removed (not duplicates
 * or future ones), until it returns 1.  Returns 0, or -1 with errno ENOMEM. */
int retention_keep_healthy(struct retention_entry *entries, size_t n,
    int (*healthy)(const struct retention_entry *, void *), void *arg);

static inline int
retention_removes(const struct retention_entry *e)
{
	return e->reason == RETENTION_REMOVE;
}

/* 1 (and *stale) when a scheduled kind's newest backup in entries is older
 * than the keep window of its rules (within D: D; last N or daily N: N
 * days, times 7 for weekly_archive; weekly N: N weeks; monthly N: N months;
 * yearly N: N years; the shortest of them), else 0. */
int retention_check_stale(const struct retention_policy *policy,
    const struct retention_entry *entries, size_t n, time_t now,
    struct retention_stale *stale);

/* Why e stays or goes, in words, for -v; truncated to size. */
void retention_reason_format(const struct retention_policy *policy,
    const struct retention_entry *e, time_t now, char *buf, size_t size);

#endif
