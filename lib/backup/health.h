/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* health: the verdict on a backup directory (cr-verify --status, which
 * cr-backup --status and the monitoring scripts run): per kind the newest
 * restorable backup, whether it verifies and matches its manifest, its
 * rows and the row trend of the last few; whether the newest daily is
 * too old; the problems in one line each and the exit status they give;
 * and the verdict as JSON ($defs/status) or as text.  Writes only to the
 * streams it is given. */
#ifndef CR_HEALTH_H
#define CR_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "backup/backupdir.h"
#include "backup/verify.h"
#include "format/backupname.h"

#define HEALTH_MAX_TREND	30

struct health_kind {
	size_t				 count;		/* backups of this kind */
	const struct backupdir_entry	*newest;	/* restorable; NULL: none */
	int				 code;		/* its verification's exit status */
	char				 error[640];
	const char			*manifest;	/* "ok" "missing" "mismatch" "unreadable" */
	int				 healthy;	/* as its manifest says */
	uint64_t			 rows;
	int				 have_rows;
	size_t				 ntrend;	/* oldest first */
	const struct backupdir_entry	*trend[HEALTH_MAX_TREND];
	uint64_t			 trend_rows[HEALTH_MAX_TREND];
};

struct health {
	time_t			 now;
	time_t			 cutoff;	/* the newest daily's oldest time; 0: no limit */
	struct backupdir_entry	*entries;	/* newest first */
	size_t			 n;
	struct health_kind	 kinds[BACKUPNAME_NKINDS];
	char			**problems;	/* one line each */
	size_t			 nproblems;
	int			 code;		/* 0; 65 a newest does not verify or match;
						 * 75 stale; 3 suspicious */
};

/* The verdict on dir: max_age is a duration (retention's: 26h, 2d, 1w; 0h
 * no limit), ntrend at most HEALTH_MAX_TREND.  Returns 0 with h filled
 * (health_free it), or an exit status with a reason in err (64 a bad
 * max_age, 66 dir cannot be listed, 71 out of memory). */
int health_check(const char *dir, const char *max_age, size_t ntrend,
    const struct verify_opts *, struct health *h, char *err, size_t errlen);
void health_free(struct health *);

struct jw;

/* The verdict on dir as the members of the --json object, after jw_begin. */
void health_put(struct jw *, const char *dir, const struct health *h);

/* The verdict on dir for people: a line for the directory, two or three a
 * kind (the problems are the caller's to print). */
void health_print(FILE *fp, const char *dir, const struct health *h);

#endif
