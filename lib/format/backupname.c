/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* backupname: parse and make backup file names db_backup_<stem><suffix>,
 * where a stem is a kind word, a label and a UTC timestamp. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LIBBSD_OPENBSD_VIS
#include <bsd/vis.h>

#include "base/utc.h"
#include "format/backupname.h"

#define PREFIX_LEN	(sizeof(BACKUPNAME_PREFIX) - 1)
#define STAMP_LEN	15	/* YYYYMMDD_HHMMSS */
#define DATE_LEN	8	/* YYYYMMDD */

static const struct {
	const char	*name, *rules;
	int		 cadence;
} kinds[BACKUPNAME_NKINDS] = {
#define KIND(name, word, rules, cadence)	{ word, rules, cadence },
	BACKUPNAME_KINDS(KIND)
#undef KIND
};

/* Longest first, so ".sql.gz.age" is not taken for a ".sql.gz" file. */
static const struct {
	const char		*suffix;
	size_t			 len;
	enum backupname_format	 format;
} suffixes[] = {
	{ ".sql.gz.age", 11, BACKUPNAME_SQL_GZ_AGE },
	{ ".sql.gz.gpg", 11, BACKUPNAME_SQL_GZ_GPG },
	{ ".sql.gz", 7, BACKUPNAME_SQL_GZ },
	{ ".sql", 4, BACKUPNAME_SQL },
};

const char *
backupname_check(const char *name, size_t len)
{
	size_t i;

	if (len == 0)
		return "empty name";
	if (len > NAME_MAX)
		return "name too long";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/')
			return "contains '/'";
		if (c < 0x20 || c == 0x7f)
			return "contains a control character";
		if (c == '.' && i + 1 < len && name[i + 1] == '.')
			return "contains '..'";
	}
	if (len == 1 && name[0] == '.')
		return "is '.'";
	return NULL;
}

static int
stem_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    c == '+';
}

static int
digits(const char *s, size_t n, int *value)
{
	size_t i;

	*value = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*value = *value * 10 + (s[i] - '0');
	}
	return 1;
}

static int
leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* s holds YYYYMMDD, and with_clock _HHMMSS after it.  A real UTC date and
 * time gives 1 and *t; anything else 0. */
static int
parse_stamp(const char *s, int with_clock, time_t *t)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct tm tm;
	int year, month, day, hour = 0, minute = 0, second = 0;

	if (!digits(s, 4, &year) || !digits(s + 4, 2, &month) ||
	    !digits(s + 6, 2, &day))
		return 0;
	if (with_clock && (s[8] != '_' || !digits(s + 9, 2, &hour) ||
	    !digits(s + 11, 2, &minute) || !digits(s + 13, 2, &second)))
		return 0;
	if (year < 1970 || month < 1 || month > 12 || day < 1 ||
	    day > mdays[month - 1] + (month == 2 && leap(year)) ||
	    hour > 23 || minute > 59 || second > 59)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	*t = timegm(&tm);	/* names are UTC; never mktime */
	return 1;
}

int
backupname_parse(const char *name, struct backupname *bn)
{
	const char *stem;
	size_t len, stem_len, rest_len, i, w;

	len = strlen(name);
	if (backupname_check(name, len) != NULL ||
	    strncmp(name, BACKUPNAME_PREFIX, PREFIX_LEN) != 0)
		return -1;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (len > PREFIX_LEN + suffixes[i].len &&
		    memcmp(name + len - suffixes[i].len, suffixes[i].suffix,
		    suffixes[i].len) == 0)
			break;
	if (i == sizeof(suffixes) / sizeof(suffixes[0]))
		return -1;
	memset(bn, 0, sizeof(*bn));
	bn->format = suffixes[i].format;
	stem = name + PREFIX_LEN;
	stem_len = len - PREFIX_LEN - suffixes[i].len;
	for (i = 0; i < stem_len; i++)
		if (!stem_char((unsigned char)stem[i]))
			return -1;

	/* A trailing timestamp: _YYYYMMDD_HHMMSS, or the whole stem. */
	rest_len = stem_len;
	if (stem_len >= STAMP_LEN &&
	    (stem_len == STAMP_LEN || stem[stem_len - STAMP_LEN - 1] == '_') &&
	    parse_stamp(stem + stem_len - STAMP_LEN, 1, &bn->time)) {
		bn->has_time = 1;
		rest_len = stem_len == STAMP_LEN ? 0 : stem_len - STAMP_LEN - 1;
	} else if (stem_len > DATE_LEN + 1 &&
	    stem[stem_len - DATE_LEN - 1] == '_' &&
	    parse_stamp(stem + stem_len - DATE_LEN, 0, &bn->time)) {
		/* pre_deployment_$(date +%Y%m%d), as the old runbook did */
		bn->has_time = 1;
		rest_len = stem_len - DATE_LEN - 1;
	}
	bn->stem = stem;
	bn->stem_len = rest_len;
	if (rest_len == 0) {
		bn->kind = BACKUPNAME_DAILY;
		return 0;
	}
	for (i = BACKUPNAME_PRE_DEPLOYMENT; i < BACKUPNAME_NAMED; i++) {
		w = strlen(kinds[i].name);
		if (rest_len == w && memcmp(stem, kinds[i].name, w) == 0) {
			bn->kind = (enum backupname_kind)i;
			bn->label = stem + w;
			return 0;
		}
		if (rest_len > w + 1 && memcmp(stem, kinds[i].name, w) == 0 &&
		    stem[w] == '_') {
			bn->kind = (enum backupname_kind)i;
			bn->label = stem + w + 1;
			bn->label_len = rest_len - w - 1;
			return 0;
		}
	}
	bn->kind = BACKUPNAME_NAMED;
	bn->label = stem;
	bn->label_len = rest_len;
	return 0;
}

int
backupname_make(char *buf, size_t size, const char *label,
    const time_t *when, enum backupname_format format, const char **why)
{
	struct backupname bn;
	char t[UTC_LEN];
	char stamp[UTC_LEN + 1];
	size_t i, len = label != NULL ? strlen(label) : 0;
	int n;

	*why = "a letter, then letters, digits, '.', '_' or '-'";
	if (label != NULL) {
		if (len == 0 || !((label[0] >= 'a' && label[0] <= 'z') ||
		    (label[0] >= 'A' && label[0] <= 'Z')))
			return -1;
		for (i = 0; i < len; i++)
			if (!stem_char((unsigned char)label[i]) || label[i] == '+')
				return -1;
		if (strstr(label, "..") != NULL) {
			*why = "contains '..'";
			return -1;
		}
	} else if (when == NULL) {
		*why = "a daily backup's name needs its time";
		return -1;
	}
	stamp[0] = '\0';
	if (when != NULL) {
		/* before 1970 or after 9999 the stamp would not read back */
		if (*when < 0 || strlen(utc_stamp(*when, t)) != STAMP_LEN) {
			*why = "time out of range (1970 to 9999)";
			return -1;
		}
		snprintf(stamp, sizeof(stamp), "%s%s", label != NULL ? "_" : "", t);
	}
	n = snprintf(buf, size, "%s%s%s%s", BACKUPNAME_PREFIX,
	    label != NULL ? label : "", stamp, backupname_format_suffix(format));
	if (n < 0 || (size_t)n >= size || n > NAME_MAX) {
		*why = "the name would be too long";
		return -1;
	}
	/* Read back as asked: the label, whole, as the stem; the time, if
	 * any, as the timestamp.  A label that ends in a date of its own
	 * (pre_deployment_20251028) keeps that date when no time is added. */
	if (backupname_parse(buf, &bn) != 0 || bn.format != format)
		return -1;
	if (when != NULL ? !bn.has_time || bn.time != *when ||
	    bn.stem_len != len || (len > 0 && memcmp(bn.stem, label, len) != 0) :
	    bn.kind == BACKUPNAME_DAILY) {
		*why = "it would be read as another name's timestamp";
		return -1;
	}
	*why = NULL;
	return 0;
}

int
backupname_matches(const struct backupname *bn, const char *query)
{
	size_t len = strlen(query);

	if (len > 0 && len == bn->stem_len && memcmp(bn->stem, query, len) == 0)
		return 1;
	return strcmp(query, backupname_kind_name(bn->kind)) == 0;
}

const char *
backupname_kind_name(enum backupname_kind kind)
{
	if ((unsigned)kind >= BACKUPNAME_NKINDS)
		return "unknown";
	return kinds[kind].name;
}

const char *
backupname_kind_rules(enum backupname_kind kind)
{
	return (unsigned)kind < BACKUPNAME_NKINDS ? kinds[kind].rules : "";
}

int
backupname_kind_cadence(enum backupname_kind kind)
{
	return (unsigned)kind < BACKUPNAME_NKINDS ? kinds[kind].cadence : 0;
}

int
backupname_kind_lookup(const char *s, size_t len)
{
	int i;

	for (i = 0; i < BACKUPNAME_NKINDS; i++)
		if (strlen(kinds[i].name) == len &&
		    memcmp(s, kinds[i].name, len) == 0)
			return i;
	if (len == 9 && memcmp(s, "automated", 9) == 0)
		return BACKUPNAME_DAILY;
	return -1;
}

const char *
backupname_format_suffix(enum backupname_format format)
{
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (suffixes[i].format == format)
			return suffixes[i].suffix;
	return "";
}

int
backupname_suspect_make(char *buf, size_t size, const char *name,
    time_t when)
{
	struct backupname bn;
	char stamp[UTC_LEN];
	int n;

	/* before 1970 or after 9999 the stamp would not read back */
	if (backupname_parse(name, &bn) == -1 || when < 0 ||
	    strlen(utc_stamp(when, stamp)) != STAMP_LEN)
		return -1;
	n = snprintf(buf, size, "%s%s%s", name, BACKUPNAME_SUSPECT, stamp);
	return n < 0 || (size_t)n >= size || n > NAME_MAX ? -1 : 0;
}

size_t
backupname_suspect_stem(const char *name)
{
	const char *at = strstr(name, BACKUPNAME_SUSPECT);
	struct backupname bn;
	char stem[NAME_MAX + 1];
	size_t len;

	if (at == NULL || (len = (size_t)(at - name)) >= sizeof(stem))
		return 0;
	memcpy(stem, name, len);
	stem[len] = '\0';
	return backupname_parse(stem, &bn) == 0 ? len : 0;
}

const char *
backupname_shown(const char *name, size_t len, char *buf, size_t size)
{
	if (len > (size - 1) / 4)
		len = (size - 1) / 4;
	strvisx(buf, name, len, VIS_CSTYLE | VIS_OCTAL | VIS_NL | VIS_TAB);
	return buf;
}
