/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/backup/retention: keep policies over synthetic lists of backup names,
 * to the contract of retention.h: the default table, counts, calendar
 * buckets (UTC days, weeks from Monday, months, years) at their
 * boundaries, spans, the newest always kept, names that are not backups
 * (suspect copies among them) never touched, duplicates, future dates,
 * the newest healthy backup, staleness, and the parsers' refusals. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backup/retention.h"
#include "unit.h"

#define DAY	86400
#define MAXE	64

/* A list of entries over names kept in static storage. */
struct list {
	char			names[MAXE][128];
	struct retention_entry	e[MAXE];
	size_t			n;
};

static size_t
add_name(struct list *l, const char *name)
{
	snprintf(l->names[l->n], sizeof l->names[0], "%s", name);
	retention_entry_init(&l->e[l->n], l->names[l->n], l->n);
	return l->n++;
}

/* db_backup_[label_]YYYYMMDD_HHMMSS.sql.gz for t. */
static size_t
add(struct list *l, const char *label, time_t t)
{
	char name[128], stamp[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
	snprintf(name, sizeof name, "db_backup_%s%s%s.sql.gz", label ? label : "",
	    label ? "_" : "", stamp);
	return add_name(l, name);
}

static int
decide(const struct retention_policy *p, struct list *l, time_t now)
{
	return EQ_INT(retention_decide(p, l->e, l->n, now), 0);
}

static void
test_default_dailies(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t newest = unit_utc(2026, 3, 10, 2, 0, 0);
	size_t i;

	retention_policy_init(&p);
	for (i = 0; i < 10; i++)
		add(&l, NULL, newest - (time_t)i * DAY);	/* l.e[i]: i days old */
	if (!decide(&p, &l, newest + 3600))
		return;
	EQ_INT(l.e[0].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[0].rank, 0);
	for (i = 1; i < 7; i++) {
		EQ_INT(l.e[i].reason, RETENTION_KEEP_LAST);
		EQ_INT(l.e[i].rank, (long)i);
	}
	/* exactly 7x24h older than the newest is out, as find -mtime +7 */
	EQ_INT(l.e[7].reason, RETENTION_REMOVE);
	CHECK(retention_removes(&l.e[7]));
	EQ_INT(l.e[8].reason, RETENTION_REMOVE);
	EQ_INT(l.e[9].reason, RETENTION_REMOVE);
	CHECK(!retention_removes(&l.e[6]));
}

static void
test_default_recent_keeps_more_than_last(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t newest = unit_utc(2026, 3, 10, 12, 0, 0);
	size_t i;

	/* two a day: the last 7 and every one of the 7x24h before the newest */
	retention_policy_init(&p);
	for (i = 0; i < 20; i++)
		add(&l, NULL, newest - (time_t)i * DAY / 2);
	if (!decide(&p, &l, newest))
		return;
	for (i = 1; i < 7; i++)
		EQ_INT(l.e[i].reason, RETENTION_KEEP_LAST);
	for (i = 7; i < 14; i++)
		EQ_INT(l.e[i].reason, RETENTION_KEEP_RECENT);
	for (i = 14; i < 20; i++)
		EQ_INT(l.e[i].reason, RETENTION_REMOVE);
}

static void
test_stopped_backups_never_age_out(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t newest = unit_utc(2025, 1, 1, 0, 0, 0);
	size_t i;

	retention_policy_init(&p);
	for (i = 0; i < 9; i++)
		add(&l, NULL, newest - (time_t)i * DAY);
	/* a year later, nothing new: the last ones stay */
	if (!decide(&p, &l, newest + 365 * (time_t)DAY))
		return;
	EQ_INT(l.e[0].reason, RETENTION_KEEP_NEWEST);
	for (i = 1; i < 7; i++)
		CHECK(!retention_removes(&l.e[i]));
	EQ_INT(l.e[7].reason, RETENTION_REMOVE);
}

static void
test_newest_always_kept(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2020, 1, 1, 0, 0, 0);

	retention_policy_init(&p);
	EQ_INT(retention_policy_add_kind(&p, "pre_deployment=1d"), 0);
	add(&l, "pre_deployment", t);
	add(&l, "pre_deployment", t - DAY);
	if (!decide(&p, &l, t + 1000 * (time_t)DAY))
		return;
	EQ_INT(l.e[0].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[1].reason, RETENTION_REMOVE);
}

static void
test_daily_buckets_at_midnight_utc(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	size_t a, b, c, d, e;

	retention_policy_init(&p);
	EQ_INT(retention_policy_add_kind(&p, "daily=daily:3"), 0);
	a = add(&l, NULL, unit_utc(2026, 3, 10, 0, 0, 0));	/* day 10, newest */
	b = add(&l, NULL, unit_utc(2026, 3, 9, 23, 59, 59));	/* day 9 */
	c = add(&l, NULL, unit_utc(2026, 3, 9, 0, 0, 0));	/* day 9, older */
	d = add(&l, NULL, unit_utc(2026, 3, 8, 23, 59, 59));	/* day 8 */
	e = add(&l, NULL, unit_utc(2026, 3, 7, 12, 0, 0));	/* day 7: a 4th day */
	if (!decide(&p, &l, unit_utc(2026, 3, 10, 1, 0, 0)))
		return;
	EQ_INT(l.e[a].reason, RETENTION_KEEP_NEWEST);	/* also day 10's */
	EQ_INT(l.e[b].reason, RETENTION_KEEP_DAILY);
	EQ_INT(l.e[c].reason, RETENTION_REMOVE);
	EQ_INT(l.e[d].reason, RETENTION_KEEP_DAILY);
	EQ_INT(l.e[e].reason, RETENTION_REMOVE);
}

static void
test_weekly_buckets_start_on_monday(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	size_t sun2, mon2, sun1, mon1, sat0;

	/* 2026-01-05 and 2026-01-12 are Mondays */
	retention_policy_init(&p);
	EQ_INT(retention_policy_add_kind(&p, "daily=weekly:2"), 0);
	sun2 = add(&l, NULL, unit_utc(2026, 1, 18, 23, 0, 0));	/* week of the 12th */
	mon2 = add(&l, NULL, unit_utc(2026, 1, 12, 0, 0, 0));	/* same week */
	sun1 = add(&l, NULL, unit_utc(2026, 1, 11, 23, 59, 59));	/* week of the 5th */
	mon1 = add(&l, NULL, unit_utc(2026, 1, 5, 0, 0, 0));		/* same week */
	sat0 = add(&l, NULL, unit_utc(2026, 1, 3, 12, 0, 0));	/* a third week */
	if (!decide(&p, &l, unit_utc(2026, 1, 19, 0, 0, 0)))
		return;
	EQ_INT(l.e[sun2].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[mon2].reason, RETENTION_REMOVE);
	EQ_INT(l.e[sun1].reason, RETENTION_KEEP_WEEKLY);
	EQ_INT(l.e[mon1].reason, RETENTION_REMOVE);
	EQ_INT(l.e[sat0].reason, RETENTION_REMOVE);
}

static void
test_monthly_and_yearly_buckets(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	size_t mar, feb1, jan31, jan1, dec;

	retention_policy_init(&p);
	EQ_INT(retention_policy_add_kind(&p, "daily=monthly:3,yearly:2"), 0);
	mar = add(&l, NULL, unit_utc(2026, 3, 1, 0, 0, 0));
	feb1 = add(&l, NULL, unit_utc(2026, 2, 1, 0, 0, 0));
	jan31 = add(&l, NULL, unit_utc(2026, 1, 31, 23, 59, 59));
	jan1 = add(&l, NULL, unit_utc(2026, 1, 1, 0, 0, 0));
	dec = add(&l, NULL, unit_utc(2025, 12, 31, 23, 59, 59));
	if (!decide(&p, &l, unit_utc(2026, 3, 2, 0, 0, 0)))
		return;
	EQ_INT(l.e[mar].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[feb1].reason, RETENTION_KEEP_MONTHLY);
	EQ_INT(l.e[jan31].reason, RETENTION_KEEP_MONTHLY);
	EQ_INT(l.e[jan1].reason, RETENTION_REMOVE);
	/* 2025's newest: the 4th month, but the 2nd year */
	EQ_INT(l.e[dec].reason, RETENTION_KEEP_YEARLY);
}

static void
test_within_is_from_now(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t now = unit_utc(2026, 5, 31, 12, 0, 0);
	size_t in, edge, out;

	/* 3 months before 31 May is 3 March (the calendar, normalised) */
	retention_policy_init(&p);
	EQ_INT(retention_policy_add(&p, RETENTION_WITHIN, "3m"), 0);
	add(&l, NULL, now);
	in = add(&l, NULL, unit_utc(2026, 3, 4, 0, 0, 0));
	edge = add(&l, NULL, unit_utc(2026, 3, 3, 12, 0, 0));	/* the cutoff: kept */
	out = add(&l, NULL, unit_utc(2026, 3, 3, 11, 59, 59));
	if (!decide(&p, &l, now))
		return;
	EQ_INT(l.e[in].reason, RETENTION_KEEP_WITHIN);
	EQ_INT(l.e[edge].reason, RETENTION_KEEP_WITHIN);
	EQ_INT(l.e[out].reason, RETENTION_REMOVE);
	EQ_INT(retention_span_cutoff(&p.global.within[0], now), unit_utc(2026, 3, 3, 12, 0, 0));
}

static void
test_not_backups_never_touched(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2026, 3, 10, 0, 0, 0);
	size_t i, s1, s2, other, json;

	retention_policy_init(&p);
	EQ_INT(retention_policy_add(&p, RETENTION_LAST, "1"), 0);
	for (i = 0; i < 4; i++)
		add(&l, NULL, t - (time_t)i * DAY);
	s1 = add_name(&l, "db_backup_20260101_000000.sql.gz" BACKUPNAME_SUSPECT "20260101_000100");
	s2 = add_name(&l, "db_backup_v1_20200101_000000.sql" BACKUPNAME_SUSPECT "20200101_000100");
	other = add_name(&l, "notes.txt");
	json = add_name(&l, "db_backup_20200101_000000.sql.gz.json");
	if (!decide(&p, &l, t))
		return;
	EQ_INT(l.e[s1].is_backup, 0);
	EQ_INT(l.e[s1].reason, RETENTION_KEEP_NOT_BACKUP);
	EQ_INT(l.e[s2].reason, RETENTION_KEEP_NOT_BACKUP);
	EQ_INT(l.e[other].reason, RETENTION_KEEP_NOT_BACKUP);
	EQ_INT(l.e[json].reason, RETENTION_KEEP_NOT_BACKUP);
	EQ_INT(l.e[3].reason, RETENTION_REMOVE);	/* the rule still applies */
}

static void
test_duplicates_and_order(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2026, 3, 10, 0, 0, 0);
	size_t old, first, again;

	retention_policy_init(&p);
	old = add(&l, NULL, t - DAY);
	first = add(&l, NULL, t);
	again = add(&l, NULL, t);
	if (!decide(&p, &l, t))
		return;
	/* not reordered; the first of equal names decides, the second is ignored */
	EQ_STR(l.e[0].name, l.names[0]);
	EQ_INT(l.e[first].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[again].reason, RETENTION_DUPLICATE);
	EQ_INT(l.e[old].reason, RETENTION_KEEP_LAST);
}

static void
test_future_does_not_count(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t now = unit_utc(2026, 3, 10, 0, 0, 0);
	size_t fut, near, real, old;

	retention_policy_init(&p);
	EQ_INT(retention_policy_add(&p, RETENTION_LAST, "1"), 0);
	fut = add(&l, NULL, now + RETENTION_FUTURE_SLACK + 1);
	near = add(&l, NULL, now + RETENTION_FUTURE_SLACK);	/* within the slack */
	real = add(&l, NULL, now - DAY);
	old = add(&l, NULL, now - 2 * DAY);
	if (!decide(&p, &l, now))
		return;
	EQ_INT(l.e[fut].reason, RETENTION_KEEP_FUTURE);
	EQ_INT(l.e[near].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[real].reason, RETENTION_REMOVE);
	EQ_INT(l.e[old].reason, RETENTION_REMOVE);
}

static void
test_series_by_kind_and_format(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2026, 3, 10, 0, 0, 0);
	size_t gz, sql, named, pre_old, pre_new, untimed_pre, untimed_named;

	retention_policy_init(&p);
	gz = add(&l, NULL, t);
	sql = add_name(&l, "db_backup_20260101_000000.sql");	/* its own series */
	named = add(&l, "v1.2", unit_utc(2001, 1, 1, 0, 0, 0));	/* named: forever */
	add(&l, "v1.2", unit_utc(2000, 1, 1, 0, 0, 0));
	pre_new = add(&l, "pre_deployment", t - 40 * (time_t)DAY);
	pre_old = add(&l, "pre_deployment", t - 41 * (time_t)DAY);
	untimed_pre = add_name(&l, "db_backup_pre_deployment_x.sql.gz");
	untimed_named = add_name(&l, "db_backup_release.sql.gz");
	if (!decide(&p, &l, t))
		return;
	EQ_INT(l.e[gz].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[sql].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[named].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[named + 1].reason, RETENTION_KEEP_FOREVER);
	EQ_INT(l.e[pre_new].reason, RETENTION_KEEP_NEWEST);	/* past 30d, yet the newest */
	EQ_INT(l.e[pre_old].reason, RETENTION_REMOVE);
	EQ_INT(l.e[untimed_pre].reason, RETENTION_KEEP_NO_TIME);
	EQ_INT(l.e[untimed_named].reason, RETENTION_KEEP_FOREVER);
}

static void
test_global_rules_replace_the_table(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2026, 3, 10, 0, 0, 0);
	size_t n0, n1, m0, m1;

	retention_policy_init(&p);
	EQ_INT(retention_policy_add(&p, RETENTION_LAST, "1"), 0);
	n0 = add(&l, "v1", t);
	n1 = add(&l, "v1", t - DAY);	/* named: forever by default, not now */
	/* --keep for one kind beats the global rules */
	EQ_INT(retention_policy_add_kind(&p, "pre_migration=forever"), 0);
	m0 = add(&l, "pre_migration_001", t);
	m1 = add(&l, "pre_migration_001", t - DAY);
	if (!decide(&p, &l, t))
		return;
	EQ_INT(l.e[n0].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[n1].reason, RETENTION_REMOVE);
	EQ_INT(l.e[m0].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[m1].reason, RETENTION_KEEP_FOREVER);
	CHECK(retention_rules_for(&p, BACKUPNAME_NAMED) == &p.global);
	CHECK(retention_rules_for(&p, BACKUPNAME_PRE_MIGRATION) == &p.kind[BACKUPNAME_PRE_MIGRATION]);
}

static int
healthy_if_old(const struct retention_entry *e, void *arg)
{
	return e->time <= *(time_t *)arg;
}

static void
test_keep_healthy(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2026, 3, 10, 0, 0, 0), good = t - 3 * DAY;
	size_t i;

	retention_policy_init(&p);
	EQ_INT(retention_policy_add(&p, RETENTION_LAST, "2"), 0);
	for (i = 0; i < 6; i++)
		add(&l, NULL, t - (time_t)i * DAY);
	if (!decide(&p, &l, t))
		return;
	EQ_INT(l.e[3].reason, RETENTION_REMOVE);
	/* the newest two are suspicious: the newest healthy one stays */
	EQ_INT(retention_keep_healthy(l.e, l.n, healthy_if_old, &good), 0);
	EQ_INT(l.e[0].reason, RETENTION_KEEP_NEWEST);
	EQ_INT(l.e[1].reason, RETENTION_KEEP_LAST);
	EQ_INT(l.e[2].reason, RETENTION_REMOVE);
	EQ_INT(l.e[3].reason, RETENTION_KEEP_HEALTHY);
	EQ_INT(l.e[4].reason, RETENTION_REMOVE);
	EQ_INT(l.e[5].reason, RETENTION_REMOVE);
}

static void
test_check_stale(void)
{
	struct retention_policy p;
	struct retention_stale st;
	struct list l = { .n = 0 };
	time_t now = unit_utc(2026, 3, 20, 0, 0, 0);

	retention_policy_init(&p);
	/* default daily: last 7 (7 days) and 7d back from the newest */
	add(&l, NULL, now - 6 * (time_t)DAY);
	add(&l, "v1", now - 400 * (time_t)DAY);		/* named: not scheduled */
	EQ_INT(retention_check_stale(&p, l.e, l.n, now, &st), 0);
	add(&l, "weekly_archive", now - 91 * (time_t)DAY);	/* within 90d */
	if (EQ_INT(retention_check_stale(&p, l.e, l.n, now, &st), 1)) {
		EQ_INT(st.kind, BACKUPNAME_WEEKLY_ARCHIVE);
		EQ_INT(st.newest, now - 91 * (time_t)DAY);
		EQ_INT(st.cutoff, now - 90 * (time_t)DAY);
	}
	l.n = 0;
	add(&l, NULL, now - 8 * (time_t)DAY);
	if (EQ_INT(retention_check_stale(&p, l.e, l.n, now, &st), 1))
		EQ_INT(st.kind, BACKUPNAME_DAILY);
	/* a future daily proves nothing */
	add(&l, NULL, now + 2 * (time_t)DAY);
	EQ_INT(retention_check_stale(&p, l.e, l.n, now, &st), 1);
	/* no daily at all: nothing to be stale */
	l.n = 0;
	EQ_INT(retention_check_stale(&p, l.e, l.n, now, &st), 0);
}

static void
test_parse_span(void)
{
	struct retention_span s;

	if (EQ_INT(retention_parse_span("1y6m", &s), 0)) {
		EQ_INT(s.years, 1);
		EQ_INT(s.months, 6);
		EQ_INT(s.days, 0);
	}
	if (EQ_INT(retention_parse_span("4w2d12h", &s), 0)) {
		EQ_INT(s.weeks, 4);
		EQ_INT(s.days, 2);
		EQ_INT(s.hours, 12);
	}
	if (EQ_INT(retention_parse_span("1d1d", &s), 0))
		EQ_INT(s.days, 2);
	errno = 0;
	EQ_INT(retention_parse_span("", &s), -1);
	EQ_INT(errno, EINVAL);
	EQ_INT(retention_parse_span("7", &s), -1);
	EQ_INT(retention_parse_span("d", &s), -1);
	EQ_INT(retention_parse_span("7x", &s), -1);
	EQ_INT(retention_parse_span("-7d", &s), -1);
	EQ_INT(retention_parse_span("7d ", &s), -1);
	EQ_INT(retention_parse_span("7D", &s), -1);
	errno = 0;
	EQ_INT(retention_parse_span("99999999999d", &s), -1);
	EQ_INT(errno, ERANGE);
}

static void
test_parse_time(void)
{
	time_t t;

	if (EQ_INT(retention_parse_time("2026-01-02T03:04:05Z", &t), 0))
		EQ_INT(t, unit_utc(2026, 1, 2, 3, 4, 5));
	if (EQ_INT(retention_parse_time("2026-01-02T03:04:05", &t), 0))
		EQ_INT(t, unit_utc(2026, 1, 2, 3, 4, 5));
	if (EQ_INT(retention_parse_time("2026-01-02", &t), 0))
		EQ_INT(t, unit_utc(2026, 1, 2, 0, 0, 0));
	if (EQ_INT(retention_parse_time("@1700000000", &t), 0))
		EQ_INT(t, 1700000000);
	EQ_INT(retention_parse_time("2026-02-31", &t), -1);
	EQ_INT(retention_parse_time("2026-13-01", &t), -1);
	EQ_INT(retention_parse_time("2026-01-02T25:00:00", &t), -1);
	EQ_INT(retention_parse_time("2026-01-02T03:04:05+02:00", &t), -1);
	EQ_INT(retention_parse_time("1969-12-31", &t), -1);
	EQ_INT(retention_parse_time("yesterday", &t), -1);
	EQ_INT(retention_parse_time("@", &t), -1);
	EQ_INT(retention_parse_time("@-1", &t), -1);
	EQ_INT(retention_parse_time("", &t), -1);
}

static void
test_policy_specs_and_format(void)
{
	struct retention_policy p;
	char buf[256];

	retention_policy_init(&p);
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_DAILY), buf, sizeof buf);
	EQ_STR(buf, "last 7, 7d back from the newest");
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_NAMED), buf, sizeof buf);
	EQ_STR(buf, "forever");
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_WEEKLY_ARCHIVE), buf, sizeof buf);
	EQ_STR(buf, "within 90d");

	EQ_INT(retention_policy_add_kind(&p, "weekly_archive=5,daily:2,1y6m,recent:2w"), 0);
	retention_rules_format(&p.kind[BACKUPNAME_WEEKLY_ARCHIVE], buf, sizeof buf);
	EQ_STR(buf, "last 5, daily 2, within 1y6m, 2w back from the newest");
	/* a second --keep for the kind adds; two counts mean the larger */
	EQ_INT(retention_policy_add_kind(&p, "weekly_archive=last:3,monthly:4"), 0);
	retention_rules_format(&p.kind[BACKUPNAME_WEEKLY_ARCHIVE], buf, sizeof buf);
	EQ_STR(buf, "last 5, daily 2, monthly 4, within 1y6m, 2w back from the newest");
	EQ_INT(retention_policy_add_kind(&p, "automated=none"), 0);	/* daily's other name */
	retention_rules_format(&p.kind[BACKUPNAME_DAILY], buf, sizeof buf);
	EQ_STR(buf, "none");
	/* truncated, never overrun */
	retention_rules_format(&p.kind[BACKUPNAME_WEEKLY_ARCHIVE], buf, 8);
	EQ_STR(buf, "last 5,");
}

static void
test_policy_refusals(void)
{
	struct retention_policy p;
	char buf[64];

	retention_policy_init(&p);
	errno = 0;
	EQ_INT(retention_policy_add_kind(&p, "nosuch=3"), -1);
	EQ_INT(errno, ENOENT);
	errno = 0;
	EQ_INT(retention_policy_add_kind(&p, "daily"), -1);
	EQ_INT(errno, EINVAL);
	EQ_INT(retention_policy_add_kind(&p, "daily="), -1);
	EQ_INT(retention_policy_add_kind(&p, "daily=3x"), -1);
	EQ_INT(retention_policy_add_kind(&p, "daily=last:"), -1);
	EQ_INT(retention_policy_add_kind(&p, "daily=-1"), -1);
	/* too large is ERANGE, as retention.h says (strtonum's errstr, not
	 * its errno, which libbsd leaves 0) */
	errno = 0;
	EQ_INT(retention_policy_add_kind(&p, "daily=last:999999999999"), -1);
	EQ_INT(errno, ERANGE);
	/* a bad spec leaves the kind as it was */
	EQ_INT(p.kind_given[BACKUPNAME_DAILY], 0);
	EQ_INT(retention_policy_add_kind(&p, "daily=4"), 0);
	EQ_INT(retention_policy_add_kind(&p, "daily=daily:2,bogus"), -1);
	retention_rules_format(&p.kind[BACKUPNAME_DAILY], buf, sizeof buf);
	EQ_STR(buf, "last 4");
	errno = 0;
	EQ_INT(retention_policy_add(&p, RETENTION_DAILY, "x"), -1);
	EQ_INT(errno, EINVAL);
	EQ_INT(p.global_given, 0);
	EQ_INT(retention_policy_add(&p, RETENTION_WITHIN, "1d"), 0);
	EQ_INT(retention_policy_add(&p, RETENTION_WITHIN, "2d"), 0);
	EQ_INT(retention_policy_add(&p, RETENTION_WITHIN, "3d"), 0);
	EQ_INT(retention_policy_add(&p, RETENTION_WITHIN, "4d"), 0);
	EQ_INT(retention_policy_add(&p, RETENTION_WITHIN, "5d"), -1);	/* at most 4 */
}

static void
test_reason_words(void)
{
	struct retention_policy p;
	struct list l = { .n = 0 };
	time_t t = unit_utc(2026, 3, 10, 0, 0, 0);
	char buf[256];

	retention_policy_init(&p);
	add(&l, NULL, t);
	add(&l, NULL, t - 30 * (time_t)DAY);
	add_name(&l, "readme");
	if (!decide(&p, &l, t))
		return;
	retention_reason_format(&p, &l.e[0], t + 3600, buf, sizeof buf);
	EQ_STR(buf, "newest daily .sql.gz backup, never removed (age 0d01h)");
	retention_reason_format(&p, &l.e[1], t, buf, sizeof buf);
	EQ_STR(buf, "daily: #2 of the newest 7 (age 30d00h)");
	retention_reason_format(&p, &l.e[2], t, buf, sizeof buf);
	EQ_STR(buf, "not a backup name, always kept");
	l.n = 0;
	retention_policy_add_kind(&p, "daily=weekly:2");
	add(&l, NULL, t);
	add(&l, NULL, t - 7 * (time_t)DAY);		/* 2026-03-03, ISO week 10 */
	add(&l, NULL, t - 8 * (time_t)DAY);
	if (!decide(&p, &l, t))
		return;
	retention_reason_format(&p, &l.e[1], t, buf, sizeof buf);
	EQ_STR(buf, "daily: newest of week 2026-W10, weekly 2 (age 7d00h)");
	retention_reason_format(&p, &l.e[2], t, buf, sizeof buf);
	EQ_STR(buf, "daily: no rule keeps it, policy weekly 2 (age 8d00h)");
}

static void
test_empty_list(void)
{
	struct retention_policy p;
	struct retention_entry e;

	retention_policy_init(&p);
	EQ_INT(retention_decide(&p, &e, 0, 0), 0);
	EQ_INT(retention_keep_healthy(&e, 0, healthy_if_old, NULL), 0);
}

/* The default table comes from the kinds' own rules: as --keep gives them. */
static void
test_defaults_from_the_kinds(void)
{
	struct retention_policy p;
	char buf[128];

	EQ_INT(retention_policy_init(&p), 0);
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_DAILY), buf,
	    sizeof(buf));
	EQ_STR(buf, "last 7, 7d back from the newest");
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_PRE_DEPLOYMENT),
	    buf, sizeof(buf));
	EQ_STR(buf, "within 30d");
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_WEEKLY_ARCHIVE),
	    buf, sizeof(buf));
	EQ_STR(buf, "within 90d");
	retention_rules_format(retention_rules_for(&p, BACKUPNAME_NAMED), buf,
	    sizeof(buf));
	EQ_STR(buf, "forever");
}

int
main(void)
{
	RUN(test_default_dailies);
	RUN(test_default_recent_keeps_more_than_last);
	RUN(test_stopped_backups_never_age_out);
	RUN(test_newest_always_kept);
	RUN(test_daily_buckets_at_midnight_utc);
	RUN(test_weekly_buckets_start_on_monday);
	RUN(test_monthly_and_yearly_buckets);
	RUN(test_within_is_from_now);
	RUN(test_not_backups_never_touched);
	RUN(test_duplicates_and_order);
	RUN(test_future_does_not_count);
	RUN(test_series_by_kind_and_format);
	RUN(test_global_rules_replace_the_table);
	RUN(test_keep_healthy);
	RUN(test_check_stale);
	RUN(test_parse_span);
	RUN(test_parse_time);
	RUN(test_policy_specs_and_format);
	RUN(test_policy_refusals);
	RUN(test_reason_words);
	RUN(test_empty_list);
	RUN(test_defaults_from_the_kinds);
	return UNIT_END();
}
