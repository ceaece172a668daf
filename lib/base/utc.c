/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* utc: ISO 8601 and file-name stamps of a time, in UTC. */
#include <time.h>

#include "base/utc.h"

static char *
format(time_t t, const char *fmt, char buf[UTC_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, UTC_LEN, fmt, &tm) == 0)
		buf[0] = '\0';
	return buf;
}

char *
utc_iso(time_t t, char buf[UTC_LEN])
{
	return format(t, "%Y-%m-%dT%H:%M:%SZ", buf);
}

char *
utc_stamp(time_t t, char buf[UTC_LEN])
{
	return format(t, "%Y%m%d_%H%M%S", buf);
}
