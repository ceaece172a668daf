/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* unit: the harness of the C unit tests (tests/unit/test_X.c, one program
 * per lib/ module, built against libcr.a and run by `make unit`, which
 * `make check` runs first).  A test is a function run by RUN(); CHECK and the
 * EQ_* macros count a check and, when it fails, print file:line, the test's
 * name and the values seen, and let the test go on.  UNIT_END() prints one
 * line "test_X: N tests, M checks, F failed" and is main's return value:
 * 0 when nothing failed, else 1.
 *
 *	static void
 *	test_parse_daily(void)
 *	{
 *		EQ_INT(backupname_parse("db_backup_20260101_000000.sql", &bn), 0);
 *	}
 *	int
 *	main(void)
 *	{
 *		RUN(test_parse_daily);
 *		return UNIT_END();
 *	}
 *
 * unit_utc(y, m, d, H, M, S) is a UTC time_t, for modules that read
 * dates.  unit_file(content) writes content to a new file in unit_tmpdir(), a
 * temporary directory removed with all in it at exit, for modules that
 * read paths. */
#ifndef CR_UNIT_H
#define CR_UNIT_H

#include <sys/stat.h>

#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *unit_test = "";
static unsigned unit_ntests, unit_nchecks, unit_nfailed, unit_test_failed;
static char unit_dir[4096];

static inline int
unit_fail(const char *file, int line)
{
	fprintf(stderr, "%s:%d: %s: ", file, line, unit_test);
	unit_nfailed++;
	unit_test_failed = 1;
	return 0;
}

static inline int
unit_check(int ok, const char *file, int line, const char *expr)
{
	unit_nchecks++;
	if (!ok && !unit_fail(file, line))
		fprintf(stderr, "CHECK(%s) failed\n", expr);
	return ok;
}

static inline int
unit_eq_int(intmax_t got, intmax_t want, const char *file, int line,
    const char *expr)
{
	unit_nchecks++;
	if (got != want && !unit_fail(file, line))
		fprintf(stderr, "%s is %jd, expected %jd\n", expr, got, want);
	return got == want;
}

static inline int
unit_eq_uint(uintmax_t got, uintmax_t want, const char *file, int line,
    const char *expr)
{
	unit_nchecks++;
	if (got != want && !unit_fail(file, line))
		fprintf(stderr, "%s is %ju, expected %ju\n", expr, got, want);
	return got == want;
}

/* Strings: NULL equals only NULL. */
static inline int
unit_eq_str(const char *got, const char *want, const char *file, int line,
    const char *expr)
{
	int ok;

	unit_nchecks++;
	ok = got == want || (got != NULL && want != NULL && strcmp(got, want) == 0);
	if (!ok && !unit_fail(file, line))
		fprintf(stderr, "%s is %s%s%s, expected %s%s%s\n", expr,
		    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
		    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	return ok;
}

/* len bytes at got, not NUL-terminated, against the string want. */
static inline int
unit_eq_mem(const char *got, size_t len, const char *want, const char *file,
    int line, const char *expr)
{
	int ok;

	unit_nchecks++;
	ok = got != NULL && len == strlen(want) && memcmp(got, want, len) == 0;
	if (!ok && !unit_fail(file, line))
		fprintf(stderr, "%s is \"%.*s\", expected \"%s\"\n", expr,
		    got ? (int)len : 0, got ? got : "", want);
	return ok;
}

/* Whether the string got contains want. */
static inline int
unit_contains(const char *got, const char *want, const char *file, int line,
    const char *expr)
{
	int ok;

	unit_nchecks++;
	ok = got != NULL && strstr(got, want) != NULL;
	if (!ok && !unit_fail(file, line))
		fprintf(stderr, "%s is %s%s%s, expected it to contain \"%s\"\n",
		    expr, got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
		    want);
	return ok;
}

#define CHECK(c)	unit_check(!!(c), __FILE__, __LINE__, #c)
#define EQ_INT(a, b)	unit_eq_int((intmax_t)(a), (intmax_t)(b), __FILE__, __LINE__, #a)
#define EQ_UINT(a, b)	unit_eq_uint((uintmax_t)(a), (uintmax_t)(b), __FILE__, __LINE__, #a)
#define EQ_STR(a, b)	unit_eq_str((a), (b), __FILE__, __LINE__, #a)
#define EQ_MEM(a, n, b)	unit_eq_mem((a), (n), (b), __FILE__, __LINE__, #a)
#define CONTAINS(a, b)	unit_contains((a), (b), __FILE__, __LINE__, #a)

#define RUN(fn)		unit_run(fn, #fn)

static inline void
unit_run(void (*fn)(void), const char *name)
{
	unit_test = name;
	unit_test_failed = 0;
	unit_ntests++;
	fn();
	if (unit_test_failed)
		fprintf(stderr, "FAIL %s\n", name);
}

static inline int
unit_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);	/* what cannot be removed stays */
	return 0;
}

/* At exit: the temporary directory and whatever a test left in it. */
static inline void
unit_cleanup(void)
{
	if (unit_dir[0] != '\0')
		nftw(unit_dir, unit_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* The temporary directory of this run (made at the first call). */
static inline const char *
unit_tmpdir(void)
{
	const char *t;

	if (unit_dir[0] != '\0')
		return unit_dir;
	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	snprintf(unit_dir, sizeof unit_dir, "%s/cr-unit.XXXXXX", t);
	if (mkdtemp(unit_dir) == NULL) {
		perror("unit: mkdtemp");
		exit(2);
	}
	atexit(unit_cleanup);
	return unit_dir;
}

/* Write len bytes of content to a new file in unit_tmpdir(); its path, in
 * static storage valid until the next call. */
static inline const char *
unit_file_len(const char *content, size_t len)
{
	static char path[4200];
	static unsigned n;
	FILE *f;

	snprintf(path, sizeof path, "%s/f%u", unit_tmpdir(), n++);
	if ((f = fopen(path, "w")) == NULL || fwrite(content, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	return path;
}

static inline const char *
unit_file(const char *content)
{
	return unit_file_len(content, strlen(content));
}

/* The instant of a UTC calendar date and time (timegm, never mktime). */
static inline time_t
unit_utc(int year, int month, int day, int hour, int minute, int second)
{
	struct tm tm = { 0 };

	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	return timegm(&tm);
}

static inline int
unit_end(const char *file)
{
	const char *base = strrchr(file, '/');
	char name[256];

	snprintf(name, sizeof name, "%s", base ? base + 1 : file);
	name[strcspn(name, ".")] = '\0';
	printf("%s: %u tests, %u checks, %u failed\n", name, unit_ntests,
	    unit_nchecks, unit_nfailed);
	return unit_nfailed == 0 ? 0 : 1;
}

#define UNIT_END()	unit_end(__FILE__)

#endif
