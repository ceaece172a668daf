/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/base/utc: ISO 8601 and file-name stamps, in UTC whatever TZ says. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/utc.h"
#include "unit.h"

static void
test_iso(void)
{
	char buf[UTC_LEN];

	EQ_STR(utc_iso(0, buf), "1970-01-01T00:00:00Z");
	EQ_STR(utc_iso(1761616800, buf), "2025-10-28T02:00:00Z");
	EQ_STR(utc_iso(253402300799, buf), "9999-12-31T23:59:59Z");
	EQ_STR(utc_iso(-1, buf), "1969-12-31T23:59:59Z");
}

static void
test_stamp(void)
{
	char buf[UTC_LEN];

	EQ_STR(utc_stamp(0, buf), "19700101_000000");
	EQ_STR(utc_stamp(1761616800 + 3 * 60 + 4, buf), "20251028_020304");
}

static void
test_no_date(void)
{
	char buf[UTC_LEN] = "x";

	/* gmtime_r cannot give a year past INT_MAX + 1900 */
	EQ_STR(utc_iso((time_t)INT64_MAX, buf), "");
	EQ_STR(utc_stamp((time_t)INT64_MAX, buf), "");
}

int
main(void)
{
	setenv("TZ", "America/New_York", 1);	/* not UTC: it must not matter */
	tzset();
	RUN(test_iso);
	RUN(test_stamp);
	RUN(test_no_date);
	return UNIT_END();
}
