/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* lib/sql/restoreplan: the classification of a small pg_dump script's
 * statements, canonical names, and what a selective restore (-t, -t with
 * --data-only, name=other) runs, holds, asks or refuses, to the contract
 * of restoreplan.h. */
#include <stdlib.h>
#include <string.h>

#include "sql/restoreplan.h"
#include "unit.h"

struct want {
	const char		*text;
	enum restoreplan_kind	 kind;
	const char		*rel, *ref, *obj;
};

/* A plain dump as pg_dump writes it (search_path ''), one statement each. */
static const struct want dump[] = {
	{ "SET statement_timeout = 0;", RESTOREPLAN_SESSION, "", "", "" },
	{ "SELECT pg_catalog.set_config('search_path', '', false);",
	  RESTOREPLAN_SESSION, "", "", "" },
	{ "RESET ALL;", RESTOREPLAN_SESSION, "", "", "" },
	{ "CREATE SCHEMA app;", RESTOREPLAN_SCHEMA, "\"app\"", "", "" },
	{ "CREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n"
	  "    AS $$BEGIN NEW.at := now(); RETURN NEW; END$$;", RESTOREPLAN_OTHER, "", "", "" },
	{ "CREATE TABLE public.customers (\n    id integer NOT NULL,\n    name text\n);",
	  RESTOREPLAN_TABLE, "\"public\".\"customers\"", "", "" },
	{ "CREATE TABLE app.\"Order Lines\" (\n    id integer\n);",
	  RESTOREPLAN_TABLE, "\"app\".\"Order Lines\"", "", "" },
	{ "CREATE TABLE public.orders (\n    id integer NOT NULL,\n    customer_id integer\n);",
	  RESTOREPLAN_TABLE, "\"public\".\"orders\"", "", "" },
	{ "CREATE SEQUENCE public.orders_id_seq\n    AS integer\n    START WITH 1\n"
	  "    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;",
	  RESTOREPLAN_SEQUENCE, "\"public\".\"orders_id_seq\"", "", "" },
	{ "ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;",
	  RESTOREPLAN_OWNED_BY, "\"public\".\"orders_id_seq\"", "\"public\".\"orders\"", "" },
	{ "ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT "
	  "nextval('public.orders_id_seq'::regclass);",
	  RESTOREPLAN_ALTER, "\"public\".\"orders\"", "", "" },
	{ "ALTER TABLE public.customers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n"
	  "    SEQUENCE NAME public.customers_id_seq\n    START WITH 1\n    CACHE 1\n);",
	  RESTOREPLAN_ALTER, "\"public\".\"customers\"", "", "\"public\".\"customers_id_seq\"" },
	{ "CREATE VIEW public.big_orders AS\n SELECT id FROM public.orders;",
	  RESTOREPLAN_OTHER, "", "", "" },
	{ "COPY public.customers (id, name) FROM stdin;", RESTOREPLAN_COPY,
	  "\"public\".\"customers\"", "", "" },
	{ "COPY public.orders (id, customer_id) FROM stdin;", RESTOREPLAN_COPY,
	  "\"public\".\"orders\"", "", "" },
	{ "SELECT pg_catalog.setval('public.orders_id_seq', 3, true);",
	  RESTOREPLAN_SETVAL, "\"public\".\"orders_id_seq\"", "", "" },
	{ "ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);",
	  RESTOREPLAN_CONSTRAINT, "\"public\".\"orders\"", "", "\"public\".\"orders_pkey\"" },
	{ "CREATE INDEX orders_customer_idx ON public.orders USING btree (customer_id);",
	  RESTOREPLAN_INDEX, "\"public\".\"orders\"", "", "\"public\".\"orders_customer_idx\"" },
	{ "CREATE UNIQUE INDEX customers_name_key ON ONLY public.customers USING btree (name);",
	  RESTOREPLAN_INDEX, "\"public\".\"customers\"", "", "\"public\".\"customers_name_key\"" },
	{ "CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW "
	  "EXECUTE FUNCTION public.touch();", RESTOREPLAN_TRIGGER, "\"public\".\"orders\"",
	  "\"public\".\"touch\"", "" },
	{ "ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_customer_fk FOREIGN KEY "
	  "(customer_id) REFERENCES public.customers(id);", RESTOREPLAN_FOREIGN_KEY,
	  "\"public\".\"orders\"", "\"public\".\"customers\"", "" },
	{ "COMMENT ON TABLE public.orders IS 'the orders; all of them';",
	  RESTOREPLAN_COMMENT, "\"public\".\"orders\"", "", "" },
	{ "COMMENT ON COLUMN public.orders.customer_id IS 'who';",
	  RESTOREPLAN_COMMENT, "\"public\".\"orders\"", "", "" },
	{ "GRANT SELECT ON TABLE public.orders TO reader;",
	  RESTOREPLAN_GRANT, "\"public\".\"orders\"", "", "" },
	{ "REVOKE ALL ON SEQUENCE public.orders_id_seq FROM PUBLIC;",
	  RESTOREPLAN_GRANT, "\"public\".\"orders_id_seq\"", "", "" },
	{ "CREATE TYPE public.mood AS ENUM ('ok', 'sad');", RESTOREPLAN_OTHER, "", "", "" },
};

static void
test_classify_dump(void)
{
	struct restoreplan_stmt st;
	size_t i;

	for (i = 0; i < sizeof dump / sizeof dump[0]; i++) {
		memset(&st, 0x55, sizeof st);
		restoreplan_classify(dump[i].text, strlen(dump[i].text), &st);
		if (!EQ_INT(st.kind, dump[i].kind) ||
		    !EQ_STR(st.rel, dump[i].rel) ||
		    !EQ_STR(st.ref, dump[i].ref) ||
		    !EQ_STR(st.obj, dump[i].obj))
			fprintf(stderr, "\tstatement: %s\n", dump[i].text);
	}
}

static void
test_classify_copy_name_place(void)
{
	static const char text[] = "COPY app.\"Order Lines\" (id) FROM stdin;";
	struct restoreplan_stmt st;

	restoreplan_classify(text, strlen(text), &st);
	EQ_INT(st.kind, RESTOREPLAN_COPY);
	EQ_STR(st.rel, "\"app\".\"Order Lines\"");
	EQ_MEM(text + st.name_off, st.name_len, "app.\"Order Lines\"");
}

static void
test_classify_partitions(void)
{
	static const char attach[] = "ALTER TABLE ONLY public.m ATTACH PARTITION "
	    "public.m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');";
	static const char iattach[] = "ALTER INDEX public.m_pkey ATTACH PARTITION "
	    "public.m_2026_pkey;";
	struct restoreplan_stmt st;

	restoreplan_classify(attach, strlen(attach), &st);
	EQ_INT(st.kind, RESTOREPLAN_ALTER);
	EQ_STR(st.rel, "\"public\".\"m\"");
	EQ_STR(st.ref, "\"public\".\"m_2026\"");
	restoreplan_classify(iattach, strlen(iattach), &st);
	EQ_INT(st.kind, RESTOREPLAN_INDEX_ATTACH);
	EQ_STR(st.rel, "\"public\".\"m_pkey\"");
	EQ_STR(st.obj, "\"public\".\"m_2026_pkey\"");
}

static void
test_classify_is_not_fooled(void)
{
	struct restoreplan_stmt st;
	static const char *const other[] = {
		"-- CREATE TABLE public.x (id int);\nCREATE VIEW public.v AS SELECT 1;",
		"/* COPY public.t FROM stdin; */ SELECT 1;",
		"SELECT 'COPY public.t FROM stdin;';",
		"",
		";",
		NULL
	};
	size_t i;

	for (i = 0; other[i] != NULL; i++) {
		restoreplan_classify(other[i], strlen(other[i]), &st);
		if (!EQ_INT(st.kind, RESTOREPLAN_OTHER))
			fprintf(stderr, "\tstatement: %s\n", other[i]);
		EQ_STR(st.rel, "");
	}
	/* keywords in any case, a comment before the statement */
	restoreplan_classify("-- x\ncreate table Public.Users (id int);", 40, &st);
	EQ_INT(st.kind, RESTOREPLAN_TABLE);
	EQ_STR(st.rel, "\"public\".\"users\"");
}

static void
test_canonical(void)
{
	char out[256];

	if (EQ_INT(restoreplan_canonical("users", out, sizeof out), 0))
		EQ_STR(out, "\"users\"");
	if (EQ_INT(restoreplan_canonical("Public.Users", out, sizeof out), 0))
		EQ_STR(out, "\"public\".\"users\"");
	if (EQ_INT(restoreplan_canonical("app.\"My Table\"", out, sizeof out), 0))
		EQ_STR(out, "\"app\".\"My Table\"");
	if (EQ_INT(restoreplan_canonical("\"a\"\"b\"", out, sizeof out), 0))
		EQ_STR(out, "\"a\"\"b\"");
	EQ_INT(restoreplan_canonical("", out, sizeof out), -1);
	EQ_INT(restoreplan_canonical("a b", out, sizeof out), -1);
	EQ_INT(restoreplan_canonical("a.", out, sizeof out), -1);
	EQ_INT(restoreplan_canonical(".a", out, sizeof out), -1);
	EQ_INT(restoreplan_canonical("a;drop", out, sizeof out), -1);
	EQ_INT(restoreplan_canonical("users", out, 4), -1);	/* does not fit */
}

/* Decide every statement of dump[] with plan p; actions into out. */
static int
run_dump(struct restoreplan *p, enum restoreplan_action *out, char **rewritten)
{
	struct restoreplan_stmt st;
	size_t i;
	int rc;

	for (i = 0; i < sizeof dump / sizeof dump[0]; i++) {
		rewritten[i] = NULL;
		rc = restoreplan_decide(p, dump[i].text, strlen(dump[i].text),
		    (unsigned long)i + 1, &st, &out[i], &rewritten[i]);
		if (!EQ_INT(rc, 0)) {
			fprintf(stderr, "\tstatement: %s\n", dump[i].text);
			return -1;
		}
	}
	return 0;
}

static size_t
find(const char *prefix)
{
	size_t i;

	for (i = 0; i < sizeof dump / sizeof dump[0]; i++)
		if (strncmp(dump[i].text, prefix, strlen(prefix)) == 0)
			return i;
	fprintf(stderr, "no statement %s\n", prefix);
	abort();
}

#define ACTION(prefix, want) do {					\
	size_t k_ = find(prefix);					\
	if (!EQ_INT(act[k_], want))					\
		fprintf(stderr, "\tstatement: %s\n", dump[k_].text);	\
} while (0)

static void
test_select_one_table(void)
{
	enum restoreplan_action act[sizeof dump / sizeof dump[0]];
	char *rw[sizeof dump / sizeof dump[0]], err[256], *held;
	struct restoreplan *p = restoreplan_new(0);
	unsigned long line;
	size_t i, iter = 0;
	const char *name;

	if (!CHECK(p != NULL))
		return;
	EQ_INT(restoreplan_add(p, "orders", err, sizeof err), 0);
	CHECK(restoreplan_active(p));
	if (run_dump(p, act, rw) == 0) {
		ACTION("SET statement_timeout", RESTOREPLAN_RUN);
		ACTION("SELECT pg_catalog.set_config", RESTOREPLAN_RUN);
		ACTION("CREATE SCHEMA app", RESTOREPLAN_SKIP);
		ACTION("CREATE FUNCTION", RESTOREPLAN_SKIP);
		ACTION("CREATE TABLE public.customers", RESTOREPLAN_SKIP);
		ACTION("CREATE TABLE public.orders", RESTOREPLAN_RUN);
		/* whose it is is not known yet */
		ACTION("CREATE SEQUENCE public.orders_id_seq", RESTOREPLAN_HOLD);
		ACTION("ALTER SEQUENCE public.orders_id_seq OWNED BY", RESTOREPLAN_RUN);
		ACTION("ALTER TABLE ONLY public.orders ALTER COLUMN", RESTOREPLAN_RUN);
		ACTION("ALTER TABLE public.customers ALTER COLUMN", RESTOREPLAN_SKIP);
		ACTION("CREATE VIEW", RESTOREPLAN_SKIP);
		ACTION("COPY public.customers", RESTOREPLAN_SKIP);
		ACTION("COPY public.orders", RESTOREPLAN_RUN);
		ACTION("SELECT pg_catalog.setval", RESTOREPLAN_RUN);
		ACTION("ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_pkey", RESTOREPLAN_RUN);
		ACTION("CREATE INDEX orders_customer_idx", RESTOREPLAN_RUN);
		ACTION("CREATE UNIQUE INDEX customers_name_key", RESTOREPLAN_SKIP);
		ACTION("CREATE TRIGGER", RESTOREPLAN_ASK);		/* its function */
		ACTION("ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_customer_fk",
		    RESTOREPLAN_ASK);				/* customers not selected */
		ACTION("COMMENT ON TABLE public.orders", RESTOREPLAN_RUN);
		ACTION("COMMENT ON COLUMN public.orders", RESTOREPLAN_RUN);
		ACTION("GRANT SELECT ON TABLE public.orders", RESTOREPLAN_RUN);
		ACTION("REVOKE ALL ON SEQUENCE public.orders_id_seq", RESTOREPLAN_RUN);
		ACTION("CREATE TYPE", RESTOREPLAN_SKIP);
		for (i = 0; i < sizeof dump / sizeof dump[0]; i++)
			EQ_STR(rw[i], NULL);
	}
	/* The held CREATE SEQUENCE was released when OWNED BY named orders
	 * (the caller takes it before running that): it is still there. */
	if (EQ_INT(restoreplan_take_held(p, &held, &line), 1)) {
		EQ_STR(held, dump[find("CREATE SEQUENCE")].text);
		EQ_INT(line, find("CREATE SEQUENCE") + 1);
		free(held);
	}
	EQ_INT(restoreplan_take_held(p, &held, &line), 0);
	EQ_STR(restoreplan_unmatched(p), NULL);
	EQ_STR(restoreplan_refusal(p), NULL);
	EQ_INT(restoreplan_uncopied(p, &iter, &name, &line), 0);
	restoreplan_free(p);
}

static void
test_held_sequence_is_released(void)
{
	static const char *const script[] = {
		"CREATE TABLE public.t (id integer);",
		"CREATE SEQUENCE public.t_id_seq START WITH 1;",
		"CREATE SEQUENCE public.other_seq START WITH 1;",
		"ALTER SEQUENCE public.other_seq OWNED BY public.other.id;",
		"ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;",
	};
	enum restoreplan_action act[5];
	struct restoreplan_stmt st;
	struct restoreplan *p = restoreplan_new(0);
	char err[256], *rw, *text = NULL;
	unsigned long line = 0;
	size_t i;

	if (!CHECK(p != NULL))
		return;
	EQ_INT(restoreplan_add(p, "public.t", err, sizeof err), 0);
	for (i = 0; i < 5; i++) {
		EQ_INT(restoreplan_decide(p, script[i], strlen(script[i]), i + 1, &st,
		    &act[i], &rw), 0);
		if (i == 3)	/* another table's sequence: dropped, nothing to take */
			EQ_INT(restoreplan_take_held(p, &text, &line), 0);
	}
	EQ_INT(act[0], RESTOREPLAN_RUN);
	EQ_INT(act[1], RESTOREPLAN_HOLD);
	EQ_INT(act[2], RESTOREPLAN_HOLD);
	EQ_INT(act[3], RESTOREPLAN_SKIP);
	EQ_INT(act[4], RESTOREPLAN_RUN);
	/* before the OWNED BY runs: the held CREATE SEQUENCE, with its line */
	if (EQ_INT(restoreplan_take_held(p, &text, &line), 1)) {
		EQ_STR(text, script[1]);
		EQ_INT(line, 2);
		free(text);
	}
	EQ_INT(restoreplan_take_held(p, &text, &line), 0);
	restoreplan_free(p);
}

static void
test_unmatched_and_uncopied(void)
{
	static const char *const script[] = {
		"CREATE TABLE public.t (id integer);",
		"CREATE TABLE public.u (id integer);",
		"COPY public.u (id) FROM stdin;",
	};
	struct restoreplan_stmt st;
	enum restoreplan_action act;
	struct restoreplan *p = restoreplan_new(0);
	char err[256], *rw;
	unsigned long line;
	const char *name;
	size_t i, iter = 0;

	if (!CHECK(p != NULL))
		return;
	EQ_INT(restoreplan_add(p, "t", err, sizeof err), 0);
	EQ_INT(restoreplan_add(p, "nosuch", err, sizeof err), 0);
	for (i = 0; i < 3; i++)
		EQ_INT(restoreplan_decide(p, script[i], strlen(script[i]), i + 1, &st,
		    &act, &rw), 0);
	EQ_STR(restoreplan_unmatched(p), "nosuch");
	/* t was selected, the dump has data, and none of it was t's */
	if (EQ_INT(restoreplan_uncopied(p, &iter, &name, &line), 1)) {
		EQ_STR(name, "\"public\".\"t\"");
		EQ_INT(line, 1);
	}
	EQ_INT(restoreplan_uncopied(p, &iter, &name, &line), 0);
	restoreplan_free(p);
}

static void
test_partitioned_parent_alone_is_refused(void)
{
	static const char *const script[] = {
		"CREATE TABLE public.m (id integer, at date) PARTITION BY RANGE (at);",
		"CREATE TABLE public.m_2026 (id integer, at date);",
		("ALTER TABLE ONLY public.m ATTACH PARTITION public.m_2026 FOR VALUES "
		    "FROM ('2026-01-01') TO ('2027-01-01');"),
		"COPY public.m_2026 (id, at) FROM stdin;",
	};
	struct restoreplan_stmt st;
	enum restoreplan_action act;
	struct restoreplan *p = restoreplan_new(0);
	char err[256], *rw;
	size_t i;
	int rc = 0;

	if (!CHECK(p != NULL))
		return;
	EQ_INT(restoreplan_add(p, "public.m", err, sizeof err), 0);
	for (i = 0; i < 4; i++)
		rc = restoreplan_decide(p, script[i], strlen(script[i]), i + 1, &st,
		    &act, &rw);
	EQ_INT(rc, -2);		/* at the first COPY */
	CONTAINS(restoreplan_refusal(p), "m_2026");
	restoreplan_free(p);

	/* with its partition selected too, all of it runs */
	if (!CHECK((p = restoreplan_new(0)) != NULL))
		return;
	EQ_INT(restoreplan_add(p, "public.m", err, sizeof err), 0);
	EQ_INT(restoreplan_add(p, "public.m_2026", err, sizeof err), 0);
	for (i = 0; i < 4; i++) {
		EQ_INT(restoreplan_decide(p, script[i], strlen(script[i]), i + 1, &st,
		    &act, &rw), 0);
		EQ_INT(act, RESTOREPLAN_RUN);
	}
	EQ_STR(restoreplan_refusal(p), NULL);
	restoreplan_free(p);
}

static void
test_schema_of_a_selected_table(void)
{
	static const char *const script[] = {
		"CREATE SCHEMA app;",
		"CREATE SCHEMA other;",
		"CREATE TABLE app.t (id integer);",
	};
	enum restoreplan_action act[3];
	struct restoreplan_stmt st;
	struct restoreplan *p = restoreplan_new(0);
	char err[256], *rw;
	size_t i;

	if (!CHECK(p != NULL))
		return;
	EQ_INT(restoreplan_add(p, "app.t", err, sizeof err), 0);
	for (i = 0; i < 3; i++)
		EQ_INT(restoreplan_decide(p, script[i], strlen(script[i]), i + 1, &st,
		    &act[i], &rw), 0);
	EQ_INT(act[0], RESTOREPLAN_ASK_ABSENT);
	EQ_INT(act[1], RESTOREPLAN_SKIP);
	EQ_INT(act[2], RESTOREPLAN_RUN);
	restoreplan_free(p);
}

static void
test_data_only_and_rename(void)
{
	enum restoreplan_action act[sizeof dump / sizeof dump[0]];
	char *rw[sizeof dump / sizeof dump[0]], err[256];
	struct restoreplan *p = restoreplan_new(1);
	size_t i, k;

	if (!CHECK(p != NULL))
		return;
	CHECK(restoreplan_active(p));
	EQ_INT(restoreplan_add(p, "orders=orders_copy", err, sizeof err), 0);
	if (run_dump(p, act, rw) == 0) {
		ACTION("SET statement_timeout", RESTOREPLAN_RUN);
		ACTION("CREATE TABLE public.orders", RESTOREPLAN_SKIP);
		ACTION("COPY public.customers", RESTOREPLAN_SKIP);
		ACTION("COPY public.orders", RESTOREPLAN_RUN);
		/* the rows went elsewhere: the sequence stays as it is */
		ACTION("SELECT pg_catalog.setval", RESTOREPLAN_SKIP);
		ACTION("CREATE INDEX orders_customer_idx", RESTOREPLAN_SKIP);
		ACTION("COMMENT ON TABLE public.orders", RESTOREPLAN_SKIP);
		k = find("COPY public.orders");
		EQ_STR(rw[k], "COPY \"public\".\"orders_copy\" (id, customer_id) FROM stdin;");
		for (i = 0; i < sizeof dump / sizeof dump[0]; i++)
			free(rw[i]);
	}
	restoreplan_free(p);

	/* --data-only -t orders: its rows and its sequence's value */
	if (!CHECK((p = restoreplan_new(1)) != NULL))
		return;
	EQ_INT(restoreplan_add(p, "orders", err, sizeof err), 0);
	if (run_dump(p, act, rw) == 0) {
		ACTION("COPY public.orders", RESTOREPLAN_RUN);
		ACTION("COPY public.customers", RESTOREPLAN_SKIP);
		ACTION("SELECT pg_catalog.setval", RESTOREPLAN_RUN);
		k = find("COPY public.orders");
		EQ_STR(rw[k], NULL);
	}
	restoreplan_free(p);

	/* --data-only alone: every COPY and setval, no DDL */
	if (!CHECK((p = restoreplan_new(1)) != NULL))
		return;
	if (run_dump(p, act, rw) == 0) {
		ACTION("COPY public.orders", RESTOREPLAN_RUN);
		ACTION("COPY public.customers", RESTOREPLAN_RUN);
		ACTION("SELECT pg_catalog.setval", RESTOREPLAN_RUN);
		ACTION("CREATE TABLE public.orders", RESTOREPLAN_SKIP);
		ACTION("CREATE INDEX orders_customer_idx", RESTOREPLAN_SKIP);
	}
	restoreplan_free(p);
}

static void
test_add_refusals(void)
{
	struct restoreplan *p = restoreplan_new(0);
	char err[256];

	if (!CHECK(p != NULL))
		return;
	CHECK(!restoreplan_active(p));
	EQ_INT(restoreplan_add(p, "a=b", err, sizeof err), -1);
	EQ_STR(err, "-t a=b: loading rows into another table (name=other) needs --data-only");
	EQ_INT(restoreplan_add(p, "a b", err, sizeof err), -1);
	EQ_STR(err, "-t a b: not a table name");
	EQ_INT(restoreplan_add(p, "", err, sizeof err), -1);
	/* a quoted name holding '=' is a name, not a rename */
	EQ_INT(restoreplan_add(p, "\"a=b\"", err, sizeof err), 0);
	CHECK(restoreplan_active(p));
	restoreplan_free(p);
	if (!CHECK((p = restoreplan_new(1)) != NULL))
		return;
	EQ_INT(restoreplan_add(p, "a=", err, sizeof err), -1);
	EQ_STR(err, "-t a=: not a table name (name or name=other)");
	EQ_INT(restoreplan_add(p, "=b", err, sizeof err), -1);
	restoreplan_free(p);
	restoreplan_free(NULL);
}

int
main(void)
{
	RUN(test_classify_dump);
	RUN(test_classify_copy_name_place);
	RUN(test_classify_partitions);
	RUN(test_classify_is_not_fooled);
	RUN(test_canonical);
	RUN(test_select_one_table);
	RUN(test_held_sequence_is_released);
	RUN(test_unmatched_and_uncopied);
	RUN(test_partitioned_parent_alone_is_refused);
	RUN(test_schema_of_a_selected_table);
	RUN(test_data_only_and_rename);
	RUN(test_add_refusals);
	return UNIT_END();
}
