/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* progress: one line on standard error, redrawn in place (see progress.h). */
#include <stdio.h>
#include <unistd.h>

#include "base/io.h"
#include "base/progress.h"
#include "base/size.h"

#define INTERVAL	0.5	/* seconds between redraws */

void
progress_start(struct progress *p, FILE *fp, enum progress_mode mode,
    const char *prog, uint64_t total)
{
	p->fp = mode == PROGRESS_ON || (mode == PROGRESS_AUTO && isatty(fileno(fp))) ?
	    fp : NULL;
	p->prog = prog;
	p->total = total;
	p->started = io_clock();
	p->last = 0;
	p->shown = 0;
}

void
progress_update(struct progress *p, uint64_t done, const char *extra, int force)
{
	char d[SIZE_IEC_LEN], t[SIZE_IEC_LEN], r[SIZE_IEC_LEN], eta[32] = "";
	double now, secs, rate;
	uint64_t left;

	if (p->fp == NULL)
		return;
	now = io_clock();
	if (!force && now - p->last < INTERVAL)
		return;
	p->last = now;
	secs = now - p->started;
	rate = secs > 0 ? (double)done / secs : 0;
	size_iec(done, d);
	size_iec((uint64_t)rate, r);
	fprintf(p->fp, "\r%s: %s", p->prog, d);
	if (p->total > 0 && done <= p->total) {
		left = p->total - done;
		if (rate > 0 && secs >= 1) {
			long s = (long)((double)left / rate + 0.5);

			snprintf(eta, sizeof(eta), ", ETA %ld:%02ld:%02ld", s / 3600,
			    s / 60 % 60, s % 60);
		}
		fprintf(p->fp, " / %s (%d%%)", size_iec(p->total, t),
		    (int)(100.0 * (double)done / (double)p->total));
	}
	fprintf(p->fp, ", %s/s%s%s%s\033[K", r, eta, extra != NULL ? ", " : "",
	    extra != NULL ? extra : "");
	fflush(p->fp);
	p->shown = 1;
}

void
progress_clear_line(struct progress *p)
{
	if (p->fp != NULL && p->shown) {
		fputs("\r\033[K", p->fp);
		fflush(p->fp);
	}
	p->shown = 0;
}
