#!/usr/bin/env bats
# cr-restore runs pg_dump's vocabulary for one database (lib/sql/vocab.c), not a
# blacklist: every statement pg_dump writes for a rich schema restores, and
# what reaches beyond the target (roles, tablespaces, other databases,
# server files, DO blocks, SQL after the dump's last line) is refused with
# 65 before anything runs (a file) or at that statement (a pipe), plain,
# -j 2 and -t alike.  --trust-dump lifts the vocabulary, never the
# meta-command refusal.
bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	q "CREATE ROLE weak LOGIN; CREATE ROLE reader" >/dev/null
	# A database the dumps must not touch, with a production marker.
	mkdb other
	q "COMMENT ON DATABASE other IS 'cr:production'" >/dev/null
	mkdb rich
	psql -X -q -v ON_ERROR_STOP=1 -d rich >/dev/null <<-'SQL'
	CREATE EXTENSION hstore;
	CREATE EXTENSION citext WITH SCHEMA public;
	CREATE SCHEMA app AUTHORIZATION weak;
	COMMENT ON SCHEMA app IS 'the app''s schema';
	CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
	CREATE TYPE app.pair AS (a int, b text);
	CREATE TYPE app.span AS RANGE (subtype = float8);
	CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);
	CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
	CREATE TEXT SEARCH CONFIGURATION app.simple2 (COPY = pg_catalog.simple);
	CREATE SEQUENCE app.counter START 7;
	SELECT setval('app.counter', 42);
	CREATE TABLE app.users (
		id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		email citext UNIQUE,
		mood app.mood DEFAULT 'ok',
		attrs hstore,
		n app.posint CHECK (n < 1000),
		twice int GENERATED ALWAYS AS (n * 2) STORED,
		blob oid
	);
	CREATE TABLE app.events (id bigserial, user_id int REFERENCES app.users, at timestamptz DEFAULT now())
		PARTITION BY RANGE (id);
	CREATE TABLE app.events_1 PARTITION OF app.events FOR VALUES FROM (1) TO (1000);
	CREATE TABLE app.parent (x int);
	CREATE TABLE app.child (y int) INHERITS (app.parent);
	CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v text);
	CREATE INDEX users_lower ON app.users (lower(email::text));
	CREATE STATISTICS app.users_stats ON mood, n FROM app.users;
	SELECT lo_from_bytea(16390, 'a blob of a known oid'::bytea);
	INSERT INTO app.users (email, mood, attrs, n, blob)
		SELECT 'u' || g || '@x', 'happy', 'a=>1', g, lo_from_bytea(0, ('large object ' || g)::bytea)
		FROM generate_series(1, 3) g;
	INSERT INTO app.events (user_id) VALUES (1), (2);
	INSERT INTO app.child VALUES (1, 2);
	INSERT INTO app.cache VALUES ('k', 'v');
	CREATE VIEW app.happy AS SELECT id, email FROM app.users WHERE mood = 'happy';
	CREATE MATERIALIZED VIEW app.counts AS SELECT mood, count(*) FROM app.users GROUP BY mood;
	CREATE FUNCTION app.bump() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.n := NEW.n + 1; RETURN NEW; END $$;
	CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b;
	CREATE PROCEDURE app.noop() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
	-- the app's own function of a catalog function's name: not the catalog's
	CREATE FUNCTION app.pg_read_file(t text) RETURNS text LANGUAGE sql IMMUTABLE RETURN upper(t);
	COMMENT ON FUNCTION app.pg_read_file(text) IS 'the app''s own';
	GRANT EXECUTE ON FUNCTION app.pg_read_file(text) TO reader;
	CREATE TABLE app.notes (t text CHECK (app.pg_read_file(t) <> ''));
	INSERT INTO app.notes VALUES ('x');
	CREATE AGGREGATE app.total(int) (sfunc = app.add, stype = int, initcond = '0');
	CREATE OPERATOR app.### (leftarg = int, rightarg = int, function = app.add);
	CREATE TRIGGER users_bump BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.bump();
	CREATE RULE keep_parent AS ON DELETE TO app.parent DO INSTEAD NOTHING;
	ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
	CREATE POLICY own ON app.users TO weak USING (email = current_user::citext);
	CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
	CREATE EVENT TRIGGER app_ddl ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
	CREATE PUBLICATION app_pub FOR TABLE app.users;
	CREATE SUBSCRIPTION app_sub CONNECTION 'dbname=nowhere' PUBLICATION app_pub
		WITH (connect = false, slot_name = NONE);
	CREATE EXTENSION postgres_fdw;
	CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'nowhere');
	CREATE USER MAPPING FOR weak SERVER elsewhere OPTIONS (user 'weak');
	CREATE FOREIGN TABLE app.remote (a int) SERVER elsewhere;
	GRANT USAGE ON SCHEMA app TO reader;
	GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader;
	GRANT SELECT (email) ON app.users TO weak;
	GRANT EXECUTE ON FUNCTION app.add(int, int) TO reader;
	GRANT SELECT ON LARGE OBJECT 16390 TO reader;
	ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO reader;
	ALTER DEFAULT PRIVILEGES FOR ROLE weak REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
	COMMENT ON TABLE app.users IS 'people; with a '';'' inside';
	COMMENT ON COLUMN app.users.email IS 'login';
	COMMENT ON FUNCTION app.add(int, int) IS 'adds';
	COMMENT ON LARGE OBJECT 16390 IS 'a blob';
	COMMENT ON EVENT TRIGGER app_ddl IS 'ddl';
	SQL
	pg_dump -d rich >"$BATS_FILE_TMPDIR/rich.sql"
	# The base of the hostile dumps: a small real pg_dump dump.
	mkdb small
	q "CREATE TABLE base (id int); INSERT INTO base VALUES (1), (2)" small >/dev/null
	pg_dump -d small >"$BATS_FILE_TMPDIR/small.sql"
}
teardown_file() { pg_stop; }

# The server beyond the target: roles and their settings and memberships,
# tablespaces, databases with their comments and privileges, the server's
# configuration file.  A refused statement leaves all of it as it was.
server_state() {
	q "SELECT (SELECT string_agg(rolname || rolsuper::text, ',' ORDER BY rolname) FROM pg_roles),
		(SELECT count(*) FROM pg_auth_members), (SELECT count(*) FROM pg_db_role_setting),
		(SELECT string_agg(spcname, ',') FROM pg_tablespace),
		(SELECT string_agg(datname || ':' || coalesce(datacl::text, '') || ':' ||
			coalesce(pg_catalog.shobj_description(oid, 'pg_database'), ''), ',' ORDER BY datname)
		 FROM pg_database WHERE datname NOT LIKE 'victim%'),
		(SELECT count(*) FROM pg_shseclabel), (SELECT count(*) FROM pg_file_settings),
		(SELECT count(*) FROM pg_subscription)"
}

# What a refused statement could have done inside the target.
target_state() {
	q "SELECT (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace),
		(SELECT count(*) FROM pg_largeobject_metadata)" "$1"
}

# hostile FILE STATEMENT: the small dump with STATEMENT between two tables of
# its own, before pg_dump's last lines; prints the statement's line.
hostile() {
	local done head
	done=$(grep -n '^-- PostgreSQL database dump complete$' "$BATS_FILE_TMPDIR/small.sql" | cut -d: -f1)
	head=$((done - 2))
	{ sed -n "1,${head}p" "$BATS_FILE_TMPDIR/small.sql"
	  echo 'CREATE TABLE public.before_it (a integer);'
	  printf '%s\n' "$2"
	  echo 'CREATE TABLE public.after_it (a integer);'
	  sed -n "$((head + 1)),\$p" "$BATS_FILE_TMPDIR/small.sql"; } >"$1"
	echo $((head + 2))
}

# The statement kinds refused, one a line: "words the message names|SQL".
refused_kinds() {
	marker=$CR_PGROOT/pwned
	cat <<-EOF
	CREATE ROLE|CREATE ROLE evil SUPERUSER LOGIN;
	CREATE USER|CREATE USER evil;
	CREATE GROUP|CREATE GROUP evil;
	ALTER ROLE|ALTER ROLE weak SUPERUSER;
	ALTER USER|ALTER USER weak WITH SUPERUSER;
	ALTER ROLE|ALTER ROLE weak IN DATABASE other SET work_mem = '1MB';
	DROP ROLE|DROP ROLE reader;
	GRANT pg_read_server_files|GRANT pg_read_server_files TO weak;
	REVOKE reader|REVOKE reader FROM cr;
	CREATE TABLESPACE|CREATE TABLESPACE ts LOCATION '$CR_PGROOT';
	GRANT CONNECT ON DATABASE other|GRANT CONNECT ON DATABASE other TO weak;
	REVOKE ALL ON DATABASE other|REVOKE ALL ON DATABASE other FROM PUBLIC;
	COMMENT ON DATABASE other|COMMENT ON DATABASE other IS NULL;
	COMMENT ON DATABASE|COMMENT ON DATABASE "other" IS 'not production';
	SECURITY LABEL|SECURITY LABEL FOR x ON DATABASE other IS 'x';
	COMMENT ON ROLE|COMMENT ON ROLE weak IS 'x';
	GRANT SET ON PARAMETER|GRANT SET ON PARAMETER work_mem TO weak;
	ALTER SYSTEM|ALTER SYSTEM SET work_mem = '1GB';
	ALTER DATABASE|ALTER DATABASE other SET work_mem = '1MB';
	COPY public.base FROM PROGRAM|COPY public.base FROM PROGRAM 'touch $marker';
	COPY public.base TO|COPY public.base TO '$marker';
	SELECT pg_catalog.lo_import|SELECT pg_catalog.lo_import('$CR_PGROOT/data/PG_VERSION');
	SELECT lo_export|SELECT lo_export(1, '$marker');
	SELECT pg_read_file|SELECT pg_read_file('PG_VERSION');
	SELECT pg_read_binary_file|SELECT pg_read_binary_file('PG_VERSION');
	SELECT * FROM pg_ls_dir|SELECT * FROM pg_ls_dir('.');
	SELECT pg_stat_file|SELECT pg_stat_file('PG_VERSION');
	CREATE MATERIALIZED VIEW|CREATE MATERIALIZED VIEW public.m AS SELECT * FROM public.dblink('dbname=other', 'SELECT 1') AS t(a int);
	CREATE TABLE stolen AS|CREATE TABLE stolen AS SELECT pg_read_file('PG_VERSION');
	ALTER TABLE public.base ADD CONSTRAINT|ALTER TABLE public.base ADD CONSTRAINT c CHECK (lo_import('$CR_PGROOT/data/PG_VERSION') > 0);
	DO|DO \$\$ BEGIN CREATE TABLE public.in_do (); END \$\$;
	SET ROLE|SET ROLE weak;
	SET SESSION AUTHORIZATION|SET SESSION AUTHORIZATION weak;
	RESET ROLE|RESET ROLE;
	SELECT pg_catalog.set_config|SELECT pg_catalog.set_config('role', 'weak', false);
	SELECT 1|SELECT 1;
	INSERT INTO public.base SELECT|INSERT INTO public.base SELECT 3;
	DELETE FROM|DELETE FROM public.base;
	CREATE SUBSCRIPTION|CREATE SUBSCRIPTION s CONNECTION 'dbname=other' PUBLICATION p;
	EOF
}

@test "restore-vocab: every statement pg_dump writes for a rich schema restores (plain, -j 2, --clean, -t)" {
	dump=$BATS_FILE_TMPDIR/rich.sql
	grep -q '^CREATE EVENT TRIGGER' "$dump"
	grep -q '^SELECT pg_catalog.lowrite' "$dump"
	grep -q '^CREATE SUBSCRIPTION' "$dump"
	grep -q '^ALTER DEFAULT PRIVILEGES' "$dump"
	grep -q '^REFRESH MATERIALIZED VIEW' "$dump"
	grep -q '^CREATE POLICY' "$dump"
	grep -q '^CREATE USER MAPPING' "$dump"
	mkdb r1
	run cr-restore -d r1 "$dump"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app.users WHERE lo_get(blob) IS NOT NULL' r1)" 3
	assert_equal "$(q 'SELECT sum(count) FROM app.counts' r1)" 3
	mkdb r2
	run cr-restore -j 2 -d r2 "$dump"
	assert_status 0
	run bash -c "cat '$dump' | cr-restore -j 2 --clean --yes -d r3"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app.events' r3)" 2
	mkdb r4
	run cr-restore -t app.cache -d r4 "$dump"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app.cache' r4)" 1
}

@test "restore-vocab: pg_dump's other forms restore: -c --if-exists, --inserts, --column-inserts, cr-dump" {
	# (a database holding a subscription cannot be dropped: one per form)
	n=0
	for opts in "-c --if-exists" "--inserts" "--column-inserts --rows-per-insert=2" "-b --no-owner"; do
		# shellcheck disable=SC2086
		pg_dump $opts -d rich >"$BATS_TEST_TMPDIR/d.sql"
		n=$((n + 1))
		mkdb "rf$n"
		run cr-restore -d "rf$n" "$BATS_TEST_TMPDIR/d.sql"
		echo "# pg_dump $opts: $output" >&3
		assert_status 0
		assert_equal "$(q 'SELECT count(*) FROM app.users' "rf$n")" 3
	done
	# -c again over the restored copy: its DROPs and lo_unlink run too
	pg_dump -c --if-exists -d rich >"$BATS_TEST_TMPDIR/d.sql"
	run cr-restore -d rf1 "$BATS_TEST_TMPDIR/d.sql"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app.users' rf1)" 3
	# cr-dump's own stream, trailer after the "dump complete" line included
	cr-dump -d rich >"$BATS_TEST_TMPDIR/cr.sql"
	grep -q '^-- cr-dump trailer: ' "$BATS_TEST_TMPDIR/cr.sql"
	run bash -c "cat '$BATS_TEST_TMPDIR/cr.sql' | cr-restore -j 2 --clean --yes -d rf_new"
	assert_status 0
	assert_equal "$(q 'SELECT count(*) FROM app.users' rf_new)" 3
}

@test "restore-vocab: each refused kind, from a file: 65 naming the line and words, nothing at all ran" {
	before=$(server_state)
	while IFS='|' read -r words sql; do
		line=$(hostile "$BATS_TEST_TMPDIR/h.sql" "$sql")
		for mode in plain j2 table; do
			mkdb victim
			case $mode in
			plain) run cr-restore -d victim "$BATS_TEST_TMPDIR/h.sql" ;;
			j2) run cr-restore -j 2 -d victim "$BATS_TEST_TMPDIR/h.sql" ;;
			table) run cr-restore -t public.base -d victim "$BATS_TEST_TMPDIR/h.sql" ;;
			esac
			assert_status 65
			assert_output_contains "line $line: refused $words"
			assert_output_contains "nothing was executed"
			assert_equal "$(target_state victim)" "|0"
		done
		assert_equal "$(server_state)" "$before"
		run test -e "$CR_PGROOT/pwned"
		assert_status 1
	done < <(refused_kinds)
}

@test "restore-vocab: each refused kind, from a pipe: 65 at that statement, nothing from it on ran" {
	before=$(server_state)
	while IFS='|' read -r words sql; do
		line=$(hostile "$BATS_TEST_TMPDIR/h.sql" "$sql")
		for mode in plain j2 table; do
			mkdb victim
			case $mode in
			plain) run bash -c "cat '$BATS_TEST_TMPDIR/h.sql' | cr-restore -d victim" ;;
			j2) run bash -c "cat '$BATS_TEST_TMPDIR/h.sql' | cr-restore -j 2 -d victim" ;;
			table) run bash -c "cat '$BATS_TEST_TMPDIR/h.sql' | cr-restore -t public.base -d victim" ;;
			esac
			assert_status 65
			assert_output_contains "line $line: refused $words"
			case $mode in
			table) assert_equal "$(target_state victim)" "base|0" ;;
			*) assert_equal "$(target_state victim)" "base,before_it|0" ;;
			esac
		done
		assert_equal "$(server_state)" "$before"
		run test -e "$CR_PGROOT/pwned"
		assert_status 1
	done < <(refused_kinds)
	# -1 and --clean: the target is as it was
	line=$(hostile "$BATS_TEST_TMPDIR/h.sql" 'CREATE ROLE evil SUPERUSER;')
	mkdb victim
	run bash -c "cat '$BATS_TEST_TMPDIR/h.sql' | cr-restore -1 -d victim"
	assert_status 65
	assert_equal "$(target_state victim)" "|0"
	run bash -c "cat '$BATS_TEST_TMPDIR/h.sql' | cr-restore --clean --yes -d victim"
	assert_status 65
	assert_output_contains "line $line: refused CREATE ROLE evil"
	assert_equal "$(target_state victim)" "|0"
	assert_equal "$(server_state)" "$before"
}

@test "restore-vocab: GRANT, COMMENT and SECURITY LABEL on the target database itself are pg_dump's (-C)" {
	mkdb victim
	hostile "$BATS_TEST_TMPDIR/h.sql" "GRANT CONNECT ON DATABASE victim TO weak;
COMMENT ON DATABASE victim IS 'dev copy';
REVOKE TEMPORARY ON DATABASE \"victim\" FROM PUBLIC;" >/dev/null
	run cr-restore -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 0
	assert_equal "$(q "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'victim'")" "dev copy"
	# allowed by the vocabulary, so the server decides: no label provider
	mkdb victim
	hostile "$BATS_TEST_TMPDIR/h.sql" "SECURITY LABEL FOR x ON DATABASE victim IS 'x';" >/dev/null
	run cr-restore -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 1
	assert_output_contains "security label"
	# two databases, the target among them, is refused
	hostile "$BATS_TEST_TMPDIR/h.sql" "GRANT CONNECT ON DATABASE victim, other TO weak;" >/dev/null
	run cr-restore -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 65
	assert_output_contains "refused GRANT CONNECT ON DATABASE victim, other"
}

@test "restore-vocab: what pg_dump writes that this schema lacks passes the vocabulary; the server decides" {
	# pg_dump 18's statistics, 17's transaction_timeout, a security label,
	# --role and --use-set-session-authorization's statements are refused
	while IFS='|' read -r want sql; do
		mkdb victim
		hostile "$BATS_TEST_TMPDIR/h.sql" "$sql" >/dev/null
		run cr-restore -d victim "$BATS_TEST_TMPDIR/h.sql"
		echo "# $sql: $output" >&3
		assert_status "$want"
	done <<-'EOF'
	1|SELECT * FROM pg_catalog.pg_restore_relation_stats('version', '180000'::integer, 'schemaname', 'public', 'relname', 'base', 'relpages', '1'::integer, 'reltuples', '-1'::real);
	1|SELECT * FROM pg_catalog.pg_restore_attribute_stats('schemaname', 'public', 'relname', 'base', 'attname', 'id', 'inherited', 'f'::boolean, 'null_frac', '0'::real, 'most_common_vals', '{1,2}'::text);
	1|SET transaction_timeout = 0;
	1|SECURITY LABEL FOR x ON TABLE public.base IS 'secret';
	1|SELECT pg_catalog.setval('public.nosuch', -5, true);
	65|SELECT pg_catalog.setval('public.nosuch', 1) FROM public.base;
	65|SET ROLE cr;
	EOF
}

@test "restore-vocab: SQL after pg_dump's \"dump complete\" line is refused (65), as cr-verify does" {
	dump=$BATS_FILE_TMPDIR/small.sql
	last=$(($(wc -l <"$dump") + 1))
	{ cat "$dump"; echo 'CREATE TABLE public.appended (a integer);'; } >"$BATS_TEST_TMPDIR/a.sql"
	run cr-verify "$BATS_TEST_TMPDIR/a.sql"
	assert_status 65
	mkdb victim
	run cr-restore -d victim "$BATS_TEST_TMPDIR/a.sql"
	assert_status 65
	assert_output_contains "line $last: refused CREATE TABLE public.appended"
	assert_output_contains "dump complete"
	assert_equal "$(target_state victim)" "|0"
	run bash -c "cat '$BATS_TEST_TMPDIR/a.sql' | cr-restore -j 2 -d victim"
	assert_status 65
	assert_equal "$(target_state victim)" "base|0"
	# even when the dump is trusted; two dumps run together likewise
	mkdb victim
	run bash -c "cat '$BATS_TEST_TMPDIR/a.sql' | cr-restore --trust-dump -d victim"
	assert_status 65
	assert_equal "$(target_state victim)" "base|0"
	mkdb victim
	run bash -c "cat '$dump' '$dump' | cr-restore -d victim"
	assert_status 65
	assert_output_contains "SQL after pg_dump's \"dump complete\" line"
}

@test "restore-vocab: --trust-dump runs what pg_dump would not write, never a meta-command or COPY PROGRAM" {
	mkdb victim
	hostile "$BATS_TEST_TMPDIR/h.sql" 'DO $$ BEGIN CREATE TABLE public.in_do (); END $$;' >/dev/null
	run cr-restore -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 65
	run cr-restore --trust-dump -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 0
	assert_equal "$(target_state victim)" "after_it,base,before_it,in_do|0"
	mkdb victim
	line=$(hostile "$BATS_TEST_TMPDIR/h.sql" "\\! touch $CR_PGROOT/pwned")
	run cr-restore --trust-dump -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 65
	assert_output_contains "line $line: refused psql meta-command"
	line=$(hostile "$BATS_TEST_TMPDIR/h.sql" "COPY public.base FROM PROGRAM 'touch $CR_PGROOT/pwned';")
	run cr-restore --trust-dump -d victim "$BATS_TEST_TMPDIR/h.sql"
	assert_status 65
	assert_output_contains "line $line: refused COPY"
	assert_equal "$(target_state victim)" "|0"
	run test -e "$CR_PGROOT/pwned"
	assert_status 1
}
