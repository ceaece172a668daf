#!/usr/bin/env bats
# cr's own SQL is immune to the database's objects.  A "trap" database,
# owned by an app role that is not a superuser, holds in public a
# same-named function, aggregate, operator or type for every name cr's SQL
# uses (tests/trust-names.sh reads them from the source, so a new query is
# covered without a word here), with the catalog's own signatures and
# better matches (text, name, unknown, anyelement).  Its search_path puts
# public first, as its owner may set.  Each trap, when called, writes a
# server file as whoever called it (a superuser can: the very escalation),
# and every tool and mode runs against it as a superuser: no file appears.

bats_require_minimum_version 1.5.0

load helpers

# trap_sql SCHEMA GREP-ARGS...: the SQL that builds in SCHEMA (run as the
# app) the traps for the names that grep selects.
trap_sql() {
	local schema=$1 kind name
	shift
	cat <<-SQL
	SET search_path = pg_catalog, pg_temp;
	CREATE TEMP TABLE trap_names (kind text, name text);
	COPY trap_names FROM stdin;
	SQL
	sh "$CR_REPO/tests/trust-names.sh" "$CR_REPO" | grep "$@" | while read -r kind name; do
		printf '%s\t%s\n' "$kind" "$name"
	done
	printf '\\.\n'
	sed "s/@SCHEMA@/$schema/g" <<-'SQL'
	DO $do$
	DECLARE
		s text := '@SCHEMA@';
		r record;
		t text;
		u text;
		n int := 0;
		hit text := 'BEGIN PERFORM public.cr_trap_hit(%L); RETURN%s; END';
		mk text := 'CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql '
		    'SET search_path = pg_catalog, pg_temp AS %L';
		kinds text[] := ARRAY['text', 'name', 'unknown', 'anyelement'];
	BEGIN
		-- Functions and aggregates with the catalog's own signatures.
		FOR r IN SELECT p.proname, p.prokind, p.proretset,
				pg_get_function_arguments(p.oid) AS args,
				pg_get_function_identity_arguments(p.oid) AS iargs,
				pg_get_function_result(p.oid) AS result,
				format_type(p.prorettype, NULL) AS rettype,
				coalesce(p.proargmodes && '{o,b,t}'::"char"[], false) AS outs
			FROM pg_proc p JOIN trap_names tn ON tn.kind = 'function' AND tn.name = p.proname
			WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a')
		LOOP
			n := n + 1;
			BEGIN
				IF r.prokind = 'f' THEN
					EXECUTE format(mk, s, r.proname,
					    replace(replace(r.args, 'VARIADIC "any"', 'VARIADIC anyarray'), '"any"', 'anyelement'),
					    r.result, format(hit, s || '.' || r.proname || '(' || r.iargs || ')',
					    CASE WHEN r.proretset OR r.outs THEN '' ELSE ' NULL' END));
				ELSE
					u := replace(r.iargs, '"any"', 'anyelement');
					EXECUTE format(mk, s, 'cr_trap_agg_' || n,
					    r.rettype || CASE WHEN u = '' THEN '' ELSE ', ' || u END, r.rettype,
					    format(hit, s || '.' || r.proname || '(' || r.iargs || ') step', ' NULL'));
					EXECUTE format(mk, s, 'cr_trap_final_' || n, r.rettype, r.rettype,
					    format(hit, s || '.' || r.proname || '(' || r.iargs || ')', ' NULL'));
					EXECUTE format('CREATE AGGREGATE %I.%I(%s) (SFUNC = %I.%I, STYPE = %s, FINALFUNC = %I.%I)',
					    s, r.proname, CASE WHEN u = '' THEN '*' ELSE u END, s, 'cr_trap_agg_' || n,
					    r.rettype, s, 'cr_trap_final_' || n);
				END IF;
			EXCEPTION WHEN OTHERS THEN
				RAISE NOTICE 'no trap %(%): %', r.proname, r.iargs, SQLERRM;
			END;
		END LOOP;
		-- Better matches: every argument text, name, unknown or anyelement,
		-- or a text then those, for each number of arguments the catalog has.
		FOR r IN SELECT DISTINCT p.proname, p.pronargs
			FROM pg_proc p JOIN trap_names tn ON tn.kind = 'function' AND tn.name = p.proname
			WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.pronargs BETWEEN 1 AND 3
		LOOP
			FOREACH t IN ARRAY kinds LOOP
				FOREACH u IN ARRAY ARRAY[array_to_string(array_fill(t, ARRAY[r.pronargs]), ', '),
				    'text' || repeat(', ' || t, r.pronargs - 1)] LOOP
					BEGIN
						EXECUTE format(mk, s, r.proname, u,
						    CASE WHEN t = 'anyelement' THEN t ELSE 'text' END,
						    format(hit, s || '.' || r.proname || '(' || u || ')', ' NULL'));
					EXCEPTION WHEN OTHERS THEN
						NULL;	-- the same as one above, or not allowed
					END;
				END LOOP;
			END LOOP;
		END LOOP;
		-- Operators: the catalog's signatures, then the better matches.
		FOR r IN SELECT o.oid, o.oprname, o.oprleft, o.oprright, o.oprresult
			FROM pg_operator o JOIN trap_names tn ON tn.kind = 'operator' AND tn.name = o.oprname
			WHERE o.oprnamespace = 'pg_catalog'::regnamespace
		LOOP
			BEGIN
				EXECUTE format(mk, s, 'cr_trap_op_' || r.oid,
				    concat_ws(', ', CASE WHEN r.oprleft <> 0 THEN format_type(r.oprleft, NULL) END,
				    format_type(r.oprright, NULL)), format_type(r.oprresult, NULL),
				    format(hit, s || '.' || r.oprname, ' NULL'));
				EXECUTE format('CREATE OPERATOR %I.%s (%s RIGHTARG = %s, FUNCTION = %I.%I)', s,
				    r.oprname, CASE WHEN r.oprleft <> 0 THEN 'LEFTARG = ' ||
				    format_type(r.oprleft, NULL) || ',' END, format_type(r.oprright, NULL),
				    s, 'cr_trap_op_' || r.oid);
			EXCEPTION WHEN OTHERS THEN
				RAISE NOTICE 'no trap operator % (%, %): %', r.oprname, r.oprleft::regtype,
				    r.oprright::regtype, SQLERRM;
			END;
		END LOOP;
		FOR r IN SELECT DISTINCT o.oprname FROM pg_operator o
			JOIN trap_names tn ON tn.kind = 'operator' AND tn.name = o.oprname
		LOOP
			FOREACH t IN ARRAY kinds LOOP
				FOREACH u IN ARRAY kinds LOOP
					n := n + 1;
					BEGIN
						EXECUTE format(mk, s, 'cr_trap_opx_' || n, t || ', ' || u,
						    CASE WHEN 'anyelement' IN (t, u) THEN 'anyelement' ELSE 'bool' END,
						    format(hit, s || '.' || r.oprname || ' (' || t || ', ' || u || ')', ' NULL'));
						EXECUTE format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.%I)',
						    s, r.oprname, t, u, s, 'cr_trap_opx_' || n);
					EXCEPTION WHEN OTHERS THEN
						NULL;
					END;
				END LOOP;
			END LOOP;
		END LOOP;
		-- Types last (every name above is the catalog's): a domain whose
		-- check is a trap.
		FOR r IN SELECT tn.name FROM trap_names tn JOIN pg_type y ON y.typname = tn.name
			WHERE tn.kind = 'type' AND y.typnamespace = 'pg_catalog'::regnamespace
		LOOP
			BEGIN
				EXECUTE format('CREATE DOMAIN %I.%I AS pg_catalog.%I CHECK (public.cr_trap_hit(%L))',
				    s, r.name, r.name, s || '.' || r.name || ' (type)');
			EXCEPTION WHEN OTHERS THEN
				RAISE NOTICE 'no trap type %: %', r.name, SQLERRM;
			END;
		END LOOP;
	END
	$do$;
	SQL
}

# hit_sql: the function every trap calls: a WARNING, and a file in $HITS
# written by the server as the caller (only a superuser may).
hit_sql() {
	cat <<-SQL
	CREATE FUNCTION public.cr_trap_hit(what pg_catalog.text) RETURNS pg_catalog.bool
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS \$f\$
	BEGIN
		RAISE WARNING 'cr-trap: % ran as %', what, current_user;
		BEGIN
			EXECUTE format('COPY (SELECT %L) TO %L', what || ' ran as ' || current_user,
			    '$HITS/' || md5(what || clock_timestamp()::text || random()::text));
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'cr-trap: % not recorded: %', what, SQLERRM;
		END;
		RETURN true;
	END
	\$f\$;
	-- A CHECK that leaves a session-level search_path behind (the COPY
	-- that checks it then sets it for the rest of the connection).
	CREATE FUNCTION public.cr_flip(i pg_catalog.int4, path pg_catalog.text) RETURNS pg_catalog.bool
	LANGUAGE plpgsql AS \$f\$
	BEGIN
		PERFORM pg_catalog.set_config('search_path', path, false);
		RETURN true;
	END
	\$f\$;
	SQL
}

# qs SQL [DB]: q with the catalog first, for the test's own queries in a
# trap database.
qs() {
	PGOPTIONS="-c search_path=pg_catalog" q "$@"
}

as_app() {
	psql -X -q -v ON_ERROR_STOP=1 -U trapapp "$@"
}

# hits: what the traps recorded since the last clear_hits.
hits() {
	cat "$HITS"/* 2>/dev/null || true
}
clear_hits() {
	rm -f "$HITS"/*
}
assert_no_hits() {
	local h
	h=$(hits)
	if [ -n "$h" ]; then
		echo "cr's SQL called the database's objects:" >&2
		echo "$h" >&2
		return 1
	fi
}

# check_traps: every name cr's SQL uses has a trap in trapall, and a trap
# records when called as cr calls it (run once, from setup_file).
check_traps() {
	local kind name n missing=""
	output=$(sh "$CR_REPO/tests/trust-names.sh" "$CR_REPO")
	assert_output_contains "function count"
	assert_output_contains "function format"
	assert_output_contains "operator ="
	assert_output_contains "type text"
	while read -r kind name; do
		case $kind in
		# a word before "(" that is no function of the catalog needs none
		function) n=$(qs "SELECT NOT EXISTS (SELECT FROM pg_proc WHERE proname = '$name'
			AND pronamespace = 'pg_catalog'::regnamespace) OR EXISTS (SELECT FROM pg_proc
			WHERE proname = '$name' AND pronamespace = 'public'::regnamespace)" trapall) ;;
		operator) n=$(qs "SELECT EXISTS (SELECT FROM pg_operator WHERE oprname = '$name'
			AND oprnamespace = 'public'::regnamespace)" trapall) ;;
		type) n=$(qs "SELECT EXISTS (SELECT FROM pg_type WHERE typname = '$name'
			AND typnamespace = 'public'::regnamespace)" trapall) ;;
		esac
		[ "$n" = t ] || missing="$missing $kind:$name"
	done <<<"$output"
	assert_equal "$missing" ""
	# A trap is a trap: called as cr is, it records.
	run psql -X -q -A -t -d trapall -c "SELECT count(*) FROM public.items"
	assert_status 0
	run hits
	assert_output_contains "public.count() ran as cr"
	clear_hits
}

setup_file() {
	pg_start
	export HITS=$CR_PGROOT/trap-hits
	as_pg_user mkdir -m 0777 "$HITS"
	q "CREATE ROLE trapapp LOGIN CREATEDB" >/dev/null

	# trapsrc: the app's database, traps in public, public first in its
	# search_path.
	mkdb trapsrc
	q "ALTER DATABASE trapsrc OWNER TO trapapp" >/dev/null
	q "ALTER SCHEMA public OWNER TO trapapp" trapsrc >/dev/null
	# A dump defining set_config is refused by cr-restore (its splitter
	# follows set_config calls): that trap is in trapall and the targets.
	{ hit_sql; trap_sql public -v -x 'function set_config'; } |
		as_app -d trapsrc >"$BATS_FILE_TMPDIR/traps.log" 2>&1
	as_app -d trapsrc <<-'SQL'
	CREATE TABLE public.items (id pg_catalog.int4 PRIMARY KEY, note pg_catalog.text);
	INSERT INTO public.items SELECT g, 'item ' OPERATOR(pg_catalog.||) g FROM pg_catalog.generate_series(1, 20) g;
	ALTER DATABASE trapsrc SET search_path = public, pg_catalog;
	SQL
	# The dump, and the same with the SET an older pg_dump wrote in it
	# (before the data, so the traps need not be found by the DDL).
	pg_dump -d trapsrc >"$BATS_FILE_TMPDIR/trap.sql"
	q "CREATE DATABASE trapall TEMPLATE trapsrc OWNER trapapp" >/dev/null
	trap_sql public -x 'function set_config' | as_app -d trapall >/dev/null 2>&1
	q "ALTER DATABASE trapall SET search_path = public, pg_catalog" >/dev/null
	check_traps
	awk '!done && /^COPY / { print "SET search_path = public, pg_catalog;"; print ""; done = 1 } { print }' \
		"$BATS_FILE_TMPDIR/trap.sql" >"$BATS_FILE_TMPDIR/trap-set.sql"
	clear_hits
}
teardown_file() { pg_stop; }

setup() {
	clear_hits
}

# fresh_target NAME: an empty database of the app's, public first in its
# search_path, with the set_config traps no dump can bring.
fresh_target() {
	mkdb "$1"
	q "ALTER DATABASE \"$1\" OWNER TO trapapp" >/dev/null
	q "ALTER SCHEMA public OWNER TO trapapp" "$1" >/dev/null
	q "ALTER DATABASE \"$1\" SET search_path = public, pg_catalog" >/dev/null
	trap_sql public -x 'function set_config' | as_app -d "$1" >/dev/null 2>&1
}

@test "trust: cr's SQL names every function and operator with its schema" {
	run sh "$CR_REPO/tests/trust-names.sh" --bare "$CR_REPO"
	assert_status 0
	# a hint for the user to run, never run by cr
	output=$(grep -v -x 'pg_reload_conf(' <<<"$output" || true)
	assert_equal "$output" ""
}

@test "trust: cr-dump's pre-flight calls none of the database's objects" {
	run cr-dump -d trapall
	assert_status 0
	assert_output_contains "COPY public.items"
	assert_no_hits
}

@test "trust: cr-restore into the app's database calls none of its objects" {
	fresh_target trapdst
	run cr-restore -d trapdst "$BATS_FILE_TMPDIR/trap-set.sql"
	assert_no_hits
	assert_status 0
	assert_equal "$(qs "SELECT pg_catalog.count(*) FROM public.items" trapdst)" 20
}

@test "trust: cr-restore -j 2 calls none of the database's objects" {
	fresh_target trapdst
	run cr-restore -j 2 -d trapdst "$BATS_FILE_TMPDIR/trap-set.sql"
	assert_no_hits
	assert_status 0
	assert_equal "$(qs "SELECT pg_catalog.count(*) FROM public.items" trapdst)" 20
}

@test "trust: cr-restore -t TABLE calls none of the database's objects" {
	fresh_target trapdst
	psql -X -q -v ON_ERROR_STOP=1 -d trapdst -f "$BATS_FILE_TMPDIR/trap.sql" >/dev/null 2>&1
	q "DROP TABLE public.items" trapdst
	clear_hits
	run cr-restore -t public.items -d trapdst "$BATS_FILE_TMPDIR/trap-set.sql"
	assert_no_hits
	assert_status 0
	assert_equal "$(qs "SELECT pg_catalog.count(*) FROM public.items" trapdst)" 20
}

@test "trust: cr-restore --clean calls none of the database's objects" {
	fresh_target trapdst
	run cr-restore --clean --yes -d trapdst "$BATS_FILE_TMPDIR/trap-set.sql"
	assert_no_hits
	assert_status 0
	assert_equal "$(qs "SELECT pg_catalog.count(*) FROM public.items" trapdst)" 20
}

@test "trust: cr-restore --role calls none of the database's objects" {
	fresh_target trapdst
	run cr-restore --clean --yes --role trapapp -d trapdst "$BATS_FILE_TMPDIR/trap-set.sql"
	assert_no_hits
	assert_status 0
	refute_grep "cr-trap" <<<"$output"
}

@test "trust: cr-restore --test calls none of the database's objects" {
	fresh_target trapdst
	run cr-restore --test -d trapdst "$BATS_FILE_TMPDIR/trap-set.sql"
	assert_no_hits
	assert_status 0
}

@test "trust: cr-migrate status, up, baseline and verify call none of the database's objects" {
	local dir=$BATS_TEST_TMPDIR/migrations
	mkdir -p "$dir"
	printf 'CREATE TABLE public.m1 (id pg_catalog.int4);\n' >"$dir/001_one.sql"
	printf 'CREATE TABLE public.m2 (id pg_catalog.int4);\n' >"$dir/002_two.sql"
	printf 'CREATE TABLE public.m3 (id pg_catalog.int4);\n' >"$dir/003_three.sql"
	# status, which changes nothing, first
	run cr-migrate -d trapall --dir "$dir" status
	assert_no_hits
	assert_status 0
	run cr-migrate -d trapall --dir "$dir" baseline 1
	assert_no_hits
	assert_status 0
	run cr-migrate -d trapall --dir "$dir" up
	assert_no_hits
	assert_status 0
	run cr-migrate -d trapall --dir "$dir" verify
	assert_no_hits
	assert_status 0
	assert_equal "$(qs "SELECT pg_catalog.count(*) FROM public.cr_migrations" trapall)" 3
}

@test "trust: cr-backup --test-restore calls none of the database's objects" {
	local dir=$BATS_TEST_TMPDIR/backups
	mkdir -p "$dir"
	run cr-backup -d trapsrc --dir "$dir" --test-restore
	assert_no_hits
	assert_status 0
}

@test "trust: a CHECK that sets search_path during COPY does not reach cr's next query" {
	# flipsrc: the traps in schema trap; the CHECK of a's rows makes
	# the connection's search_path "trap, pg_catalog", and cr's row-count
	# proof for b (and at the end) runs on that connection after it.
	mkdb flipsrc
	q "ALTER DATABASE flipsrc OWNER TO trapapp" >/dev/null
	q "ALTER SCHEMA public OWNER TO trapapp" flipsrc >/dev/null
	as_app -d flipsrc -c "CREATE SCHEMA trap" >/dev/null
	{ hit_sql; trap_sql trap -v -x 'function set_config'; } | as_app -d flipsrc >/dev/null 2>&1
	as_app -d flipsrc <<-'SQL'
	CREATE TABLE public.a (id pg_catalog.int4 PRIMARY KEY,
	    CHECK (public.cr_flip(id, 'trap, pg_catalog')));
	INSERT INTO public.a VALUES (1), (2);
	CREATE TABLE public.b (id pg_catalog.int4 PRIMARY KEY);
	INSERT INTO public.b VALUES (1), (2), (3);
	SQL
	pg_dump -d flipsrc >"$BATS_TEST_TMPDIR/flip.sql"
	mkdb flipdst
	clear_hits
	run cr-restore -d flipdst "$BATS_TEST_TMPDIR/flip.sql"
	assert_no_hits
	# and the restore stops there: the dump's own later statements would
	# resolve names through it too
	assert_output_contains 'search_path is now "trap, pg_catalog"'
	assert_status 65
}

# flipped_dump NAME SETTING VALUE: a dump whose table a has a CHECK that
# sets SETTING to VALUE for the session (set_config(..., false)) as each row
# is copied, followed at once by an index on a whose text the server reads
# as two statements when standard_conforming_strings is off: the second
# creates table pwned.  Then table b and its rows, and an index on
# lower(note), which pg_dump writes unqualified: with public first in the
# search_path it would call the trap public.lower(text).
flipped_dump() {
	local name=$1 setting=$2 value=$3
	mkdb "$name"
	q "ALTER DATABASE \"$name\" OWNER TO trapapp" >/dev/null
	q "ALTER SCHEMA public OWNER TO trapapp" "$name" >/dev/null
	hit_sql | as_app -d "$name" >/dev/null
	as_app -d "$name" <<-SQL
	CREATE FUNCTION public.lower(t pg_catalog.text) RETURNS pg_catalog.text
	LANGUAGE plpgsql AS \$f\$
	BEGIN
		PERFORM public.cr_trap_hit('public.lower(text)');
		RETURN t;
	END
	\$f\$;
	CREATE FUNCTION public.cr_set(i pg_catalog.int4) RETURNS pg_catalog.bool
	LANGUAGE plpgsql AS \$f\$
	BEGIN
		PERFORM pg_catalog.set_config('$setting', '$value', false);
		RETURN true;
	END
	\$f\$;
	CREATE TABLE public.a (id pg_catalog.int4 PRIMARY KEY, note pg_catalog.text,
	    CHECK (public.cr_set(id)));
	INSERT INTO public.a VALUES (1, 'one'), (2, 'two');
	CREATE TABLE public.b (id pg_catalog.int4);
	INSERT INTO public.b VALUES (1), (2), (3);
	CREATE INDEX a_l ON public.a (pg_catalog.lower(note));
	SQL
	pg_dump -d "$name" | awk '
		{ print }
		/^COPY public\.a / { ina = 1 }
		ina && /^\\\.$/ {
			print ""
			print "CREATE INDEX a_i ON public.a USING btree (id) WHERE (note <> '"'"'a\\'"'"''"'"') ; CREATE TABLE public.pwned (); -- '"'"');"
			ina = 0
		}' >"$BATS_FILE_TMPDIR/$name.sql"
}

# session_stops DUMP JOBS: cr-restore of DUMP (-j JOBS when more than 1)
# stops with 65 at the COPY whose function changed the session, and runs
# nothing after it there: no index, no pwned.
session_stops() {
	local dump=$1 jobs=$2
	mkdb sessdst
	if [ "$jobs" -gt 1 ]; then
		run cr-restore -j "$jobs" -d sessdst "$BATS_FILE_TMPDIR/$dump.sql"
	else
		run cr-restore -d sessdst "$BATS_FILE_TMPDIR/$dump.sql"
	fi
	assert_equal "$(qs "SELECT pg_catalog.to_regclass('public.pwned') IS NULL" sessdst)" t
	assert_equal "$(qs "SELECT pg_catalog.to_regclass('public.a_i') IS NULL" sessdst)" t
	assert_no_hits
	assert_status 65
}

@test "trust: a COPY whose CHECK turns standard_conforming_strings off stops the restore before the next statement" {
	flipped_dump scsoff standard_conforming_strings off
	assert_equal "$(grep -c "CREATE TABLE public.pwned" "$BATS_FILE_TMPDIR/scsoff.sql")" 1
	session_stops scsoff 1
	assert_output_contains "standard_conforming_strings off"
}

@test "trust: cr-restore -j 2: a COPY on a worker that turns standard_conforming_strings off stops the run, nothing more runs" {
	flipped_dump scsoff standard_conforming_strings off
	session_stops scsoff 2
	assert_output_contains "standard_conforming_strings off"
}

@test "trust: a COPY whose CHECK sets client_encoding SJIS stops the restore before the next statement" {
	flipped_dump sjis client_encoding SJIS
	session_stops sjis 1
	assert_output_contains "client_encoding"
	assert_output_contains "SJIS"
}

@test "trust: cr-restore -j 2: a COPY on a worker that sets client_encoding SJIS stops the run, nothing more runs" {
	flipped_dump sjis client_encoding SJIS
	session_stops sjis 2
	assert_output_contains "client_encoding"
	assert_output_contains "SJIS"
}

@test "trust: a COPY whose CHECK sets the session's search_path stops the restore before the next statement" {
	flipped_dump spath search_path 'public, pg_catalog'
	session_stops spath 1
	assert_output_contains 'search_path is now "public, pg_catalog"'
}

@test "trust: cr-restore -j 2: a COPY on a worker that sets the session's search_path stops the run, nothing more runs" {
	flipped_dump spath search_path 'public, pg_catalog'
	session_stops spath 2
	assert_output_contains 'search_path is now "public, pg_catalog"'
}
