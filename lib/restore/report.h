/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* report: what cr-restore tells while and after it restores, as text lines
 * on a stream the tool passes (stderr) and as the --json outcome object:
 * server notices, the -j schedule, the row-count proof's notes, what -t
 * leaves out, the summary, and what --salvage could not save. */
#ifndef CR_RESTORE_REPORT_H
#define CR_RESTORE_REPORT_H

#include <stdio.h>

#include "base/progress.h"
#include "restore/replace.h"
#include "restore/restore.h"
#include "restore/source.h"

/* Exit status of --salvage when data was lost: restored with losses. */
#define REPORT_EXIT_LOSSES	3

/* The text report: lines on fp, each after clearing the progress line
 * (bar: NULL or a lib/progress bar drawn on the same terminal). */
struct report {
	FILE		*fp;
	struct progress	*bar;
	int		 verbose;	/* -v: 1, twice: 2 */
	unsigned	 jobs;		/* -j */
	const char	*tmpdir;	/* -j's spill files, NULL: /tmp */
};

/* A line of cr-restore's own: "cr-restore: line". */
void report_line(const struct report *, const char *line);

/* restore_opts' callbacks, each with a struct report * as arg: notice
 * (warnings always, the rest with -v), report (the -j schedule, phases
 * and critical path, with -v twice), proof_note and skipped (always). */
void report_notice(void *arg, unsigned long line, const char *severity, const char *msg);
void report_schedule(void *arg, const char *msg);
void report_proof_note(void *arg, const char *msg);
void report_skipped(void *arg, unsigned long line, const char *msg);

/* A failed restore_run or restore_scan: the source's own error if it
 * has one, else msg. */
void report_failure(const struct report *, const struct source *, enum restore_status,
    const char *msg);

/* A failed restore in place (no --clean): what of it stays in target. */
void report_in_place_failure(const struct report *, const char *target, int single,
    const struct restore_stats *);

/* Where the data is after replace_run, as it decided and words it; with
 * -v the sessions on the scratch database that were ended. */
void report_outcome(const struct report *, const char *target, const struct replace_outcome *);

/* What interrupted runs left for target, each with the command that
 * clears it when running it is safe (lib/restore/replace decides and
 * words); a failure to look as a warning. */
void report_leftovers(const struct report *, PGconn *maint, const char *target);

/* The summary: bytes, statements, tables, rows and seconds; with clean
 * the sessions ended; with -j what was read by offset and spilled. */
void report_summary(const struct report *, const struct restore_stats *, const char *target,
    int clean, int ended, double seconds);

/* --salvage: what the damage took, after the restore.  Returns status,
 * or REPORT_EXIT_LOSSES when the restore succeeded but data was lost. */
int report_salvage(const struct report *, const struct source *, int status);

/* --json: the outcome as one object on out (docs/json.md); mode is
 * "test", "clean" or "in_place".  Returns 0, or -1 when the write failed. */
int report_json(FILE *out, const struct restore_stats *, const char *target,
    const char *mode, int status, double seconds);

#endif
