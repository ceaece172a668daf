/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* json: JSON strings for --json output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

char *
json_quote(const char *s)
{
	char *out, *o;
	unsigned char c;

	/* At most six bytes a byte (\u00XX), two quotes and a NUL. */
	if ((out = malloc(strlen(s) * 6 + 3)) == NULL)
		return NULL;
	o = out;
	*o++ = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}
