/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* progress: the one progress line every tool draws on its standard error,
 * as pv or rsync --info=progress2 do: done / total (percent), rate and ETA
 * when the total is known, what the tool adds after them; redrawn in place
 * at most twice a second.  By default only when standard error is a
 * terminal; --progress and --no-progress force either. */
#ifndef CR_PROGRESS_H
#define CR_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

enum progress_mode {
	PROGRESS_AUTO = 0,	/* when the stream is a terminal */
	PROGRESS_ON,		/* --progress */
	PROGRESS_OFF		/* --no-progress */
};

struct progress {
	FILE		*fp;		/* NULL: draw nothing */
	const char	*prog;
	uint64_t	 total;		/* 0: not known */
	double		 started, last;
	int		 shown;
};

/* Start a line for prog on fp (stderr), counting towards total bytes. */
void progress_start(struct progress *, FILE *fp, enum progress_mode,
    const char *prog, uint64_t total);
/* done bytes so far; extra (or NULL) after the figures.  Drawn at most
 * every half second, unless force. */
void progress_update(struct progress *, uint64_t done, const char *extra, int force);
/* Erase the line, before other output or at the end. */
void progress_clear_line(struct progress *);

#endif
