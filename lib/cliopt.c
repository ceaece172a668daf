/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cliopt: the message for a bad command-line option, worded as getopt's. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cliopt.h"

int
cliopt_bad(int ch, char *const argv[], const char *optstring, char *buf, size_t len)
{
	if (ch == '?' && optopt == '?')
		return 1;
	if (ch == ':' && strncmp(argv[optind - 1], "--", 2) == 0)
		snprintf(buf, len, "option %s requires an argument", argv[optind - 1]);
	else if (ch == ':')
		snprintf(buf, len, "option requires an argument -- '%c'", optopt);
	else if (optopt == 0)
		snprintf(buf, len, "unrecognized option '%s'", argv[optind - 1]);
	else if (optopt > CHAR_MAX || strchr(optstring, optopt) != NULL)
		snprintf(buf, len, "option '%s' takes no argument", argv[optind - 1]);
	else
		snprintf(buf, len, "invalid option -- '%c'", optopt);
	return 0;
}
