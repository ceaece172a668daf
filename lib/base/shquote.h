/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* shquote: one word quoted for a POSIX shell, so that a command cr suggests
 * in a hint ("cr-migrate -d 'my db' baseline 3") works when pasted.  The one
 * quoting of cr's hints; nothing prints. */
#ifndef CR_SHQUOTE_H
#define CR_SHQUOTE_H

#include <stddef.h>

/* s as one shell word, into out: as it is when it is not empty and made
 * only of characters no shell treats specially (letters, digits and
 * _ . / : = @ % + , -), else in single quotes, a ' inside as '\''.
 * Returns 0, or -1 (out "") when out is too small. */
int shquote(const char *s, char *out, size_t outlen);

/* The same, always in single quotes. */
int shquote_always(const char *s, char *out, size_t outlen);

#endif
