/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* cliopt: what getopt_long would say about a bad option, for the tools
 * that parse with opterr 0 and an optstring starting with ':' so that -?
 * (a request for help) can be told from a mistake. */
#ifndef CR_CLIOPT_H
#define CR_CLIOPT_H

#include <stddef.h>

/* getopt_long returned ch ('?' or ':') for argv[optind - 1].  Returns 1
 * when it was -?, a request for help; else 0 with the message getopt
 * would print (no program name, no newline) in buf. */
int cliopt_bad(int ch, char *const argv[], const char *optstring, char *buf, size_t len);

#endif
