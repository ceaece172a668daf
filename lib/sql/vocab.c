/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* vocab: pg_dump's vocabulary for one database, as an allow-list over a
 * statement's tokens (lib/sqlsplit's lexer, so comments, quoting and case
 * are read as the server reads them).  What pg_dump writes was taken from
 * its source and output (pg_dump.c, pg_backup_archiver.c, dumputils.c):
 * session SETs, SELECT pg_catalog.set_config/setval and the large-object
 * and statistics calls, COPY ... FROM stdin, INSERT ... VALUES, CREATE,
 * ALTER, DROP (-c), COMMENT, SECURITY LABEL, GRANT and REVOKE on the
 * database's own objects, REFRESH MATERIALIZED VIEW, BEGIN and COMMIT. */
#include <stdio.h>
#include <string.h>

#include <bsd/string.h>

#include "sql/vocab.h"

/* The settings pg_dump writes SET for (any version since 9.2). */
static const char *const dump_settings[] = {
	"check_function_bodies", "client_encoding", "client_min_messages",
	"default_table_access_method", "default_tablespace", "default_toast_compression",
	"default_with_oids", "escape_string_warning", "idle_in_transaction_session_timeout",
	"lock_timeout", "row_security", "search_path", "standard_conforming_strings",
	"statement_timeout", "transaction_timeout", "xmloption", NULL
};

/* SELECT pg_catalog.f(...) as pg_dump writes it: the search path, sequence
 * values, large objects (-b, and -c's lo_unlink), statistics (18+). */
static const char *const dump_calls[] = {
	"set_config", "setval", "lo_create", "lo_open", "lowrite", "lo_close", "lo_unlink",
	"pg_restore_relation_stats", "pg_restore_attribute_stats", NULL
};

/* Functions that read or write the server's files, reach other databases
 * or servers, or act on other sessions: refused wherever a statement calls
 * them (a CHECK or a materialized view runs them during the restore). */
static const char *const outside_calls[] = {
	"lo_import", "lo_export", "pg_read_file", "pg_read_binary_file", "pg_ls_dir",
	"pg_stat_file", "pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync",
	"pg_logdir_ls", "pg_ls_logdir", "pg_ls_waldir", "pg_ls_tmpdir",
	"pg_ls_archive_statusdir", "pg_ls_logicalsnapdir", "pg_ls_logicalmapdir",
	"pg_ls_replslotdir", "dblink", "dblink_exec", "dblink_connect", "dblink_connect_u",
	"dblink_send_query", "dblink_open", "pg_terminate_backend", "pg_cancel_backend",
	"pg_reload_conf", "pg_rotate_logfile", NULL
};

/* Object kinds that CREATE, ALTER and DROP may name in a dump of one
 * database (after modifiers such as OR REPLACE, UNIQUE, UNLOGGED). */
static const char *const dump_objects[] = {
	"schema", "table", "foreign", "view", "materialized", "sequence", "index", "function",
	"procedure", "routine", "aggregate", "operator", "type", "domain", "trigger", "rule",
	"extension", "event", "policy", "publication", "subscription", "collation",
	"conversion", "text", "cast", "transform", "language", "server", "statistics",
	"access", "large", "default", NULL
};

/* What GRANT and REVOKE may name after ON. */
static const char *const grant_objects[] = {
	"table", "tables", "sequence", "sequences", "function", "functions", "procedure",
	"procedures", "routine", "routines", "type", "types", "domain", "schema", "schemas",
	"language", "large", "foreign", "all", NULL
};

static int
listed(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static void
decode(struct vocab_word *w, enum sqlsplit_token kind, unsigned flags, const char *t,
    size_t len)
{
	size_t i, o = 0, from = 0, to = len;
	char c;

	w->kind = kind;
	w->named = 0;
	w->name[0] = '\0';
	switch (kind) {
	case SQLSPLIT_TOK_WORD:
		break;
	case SQLSPLIT_TOK_QIDENT:
		if (flags & SQLSPLIT_TOKF_UNI)
			return;
		from = 1;
		to = len - 1;
		break;
	case SQLSPLIT_TOK_STRING:
		if (flags & (SQLSPLIT_TOKF_UNI | SQLSPLIT_TOKF_CONT | SQLSPLIT_TOKF_BITS))
			return;
		from = t[0] == '\'' ? 1 : 2;	/* E'' N'' */
		to = len - 1;
		if (flags & SQLSPLIT_TOKF_ESC)
			for (i = from; i < to; i++)
				if (t[i] == '\\')
					return;
		break;
	case SQLSPLIT_TOK_OTHER:
		w->name[0] = t[0];
		w->name[1] = '\0';
		return;
	default:
		return;
	}
	for (i = from; i < to; i++) {
		if (o + 1 >= sizeof(w->name))
			return;
		c = t[i];
		if (kind == SQLSPLIT_TOK_WORD && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		else if (c == (kind == SQLSPLIT_TOK_QIDENT ? '"' : '\'') &&
		    kind != SQLSPLIT_TOK_WORD && i + 1 < to)
			i++;	/* "" and '' stand for one */
		w->name[o++] = c;
	}
	w->name[o] = '\0';
	w->named = 1;
}

static int
word(const struct vocab_word *w, const char *kw)
{
	return w->kind == SQLSPLIT_TOK_WORD && w->named && strcmp(w->name, kw) == 0;
}

static int
other(const struct vocab_word *w, char c)
{
	return w->kind == SQLSPLIT_TOK_OTHER && w->name[0] == c;
}

/* INSERT INTO name[.name] [(columns)] {VALUES | DEFAULT VALUES | OVERRIDING}:
 * pg_dump --inserts; never INSERT ... SELECT. */
static void
insert_token(struct vocab *v, const struct vocab_word *w, unsigned index)
{
	if (index < 2 || v->insert_state == 4 || v->insert_bad != NULL)
		return;
	switch (v->insert_state) {
	case 0:		/* a name part */
		if (w->kind == SQLSPLIT_TOK_WORD || w->kind == SQLSPLIT_TOK_QIDENT)
			v->insert_state = 1;
		else
			v->insert_bad = "an INSERT pg_dump does not write";
		return;
	case 1:
		if (w->kind == SQLSPLIT_TOK_DOT) {
			v->insert_state = 0;
			return;
		}
		if (w->kind == SQLSPLIT_TOK_LPAREN) {
			v->insert_state = 2;
			return;
		}
		break;
	case 2:		/* the column list */
		if (w->kind == SQLSPLIT_TOK_RPAREN && v->depth == 0)	/* after it */
			v->insert_state = 3;
		return;
	}
	if (word(w, "values") || word(w, "default") || word(w, "overriding"))
		v->insert_state = 4;
	else
		v->insert_bad = "pg_dump's INSERT has VALUES, never a query";
}

/* SELECT [* FROM] pg_catalog.f(literals, pg_catalog.g(literals), 'x'::type)
 * [FROM pg_catalog.pg_largeobject_metadata WHERE oid = 'n'] ; with f and g
 * in dump_calls.  States: 1 after SELECT, 2 after *, 3 after FROM, 4 after
 * pg_catalog, 5 after the dot, 6 after f, 7 in the arguments (11-13: a
 * nested call's pg_catalog, dot, name), 8 after them, 9 lo_unlink's FROM,
 * 10 at the end. */
static void
select_token(struct vocab *v, const struct vocab_word *w, unsigned index)
{
	static const char *const lo_tail[] = { "pg_catalog", ".", "pg_largeobject_metadata",
	    "where", "oid", "=", "'", ";" };
	const char *want;

	if (index == 0 || v->select_bad != NULL)
		return;
	if (v->select_state == 0)
		v->select_state = 1;
	switch (v->select_state) {
	case 1:
		if (other(w, '*'))
			v->select_state = 2;
		else if (word(w, "pg_catalog"))
			v->select_state = 4;
		else
			break;
		return;
	case 2:
		if (!word(w, "from"))
			break;
		v->select_state = 3;
		return;
	case 3:
		if (!word(w, "pg_catalog"))
			break;
		v->select_state = 4;
		return;
	case 4:
		if (w->kind != SQLSPLIT_TOK_DOT)
			break;
		v->select_state = 5;
		return;
	case 5:
		if (w->kind != SQLSPLIT_TOK_WORD || !listed(dump_calls, w->name))
			break;
		strlcpy(v->select_fn, w->name, sizeof(v->select_fn));
		v->select_state = 6;
		return;
	case 6:
		if (w->kind != SQLSPLIT_TOK_LPAREN)
			break;
		v->select_state = 7;
		v->select_depth = 1;
		return;
	case 11:
		if (w->kind != SQLSPLIT_TOK_DOT)
			break;
		v->select_state = 12;
		return;
	case 12:
		if (w->kind != SQLSPLIT_TOK_WORD || !listed(dump_calls, w->name))
			break;
		v->select_state = 13;
		return;
	case 13:
		if (w->kind != SQLSPLIT_TOK_LPAREN)
			break;
		v->select_depth++;
		v->select_state = 7;
		return;
	case 7:
		switch (w->kind) {
		case SQLSPLIT_TOK_RPAREN:
			v->select_cast = 0;
			if (--v->select_depth == 0)
				v->select_state = 8;
			return;
		case SQLSPLIT_TOK_COMMA:
			v->select_cast = 0;
			if (v->select_depth == 1) {
				v->select_arg++;
				v->select_argtok = 0;
			}
			return;
		case SQLSPLIT_TOK_STRING:
		case SQLSPLIT_TOK_NUMBER:
		case SQLSPLIT_TOK_DOLLARSTR:
			/* set_config: only a setting pg_dump sets */
			if (strcmp(v->select_fn, "set_config") == 0 && v->select_depth == 1 &&
			    v->select_arg == 0 && v->select_argtok++ == 0 &&
			    (!w->named || !listed(dump_settings, w->name))) {
				v->select_bad = "pg_dump's set_config sets only the search path";
				return;
			}
			return;
		case SQLSPLIT_TOK_OTHER:
			if (other(w, ':'))
				v->select_cast = 1;
			else if (!((v->select_cast && (other(w, '[') || other(w, ']'))) ||
			    other(w, '-') || other(w, '+')))
				break;
			return;
		case SQLSPLIT_TOK_DOT:
		case SQLSPLIT_TOK_QIDENT:
			if (!v->select_cast)
				break;
			return;
		case SQLSPLIT_TOK_WORD:
			if (v->select_cast || word(w, "true") || word(w, "false") ||
			    word(w, "null") || (word(w, "oid") &&
			    strcmp(v->select_fn, "lo_unlink") == 0))
				return;
			if (!word(w, "pg_catalog"))
				break;
			v->select_state = 11;
			return;
		default:
			break;
		}
		break;
	case 8:
		if (w->kind == SQLSPLIT_TOK_SEMI) {
			v->select_state = 10;
			return;
		}
		if (!word(w, "from") || strcmp(v->select_fn, "lo_unlink") != 0)
			break;
		v->select_state = 9;
		v->select_argtok = 0;
		return;
	case 9:
		want = lo_tail[v->select_argtok++];
		if (want[0] == '\'' ? (w->kind == SQLSPLIT_TOK_STRING ||
		    w->kind == SQLSPLIT_TOK_NUMBER) : want[0] == '.' ? w->kind == SQLSPLIT_TOK_DOT :
		    want[0] == '=' ? w->kind == SQLSPLIT_TOK_EQ : want[0] == ';' ?
		    w->kind == SQLSPLIT_TOK_SEMI : word(w, want)) {
			if (want[0] == ';')
				v->select_state = 10;
			return;
		}
		break;
	}
	v->select_bad = "pg_dump's only SELECTs call set_config, setval, the "
	    "large-object and the statistics functions of pg_catalog with literal "
	    "arguments";
}

void
vocab_token(void *arg, unsigned index, enum sqlsplit_token kind, unsigned flags,
    const char *text, size_t len)
{
	struct vocab *v = arg;
	struct vocab_word w;

	if (index == 0)
		memset(v, 0, sizeof(*v));
	/* Reading a token's value costs: only where a rule looks at it (the
	 * bulk of a long statement is strings and numbers no rule reads). */
	if (index < VOCAB_HEAD || kind == SQLSPLIT_TOK_WORD || kind == SQLSPLIT_TOK_QIDENT ||
	    kind == SQLSPLIT_TOK_OTHER || v->verb == VOCAB_CREATE ||
	    (v->verb == VOCAB_GRANT && v->on_at != 0 && v->non < 4) ||
	    (v->verb == VOCAB_SELECT && v->select_state < 10) ||
	    (v->verb == VOCAB_INSERT && v->insert_state < 4))
		decode(&w, kind, flags, text, len);
	else {
		w.kind = kind;
		w.named = 0;
		w.name[0] = '\0';
	}
	if (index < VOCAB_HEAD)
		v->head[index] = w;
	v->ntok = index + 1;
	if (index == 0)
		v->verb = word(&w, "insert") ? VOCAB_INSERT : word(&w, "select") ? VOCAB_SELECT :
		    word(&w, "create") ? VOCAB_CREATE : word(&w, "grant") || word(&w, "revoke") ?
		    VOCAB_GRANT : 0;

	/* The catalog's function (pg_dump qualifies the database's own, and
	 * its search_path is empty): unqualified or pg_catalog.name; dblink's
	 * in whatever schema the extension is.  The names start with l, p or
	 * d. */
	if (kind == SQLSPLIT_TOK_LPAREN && v->call[0] == '\0' && v->prev.named &&
	    (v->prev.kind == SQLSPLIT_TOK_WORD || v->prev.kind == SQLSPLIT_TOK_QIDENT) &&
	    (v->prev.name[0] == 'l' || v->prev.name[0] == 'p' || v->prev.name[0] == 'd') &&
	    (v->prev_schema[0] == '\0' || strcmp(v->prev_schema, "pg_catalog") == 0 ||
	    strncmp(v->prev.name, "dblink", 6) == 0) &&
	    listed(outside_calls, v->prev.name))
		strlcpy(v->call, v->prev.name, sizeof(v->call));
	if (kind == SQLSPLIT_TOK_RPAREN && v->depth > 0)
		v->depth--;

	if (v->verb == VOCAB_GRANT && v->depth == 0 && index > 0) {
		if (v->on_at == 0 && word(&w, "on"))
			v->on_at = index;
		else if (v->on_at != 0 && v->non < sizeof(v->on) / sizeof(v->on[0]))
			v->on[v->non++] = w;
	}
	if (v->verb == VOCAB_CREATE) {
		if (v->depth == 0 && word(&w, "as"))
			v->as_at_top = 1;
		/* CREATE SUBSCRIPTION ... WITH (connect = false) */
		if (word(&w, "connect"))
			v->connect_state = 1;
		else if (v->connect_state == 1 && kind == SQLSPLIT_TOK_EQ)
			v->connect_state = 2;
		else if (v->connect_state == 2) {
			if (word(&w, "false") || word(&w, "off") || (kind == SQLSPLIT_TOK_STRING &&
			    w.named && (strcmp(w.name, "false") == 0 || strcmp(w.name, "off") == 0)) ||
			    (kind == SQLSPLIT_TOK_NUMBER && len == 1 && text[0] == '0'))
				v->no_connect = 1;
			v->connect_state = 0;
		} else
			v->connect_state = 0;
	}

	if (index > 0 && v->verb == VOCAB_INSERT)
		insert_token(v, &w, index);
	if (index > 0 && v->verb == VOCAB_SELECT)
		select_token(v, &w, index);

	if (kind == SQLSPLIT_TOK_LPAREN)
		v->depth++;
	/* schema.name: the schema of the name this token is */
	if ((kind == SQLSPLIT_TOK_WORD || kind == SQLSPLIT_TOK_QIDENT) &&
	    v->prev.kind == SQLSPLIT_TOK_DOT && v->pprev.named &&
	    (v->pprev.kind == SQLSPLIT_TOK_WORD || v->pprev.kind == SQLSPLIT_TOK_QIDENT))
		strlcpy(v->prev_schema, v->pprev.name, sizeof(v->prev_schema));
	else
		v->prev_schema[0] = '\0';
	v->pprev = v->prev;
	v->prev = w;
}

/* --- the rules -------------------------------------------------------------- */

static const char *
at(const struct vocab *v, unsigned i)
{
	return i < v->ntok && i < VOCAB_HEAD && v->head[i].kind == SQLSPLIT_TOK_WORD &&
	    v->head[i].named ? v->head[i].name : "";
}

static int
is(const struct vocab *v, unsigned i, const char *kw)
{
	return strcmp(at(v, i), kw) == 0;
}

/* Roles and tablespaces belong to the server, not to the database. */
static const char *
server_object(const struct vocab *v, unsigned i)
{
	if (is(v, i, "role") || is(v, i, "group") || (is(v, i, "user") &&
	    !is(v, i + 1, "mapping")))
		return "roles belong to the server, not to the database restored";
	if (is(v, i, "tablespace"))
		return "tablespaces belong to the server, not to the database restored";
	return NULL;
}

/* "DATABASE name" at token i names the target itself; else what to say. */
static const char *
database_named(const struct vocab_word *name, const struct vocab_word *after,
    const char *dbname, char *buf, size_t len)
{
	int target = (name->kind == SQLSPLIT_TOK_WORD || name->kind == SQLSPLIT_TOK_QIDENT) &&
	    name->named && dbname != NULL && strcmp(name->name, dbname) == 0;

	if (target && (word(after, "is") || word(after, "to") || word(after, "from")))
		return NULL;
	if (target)
		return "it names more databases than the target";
	if (!name->named)
		return "it names a database that is not the target";
	snprintf(buf, len, "it names database \"%s\", not the target", name->name);
	return buf;
}

/* CREATE, ALTER, DROP: the object kind after the modifiers. */
static const char *
object_rule(const struct vocab *v)
{
	unsigned i = 1;
	const char *why, *verb = at(v, 0);

	if (strcmp(verb, "create") == 0) {
		if (is(v, 1, "or") && is(v, 2, "replace"))
			i = 3;
		while (is(v, i, "unique") || is(v, i, "unlogged") || is(v, i, "trusted") ||
		    is(v, i, "procedural") || is(v, i, "constraint") || is(v, i, "recursive") ||
		    (is(v, i, "default") && is(v, i + 1, "conversion")))
			i++;
	}
	if ((why = server_object(v, i)) != NULL)
		return why;
	if (!listed(dump_objects, at(v, i)) && !(is(v, i, "user") && is(v, i + 1, "mapping")))
		return "";
	if (strcmp(verb, "create") == 0) {
		if (is(v, i, "table") && v->as_at_top)
			return "CREATE TABLE ... AS runs a query; pg_dump writes no such statement";
		if (is(v, i, "subscription") && !v->no_connect)
			return "a subscription that connects to a server (pg_dump writes "
			    "connect = false)";
		if (is(v, i, "default") || is(v, i, "large"))
			return "";
	}
	if (strcmp(verb, "alter") == 0) {
		if (is(v, i, "subscription") && !is(v, i + 2, "owner"))
			return "pg_dump only changes a subscription's owner";
		if (is(v, i, "default") && !is(v, i + 1, "privileges"))
			return "";
	}
	if (strcmp(verb, "drop") == 0 && (is(v, i, "default") || is(v, i, "large")))
		return "";
	return NULL;
}

/* COMMENT ON kind and SECURITY LABEL [FOR provider] ON kind, kind at i. */
static const char *
described_rule(const struct vocab *v, unsigned i, const char *dbname, char *buf, size_t len)
{
	const char *why;

	if ((why = server_object(v, i)) != NULL)
		return why;
	if (is(v, i, "database"))
		return database_named(&v->head[i + 1], &v->head[i + 2], dbname, buf, len);
	return NULL;
}

static const char *
grant_rule(const struct vocab *v, const char *dbname, char *buf, size_t len)
{
	const struct vocab_word *kind = &v->on[0];

	if (v->on_at == 0)
		return "a role membership belongs to the server, not to the database restored";
	if (word(kind, "tablespace"))
		return "tablespaces belong to the server, not to the database restored";
	if (word(kind, "parameter"))
		return "parameters belong to the server, not to the database restored";
	if (word(kind, "database")) {
		if (v->non < 3)
			return "it names a database that is not the target";
		return database_named(&v->on[1], &v->on[2], dbname, buf, len);
	}
	if (kind->kind != SQLSPLIT_TOK_WORD || !listed(grant_objects, kind->name))
		return "";
	return NULL;
}

static const char *
set_rule(const struct vocab *v)
{
	unsigned i = 1;

	if (is(v, 0, "reset")) {
		if (v->ntok == 3 && listed(dump_settings, at(v, 1)))
			return NULL;
		if (is(v, 1, "role") || is(v, 1, "session"))
			return "it changes the role the dump runs as";
		return "pg_dump resets no setting";
	}
	if (is(v, 1, "session") || is(v, 1, "local"))
		i = 2;
	if (is(v, i, "role") || is(v, i, "authorization") || is(v, i, "session_authorization"))
		return "it changes the role the dump runs as (a dump made with --role or "
		    "--use-set-session-authorization?)";
	if (listed(dump_settings, at(v, i)) && i + 1 < v->ntok && i + 1 < VOCAB_HEAD &&
	    (v->head[i + 1].kind == SQLSPLIT_TOK_EQ || is(v, i + 1, "to")))
		return NULL;
	return "pg_dump sets only its session settings (search_path, timeouts, "
	    "client_encoding, ...)";
}

/* A definition that runs nothing while it is restored: a view, a function
 * or procedure (a CHECK runs during COPY, a materialized view at REFRESH). */
static int
is_definition(const struct vocab *v)
{
	unsigned i = 1;

	if (!is(v, 0, "create"))
		return 0;
	if (is(v, 1, "or") && is(v, 2, "replace"))
		i = 3;
	if (is(v, i, "recursive"))
		i++;
	return is(v, i, "view") || is(v, i, "function") || is(v, i, "procedure");
}

int
vocab_refused(const struct vocab *v, const struct sqlsplit_item *it, const char *dbname,
    char *why, size_t whylen)
{
	char head[96], buf[160];
	const char *verb = at(v, 0), *rule = "";

	if (it->kind != SQLSPLIT_STATEMENT || v->ntok == 0)
		return 0;
	if (v->call[0] != '\0' && !is_definition(v)) {
		snprintf(buf, sizeof(buf), "it calls or names %s(), which reaches outside "
		    "the database", v->call);
		rule = buf;
	} else if (strcmp(verb, "set") == 0 || strcmp(verb, "reset") == 0)
		rule = set_rule(v);
	else if (strcmp(verb, "select") == 0)
		rule = v->select_state == 10 && v->select_bad == NULL ? NULL : v->select_bad;
	else if (strcmp(verb, "insert") == 0)
		rule = is(v, 1, "into") && v->insert_state == 4 ? NULL : v->insert_bad;
	else if (strcmp(verb, "copy") == 0)
		rule = it->cls == SQLSPLIT_COPY_IN ? NULL : "";
	else if (strcmp(verb, "create") == 0 || strcmp(verb, "alter") == 0 ||
	    strcmp(verb, "drop") == 0)
		rule = object_rule(v);
	else if (strcmp(verb, "comment") == 0 && is(v, 1, "on"))
		rule = described_rule(v, 2, dbname, buf, sizeof(buf));
	else if (strcmp(verb, "security") == 0 && is(v, 1, "label") &&
	    is(v, is(v, 2, "for") ? 4 : 2, "on"))
		rule = described_rule(v, is(v, 2, "for") ? 5 : 3, dbname, buf, sizeof(buf));
	else if (strcmp(verb, "grant") == 0 || strcmp(verb, "revoke") == 0)
		rule = grant_rule(v, dbname, buf, sizeof(buf));
	else if (strcmp(verb, "refresh") == 0)
		rule = is(v, 1, "materialized") && is(v, 2, "view") ? NULL : "";
	else if (it->cls == SQLSPLIT_TRANSACTION)
		rule = is(v, 0, "prepare") || is(v, 1, "prepared") ?
		    "a prepared transaction outlives the restore's session" : NULL;
	else if (strcmp(verb, "do") == 0)
		rule = "a DO block runs code that no check of the dump's text sees";
	if (rule == NULL)
		return 0;
	sqlsplit_head(it->text, it->len, head, sizeof(head));
	if (rule[0] == '\0')
		rule = "not a statement pg_dump writes for one database";
	snprintf(why, whylen, "refused %s: %s (--trust-dump runs it)", head, rule);
	return 1;
}
