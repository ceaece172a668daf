/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sig: the stop signals caught (sig.h). */
#include <signal.h>
#include <string.h>

#include "base/sig.h"

void
sig_catch(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));	/* no SA_RESTART: a blocked call ends */
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
sig_catch_stop(void (*handler)(int))
{
	sig_catch(SIGINT, handler);
	sig_catch(SIGTERM, handler);
	sig_catch(SIGHUP, handler);
}
