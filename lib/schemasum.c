/* schemasum: line classification of a plain pg_dump, hashing the SQL. */
#include <string.h>

#include "schemasum.h"

enum { UNDECIDED, SQL, SKIP };

void
schemasum_init(struct schemasum *s)
{
	memset(s, 0, sizeof(*s));
	sha256_init(&s->hash);
}

static int
starts(const struct schemasum *s, const char *word)
{
	size_t n = strlen(word);

	return s->headlen >= n && memcmp(s->head, word, n) == 0;
}

/* Decide the current line's kind from its head, once known (ended: the
 * whole line is in head). */
static void
decide(struct schemasum *s, int ended)
{
	if (!ended && s->headlen < SCHEMASUM_HEAD)
		return;
	if (s->in_copy) {
		/* a data row, or the \. that ends the block */
		if (ended && s->linelen <= 3 && starts(s, "\\.") &&
		    (s->linelen == 2 || s->head[2] == '\n' || s->head[2] == '\r'))
			s->in_copy = 0;
		s->kind = SKIP;
		return;
	}
	/* setval carries a sequence's position: data, not schema */
	if (starts(s, "--") || starts(s, "\\restrict ") ||
	    starts(s, "\\unrestrict ") ||
	    starts(s, "SELECT pg_catalog.setval(")) {
		s->kind = SKIP;
		return;
	}
	s->kind = SQL;
	sha256_update(&s->hash, s->head, s->headlen);
}

static void
keep_tail(struct schemasum *s, const char *p, size_t n)
{
	if (n >= SCHEMASUM_TAIL) {
		memcpy(s->tail, p + n - SCHEMASUM_TAIL, SCHEMASUM_TAIL);
		s->taillen = SCHEMASUM_TAIL;
		return;
	}
	if (s->taillen + n > SCHEMASUM_TAIL) {
		memmove(s->tail, s->tail + (s->taillen + n - SCHEMASUM_TAIL),
		    SCHEMASUM_TAIL - n);
		s->taillen = SCHEMASUM_TAIL - n;
	}
	memcpy(s->tail + s->taillen, p, n);
	s->taillen += n;
}

/* The line ended: a COPY ... FROM stdin; statement starts a data block. */
static void
line_end(struct schemasum *s)
{
	static const char from[] = " FROM stdin;\n";
	size_t n = sizeof(from) - 2;	/* without the newline */

	if (s->kind == SQL && s->taillen >= n + 1 &&
	    memcmp(s->tail + s->taillen - n - 1, from, n) == 0)
		s->in_copy = 1;
	s->mid_line = 0;
}

void
schemasum_feed(struct schemasum *s, const void *buf, size_t len)
{
	const char *p = buf, *nl;
	size_t seg, take;
	int ended;

	while (len > 0) {
		if (!s->mid_line) {
			s->mid_line = 1;
			s->kind = UNDECIDED;
			s->headlen = s->taillen = s->linelen = 0;
		}
		nl = memchr(p, '\n', len);
		seg = nl != NULL ? (size_t)(nl - p) + 1 : len;
		ended = nl != NULL;
		s->linelen += seg;
		if (s->kind == UNDECIDED) {
			take = SCHEMASUM_HEAD - s->headlen;
			if (take > seg)
				take = seg;
			memcpy(s->head + s->headlen, p, take);
			s->headlen += take;
			keep_tail(s, p, take);
			decide(s, ended && take == seg);
			if (s->kind == SQL && seg > take) {
				sha256_update(&s->hash, p + take, seg - take);
				keep_tail(s, p + take, seg - take);
			}
		} else if (s->kind == SQL) {
			sha256_update(&s->hash, p, seg);
			keep_tail(s, p, seg);
		}
		if (ended)
			line_end(s);
		p += seg;
		len -= seg;
	}
}

void
schemasum_final_hex(struct schemasum *s, char hex[SHA256_HEX_BYTES])
{
	if (s->mid_line && s->kind == UNDECIDED)
		decide(s, 1);
	sha256_final_hex(&s->hash, hex);
}
