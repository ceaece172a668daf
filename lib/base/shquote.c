/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* shquote: one word quoted for a POSIX shell. */
#include <string.h>

#include "base/shquote.h"

#define PLAIN	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" \
		"_./:=@%+,-"

int
shquote_always(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen < 3)
		goto full;
	out[o++] = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			if (o + 5 >= outlen)
				goto full;
			memcpy(out + o, "'\\''", 4);
			o += 4;
			continue;
		}
		if (o + 2 >= outlen)
			goto full;
		out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return 0;
full:
	if (outlen > 0)
		out[0] = '\0';
	return -1;
}

int
shquote(const char *s, char *out, size_t outlen)
{
	size_t len = strlen(s);

	if (len > 0 && strspn(s, PLAIN) == len) {
		if (len >= outlen) {
			if (outlen > 0)
				out[0] = '\0';
			return -1;
		}
		memcpy(out, s, len + 1);
		return 0;
	}
	return shquote_always(s, out, outlen);
}
