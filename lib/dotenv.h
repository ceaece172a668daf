/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dotenv: read KEY=VALUE settings from an application's .env file, so cron
 * jobs and the app share one connection setting.  Values are never logged. */
#ifndef CR_DOTENV_H
#define CR_DOTENV_H

#include <stddef.h>

struct dotenv;

/* Parse path.  Accepts blank lines, # comments, an optional "export "
 * prefix, unquoted values (a " #" starts a comment), 'single-quoted'
 * (literal) and "double-quoted" values (\n \t \" \\ escapes).  Returns NULL
 * with a one-line reason in err: "cannot open: ...", "line 3: expected
 * KEY=VALUE", or "out of memory". */
struct dotenv *dotenv_load(const char *path, char *err, size_t errlen);

/* The value of the last assignment to key, or NULL. */
const char *dotenv_get(const struct dotenv *, const char *key);

/* Overwrites the values in memory (they may be passwords) and frees. */
void dotenv_free(struct dotenv *);

#endif
