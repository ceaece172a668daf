/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sig: the signals that ask a tool to stop (SIGINT, SIGTERM, SIGHUP) caught
 * by one handler, without SA_RESTART, so that a read or write blocked on a
 * stalled pipe or server ends with EINTR and the tool can stop cleanly
 * (say what it left, remove its temp files, exit non-zero).  The handler is
 * the tool's or module's: it sets a flag, and may cancel a statement. */
#ifndef CR_SIG_H
#define CR_SIG_H

/* Install handler for SIGINT, SIGTERM and SIGHUP. */
void sig_catch_stop(void (*handler)(int));

/* Install handler for sig alone, also without SA_RESTART. */
void sig_catch(int sig, void (*handler)(int));

#endif
