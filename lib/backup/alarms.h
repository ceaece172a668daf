/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* alarms: when a backup that verifies is still suspicious, the policy that
 * cr-verify --manifest records in its manifest (alarms, healthy: false)
 * and cr-verify --compare reports: no tables, rows shrunk against a
 * baseline (the newest healthy manifest of the same series), and what the
 * caller found out itself.  Nothing prints. */
#ifndef CR_ALARMS_H
#define CR_ALARMS_H

#include <stddef.h>
#include <stdint.h>

#include "format/manifest.h"

/* The exit status of a backup that is intact but suspicious, which
 * sysexits.h has no code for: its manifest is written and says why. */
#define ALARMS_EXIT_SUSPECT	3

struct alarms_policy {
	char *const	*given;		/* the caller's own findings (a failed test restore) */
	size_t		 ngiven;
	int		 allow_empty;	/* a dump without tables is healthy */
	const char	*baseline;	/* a manifest, or a directory to find one in; NULL: none */
	int		 max_shrink;	/* percent; 0: no shrink alarms, no baseline */
};

/* Judge m, a backup verified and named m->name, by the policy: its alarms,
 * healthy and baseline.  Returns 0, or an exit status with a reason in err
 * (66 the baseline's directory cannot be read, 65 its manifest cannot be
 * read, 71 out of memory). */
int alarms_judge(struct manifest *m, const struct alarms_policy *, char *err,
    size_t errlen);

/* The alarms of new against old at pct percent (total rows, then each
 * table that shrank or is gone), appended to *alarms (*n of them, each
 * malloc'd).  Returns 0, or -1 when out of memory. */
int alarms_shrink(const struct manifest *old, const struct manifest *new,
    int pct, char ***alarms, size_t *n);

/* The change from old to new in whole percent, as the alarms say it (0
 * when old is 0). */
int alarms_percent(uint64_t old, uint64_t new);

#endif
