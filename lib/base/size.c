/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* size: byte counts in IEC units through libbsd's humanize_number. */
#include <stdint.h>
#include <stdio.h>

#include <bsd/libutil.h>

#include "base/size.h"

const char *
size_iec(uint64_t bytes, char buf[SIZE_IEC_LEN])
{
	/* The buffer's length is what bounds the digits: 3, then a scale up. */
	if (humanize_number(buf, SIZE_IEC_LEN, bytes > INT64_MAX ? INT64_MAX :
	    (int64_t)bytes, "B", HN_AUTOSCALE, HN_DECIMAL | HN_IEC_PREFIXES) == -1)
		snprintf(buf, SIZE_IEC_LEN, "?");
	return buf;
}
