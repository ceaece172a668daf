/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dotenv: read KEY=VALUE settings from an application's .env file, so cron
 * jobs and the app share one connection setting.  Values are never logged. */
#ifndef CR_DOTENV_H
#define CR_DOTENV_H

#include <stddef.h>

struct dotenv;

/* Parse path as the npm dotenv package (lib/main.js, its LINE expression)
 * parses it, so cr reads the values the app reads: CRLF or CR line ends
 * read as LF; blank lines and # comments; an optional "export " prefix;
 * KEY=VALUE or KEY: VALUE, KEY of letters, digits, _ . -; a value in
 * '...', "..." or `...` quotes may span lines (a PEM key), and only in
 * double quotes \n and \r become a newline and a carriage return (nothing
 * else is unescaped); an unquoted value ends at a # and is trimmed; the
 * last assignment to a key wins.  A line that is none of these is skipped
 * and a quote that does not close is taken as written, as dotenv does;
 * each gets a warning (dotenv_warning).  Returns NULL with a one-line
 * reason in err: "cannot open: ...", "read error: ...", "larger than ...",
 * or "out of memory", and, when kind is not NULL, which of them in *kind:
 * the caller picks its exit status from the kind, never from the text. */
enum dotenv_error {
	DOTENV_OK,
	DOTENV_OPEN,		/* cannot open (errno's reason) */
	DOTENV_READ,		/* read error */
	DOTENV_TOO_LARGE,	/* larger than an env file can be */
	DOTENV_NOMEM		/* out of memory */
};
struct dotenv *dotenv_load(const char *path, enum dotenv_error *kind,
    char *err, size_t errlen);

/* The value of the last assignment to key, or NULL. */
const char *dotenv_get(const struct dotenv *, const char *key);

/* The i-th warning of the reading, "PATH: line N: what was skipped and
 * why", or NULL when there are no more. */
const char *dotenv_warning(const struct dotenv *, size_t i);

/* Whether key can be asked for and set as a shell variable (the wrappers
 * do): a letter or '_', then letters, digits and '_'. */
int dotenv_shell_name(const char *key);

/* Overwrites the values in memory (they may be passwords) and frees. */
void dotenv_free(struct dotenv *);

#endif
