/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* size: a byte count as people read it, written one way by every tool:
 * IEC prefixes, three digits at most, one decimal below 10 ("184 B",
 * "3.4 KiB", "26 MiB", "1.5 GiB"); libbsd's humanize_number does it.  The
 * wrappers' iec (cmd/wrapper.bash) writes the same (tests/size.bats).
 * Nothing prints. */
#ifndef CR_SIZE_H
#define CR_SIZE_H

#include <stdint.h>

#define SIZE_IEC_LEN	8	/* "1.5 GiB" and its NUL: what the format fits */

/* bytes in buf, which is returned. */
const char *size_iec(uint64_t bytes, char buf[SIZE_IEC_LEN]);

#endif
