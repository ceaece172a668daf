/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* utc: a time as cr writes it, one way everywhere: ISO 8601 in UTC for
 * people and JSON ("2025-10-28T02:00:00Z": manifests, --json, the dump
 * header, messages), and the stamp in file names ("20251028_020000":
 * backup names, a database kept by --clean --keep-old).  Nothing prints. */
#ifndef CR_UTC_H
#define CR_UTC_H

#include <time.h>

/* Room for either form, years 0 to 9999 and more. */
#define UTC_LEN	32

/* t in ISO 8601, UTC, seconds.  Returns buf, "" when t has no UTC date. */
char *utc_iso(time_t t, char buf[UTC_LEN]);

/* t as a file name's stamp: YYYYMMDD_HHMMSS, UTC.  Returns buf, "" when t
 * has no UTC date. */
char *utc_stamp(time_t t, char buf[UTC_LEN]);

#endif
