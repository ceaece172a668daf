/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* restoreplan: statement classification for pg_dump plain scripts, and the
 * selection cr-restore -t / --data-only makes from it.  It reads the
 * statement's tokens as lib/sql/sqlsplit lexes them (dollar quotes, E''
 * strings and nested comments as the server reads them), one at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include "sql/restoreplan.h"

enum tok { T_END, T_WORD, T_QIDENT, T_STRING, T_PUNCT };

/* The statement's tokens, read one at a time. */
struct lex {
	const char	*base;		/* the statement's text */
	const struct sqlsplit_tok *v;
	unsigned	 n, i;		/* tokens, the next one */
	enum tok	 t;		/* the current token */
	const char	*tp;		/* its text */
	size_t		 tn;		/* its length */
	const struct sqlsplit_tok *cur;
	char		 word[64];	/* T_WORD, lower case (cut at 63) */
	int		 cut;		/* the statement has more tokens than v */
	int		 ran_off;	/* and they were asked for */
};

static void
next(struct lex *l)
{
	size_t i;

	if (l->i >= l->n) {
		l->ran_off |= l->cut;
		l->t = T_END;
		l->tp = l->base + (l->n > 0 ? l->v[l->n - 1].off + l->v[l->n - 1].len : 0);
		l->tn = 0;
		l->cur = NULL;
		return;
	}
	l->cur = &l->v[l->i++];
	l->tp = l->base + l->cur->off;
	l->tn = l->cur->len;
	switch (l->cur->kind) {
	case SQLSPLIT_TOK_WORD:
		l->t = T_WORD;
		for (i = 0; i < l->tn && i < sizeof(l->word) - 1; i++)
			l->word[i] = (l->tp[i] >= 'A' && l->tp[i] <= 'Z') ?
			    l->tp[i] - 'A' + 'a' : l->tp[i];
		l->word[i] = '\0';
		break;
	case SQLSPLIT_TOK_QIDENT:
		/* U&"..." names in escapes: no name restoreplan can fold */
		l->t = l->cur->flags & SQLSPLIT_TOKF_UNI ? T_PUNCT : T_QIDENT;
		break;
	case SQLSPLIT_TOK_STRING:
	case SQLSPLIT_TOK_DOLLARSTR:
		l->t = T_STRING;
		break;
	default:
		l->t = T_PUNCT;
		break;
	}
}

static void
lex_init(struct lex *l, const char *text, const struct sqlsplit_tok *v, unsigned n)
{
	l->base = text;
	l->v = v;
	l->n = n;
	l->i = 0;
	l->cut = l->ran_off = 0;
	next(l);
}

static int
is_word(const struct lex *l, const char *w)
{
	return l->t == T_WORD && strcmp(l->word, w) == 0;
}

/* Consume word w when it is the current token. */
static int
accept(struct lex *l, const char *w)
{
	if (!is_word(l, w))
		return 0;
	next(l);
	return 1;
}

static int
is_punct(const struct lex *l, char c)
{
	return l->t == T_PUNCT && *l->tp == c;
}

/* A (qualified) name at the current token, in canonical form into out:
 * every part quoted, unquoted parts folded to lower case.  Returns the
 * number of parts (0: no name there, or out too small). */
static int
name(struct lex *l, char *out, size_t outlen, size_t *off, size_t *len)
{
	size_t o = 0, i;
	int parts = 0;
	const char *start = l->tp;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	for (;;) {
		if (l->t != T_WORD && l->t != T_QIDENT)
			return 0;
		if (parts > 0) {
			if (o + 1 >= outlen)
				return 0;
			out[o++] = '.';
		}
		if (l->t == T_WORD) {
			if (o + l->tn + 3 > outlen)
				return 0;
			out[o++] = '"';
			for (i = 0; i < l->tn; i++)
				out[o++] = (l->tp[i] >= 'A' && l->tp[i] <= 'Z') ?
				    l->tp[i] - 'A' + 'a' : l->tp[i];
			out[o++] = '"';
		} else {
			if (o + l->tn + 1 > outlen)
				return 0;
			memcpy(out + o, l->tp, l->tn);
			o += l->tn;
		}
		out[o] = '\0';
		parts++;
		if (off != NULL)
			*off = start - l->base;
		if (len != NULL)
			*len = l->tp + l->tn - start;
		/* A '.' right after the part (no space: pg_dump writes none). */
		if (l->i < l->n && l->v[l->i].kind == SQLSPLIT_TOK_DOT &&
		    l->v[l->i].off == l->cur->off + l->cur->len) {
			l->i++;
			next(l);
			continue;
		}
		next(l);
		return parts;
	}
}

/* Where the last part of a canonical name starts. */
static const char *
last_part(const char *canon)
{
	const char *p, *last = canon;
	int quoted = 0;

	for (p = canon; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '.' && !quoted)
			last = p + 1;
	}
	return last;
}

/* Drop the last part (a column): "s"."t"."c" -> "s"."t". */
static void
drop_last_part(char *canon)
{
	const char *l = last_part(canon);

	if (l > canon)
		canon[l - canon - 1] = '\0';
	else
		canon[0] = '\0';
}

/* Skip to the word w at parenthesis depth 0 (inclusive of it).  Returns 1
 * when found. */
static int
skip_to(struct lex *l, const char *w)
{
	int depth = 0;

	for (; l->t != T_END; next(l)) {
		if (is_punct(l, '('))
			depth++;
		else if (is_punct(l, ')'))
			depth--;
		else if (depth == 0 && is_word(l, w)) {
			next(l);
			return 1;
		}
	}
	return 0;
}

static void
classify_create(struct lex *l, struct restoreplan_stmt *st)
{
	char idx[256];
	const char *schema_end;

	while (accept(l, "or") || accept(l, "replace") || accept(l, "unique") ||
	    accept(l, "unlogged") || accept(l, "constraint") || accept(l, "global") ||
	    accept(l, "local") || accept(l, "temporary") || accept(l, "temp"))
		;
	if (accept(l, "table")) {
		if (accept(l, "if") && accept(l, "not"))
			accept(l, "exists");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_TABLE;
	} else if (accept(l, "sequence")) {
		if (accept(l, "if") && accept(l, "not"))
			accept(l, "exists");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_SEQUENCE;
	} else if (accept(l, "index")) {
		accept(l, "concurrently");
		if (accept(l, "if") && accept(l, "not"))
			accept(l, "exists");
		idx[0] = '\0';
		if (!is_word(l, "on"))
			name(l, idx, sizeof(idx), NULL, NULL);
		if (!accept(l, "on"))
			return;
		accept(l, "only");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) == 0)
			return;
		st->kind = RESTOREPLAN_INDEX;
		/* An index lives in its table's schema. */
		schema_end = last_part(st->rel);
		st->obj[0] = '\0';
		if (idx[0] != '\0' && last_part(idx) == idx && schema_end > st->rel &&
		    (size_t)(schema_end - st->rel) < sizeof(st->obj)) {
			memcpy(st->obj, st->rel, schema_end - st->rel);
			st->obj[schema_end - st->rel] = '\0';
		}
		strlcat(st->obj, idx, sizeof(st->obj));
	} else if (accept(l, "trigger")) {
		if (!skip_to(l, "on") || name(l, st->rel, sizeof(st->rel), NULL, NULL) == 0)
			return;
		st->kind = RESTOREPLAN_TRIGGER;
		if (skip_to(l, "execute") && (accept(l, "function") || accept(l, "procedure")))
			name(l, st->ref, sizeof(st->ref), NULL, NULL);
	} else if (accept(l, "policy")) {
		if (skip_to(l, "on") && name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_TRIGGER;
	} else if (accept(l, "schema")) {
		if (accept(l, "if") && accept(l, "not"))
			accept(l, "exists");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) == 1)
			st->kind = RESTOREPLAN_SCHEMA;
	}
}

static void
classify_alter(struct lex *l, struct restoreplan_stmt *st)
{
	char idx[256];
	const char *schema_end;

	if (accept(l, "table")) {
		if (accept(l, "if"))
			accept(l, "exists");
		accept(l, "only");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) == 0)
			return;
		st->kind = RESTOREPLAN_ALTER;
		if (accept(l, "add") && accept(l, "constraint")) {
			if (name(l, idx, sizeof(idx), NULL, NULL) == 0)
				return;
			/* A primary key, unique or exclusion constraint makes an
			 * index of its name, in its table's schema. */
			schema_end = last_part(st->rel);
			if (last_part(idx) == idx && schema_end > st->rel &&
			    (size_t)(schema_end - st->rel) < sizeof(st->obj)) {
				memcpy(st->obj, st->rel, schema_end - st->rel);
				st->obj[schema_end - st->rel] = '\0';
			}
			strlcat(st->obj, idx, sizeof(st->obj));
			if (is_word(l, "foreign")) {
				st->obj[0] = '\0';
				if (skip_to(l, "references") &&
				    name(l, st->ref, sizeof(st->ref), NULL, NULL) > 0)
					st->kind = RESTOREPLAN_FOREIGN_KEY;
			} else
				st->kind = RESTOREPLAN_CONSTRAINT;
			return;
		}
		if (accept(l, "attach") && accept(l, "partition")) {
			name(l, st->ref, sizeof(st->ref), NULL, NULL);
			return;
		}
		/* An identity column: ADD GENERATED ... (SEQUENCE NAME s ...). */
		for (; l->t != T_END; next(l))
			if (is_word(l, "sequence")) {
				next(l);
				if (accept(l, "name"))
					name(l, st->obj, sizeof(st->obj), NULL, NULL);
				return;
			}
	} else if (accept(l, "sequence")) {
		if (accept(l, "if"))
			accept(l, "exists");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) == 0)
			return;
		st->kind = RESTOREPLAN_ALTER;
		if (accept(l, "owned") && accept(l, "by")) {
			st->kind = RESTOREPLAN_OWNED_BY;
			if (name(l, st->ref, sizeof(st->ref), NULL, NULL) > 1)
				drop_last_part(st->ref);
			else
				st->ref[0] = '\0';	/* OWNED BY NONE */
		}
	} else if (accept(l, "schema")) {
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) == 1)
			st->kind = RESTOREPLAN_COMMENT;	/* runs with its schema */
	} else if (accept(l, "index")) {
		if (accept(l, "if"))
			accept(l, "exists");
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) == 0)
			return;
		st->kind = RESTOREPLAN_ALTER;
		if (accept(l, "attach") && accept(l, "partition") &&
		    name(l, st->obj, sizeof(st->obj), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_INDEX_ATTACH;
	}
}

static void
classify_comment(struct lex *l, struct restoreplan_stmt *st)
{
	if (!accept(l, "on"))
		return;
	if (accept(l, "table") || accept(l, "sequence") || accept(l, "index") ||
	    accept(l, "schema")) {
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_COMMENT;
	} else if (accept(l, "column")) {
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) > 1) {
			drop_last_part(st->rel);
			st->kind = RESTOREPLAN_COMMENT;
		}
	} else if (accept(l, "constraint") || accept(l, "trigger") || accept(l, "policy")) {
		if (skip_to(l, "on") && name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_COMMENT;
	}
}

/* SELECT pg_catalog.setval('public.users_id_seq', 2, true): the literal
 * holds the sequence's name as SQL text. */
static void
classify_select(struct lex *l, struct restoreplan_stmt *st)
{
	char lit[512];
	size_t i, o;

	if (accept(l, "pg_catalog")) {
		if (!is_punct(l, '.'))
			return;
		next(l);
	}
	if (accept(l, "set_config")) {
		st->kind = RESTOREPLAN_SESSION;
		return;
	}
	if (!accept(l, "setval") || !is_punct(l, '('))
		return;
	next(l);
	/* a plain '' literal, as pg_dump writes it */
	if (l->t != T_STRING || l->tn < 2 || l->tp[0] != '\'' || (l->cur->flags &
	    (SQLSPLIT_TOKF_ESC | SQLSPLIT_TOKF_UNI | SQLSPLIT_TOKF_CONT)))
		return;
	for (i = 1, o = 0; i + 1 < l->tn && o + 1 < sizeof(lit); i++) {
		lit[o++] = l->tp[i];
		if (l->tp[i] == '\'')
			i++;	/* '' */
	}
	lit[o] = '\0';
	if (restoreplan_canonical(lit, st->rel, sizeof(st->rel)) == 0)
		st->kind = RESTOREPLAN_SETVAL;
}

static void
classify_tokens(struct lex *l, const struct sqlsplit_item *it, struct restoreplan_stmt *st)
{
	struct sqlsplit_copy c;

	if (accept(l, "set") || accept(l, "reset"))
		st->kind = RESTOREPLAN_SESSION;
	else if (accept(l, "create"))
		classify_create(l, st);
	else if (accept(l, "alter"))
		classify_alter(l, st);
	else if (is_word(l, "copy")) {
		/* the table, as lib/sql/sqlsplit reads every COPY's */
		if (sqlsplit_copy_target(it, &c) == -1)
			return;
		l->i = c.name_tok;
		next(l);
		if (name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0) {
			st->kind = RESTOREPLAN_COPY;
			st->name_off = c.name_off;
			st->name_len = c.name_len;
		}
	} else if (accept(l, "comment"))
		classify_comment(l, st);
	else if (accept(l, "select"))
		classify_select(l, st);
	else if (accept(l, "grant") || accept(l, "revoke")) {
		if (skip_to(l, "on") && (accept(l, "table") || accept(l, "sequence") ||
		    accept(l, "schema")) &&
		    name(l, st->rel, sizeof(st->rel), NULL, NULL) > 0)
			st->kind = RESTOREPLAN_GRANT;
	}
}

void
restoreplan_classify(const struct sqlsplit_item *it, struct restoreplan_stmt *st)
{
	struct sqlsplit_tok *own = NULL;
	struct lex l;
	unsigned n;

	memset(st, 0, sizeof(*st));
	st->kind = RESTOREPLAN_OTHER;
	if (it->tokens != NULL)
		lex_init(&l, it->text, it->tokens, it->ntokens);
	else if (sqlsplit_lex(it->text, it->len, &own, &n) >= 0)
		lex_init(&l, it->text, own, n);
	else
		return;
	l.cut = it->tokens != NULL && it->tokens_cut;
	classify_tokens(&l, it, st);
	if (l.ran_off) {
		/* what it is about lies past the tokens kept: unknown */
		memset(st, 0, sizeof(*st));
		st->kind = RESTOREPLAN_OTHER;
	}
	free(own);
}

int
restoreplan_canonical(const char *s, char *out, size_t outlen)
{
	struct sqlsplit_tok *v;
	struct lex l;
	unsigned n;
	int r = -1;

	if (sqlsplit_lex(s, strlen(s), &v, &n) == -1)
		return -1;
	lex_init(&l, s, v, n);
	if (name(&l, out, outlen, NULL, NULL) > 0 && l.t == T_END)
		r = 0;
	free(v);
	return r;
}

/* ---- the selection ---- */

struct names {
	char		**v;
	size_t		 n, cap;
};

struct spec {
	char		*text;		/* as given */
	char		 name[256];	/* canonical */
	char		 into[256];	/* canonical, "" without a rename */
	int		 matched;
};

struct held {
	char		*seq;
	char		*text;
	unsigned long	 line;
};

struct restoreplan {
	int		 data_only;
	struct spec	*specs;
	size_t		 nspecs;
	struct names	 tables;	/* selected, canonical */
	struct names	 renamed;	/* selected tables loaded elsewhere */
	struct names	 seqs;		/* selected sequences */
	struct names	 indexes;	/* selected indexes */
	struct names	 schemas;	/* schemas this restore created */
	unsigned long	*tline;		/* CREATE TABLE line of each of tables */
	size_t		 tlinecap;
	struct names	 copied;	/* selected tables a COPY loaded */
	struct names	 attached;	/* pairs: partition, its parent, both selected */
	int		 any_copy;	/* the dump has data at all */
	struct names	 owners;	/* pairs: sequence, owning table */
	struct held	*held;		/* statements on sequences not known wanted */
	size_t		 nheld, heldcap, heldbytes;
	struct held	*ready;		/* released, in input order */
	size_t		 nready, readycap, readyhead;
	/* Partitions of a selected partitioned table that -t does not
	 * select: its rows are theirs, so the selection cannot be met. */
	struct names	 parents, missed;
	/* pairs: every partition the dump attaches, its parent */
	struct names	 parts;
	char		 why[2048];
};

/* Held statements of sequences whose owner never shows: a dump has few
 * and short ones; past this the oldest are forgotten. */
#define HELD_MAX	(4u << 20)

static int
names_has(const struct names *ns, const char *s)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return 1;
	return 0;
}

/* Add s, unless it is there already (or empty). */
static int
names_add(struct names *ns, const char *s)
{
	char **v;

	if (s[0] == '\0' || names_has(ns, s))
		return 0;
	if (ns->n == ns->cap) {
		if ((v = reallocarray(ns->v, ns->cap ? ns->cap * 2 : 16, sizeof(*v))) == NULL)
			return -1;
		ns->v = v;
		ns->cap = ns->cap ? ns->cap * 2 : 16;
	}
	if ((ns->v[ns->n] = strdup(s)) == NULL)
		return -1;
	ns->n++;
	return 0;
}

static void
names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

struct restoreplan *
restoreplan_new(int data_only)
{
	struct restoreplan *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->data_only = data_only;
	return p;
}

void
restoreplan_free(struct restoreplan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nspecs; i++)
		free(p->specs[i].text);
	free(p->specs);
	names_free(&p->tables);
	names_free(&p->renamed);
	names_free(&p->seqs);
	names_free(&p->indexes);
	names_free(&p->schemas);
	names_free(&p->copied);
	names_free(&p->attached);
	free(p->tline);
	names_free(&p->owners);
	names_free(&p->parents);
	names_free(&p->missed);
	names_free(&p->parts);
	for (i = 0; i < p->nheld; i++) {
		free(p->held[i].seq);
		free(p->held[i].text);
	}
	free(p->held);
	for (i = p->readyhead; i < p->nready; i++) {
		free(p->ready[i].seq);
		free(p->ready[i].text);
	}
	free(p->ready);
	free(p);
}

int
restoreplan_add(struct restoreplan *p, const char *spec, char *err, size_t errlen)
{
	struct spec *v, *s;
	char left[512];
	const char *eq;

	if ((v = reallocarray(p->specs, p->nspecs + 1, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->specs = v;
	s = &p->specs[p->nspecs];
	memset(s, 0, sizeof(*s));
	/* '=' cannot start a name nor sit in an unquoted one; a quoted name
	 * holding one is given without a rename. */
	eq = strchr(spec, '=');
	if (eq != NULL && restoreplan_canonical(spec, s->name, sizeof(s->name)) == 0)
		eq = NULL;
	if (eq != NULL) {
		if (!p->data_only) {
			snprintf(err, errlen, "-t %s: loading rows into another table "
			    "(name=other) needs --data-only", spec);
			return -1;
		}
		snprintf(left, sizeof(left), "%.*s", (int)(eq - spec), spec);
		if (restoreplan_canonical(left, s->name, sizeof(s->name)) == -1 ||
		    restoreplan_canonical(eq + 1, s->into, sizeof(s->into)) == -1) {
			snprintf(err, errlen, "-t %s: not a table name (name or name=other)",
			    spec);
			return -1;
		}
	} else if (restoreplan_canonical(spec, s->name, sizeof(s->name)) == -1) {
		snprintf(err, errlen, "-t %s: not a table name", spec);
		return -1;
	}
	if ((s->text = strdup(spec)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->nspecs++;
	return 0;
}

const char *
restoreplan_unmatched(const struct restoreplan *p)
{
	size_t i;

	for (i = 0; p != NULL && i < p->nspecs; i++)
		if (!p->specs[i].matched)
			return p->specs[i].text;
	return NULL;
}

/* The spec that selects table rel (canonical), or NULL.  A name without a
 * schema matches the table in any schema. */
static struct spec *
spec_for(struct restoreplan *p, const char *rel)
{
	size_t i;
	const char *n;

	for (i = 0; i < p->nspecs; i++) {
		n = p->specs[i].name;
		if (strcmp(n, rel) == 0 || (last_part(n) == n && strcmp(n, last_part(rel)) == 0))
			return &p->specs[i];
	}
	return NULL;
}

/* Lists of pairs (a, b), at most one per a. */
static const char *
pair_get(const struct names *ns, const char *a)
{
	size_t i;

	for (i = 0; i + 1 < ns->n; i += 2)
		if (strcmp(ns->v[i], a) == 0)
			return ns->v[i + 1];
	return NULL;
}

static int
pair_add(struct names *ns, const char *a, const char *b)
{
	char **v;

	if (pair_get(ns, a) != NULL || a[0] == '\0' || b[0] == '\0')
		return 0;
	if (ns->n + 2 > ns->cap) {
		if ((v = reallocarray(ns->v, ns->cap ? ns->cap * 2 : 32, sizeof(*v))) == NULL)
			return -1;
		ns->v = v;
		ns->cap = ns->cap ? ns->cap * 2 : 32;
	}
	if ((ns->v[ns->n] = strdup(a)) == NULL)
		return -1;
	if ((ns->v[ns->n + 1] = strdup(b)) == NULL) {
		free(ns->v[ns->n]);
		return -1;
	}
	ns->n += 2;
	return 0;
}

static const char *
owner_of(const struct restoreplan *p, const char *seq)
{
	return pair_get(&p->owners, seq);
}

static int
owner_set(struct restoreplan *p, const char *seq, const char *table)
{
	return pair_add(&p->owners, seq, table);
}

static int
is_held(const struct restoreplan *p, const char *seq)
{
	size_t i;

	for (i = 0; i < p->nheld; i++)
		if (strcmp(p->held[i].seq, seq) == 0)
			return 1;
	return 0;
}

static int
hold(struct restoreplan *p, const char *seq, const char *text, size_t len,
    unsigned long line)
{
	struct held *v;

	while (p->nheld > 0 && p->heldbytes + len > HELD_MAX) {
		p->heldbytes -= strlen(p->held[0].text);
		free(p->held[0].seq);
		free(p->held[0].text);
		memmove(p->held, p->held + 1, --p->nheld * sizeof(*p->held));
	}
	if (p->nheld == p->heldcap) {
		if ((v = reallocarray(p->held, p->heldcap ? p->heldcap * 2 : 16,
		    sizeof(*v))) == NULL)
			return -1;
		p->held = v;
		p->heldcap = p->heldcap ? p->heldcap * 2 : 16;
	}
	v = &p->held[p->nheld];
	if ((v->seq = strdup(seq)) == NULL || (v->text = strndup(text, len)) == NULL) {
		free(v->seq);
		return -1;
	}
	v->line = line;
	p->nheld++;
	p->heldbytes += len;
	return 0;
}

/* The held statements of seq: released (want) or dropped. */
static int
release(struct restoreplan *p, const char *seq, int want)
{
	struct held *v;
	size_t i, k;

	for (i = k = 0; i < p->nheld; i++) {
		if (strcmp(p->held[i].seq, seq) != 0) {
			p->held[k++] = p->held[i];
			continue;
		}
		p->heldbytes -= strlen(p->held[i].text);
		if (!want) {
			free(p->held[i].seq);
			free(p->held[i].text);
			continue;
		}
		if (p->nready == p->readycap) {
			if ((v = reallocarray(p->ready, p->readycap ? p->readycap * 2 : 8,
			    sizeof(*v))) == NULL)
				return -1;
			p->ready = v;
			p->readycap = p->readycap ? p->readycap * 2 : 8;
		}
		p->ready[p->nready++] = p->held[i];
	}
	p->nheld = k;
	return 0;
}

int
restoreplan_take_held(struct restoreplan *p, char **text, unsigned long *line)
{
	if (p == NULL || p->readyhead == p->nready) {
		if (p != NULL)
			p->readyhead = p->nready = 0;
		return 0;
	}
	*text = p->ready[p->readyhead].text;
	*line = p->ready[p->readyhead].line;
	free(p->ready[p->readyhead].seq);
	p->readyhead++;
	return 1;
}

static int
selected(const struct restoreplan *p, const char *rel)
{
	return names_has(&p->tables, rel) || names_has(&p->seqs, rel) ||
	    names_has(&p->indexes, rel) || names_has(&p->schemas, rel);
}

/* Does a -t name give this schema ("app"."t" gives "app")? */
static int
schema_named(const struct restoreplan *p, const char *schema)
{
	size_t i, n;
	const char *name, *last;

	for (i = 0; i < p->nspecs; i++) {
		name = p->specs[i].name;
		last = last_part(name);
		n = strlen(schema);
		if (last > name && (size_t)(last - name - 1) == n && strncmp(name, schema, n) == 0)
			return 1;
	}
	return 0;
}

/* A table selected by its CREATE TABLE at input line 'line'. */
static int
table_add(struct restoreplan *p, const char *rel, unsigned long line)
{
	unsigned long *v;
	size_t cap;

	if (names_has(&p->tables, rel))
		return 0;
	if (p->tables.n == p->tlinecap) {
		cap = p->tlinecap ? p->tlinecap * 2 : 16;
		if ((v = reallocarray(p->tline, cap, sizeof(*v))) == NULL)
			return -1;
		p->tline = v;
		p->tlinecap = cap;
	}
	p->tline[p->tables.n] = line;
	return names_add(&p->tables, rel);
}

/* Is rel a partitioned table (a parent of a partition the dump attaches)? */
static int
is_parent(const struct restoreplan *p, const char *rel)
{
	size_t i;

	for (i = 0; i + 1 < p->parts.n; i += 2)
		if (strcmp(p->parts.v[i + 1], rel) == 0)
			return 1;
	return 0;
}

/* Is rel below ancestor in the partition tree? */
static int
descends(const struct restoreplan *p, const char *rel, const char *ancestor)
{
	size_t depth;

	for (depth = 0; depth <= p->parts.n && (rel = pair_get(&p->parts, rel)) != NULL;
	    depth++)
		if (strcmp(rel, ancestor) == 0)
			return 1;
	return 0;
}

/* Did a COPY load rel, or a partitioned table it is attached to (with
 * --load-via-partition-root, a partition's rows go through its root)? */
static int
loaded(const struct restoreplan *p, const char *rel)
{
	size_t depth;

	/* Partitioning is a tree: each step goes up one level. */
	for (depth = 0; rel != NULL && depth <= p->attached.n; depth++) {
		if (names_has(&p->copied, rel))
			return 1;
		rel = pair_get(&p->attached, rel);
	}
	return 0;
}

int
restoreplan_uncopied(const struct restoreplan *p, size_t *iter, const char **name,
    unsigned long *line)
{
	if (p == NULL || p->data_only || !p->any_copy)
		return 0;
	/* A partitioned table holds no rows of its own: its partitions do. */
	for (; *iter < p->tables.n && *iter < p->tlinecap; (*iter)++)
		if (!loaded(p, p->tables.v[*iter]) && !is_parent(p, p->tables.v[*iter])) {
			*name = p->tables.v[*iter];
			*line = p->tline[(*iter)++];
			return 1;
		}
	return 0;
}

int
restoreplan_schema_made(struct restoreplan *p, const char *schema)
{
	return names_add(&p->schemas, schema);
}

/* ALTER TABLE parent ATTACH PARTITION child: pg_dump writes these with
 * the tables, before any data.  A selected parent whose partition is not
 * selected would be restored without the rows, which are the partition's:
 * noted here, refused at the first COPY (restoreplan_refusal). */
static int
note_partition(struct restoreplan *p, const struct restoreplan_stmt *st)
{
	if (st->ref[0] != '\0' && pair_add(&p->parts, st->ref, st->rel) == -1)
		return -1;
	if (st->ref[0] == '\0' || spec_for(p, st->rel) == NULL || spec_for(p, st->ref) != NULL)
		return 0;
	if (names_add(&p->parents, st->rel) == -1)
		return -1;
	return names_add(&p->missed, st->ref);
}

/* Append the partitions below the selected parents that -t does not
 * select, leaves (leaf = 1) or partitioned ones (0).  Returns how many. */
static size_t
list_unselected(struct restoreplan *p, int leaf)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->parts.n; i += 2) {
		const char *rel = p->parts.v[i];

		if (spec_for(p, rel) != NULL || is_parent(p, rel) == leaf)
			continue;
		for (j = 0; j < p->parents.n; j++)
			if (descends(p, rel, p->parents.v[j]))
				break;
		if (j == p->parents.n)
			continue;
		strlcat(p->why, n++ > 0 ? ", " : "", sizeof(p->why));
		strlcat(p->why, rel, sizeof(p->why));
	}
	return n;
}

const char *
restoreplan_refusal(struct restoreplan *p)
{
	size_t i;

	if (p == NULL || p->missed.n == 0)
		return NULL;
	snprintf(p->why, sizeof(p->why), "-t selects partitioned table%s ",
	    p->parents.n > 1 ? "s" : "");
	for (i = 0; i < p->parents.n; i++) {
		if (i > 0)
			strlcat(p->why, ", ", sizeof(p->why));
		strlcat(p->why, p->parents.v[i], sizeof(p->why));
	}
	/* The whole tree at once: the rows are in the leaves, and the
	 * partitioned tables between hold none but are needed to attach
	 * them. */
	strlcat(p->why, ", whose rows are in partitions it does not select: ", sizeof(p->why));
	list_unselected(p, 1);
	i = strlen(p->why);
	strlcat(p->why, ", and the partitioned tables between them, which hold no rows of "
	    "their own: ", sizeof(p->why));
	if (list_unselected(p, 0) == 0)
		p->why[i] = '\0';
	strlcat(p->why, " (give -t for each of them too)", sizeof(p->why));
	return p->why;
}

static int
decide_data_only(struct restoreplan *p, const char *text, struct restoreplan_stmt *st,
    enum restoreplan_action *action, char **rewritten)
{
	struct spec *s;
	const char *owner;
	int schema;

	switch (st->kind) {
	case RESTOREPLAN_SESSION:
		*action = RESTOREPLAN_RUN;
		return 0;
	case RESTOREPLAN_OWNED_BY:
		return owner_set(p, st->rel, st->ref);
	case RESTOREPLAN_ALTER:
		if (note_partition(p, st) == -1)
			return -1;
		return st->obj[0] != '\0' ? owner_set(p, st->obj, st->rel) : 0;
	case RESTOREPLAN_COPY:
		if (p->missed.n > 0)
			return -2;
		if (p->nspecs == 0) {
			*action = RESTOREPLAN_RUN;
			return 0;
		}
		if ((s = spec_for(p, st->rel)) == NULL)
			return 0;
		s->matched = 1;
		*action = RESTOREPLAN_RUN;
		if (s->into[0] == '\0')
			return names_add(&p->tables, st->rel);
		/* The dump runs with search_path '': a name without a schema
		 * is in the table's own. */
		schema = last_part(s->into) == s->into ? last_part(st->rel) - st->rel : 0;
		if (names_add(&p->renamed, st->rel) == -1 ||
		    asprintf(rewritten, "%.*s%.*s%s%s", (int)st->name_off, text, schema,
		    st->rel, s->into, text + st->name_off + st->name_len) == -1) {
			*rewritten = NULL;
			return -1;
		}
		return 0;
	case RESTOREPLAN_SETVAL:
		/* A renamed table's rows went elsewhere: its sequence stays. */
		if (p->nspecs == 0 || ((owner = owner_of(p, st->rel)) != NULL &&
		    names_has(&p->tables, owner)))
			*action = RESTOREPLAN_RUN;
		return 0;
	default:
		return 0;
	}
}

int
restoreplan_decide(struct restoreplan *p, const struct sqlsplit_item *it,
    struct restoreplan_stmt *st, enum restoreplan_action *action, char **rewritten)
{
	const char *text = it->text;
	size_t len = it->len;
	unsigned long line = it->line;
	struct spec *s;

	*rewritten = NULL;
	*action = RESTOREPLAN_SKIP;
	restoreplan_classify(it, st);
	if (p->data_only)
		return decide_data_only(p, text, st, action, rewritten);
	switch (st->kind) {
	case RESTOREPLAN_SESSION:
		*action = RESTOREPLAN_RUN;
		break;
	case RESTOREPLAN_TABLE:
		if ((s = spec_for(p, st->rel)) != NULL) {
			s->matched = 1;
			*action = RESTOREPLAN_RUN;
			return table_add(p, st->rel, line);
		}
		break;
	case RESTOREPLAN_SEQUENCE:
		if (names_has(&p->seqs, st->rel))
			*action = RESTOREPLAN_RUN;
		else {
			*action = RESTOREPLAN_HOLD;
			return hold(p, st->rel, text, len, line);
		}
		break;
	case RESTOREPLAN_ALTER:
		if (note_partition(p, st) == -1)
			return -1;
		if (names_has(&p->tables, st->rel)) {
			/* ATTACH PARTITION: both sides restored.  Identity:
			 * the column's sequence comes with the table. */
			if (st->ref[0] != '\0' && !names_has(&p->tables, st->ref))
				break;
			if (st->ref[0] != '\0' && pair_add(&p->attached, st->ref, st->rel) == -1)
				return -1;
			if (st->obj[0] != '\0' && (owner_set(p, st->obj, st->rel) == -1 ||
			    names_add(&p->seqs, st->obj) == -1))
				return -1;
			*action = RESTOREPLAN_RUN;
		} else if (is_held(p, st->rel)) {
			*action = RESTOREPLAN_HOLD;
			return hold(p, st->rel, text, len, line);
		} else if (names_has(&p->seqs, st->rel) || names_has(&p->indexes, st->rel))
			*action = RESTOREPLAN_RUN;
		break;
	case RESTOREPLAN_OWNED_BY:
		if (owner_set(p, st->rel, st->ref) == -1)
			return -1;
		if (names_has(&p->tables, st->ref)) {
			*action = RESTOREPLAN_RUN;
			if (names_add(&p->seqs, st->rel) == -1)
				return -1;
			return release(p, st->rel, 1);
		}
		return release(p, st->rel, 0);
	case RESTOREPLAN_SETVAL:
		if (names_has(&p->seqs, st->rel))
			*action = RESTOREPLAN_RUN;
		break;
	case RESTOREPLAN_COPY:
		if (p->missed.n > 0)
			return -2;
		p->any_copy = 1;
		if (names_has(&p->tables, st->rel)) {
			*action = RESTOREPLAN_RUN;
			return names_add(&p->copied, st->rel);
		}
		break;
	case RESTOREPLAN_CONSTRAINT:
		if (names_has(&p->tables, st->rel)) {
			*action = RESTOREPLAN_RUN;
			return names_add(&p->indexes, st->obj);
		}
		break;
	case RESTOREPLAN_TRIGGER:
		/* Its function is no table's: it must be in the target. */
		if (names_has(&p->tables, st->rel))
			*action = st->ref[0] != '\0' ? RESTOREPLAN_ASK : RESTOREPLAN_RUN;
		break;
	case RESTOREPLAN_INDEX:
		if (names_has(&p->tables, st->rel)) {
			*action = RESTOREPLAN_RUN;
			return names_add(&p->indexes, st->obj);
		}
		break;
	case RESTOREPLAN_INDEX_ATTACH:
		if (names_has(&p->indexes, st->rel) && names_has(&p->indexes, st->obj))
			*action = RESTOREPLAN_RUN;
		break;
	case RESTOREPLAN_FOREIGN_KEY:
		if (names_has(&p->tables, st->rel))
			*action = names_has(&p->tables, st->ref) ? RESTOREPLAN_RUN :
			    RESTOREPLAN_ASK;
		break;
	case RESTOREPLAN_COMMENT:
	case RESTOREPLAN_GRANT:
		if (selected(p, st->rel))
			*action = RESTOREPLAN_RUN;
		break;
	case RESTOREPLAN_SCHEMA:
		/* -t app.t into a database without schema app: it comes too. */
		if (schema_named(p, st->rel))
			*action = RESTOREPLAN_ASK_ABSENT;
		break;
	case RESTOREPLAN_OTHER:
		break;
	}
	return 0;
}
