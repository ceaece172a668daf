#!/usr/bin/env bats
# Refusals on tokens (lib/sql/sqlsplit.c): what cr-restore and cr-migrate refuse
# is decided from the splitter's tokens with the server's lexer rules, and
# the splitter's statement boundaries are the server's.  Hostile scripts
# run against a real server; nothing they ask for may happen.  These are the
# refusals --trust-dump does not lift; pg_dump's vocabulary (lib/sql/vocab.c) is
# tested in restore-vocab.bats.
bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	pg_start
	for prog in dump server; do
		build_driver "sqlsplit-$prog" "$BATS_FILE_TMPDIR/split-$prog" || return 1
	done
	mkdb other
	mkdb diff
	q "CREATE TABLE t (a text)" diff >/dev/null
}
teardown_file() { pg_stop; }

# The hostile corpus: one case per file, statements that try to hide
# another statement or a meta-command from a splitter that lexes unlike
# the server.  In refused/ the DROP, COPY or SYSTEM is a statement of its
# own for the server; in inert/ it is inside a string.  $2 is a file no
# case may create (where the server's OS user could create it).
corpus() {
	local r=$1/refused i=$1/inert m=$2
	mkdir -p "$r" "$i"
	printf "COPY/**/t FROM PROGRAM 'touch %s';\n" "$m" >"$r/copy-comment.sql"
	printf "COPY -- x\nt FROM PROGRAM 'touch %s';\n" "$m" >"$r/copy-linecomment.sql"
	printf "COPY t FROM PROGRAM 'touch %s' WHERE a IS DISTINCT FROM stdin;\n" "$m" >"$r/copy-stdin-later.sql"
	printf 'DROP/**/DATABASE other;\n' >"$r/drop-comment.sql"
	printf 'DROP /* a /* nested */ comment */ DATABASE other;\n' >"$r/drop-nested.sql"
	printf "ALTER/**/SYSTEM SET work_mem = '1GB';\n" >"$r/system-comment.sql"
	printf "SELECT 1 --\r; COPY t FROM PROGRAM 'touch %s';\nSELECT 2;\n" "$m" >"$r/cr-comment.sql"
	printf "SELECT 1 --\r; DROP DATABASE other;\n" >"$r/cr-drop.sql"
	printf 'CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nDROP DATABASE other;\nSELECT 1 AS end;\n' \
		>"$r/function-begin.sql"
	printf 'CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCOPY t FROM PROGRAM %s;\nSELECT 1 AS end;\n' \
		"'touch $m'" >"$r/function-begin-copy.sql"
	printf 'CREATE TABLE x (begin int, atomic int);\nDROP DATABASE other;\n' >"$r/column-atomic.sql"
	printf "SELECT E'\\\\'';\nDROP DATABASE other;\nSELECT '';\n" >"$r/e-string.sql"
	printf 'SELECT $a$ $b$ ; $a$;\nDROP DATABASE other;\n' >"$r/dollar-tags.sql"
	printf 'SELECT 1abc$$;\nDROP DATABASE other;\nSELECT 1 AS b$$;\n' >"$r/number-ident-dollar.sql"
	printf 'SELECT U&"a\\0061" FROM t;\nDROP DATABASE other;\n' >"$r/uident.sql"
	printf "SET standard_conforming_strings = off;\nSELECT U&'\\\\';\nDROP DATABASE other;\nSELECT '';\n" \
		>"$r/ustring-off.sql"
	printf "SET standard_conforming_strings = off;\nSELECT B'\\\\';\nDROP DATABASE other;\nSELECT '';\n" \
		>"$r/bits-off.sql"
	printf "SELECT 1;\r\nDROP\r\nDATABASE other;\r\n" >"$r/crlf.sql"
	printf "SELECT pg_catalog.set_config('standard_conforming_strings','off',false);\nSELECT 'a\\\\'';\nCREATE TABLE hidden (a int);\n\\\\! touch %s\nSELECT 1;\n" \
		"$m" >"$r/set-config.sql"
	printf "SELECT set_config('standard_' || 'conforming_strings', 'off', false);\n" >"$r/set-config-expr.sql"
	printf "BEGIN;\nSET standard_conforming_strings = off;\nROLLBACK;\n" >"$r/set-in-block.sql"
	printf "SET LOCAL standard_conforming_strings = off;\n" >"$r/set-local.sql"
	printf "SET client_encoding = 'SJIS';\n" >"$r/sjis.sql"
	printf "SELECT E'a'\n'\\\\'; DROP DATABASE other; SELECT ';\n" >"$i/e-continued.sql"
	printf "SET standard_conforming_strings = off;\nSELECT 'a\\\\';\nDROP DATABASE other;\nSELECT 1 AS x';\nRESET standard_conforming_strings;\nSELECT 'b\\\\';\n" \
		>"$i/scs-off.sql"
	printf 'SELECT $a$ ; DROP DATABASE other; $a$;\n' >"$i/dollar.sql"
	printf 'SELECT 1 -- ; DROP DATABASE other;\n;\n' >"$i/line-comment.sql"
	printf "SELECT pg_catalog.set_config('search_path', '', false);\n" >"$i/set-config-other.sql"
}

@test "refusal: comments, CR line ends and BEGIN tricks hide no refused statement (65, nothing happens)" {
	marker="$CR_PGROOT/pwned"
	corpus "$BATS_TEST_TMPDIR/c" "$marker"
	for f in "$BATS_TEST_TMPDIR"/c/refused/*.sql; do
		# a file: refused by the read-through before anything runs;
		# trusted, the lexer's refusals still hold (without it, the
		# vocabulary may refuse an earlier statement first)
		mkdb victim
		{ echo 'CREATE TABLE before_it (a int);'; cat "$f"; } >"$BATS_TEST_TMPDIR/in.sql"
		for trust in yes no; do
			args=(-d victim)
			if [ "$trust" = yes ]; then args+=(--trust-dump); fi
			run cr-restore "${args[@]}" "$BATS_TEST_TMPDIR/in.sql"
			echo "# ${f##*/} trusted=$trust: $output" >&3
			assert_status 65
			assert_output_contains "nothing was executed"
			run q "SELECT to_regclass('before_it') IS NULL, to_regclass('hidden') IS NULL" victim
			assert_equal "$output" "t|t"
		done
		# a pipe: refused where it is reached, before it runs (or the
		# server already failed a statement before it: B'\' is no bit)
		run ! bash -c "cat '$f' | cr-restore --trust-dump -d victim"
		run q "SELECT to_regclass('hidden') IS NULL" victim
		assert_equal "$output" t
		run test -e "$marker"
		assert_status 1
		run q "SELECT count(*) FROM pg_database WHERE datname = 'other'"
		assert_equal "$output" 1
		run q "SELECT count(*) FROM pg_file_settings WHERE name = 'work_mem'"
		assert_equal "$output" 0
		q "DROP DATABASE victim" >/dev/null
	done
}

@test "refusal: a DROP inside a string is data, and the script runs (0)" {
	corpus "$BATS_TEST_TMPDIR/c" "$CR_PGROOT/pwned"
	mkdb inert
	for f in "$BATS_TEST_TMPDIR"/c/inert/*.sql; do
		# SELECTs of literals are not pg_dump's: a trusted script
		run cr-restore --trust-dump -d inert "$f"
		echo "# ${f##*/}: $output" >&3
		assert_status 0
		run q "SELECT count(*) FROM pg_database WHERE datname = 'other'"
		assert_equal "$output" 1
	done
}

@test "refusal: the splitter's statements are the server's: each one command, none cut (PQprepare)" {
	corpus "$BATS_TEST_TMPDIR/c" "$CR_PGROOT/pwned"
	printf 'SELECT 1$$;\nCOPY t (a) FROM stdin;\n$$;\n' >"$BATS_TEST_TMPDIR/c/inert/number-dollar.sql"
	printf "SET standard_conforming_strings = off;\nSELECT 'a\\\\'' || E'\\\\\\\\' || B'1' || X'1F';\nSET standard_conforming_strings TO DEFAULT;\nSELECT 'a\\\\' || U&'\\\\0041';\n" \
		>"$BATS_TEST_TMPDIR/c/inert/escapes.sql"
	for f in "$BATS_TEST_TMPDIR"/c/*/*.sql; do
		run "$BATS_FILE_TMPDIR/split-server" "dbname=diff" <"$f"
		echo "# ${f##*/}: $output" >&3
		assert_status 0
		run grep -cE '^(MANY|CUT|ERROR|DIFFERS)' <<<"$output"
		assert_equal "$output" 0
	done
}

@test "refusal: set_config hiding a meta-command: 65, and the table before it is never created" {
	marker="$CR_PGROOT/pwned"
	mkdb sc
	printf "CREATE TABLE first (a int);\nSELECT pg_catalog.set_config('standard_conforming_strings','off',false);\nSELECT 'a\\\\'';\nCREATE TABLE hidden (a int);\n\\\\! touch %s\nSELECT 1;\n" \
		"$marker" >"$BATS_TEST_TMPDIR/sc.sql"
	run cr-restore -d sc "$BATS_TEST_TMPDIR/sc.sql"
	assert_status 65
	assert_output_contains "line 2: refused SELECT pg_catalog.set_config"
	run q "SELECT to_regclass('first') IS NULL, to_regclass('hidden') IS NULL" sc
	assert_equal "$output" "t|t"
	run test -e "$marker"
	assert_status 1
	# the same through cr-migrate: refused before the migration runs
	mkdir -p "$BATS_TEST_TMPDIR/mig"
	cp "$BATS_TEST_TMPDIR/sc.sql" "$BATS_TEST_TMPDIR/mig/001_sc.sql"
	run cr-migrate -d sc --dir "$BATS_TEST_TMPDIR/mig" up
	assert_status 65
	run q "SELECT to_regclass('first') IS NULL, to_regclass('hidden') IS NULL" sc
	assert_equal "$output" "t|t"
	run test -e "$marker"
	assert_status 1
}

@test "refusal: a DO block that changes standard_conforming_strings stops the run before the next statement" {
	marker="$CR_PGROOT/pwned"
	mkdb dyn
	printf "DO \$\$ BEGIN PERFORM set_config('standard_' || 'conforming_strings', 'off', false); END \$\$;\nSELECT 'a\\\\'';\nCREATE TABLE hidden (a int);\n\\\\! touch %s\nSELECT 1;\n" \
		"$marker" >"$BATS_TEST_TMPDIR/dyn.sql"
	# DO is not pg_dump's: refused before it runs
	run bash -c "cat '$BATS_TEST_TMPDIR/dyn.sql' | cr-restore -d dyn"
	assert_status 65
	assert_output_contains "line 1: refused DO"
	# trusted, it runs, and the session check stops the script after it
	run bash -c "cat '$BATS_TEST_TMPDIR/dyn.sql' | cr-restore --trust-dump -d dyn"
	assert_status 65
	assert_output_contains "line 1: the server now reads strings with standard_conforming_strings off"
	run q "SELECT to_regclass('hidden') IS NULL" dyn
	assert_equal "$output" t
	run test -e "$marker"
	assert_status 1
}

# queries LOG: how many queries psql sent, from the server log: a query is
# logged once it parses; a query that fails is named again after its ERROR
# (STATEMENT:), and one that did not parse has only that.
queries() {
	awk '/^@@psqldiff@@[0-9A-Z]*@@ LOG:  statement: / {
		n++; last = substr($0, index($0, "statement: ") + 11); next }
	     /^@@psqldiff@@[0-9A-Z]*@@ STATEMENT:  / {
		if (substr($0, index($0, "STATEMENT:  ") + 12) != last) n++
		last = ""; next }
	     END { print n + 0 }' "$1"
}

@test "refusal: psql sends the statements the splitter splits (server log), but where psql is wrong" {
	corpus "$BATS_TEST_TMPDIR/c" "$CR_PGROOT/pwned"
	# psql runs each case as a role that may do none of the harm, with
	# psql's own \restrict on, and the server logs every query it gets.
	q "CREATE ROLE nobody LOGIN" >/dev/null
	q "ALTER ROLE nobody SET log_statement = 'all'" >/dev/null
	q "ALTER SYSTEM SET log_line_prefix = '@@%a@@%e@@ '" >/dev/null
	q "SELECT pg_reload_conf()" >/dev/null
	sleep 1
	log=$CR_PGROOT/server.log
	for f in "$BATS_TEST_TMPDIR"/c/*/*.sql; do
		case ${f##*/} in
		set-*|sjis.sql) continue ;;	# refused: nothing after them runs
		esac
		{ echo '\restrict diffkey'; cat "$f"; echo; echo '\unrestrict diffkey'; } >"$BATS_TEST_TMPDIR/p.sql"
		before=$(queries "$log")
		PGAPPNAME=psqldiff psql -X -q -U nobody -d diff -f "$BATS_TEST_TMPDIR/p.sql" >/dev/null 2>&1 || true
		after=$(queries "$log")
		split=$("$BATS_FILE_TMPDIR/split-dump" <"$f" | grep -c '^STATEMENT' || true)
		echo "# ${f##*/}: psql $((after - before)), splitter $split" >&3
		case ${f##*/} in
		function-begin*.sql)
			# psql's heuristic takes any "begin" in CREATE FUNCTION for
			# BEGIN ATOMIC and sends all three in one query, which the
			# server then runs as three commands: the splitter is right.
			assert_equal "$((after - before)):$split" "1:3" ;;
		e-continued.sql)
			# psql lexes line by line and ends E'a' at the line's end;
			# the server continues the E'' string on the next line (the
			# PQprepare test above shows one command): the splitter
			# follows the server.
			assert_equal "$((after - before)):$split" "3:1" ;;
		*)
			assert_equal "$((after - before))" "$split" ;;
		esac
	done
	run q "SELECT count(*) FROM pg_database WHERE datname = 'other'"
	assert_equal "$output" 1
}
