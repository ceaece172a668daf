/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* compare: two backups side by side (cr-verify --compare), each a manifest
 * (NAME.json, or the one beside a backup) or else the backup verified now:
 * rows and sizes, each table added, removed or changed, whether the schema
 * changed, and the shrink alarms (lib/alarms); as JSON ($defs/compare) or
 * as text.  Writes only to the streams it is given. */
#ifndef CR_COMPARE_H
#define CR_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "backup/verify.h"
#include "format/manifest.h"

struct jw;

struct compare {
	const char	*old_path, *new_path;
	struct manifest	 old, new;
	int		 added, removed, changed;	/* tables */
	int		 schema_changed;		/* -1: not known */
	char		**shrunk;			/* the alarms, one line each */
	size_t		 nshrunk;
};

/* Compare old_path with new_path, alarms at max_shrink percent (0: none).
 * Returns 0 with c filled (compare_free it), or the exit status of a side
 * that cannot be read, with a reason in err (65 an unreadable manifest; a
 * backup's status from verify_file; 71 out of memory). */
int compare_run(const char *old_path, const char *new_path, int max_shrink,
    const struct verify_opts *, struct compare *c, char *err, size_t errlen);
void compare_free(struct compare *);

/* The comparison as the members of the --json object, after jw_begin. */
void compare_put(struct jw *, const struct compare *);

/* The comparison for people; verbose: the unchanged tables too. */
void compare_print(FILE *fp, const struct compare *, int verbose);

#endif
