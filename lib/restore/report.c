/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* report: cr-restore's text lines and --json outcome (report.h). */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/size.h"
#include "gz/gzsalvage.h"
#include "pg/pgconn.h"
#include "sql/dumpsalvage.h"
#include "restore/report.h"

#define PREFIX	"cr-restore: "

static void
clear(const struct report *r)
{
	if (r->bar != NULL)
		progress_clear_line(r->bar);
}

void
report_line(const struct report *r, const char *line)
{
	clear(r);
	fprintf(r->fp, PREFIX "%s\n", line);
}

void
report_notice(void *arg, unsigned long line, const char *severity, const char *msg)
{
	const struct report *r = arg;
	char one[1024];

	if (!r->verbose && strcmp(severity, "WARNING") != 0)
		return;
	clear(r);
	pgconn_oneline(msg, one, sizeof(one));
	fprintf(r->fp, PREFIX "line %lu: %s: %s\n", line, severity, one);
}

/* a dozen lines: not for the summary cr-restore-dev and a terminal get */
void
report_schedule(void *arg, const char *msg)
{
	const struct report *r = arg;

	if (r->verbose < 2)
		return;
	clear(r);
	fprintf(r->fp, PREFIX "-j %u: %s\n", r->jobs, msg);
}

void
report_proof_note(void *arg, const char *msg)
{
	const struct report *r = arg;

	clear(r);
	fprintf(r->fp, PREFIX "warning: %s\n", msg);
}

void
report_skipped(void *arg, unsigned long line, const char *msg)
{
	const struct report *r = arg;

	clear(r);
	fprintf(r->fp, PREFIX "line %lu: %s\n", line, msg);
}

void
report_failure(const struct report *r, const struct source *src, enum restore_status rc,
    const char *msg)
{
	if ((rc == RESTORE_EDATA || rc == RESTORE_EIO) && source_error(src) != NULL)
		fprintf(r->fp, PREFIX "%s: %s\n", src->name, source_error(src));
	else
		fprintf(r->fp, PREFIX "%s\n", msg);
}

void
report_in_place_failure(const struct report *r, const char *target, int single,
    const struct restore_stats *st)
{
	if (single)
		fprintf(r->fp, PREFIX "rolled back: \"%s\" is as it was\n", target);
	else if (st->complete)
		fprintf(r->fp, PREFIX "every statement was executed and stays; only the "
		    "row-count proof failed: --clean or -1 make a restore all-or-nothing\n");
	else if (st->statements > 0)
		fprintf(r->fp, PREFIX "statements before that were executed and stay; "
		    "--clean or -1 make a restore all-or-nothing\n");
}

void
report_outcome(const struct report *r, const char *target, const struct replace_outcome *o)
{
	char line[2048];
	int i;

	if (r->verbose && o->sealed && o->scratch_ended > 0)
		fprintf(r->fp, PREFIX "%d session%s on the scratch database ended\n",
		    o->scratch_ended, o->scratch_ended == 1 ? "" : "s");
	for (i = 0; replace_outcome_line(o, target, i, line, sizeof(line)) != NULL; i++)
		fprintf(r->fp, PREFIX "%s\n", line);
}

void
report_leftovers(const struct report *r, PGconn *maint, const char *target)
{
	struct replace_leftovers l;
	char line[2048];
	int i;

	if (replace_leftovers(maint, target, &l, line, sizeof(line)) == -1)
		fprintf(r->fp, PREFIX "warning: %s\n", line);
	else
		for (i = 0; replace_leftovers_line(&l, target, i, line, sizeof(line)) != NULL; i++)
			fprintf(r->fp, PREFIX "%s\n", line);
}

void
report_summary(const struct report *r, const struct restore_stats *st, const char *target,
    int clean, int ended, double seconds)
{
	char sessions[64] = "", size[SIZE_IEC_LEN], peak[SIZE_IEC_LEN];

	if (clean)
		snprintf(sessions, sizeof(sessions), "; %d session%s ended", ended,
		    ended == 1 ? "" : "s");
	fprintf(r->fp, PREFIX "%s: %llu bytes (%s), %llu statements, %llu tables, "
	    "%llu rows in %.2f s%s\n", target, (unsigned long long)st->bytes,
	    size_iec(st->bytes, size), (unsigned long long)st->statements,
	    (unsigned long long)st->tables, (unsigned long long)st->rows, seconds, sessions);
	if (r->jobs > 1 && st->ranged > 0)
		fprintf(r->fp, PREFIX "-j %u: random access: %llu COPY blocks (%s) "
		    "read by the workers from the file\n", r->jobs,
		    (unsigned long long)st->ranged, size_iec(st->ranged_bytes, size));
	if (r->jobs > 1)
		fprintf(r->fp, PREFIX "-j %u: %s of COPY data spilled to temporary files "
		    "in %s, at most %s at once\n", r->jobs, size_iec(st->spilled, size),
		    r->tmpdir != NULL ? r->tmpdir : "/tmp", size_iec(st->spill_peak, peak));
}

int
report_salvage(const struct report *r, const struct source *src, int status)
{
	char line[640];
	unsigned i;

	for (i = 0; i < gzsalvage_ngaps(src->sv); i++) {
		gzsalvage_describe(src->sv, i, line, sizeof(line));
		fprintf(r->fp, PREFIX "%s: %s\n", src->name, line);
	}
	for (i = 0; i < dumpsalvage_nnotes(src->ds); i++)
		fprintf(r->fp, PREFIX "salvage: %s\n", dumpsalvage_note(src->ds, i));
	if (!dumpsalvage_lost(src->ds))
		return status;
	if (status == 0) {
		fprintf(r->fp, PREFIX "restored with losses: the rows and statements named "
		    "above are not in the database\n");
		return REPORT_EXIT_LOSSES;
	}
	return status;
}

int
report_json(FILE *out, const struct restore_stats *st, const char *target, const char *mode,
    int status, double seconds)
{
	struct jw w;

	jw_begin(&w, out);
	jw_str(&w, "database", target);
	jw_bool(&w, "ok", status == 0);
	jw_int(&w, "exit", status);
	jw_str(&w, "mode", mode);
	jw_uint(&w, "bytes", st->bytes);
	jw_uint(&w, "statements", st->statements);
	jw_uint(&w, "tables", st->tables);
	jw_uint(&w, "rows", st->rows);
	/* the row-count proof runs once the whole script has */
	if (status == 0 || st->complete)
		jw_str(&w, "proof", status == 0 ? "ok" : "failed");
	else
		jw_null(&w, "proof");
	jw_fixed(&w, "duration_s", seconds, 0);
	return jw_finish(&w);
}
