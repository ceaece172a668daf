/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* retention: keep policies (default table, restic-style options, per-kind
 * overrides) and the keep/remove decision for a list of backup names. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "backup/retention.h"

#define DAY		86400
#define MAX_COUNT	100000000LL
#define MAX_SPAN	100000LL

int
retention_policy_init(struct retention_policy *policy)
{
	char spec[256];
	int kind;

	memset(policy, 0, sizeof(*policy));
	/* The defaults are the kinds' own (BACKUPNAME_KINDS, the table of
	 * the system cr replaces), read as --keep KIND=RULES reads them. */
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++)
		if (snprintf(spec, sizeof(spec), "%s=%s",
		    backupname_kind_name(kind), backupname_kind_rules(kind)) >=
		    (int)sizeof(spec) ||
		    retention_policy_add_kind(policy, spec) != 0)
			return -1;
	memcpy(policy->defaults, policy->kind, sizeof(policy->defaults));
	memset(policy->kind, 0, sizeof(policy->kind));
	memset(policy->kind_given, 0, sizeof(policy->kind_given));
	return 0;
}

const struct retention_rules *
retention_rules_for(const struct retention_policy *policy,
    enum backupname_kind kind)
{
	if (policy->kind_given[kind])
		return &policy->kind[kind];
	if (policy->global_given)
		return &policy->global;
	return &policy->defaults[kind];
}

static int
parse_count(const char *s, long *n)
{
	const char *errstr;
	long long v;

	v = strtonum(s, 0, MAX_COUNT, &errstr);
	if (errstr != NULL) {
		/* errstr, not errno: libbsd's strtonum leaves errno 0 */
		errno = strcmp(errstr, "invalid") == 0 ? EINVAL : ERANGE;
		return -1;
	}
	*n = (long)v;
	return 0;
}

int
retention_parse_span(const char *s, struct retention_span *span)
{
	long long v;
	int *field;

	memset(span, 0, sizeof(*span));
	if (*s == '\0')
		goto invalid;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			goto invalid;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (*s - '0');
			if (v > MAX_SPAN) {
				errno = ERANGE;
				return -1;
			}
		}
		switch (*s++) {
		case 'y':
			field = &span->years;
			break;
		case 'm':
			field = &span->months;
			break;
		case 'w':
			field = &span->weeks;
			break;
		case 'd':
			field = &span->days;
			break;
		case 'h':
			field = &span->hours;
			break;
		default:
			goto invalid;
		}
		if (*field + v > MAX_SPAN) {
			errno = ERANGE;
			return -1;
		}
		*field += (int)v;
	}
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

time_t
retention_span_cutoff(const struct retention_span *span, time_t now)
{
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		return now;
	/* timegm normalises out-of-range fields: 3m before 31 May is 3 Mar */
	tm.tm_year -= span->years;
	tm.tm_mon -= span->months;
	tm.tm_mday -= span->weeks * 7 + span->days;
	tm.tm_hour -= span->hours;
	return timegm(&tm);
}

int
retention_parse_time(const char *s, time_t *t)
{
	struct tm tm, back;
	const char *end, *errstr;
	long long v;

	if (s[0] == '@') {
		v = strtonum(s + 1, 0, 253402300799LL, &errstr);
		if (errstr != NULL)
			goto invalid;
		*t = (time_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		goto invalid;
	if (*end == 'T' || *end == ' ') {
		if ((end = strptime(end + 1, "%H:%M:%S", &tm)) == NULL)
			goto invalid;
		if (*end == 'Z')
			end++;
		else if (strcmp(end, "+00:00") == 0)
			end += 6;
	}
	if (*end != '\0' || tm.tm_year < 70 || tm.tm_year > 8099)
		goto invalid;
	back = tm;
	*t = timegm(&tm);
	/* strptime takes 31 February; the round trip does not */
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon ||
	    tm.tm_hour != back.tm_hour)
		goto invalid;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

static int
rules_add(struct retention_rules *r, enum retention_option option,
    const char *arg)
{
	struct retention_span span;
	long n, *slot;

	switch (option) {
	case RETENTION_LAST:
		slot = &r->last;
		break;
	case RETENTION_DAILY:
		slot = &r->daily;
		break;
	case RETENTION_WEEKLY:
		slot = &r->weekly;
		break;
	case RETENTION_MONTHLY:
		slot = &r->monthly;
		break;
	case RETENTION_YEARLY:
		slot = &r->yearly;
		break;
	case RETENTION_WITHIN:
		if (retention_parse_span(arg, &span) != 0)
			return -1;
		if (r->nwithin == RETENTION_MAX_WITHIN) {
			errno = E2BIG;
			return -1;
		}
		r->within[r->nwithin++] = span;
		return 0;
	case RETENTION_RECENT:
		if (retention_parse_span(arg, &span) != 0)
			return -1;
		if (r->nrecent == RETENTION_MAX_WITHIN) {
			errno = E2BIG;
			return -1;
		}
		r->recent[r->nrecent++] = span;
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
	if (parse_count(arg, &n) != 0)
		return -1;
	/* any rule keeps: two counts for one rule mean the larger */
	if (n > *slot)
		*slot = n;
	return 0;
}

int
retention_policy_add(struct retention_policy *policy,
    enum retention_option option, const char *arg)
{
	if (rules_add(&policy->global, option, arg) != 0)
		return -1;
	policy->global_given = 1;
	return 0;
}

static const struct {
	const char		*word;
	enum retention_option	 option;
} spec_words[] = {
	{ "last:", RETENTION_LAST },
	{ "daily:", RETENTION_DAILY },
	{ "weekly:", RETENTION_WEEKLY },
	{ "monthly:", RETENTION_MONTHLY },
	{ "yearly:", RETENTION_YEARLY },
	{ "within:", RETENTION_WITHIN },
	{ "recent:", RETENTION_RECENT },
};

static int
rules_add_spec(struct retention_rules *r, const char *spec)
{
	size_t i, len;

	if (strcmp(spec, "forever") == 0) {
		r->forever = 1;
		return 0;
	}
	if (strcmp(spec, "none") == 0)
		return 0;
	for (i = 0; i < sizeof(spec_words) / sizeof(spec_words[0]); i++) {
		len = strlen(spec_words[i].word);
		if (strncmp(spec, spec_words[i].word, len) == 0)
			return rules_add(r, spec_words[i].option, spec + len);
	}
	if (spec[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	/* a bare number counts backups; with a unit it is a duration */
	if (spec[strspn(spec, "0123456789")] == '\0')
		return rules_add(r, RETENTION_LAST, spec);
	return rules_add(r, RETENTION_WITHIN, spec);
}

int
retention_policy_add_kind(struct retention_policy *policy,
    const char *kind_spec)
{
	struct retention_rules r;
	const char *eq;
	char copy[256], *spec, *next;
	int kind;

	if ((eq = strchr(kind_spec, '=')) == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((kind = backupname_kind_lookup(kind_spec,
	    (size_t)(eq - kind_spec))) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (strlcpy(copy, eq + 1, sizeof(copy)) >= sizeof(copy)) {
		errno = EINVAL;
		return -1;
	}
	/* work on a copy so a bad spec leaves the policy as it was */
	if (policy->kind_given[kind])
		r = policy->kind[kind];
	else
		memset(&r, 0, sizeof(r));
	for (spec = copy; spec != NULL; spec = next) {
		if ((next = strchr(spec, ',')) != NULL)
			*next++ = '\0';
		if (rules_add_spec(&r, spec) != 0)
			return -1;
	}
	policy->kind[kind] = r;
	policy->kind_given[kind] = 1;
	return 0;
}

const char *
retention_option_error(enum retention_option option)
{
	return option == RETENTION_WITHIN || option == RETENTION_RECENT ?
	    "not a duration (like 30d, 12h, 4w, 3m, 1y6m)" :
	    "not a count from 0";
}

const char *
retention_kind_error(int errnum, char *buf, size_t size)
{
	int kind;

	if (errnum != ENOENT)
		return "expected KIND=N|DURATION|forever|none|last:N|daily:N|"
		    "weekly:N|monthly:N|yearly:N|within:DURATION|"
		    "recent:DURATION";
	strlcpy(buf, "unknown kind (", size);
	for (kind = 0; kind < BACKUPNAME_NKINDS; kind++) {
		strlcat(buf, backupname_kind_name(kind), size);
		strlcat(buf, kind + 1 < BACKUPNAME_NKINDS ? ", " : ")", size);
	}
	return buf;
}

static void
append(char *buf, size_t size, const char *s)
{
	if (buf[0] != '\0')
		strlcat(buf, ", ", size);
	strlcat(buf, s, size);
}

static void
span_format(const struct retention_span *span, char *buf, size_t size)
{
	char *p = buf;
	size_t left = size;
	int n;

	buf[0] = '\0';
#define SPAN_PART(field, unit)						\
	if (span->field != 0 && left > 1) {				\
		n = snprintf(p, left, "%d%s", span->field, unit);	\
		if (n < 0 || (size_t)n >= left)				\
			return;						\
		p += n;							\
		left -= (size_t)n;					\
	}
	SPAN_PART(years, "y")
	SPAN_PART(months, "m")
	SPAN_PART(weeks, "w")
	SPAN_PART(days, "d")
	SPAN_PART(hours, "h")
#undef SPAN_PART
	if (buf[0] == '\0')
		strlcpy(buf, "0d", size);
}

void
retention_rules_format(const struct retention_rules *r, char *buf,
    size_t size)
{
	char part[64], span[40];
	int i;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (r->forever)
		append(buf, size, "forever");
#define COUNT_PART(field, word)						\
	if (r->field > 0) {						\
		snprintf(part, sizeof(part), "%s %ld", word, r->field);	\
		append(buf, size, part);				\
	}
	COUNT_PART(last, "last")
	COUNT_PART(daily, "daily")
	COUNT_PART(weekly, "weekly")
	COUNT_PART(monthly, "monthly")
	COUNT_PART(yearly, "yearly")
#undef COUNT_PART
	for (i = 0; i < r->nwithin; i++) {
		span_format(&r->within[i], span, sizeof(span));
		snprintf(part, sizeof(part), "within %s", span);
		append(buf, size, part);
	}
	for (i = 0; i < r->nrecent; i++) {
		span_format(&r->recent[i], span, sizeof(span));
		snprintf(part, sizeof(part), "%s back from the newest", span);
		append(buf, size, part);
	}
	if (buf[0] == '\0')
		strlcpy(buf, "none", size);
}

void
retention_entry_init(struct retention_entry *e, const char *name, size_t seq)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->seq = seq;
	e->is_backup = backupname_parse(name, &e->bn) == 0;
	e->has_time = e->is_backup && e->bn.has_time;
	e->time = e->bn.time;
}

static long long
floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Series order: backups by kind and format, timed before untimed, newest
 * first; non-backups last.  Equal names sit together, first given first. */
static int
series_of(const struct retention_entry *e)
{
	if (!e->is_backup)
		return BACKUPNAME_NKINDS * BACKUPNAME_NFORMATS;
	return (int)e->bn.kind * BACKUPNAME_NFORMATS + (int)e->bn.format;
}

static int
compare_series(const void *va, const void *vb)
{
	const struct retention_entry *a, *b;
	int sa, sb, c;

	a = *(const struct retention_entry *const *)va;
	b = *(const struct retention_entry *const *)vb;
	sa = series_of(a);
	sb = series_of(b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (a->has_time != b->has_time)
		return a->has_time ? -1 : 1;
	if (a->has_time && a->time != b->time)
		return a->time > b->time ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

enum { BUCKET_DAY, BUCKET_WEEK, BUCKET_MONTH, BUCKET_YEAR, NBUCKETS };

static long long
bucket_of(int which, time_t t)
{
	struct tm tm;

	switch (which) {
	case BUCKET_DAY:
		return floor_div(t, DAY);
	case BUCKET_WEEK:
		/* 1 January 1970 was a Thursday; weeks start on Monday */
		return floor_div(floor_div(t, DAY) + 3, 7);
	default:
		if (gmtime_r(&t, &tm) == NULL)
			return 0;
		return which == BUCKET_MONTH ?
		    (long long)tm.tm_year * 12 + tm.tm_mon : tm.tm_year;
	}
}

/* Decide one series, e[0] the newest. */
static void
decide_series(const struct retention_rules *r, struct retention_entry **e,
    size_t n, time_t now)
{
	time_t cutoff[RETENTION_MAX_WITHIN], recent_cutoff[RETENTION_MAX_WITHIN];
	long left[NBUCKETS];
	long long last[NBUCKETS], key;
	int kept[NBUCKETS], b, w, within, recent;
	long rank = 0;
	size_t i;

	for (w = 0; w < r->nwithin; w++)
		cutoff[w] = retention_span_cutoff(&r->within[w], now);
	left[BUCKET_DAY] = r->daily;
	left[BUCKET_WEEK] = r->weekly;
	left[BUCKET_MONTH] = r->monthly;
	left[BUCKET_YEAR] = r->yearly;
	for (b = 0; b < NBUCKETS; b++)
		last[b] = LLONG_MIN;

	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(e[i]->name, e[i - 1]->name) == 0) {
			e[i]->reason = RETENTION_DUPLICATE;
			continue;
		}
		if (!e[i]->has_time) {
			e[i]->reason = r->forever ? RETENTION_KEEP_FOREVER :
			    RETENTION_KEEP_NO_TIME;
			continue;
		}
		/* a wrong clock or a bogus name must not take the place of
		 * the real newest backup */
		if (e[i]->time > now + RETENTION_FUTURE_SLACK) {
			e[i]->reason = RETENTION_KEEP_FUTURE;
			continue;
		}
		e[i]->rank = rank;
		if (rank == 0)		/* the newest: recent spans end here */
			for (w = 0; w < r->nrecent; w++)
				recent_cutoff[w] = retention_span_cutoff(
				    &r->recent[w], e[i]->time);
		/* every bucket rule sees every backup, as in restic */
		for (b = 0; b < NBUCKETS; b++) {
			kept[b] = 0;
			if (left[b] <= 0)
				continue;
			key = bucket_of(b, e[i]->time);
			if (key != last[b]) {
				last[b] = key;
				left[b]--;
				kept[b] = 1;
			}
		}
		within = 0;
		for (w = 0; w < r->nwithin; w++)
			if (e[i]->time >= cutoff[w])
				within = 1;
		/* "for 7x24h": one exactly that much older is out */
		recent = 0;
		for (w = 0; w < r->nrecent; w++)
			if (e[i]->time > recent_cutoff[w])
				recent = 1;
		if (rank == 0)
			e[i]->reason = RETENTION_KEEP_NEWEST;
		else if (r->forever)
			e[i]->reason = RETENTION_KEEP_FOREVER;
		else if (rank < r->last)
			e[i]->reason = RETENTION_KEEP_LAST;
		else if (within)
			e[i]->reason = RETENTION_KEEP_WITHIN;
		else if (recent)
			e[i]->reason = RETENTION_KEEP_RECENT;
		else if (kept[BUCKET_DAY])
			e[i]->reason = RETENTION_KEEP_DAILY;
		else if (kept[BUCKET_WEEK])
			e[i]->reason = RETENTION_KEEP_WEEKLY;
		else if (kept[BUCKET_MONTH])
			e[i]->reason = RETENTION_KEEP_MONTHLY;
		else if (kept[BUCKET_YEAR])
			e[i]->reason = RETENTION_KEEP_YEARLY;
		else
			e[i]->reason = RETENTION_REMOVE;
		rank++;
	}
}

int
retention_decide(const struct retention_policy *policy,
    struct retention_entry *entries, size_t n, time_t now)
{
	struct retention_entry **order;
	size_t i, j;
	int series;

	/* sort pointers: moving the entries themselves costs more */
	if ((order = reallocarray(NULL, n ? n : 1, sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		order[i] = &entries[i];
	qsort(order, n, sizeof(*order), compare_series);
	for (i = 0; i < n; i = j) {
		series = series_of(order[i]);
		for (j = i + 1; j < n && series_of(order[j]) == series; j++)
			;
		if (!order[i]->is_backup) {
			for (; i < j; i++)
				order[i]->reason = RETENTION_KEEP_NOT_BACKUP;
			continue;
		}
		decide_series(retention_rules_for(policy, order[i]->bn.kind),
		    order + i, j - i, now);
	}
	free(order);
	return 0;
}

/* Kind order, newest first; the rest last. */
static int
compare_kind_newest(const void *va, const void *vb)
{
	const struct retention_entry *a, *b;

	a = *(const struct retention_entry *const *)va;
	b = *(const struct retention_entry *const *)vb;
	if (a->bn.kind != b->bn.kind)
		return a->bn.kind < b->bn.kind ? -1 : 1;
	if (a->has_time != b->has_time)
		return a->has_time ? -1 : 1;
	if (a->has_time && a->time != b->time)
		return a->time > b->time ? -1 : 1;
	return strcmp(a->name, b->name);
}

int
retention_keep_healthy(struct retention_entry *entries, size_t n,
    int (*healthy)(const struct retention_entry *, void *), void *arg)
{
	struct retention_entry **order;
	size_t i, m = 0;
	int done[BACKUPNAME_NKINDS] = { 0 };

	if ((order = reallocarray(NULL, n ? n : 1, sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (entries[i].is_backup &&
		    entries[i].reason != RETENTION_DUPLICATE &&
		    entries[i].reason != RETENTION_KEEP_FUTURE)
			order[m++] = &entries[i];
	qsort(order, m, sizeof(*order), compare_kind_newest);
	for (i = 0; i < m; i++) {
		if (done[order[i]->bn.kind] || !healthy(order[i], arg))
			continue;
		done[order[i]->bn.kind] = 1;
		if (order[i]->reason == RETENTION_REMOVE)
			order[i]->reason = RETENTION_KEEP_HEALTHY;
	}
	free(order);
	return 0;
}

/* How far back a scheduled kind must have a backup: the shortest window of
 * its rules.  Returns 0 when the kind has no window (kept forever). */
static int
stale_cutoff(const struct retention_rules *r, int cadence_days, time_t now,
    time_t *cutoff)
{
	struct retention_span span;
	time_t c;
	int w, found = 0;

	if (r->forever)
		return 0;
	*cutoff = now - (time_t)cadence_days * DAY;	/* no rules at all */
#define WINDOW(cond, field, value)					\
	if (cond) {							\
		memset(&span, 0, sizeof(span));				\
		span.field = (int)(value);				\
		c = retention_span_cutoff(&span, now);			\
		if (!found || c > *cutoff)				\
			*cutoff = c;					\
		found = 1;						\
	}
	WINDOW(r->last > 0, days, r->last * cadence_days)
	WINDOW(r->daily > 0, days, r->daily)
	WINDOW(r->weekly > 0, weeks, r->weekly)
	WINDOW(r->monthly > 0, months, r->monthly)
	WINDOW(r->yearly > 0, years, r->yearly)
#undef WINDOW
	for (w = 0; w < r->nwithin; w++) {
		c = retention_span_cutoff(&r->within[w], now);
		if (!found || c > *cutoff)
			*cutoff = c;
		found = 1;
	}
	/* a span back from the newest keeps as long, had backups gone on */
	for (w = 0; w < r->nrecent; w++) {
		c = retention_span_cutoff(&r->recent[w], now);
		if (!found || c > *cutoff)
			*cutoff = c;
		found = 1;
	}
	return 1;
}

int
retention_check_stale(const struct retention_policy *policy,
    const struct retention_entry *entries, size_t n, time_t now,
    struct retention_stale *stale)
{
	enum backupname_kind k;
	time_t newest, cutoff;
	size_t i;
	int any;

	/* the scheduled kinds: those with a cadence */
	for (k = 0; k < BACKUPNAME_NKINDS; k++) {
		if (backupname_kind_cadence(k) == 0)
			continue;
		any = 0;
		newest = 0;
		for (i = 0; i < n; i++) {
			if (!entries[i].is_backup || !entries[i].has_time ||
			    entries[i].bn.kind != k ||
			    entries[i].time > now + RETENTION_FUTURE_SLACK)
				continue;
			if (!any || entries[i].time > newest)
				newest = entries[i].time;
			any = 1;
		}
		if (!any || !stale_cutoff(retention_rules_for(policy, k),
		    backupname_kind_cadence(k), now, &cutoff))
			continue;
		if (newest < cutoff) {
			stale->kind = k;
			stale->newest = newest;
			stale->cutoff = cutoff;
			return 1;
		}
	}
	return 0;
}

static void
age_format(time_t age, char *buf, size_t size)
{
	if (age < 0)
		snprintf(buf, size, "in the future");
	else
		snprintf(buf, size, "age %lldd%02lldh", (long long)(age / DAY),
		    (long long)(age % DAY / 3600));
}

void
retention_reason_format(const struct retention_policy *policy,
    const struct retention_entry *e, time_t now, char *buf, size_t size)
{
	const struct retention_rules *r = NULL;
	const char *kind = "", *suffix = "";
	char rules[160], age[48], when[32];
	struct tm tm;

	if (e->is_backup) {
		r = retention_rules_for(policy, e->bn.kind);
		retention_rules_format(r, rules, sizeof(rules));
		kind = backupname_kind_name(e->bn.kind);
		suffix = backupname_format_suffix(e->bn.format);
	}
	age[0] = when[0] = '\0';
	if (e->has_time) {
		age_format(now - e->time, age, sizeof(age));
		if (gmtime_r(&e->time, &tm) != NULL) {
			static const char *const fmt[] = {
				"%Y-%m-%d", "%G-W%V", "%Y-%m", "%Y"
			};
			int b = e->reason - RETENTION_KEEP_DAILY;

			if (b >= 0 && b < NBUCKETS)
				strftime(when, sizeof(when), fmt[b], &tm);
		}
	}
	switch (e->reason) {
	case RETENTION_KEEP_NOT_BACKUP:
		snprintf(buf, size, "not a backup name, always kept");
		break;
	case RETENTION_KEEP_NO_TIME:
		snprintf(buf, size, "%s: no timestamp in the name, no age: "
		    "never removed", kind);
		break;
	case RETENTION_KEEP_FUTURE:
		snprintf(buf, size, "%s: dated more than a day in the future, "
		    "kept but not counted", kind);
		break;
	case RETENTION_KEEP_NEWEST:
		snprintf(buf, size, "newest %s %s backup, never removed (%s)",
		    kind, suffix, age);
		break;
	case RETENTION_KEEP_FOREVER:
		snprintf(buf, size, "%s: kept forever%s%s%s", kind,
		    e->has_time ? " (" : "", age, e->has_time ? ")" : "");
		break;
	case RETENTION_KEEP_LAST:
		snprintf(buf, size, "%s: #%ld of the newest %ld (%s)", kind,
		    e->rank + 1, r->last, age);
		break;
	case RETENTION_KEEP_WITHIN:
		snprintf(buf, size, "%s: within the keep window, policy %s "
		    "(%s)", kind, rules, age);
		break;
	case RETENTION_KEEP_RECENT:
		snprintf(buf, size, "%s: within the span back from the newest "
		    "%s backup, policy %s (%s)", kind, kind, rules, age);
		break;
	case RETENTION_KEEP_DAILY:
	case RETENTION_KEEP_WEEKLY:
	case RETENTION_KEEP_MONTHLY:
	case RETENTION_KEEP_YEARLY:
		snprintf(buf, size, "%s: newest of %s %s, %s (%s)", kind,
		    e->reason == RETENTION_KEEP_DAILY ? "day" :
		    e->reason == RETENTION_KEEP_WEEKLY ? "week" :
		    e->reason == RETENTION_KEEP_MONTHLY ? "month" : "year",
		    when, rules, age);
		break;
	case RETENTION_KEEP_HEALTHY:
		snprintf(buf, size, "%s: kept: newest healthy backup (its "
		    "manifest says so; newer ones are suspicious), which policy "
		    "%s alone would remove (%s)", kind, rules, age);
		break;
	case RETENTION_DUPLICATE:
		snprintf(buf, size, "given again, counted once");
		break;
	case RETENTION_REMOVE:
		snprintf(buf, size, "%s: no rule keeps it, policy %s (%s)",
		    kind, rules, age);
		break;
	}
}
