/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* askpass: the password prompt, on the terminal only. */
#include <unistd.h>

#include <bsd/readpassphrase.h>

#include "base/askpass.h"

int
askpass_tty(char *buf, size_t len)
{
	if (!isatty(STDERR_FILENO) ||
	    readpassphrase("Password: ", buf, len, RPP_REQUIRE_TTY) == NULL ||
	    buf[0] == '\0')
		return -1;
	return 0;
}
