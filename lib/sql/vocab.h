/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* vocab: which statements a restore runs unless told to trust the dump:
 * the kinds pg_dump writes for one database (its vocabulary), decided from
 * each statement's tokens as lib/sqlsplit reads them.  Roles, tablespaces,
 * other databases, role memberships, server files, DO blocks and any SQL
 * pg_dump never writes are refused. */
#ifndef CR_VOCAB_H
#define CR_VOCAB_H

#include <stddef.h>

#include "sql/sqlsplit.h"

#define VOCAB_HEAD	8	/* leading tokens kept */
#define VOCAB_NAME	64
/* The statement's verb, as far as the token rules differ. */
#define VOCAB_INSERT	1
#define VOCAB_SELECT	2
#define VOCAB_CREATE	3
#define VOCAB_GRANT	4	/* or REVOKE */

/* A token as the rules compare it: a word lower-cased, a quoted identifier
 * as it names, a plain string's value; named 0 when it is none of those
 * or too long. */
struct vocab_word {
	enum sqlsplit_token	 kind;
	int			 named;
	char			 name[VOCAB_NAME];
};

/* What the tokens of one statement showed; fed by vocab_token (a
 * sqlsplit_token_hook), which starts over at each statement's first token. */
struct vocab {
	unsigned		 ntok;
	int			 verb;		/* VOCAB_INSERT, ... or 0 */
	struct vocab_word	 head[VOCAB_HEAD];
	struct vocab_word	 prev, pprev;	/* the two tokens before this one */
	char			 prev_schema[VOCAB_NAME]; /* prev's qualifier, or "" */
	int			 depth;		/* parentheses */
	char			 call[VOCAB_NAME]; /* a catalog function acting
						 * outside the database, called */
	/* The first ON at depth 0 (GRANT, REVOKE): the tokens after it. */
	unsigned		 on_at;		/* its index, 0: none */
	struct vocab_word	 on[4];
	unsigned		 non;
	int			 as_at_top;	/* the word AS at depth 0 */
	int			 no_connect;	/* connect = false */
	int			 connect_state;
	int			 insert_state;	/* INSERT INTO name ... VALUES */
	const char		*insert_bad;
	int			 select_state;	/* SELECT pg_catalog.f(literals) */
	int			 select_depth, select_cast, select_arg, select_argtok;
	char			 select_fn[VOCAB_NAME];
	const char		*select_bad;
};

void vocab_token(void *vocab, unsigned index, enum sqlsplit_token kind, unsigned flags,
    const char *text, size_t len);

/* The statement it (whose tokens vocab was fed) restored into database
 * dbname: 0 when pg_dump writes such a statement for one database, 1 and
 * one line in why when not. */
int vocab_refused(const struct vocab *, const struct sqlsplit_item *it, const char *dbname,
    char *why, size_t whylen);

#endif
