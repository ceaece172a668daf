#!/usr/bin/env bats
# lib/sql/sqlsplit.c: the statement splitter shared by cr-restore and cr-migrate.
# Unit tests through tests/sqlsplit-dump.c (built here against libcr.a), and
# end-to-end tests that run hand-written SQL through cr-restore.

load helpers

setup_file() {
	pg_start
	for prog in sqlsplit-dump sqlsplit-fuzz dump-scan; do
		build_driver "$prog" "$BATS_FILE_TMPDIR/$prog" || return 1
	done
	# The awkward schema, loaded and dumped by this machine's pg_dump.
	load_awkward awkward
	pg_dump -d awkward >"$BATS_FILE_TMPDIR/awkward.sql"
}
teardown_file() { pg_stop; }

split() { "$BATS_FILE_TMPDIR/sqlsplit-dump" "$@"; }

@test "sqlsplit: quotes, comments and dollar quotes keep their semicolons" {
	cat >"$BATS_TEST_TMPDIR/in.sql" <<-'EOF'
	-- leading comment; with a semicolon
	/* block /* nested ; */ still comment ; */
	SELECT 1; SELECT 'a;''b', E'x\';y', "q;""x" ;
	  SELECT $1, $a$ ; $b$ $a$ , $$x;$$;
	SELECT abc$def$, x$$ ; SELECT e'\\';
	SELECT 1 /* inner ; comment */ + 2 -- tail ;
	;
	EOF
	run split <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	expected=$(cat <<-'EOF'
	STATEMENT 3 SELECT 1;
	STATEMENT 3 SELECT 'a;''b', E'x\';y', "q;""x" ;
	STATEMENT 4 SELECT $1, $a$ ; $b$ $a$ , $$x;$$;
	STATEMENT 5 SELECT abc$def$, x$$ ;
	STATEMENT 5 SELECT e'\\';
	STATEMENT 6 SELECT 1 /* inner ; comment */ + 2 -- tail ;\n;
	EOF
	)
	expected="$expected
END bytes=$(wc -c <"$BATS_TEST_TMPDIR/in.sql")"
	assert_equal "$output" "$expected"
}

@test "sqlsplit: a number or parameter ends at a dollar quote, at any read size" {
	printf 'SELECT $1$$a;b$$, 1$q$c;d$q$, 2e5;\nSELECT 3;\n' >"$BATS_TEST_TMPDIR/in.sql"
	for n in 1 2 65536; do
		run split "$n" <"$BATS_TEST_TMPDIR/in.sql"
		assert_status 0
		assert_equal "$output" "$(printf '%s\n' 'STATEMENT 1 SELECT $1$$a;b$$, 1$q$c;d$q$, 2e5;' \
			'STATEMENT 2 SELECT 3;' 'END bytes=45')"
	done
}

@test "sqlsplit: the same items whatever the read size (buffer boundaries)" {
	ref=$(split 65536 <"$BATS_FILE_TMPDIR/awkward.sql")
	for n in 1 2 3 7 4096; do
		out=$(split "$n" <"$BATS_FILE_TMPDIR/awkward.sql")
		assert_equal "$out" "$ref"
	done
}

@test "sqlsplit: random awkward scripts split the same whatever the read size" {
	run "$BATS_FILE_TMPDIR/sqlsplit-fuzz" 4000 "$RANDOM"
	assert_status 0
	assert_output_contains "4000 cases"
}

@test "sqlsplit: pg_dump output: statements, COPY blocks with rows and lines, restrict pair" {
	SQLSPLIT_DUMP_CHUNKS=1 run split <"$BATS_FILE_TMPDIR/awkward.sql"
	assert_status 0
	# every COPY block ends with its row count, at the line of its \.
	dump="$BATS_FILE_TMPDIR/awkward.sql"
	for t in '"Mixed Schema"."Events"' 'public.users' 'public."table with space"' 'public.empty_table'; do
		line=$(grep -n "^COPY $t " "$dump" | cut -d: -f1)
		end=$(awk -v s="$line" 'NR > s && $0 == "\\." { print NR; exit }' "$dump")
		rows=$((end - line - 1))
		assert_output_contains "COPY_END $end rows=$rows "
		assert_output_contains "STATEMENT $line copy COPY $t "
	done
	first=$(grep -n '^\\restrict ' "$dump" | cut -d: -f1)
	assert_output_contains "META $first \\restrict "
	# the function body with its ';' and its '\.' line is one statement
	assert_output_contains "CREATE FUNCTION public.tricky(x integer) RETURNS text\n    LANGUAGE plpgsql\n    AS \$\$\nBEGIN\n"
	# no statement is a comment
	run grep -c '^STATEMENT [0-9]* --' <<<"$output"
	assert_equal "$output" 0
}

@test "sqlsplit: COPY data passes through byte for byte" {
	SQLSPLIT_DUMP_DATA=1 split 1000 <"$BATS_FILE_TMPDIR/awkward.sql" 2>"$BATS_TEST_TMPDIR/data" >/dev/null
	awk '/^COPY .* FROM stdin;$/ { on = 1; next } $0 == "\\." { on = 0 } on' \
		"$BATS_FILE_TMPDIR/awkward.sql" >"$BATS_TEST_TMPDIR/expected"
	cmp "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/data"
}

@test "sqlsplit: large COPY data goes in buffer-sized chunks of whole rows, memory stays flat" {
	awk 'BEGIN {
		print "COPY t (a, b) FROM stdin;"
		for (i = 0; i < 400000; i++) printf "%d\tsome text for row %d\n", i, i
		print "\\."
		print "SELECT 1;"
	}' >"$BATS_TEST_TMPDIR/big.sql"
	SQLSPLIT_DUMP_CHUNKS=1 run split <"$BATS_TEST_TMPDIR/big.sql"
	assert_status 0
	assert_output_contains "COPY_END 400002 rows=400000 "
	assert_output_contains "STATEMENT 400003 SELECT 1;"
	# whole rows per chunk, none larger than the 256 KiB buffer
	max=$(printf '%s\n' "$output" | sed -n 's/^COPY_DATA .* len=//p' | sort -n | tail -n 1)
	[ "$max" -le 262144 ]
	[ "$max" -gt 200000 ]
	if [ "${CR_SANITIZE:-}" != 1 ] && [ -x /usr/bin/time ]; then
		rss=$( { /usr/bin/time -f '%M' "$BATS_FILE_TMPDIR/sqlsplit-dump" <"$BATS_TEST_TMPDIR/big.sql" >/dev/null; } 2>&1 | tail -n 1)
		[ "$rss" -lt 16384 ]	# KiB, for a 12 MiB input
	fi
}

@test "sqlsplit: a COPY row longer than the buffer, and a statement longer than the buffer" {
	awk 'BEGIN {
		y = "y"; while (length(y) < 700000) y = y y
		y = substr(y, 1, 700000)
		x = y; gsub(/y/, "x", x)
		print "COPY t (a) FROM stdin;"; print y; print "short"; print "\\."
		print "SELECT \047" x "\047;"
	}' >"$BATS_TEST_TMPDIR/long.sql"
	SQLSPLIT_DUMP_CHUNKS=1 run split 4096 <"$BATS_TEST_TMPDIR/long.sql"
	assert_status 0
	assert_output_contains "COPY_END 4 rows=2 bytes=700007"
	assert_output_contains "STATEMENT 5 SELECT 'xxxx"
}

@test "sqlsplit: an escaped backslash-dot inside COPY data does not end it" {
	printf 'COPY t (a) FROM stdin;\n\\\\.\nx\\.y\n\\.\nSELECT 2;\n' >"$BATS_TEST_TMPDIR/in.sql"
	run split 1 <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_equal "$output" "$(printf '%s\n' 'STATEMENT 1 copy COPY t (a) FROM stdin;' \
		'COPY_END 4 rows=2 bytes=9' 'STATEMENT 5 SELECT 2;' 'END bytes=45')"
}

@test "sqlsplit: COPY FROM stdin is recognised in any case and with options" {
	printf 'copy  "T" (a) from STDIN with (format csv, header) ; -- note\na\n1\n\\.\nCOPY t TO stdout;\nCOPY (SELECT 1 FROM stdin_t) TO stdout;\n' >"$BATS_TEST_TMPDIR/in.sql"
	run split <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_equal "$output" "$(printf '%s\n' \
		'STATEMENT 1 copy copy  "T" (a) from STDIN with (format csv, header) ;' \
		'COPY_END 4 rows=2 bytes=4' 'STATEMENT 5 COPY t TO stdout;' \
		'STATEMENT 6 COPY (SELECT 1 FROM stdin_t) TO stdout;' 'END bytes=126')"
}

@test "sqlsplit: BEGIN ATOMIC function bodies are one statement" {
	cat >"$BATS_TEST_TMPDIR/in.sql" <<-'EOF'
	CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql
	BEGIN ATOMIC
	  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
	  SELECT x;
	END;
	SELECT f(1);
	EOF
	run split <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_output_contains 'STATEMENT 1 CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT x;\nEND;'
	assert_output_contains 'STATEMENT 6 SELECT f(1);'
}

@test "sqlsplit: BEGIN ATOMIC by its place in CREATE FUNCTION, not a word named begin" {
	cat >"$BATS_TEST_TMPDIR/in.sql" <<-'EOF'
	CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql
	BEGIN /* c */ ATOMIC
	  SELECT CASE x WHEN 1 THEN (CASE WHEN true THEN 2 END) ELSE x + x END;
	END;
	CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
	SELECT 2;
	CREATE TABLE t (begin int, atomic int);
	SELECT 3 AS end;
	CREATE PROCEDURE p(begin int) LANGUAGE sql BEGIN ATOMIC SELECT begin; END;
	SELECT 4;
	EOF
	run split <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_equal "$(grep -c '^STATEMENT' <<<"$output")" 7
	assert_output_contains 'STATEMENT 5 CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;'
	assert_output_contains 'STATEMENT 6 SELECT 2;'
	assert_output_contains 'STATEMENT 10 SELECT 4;'
}

@test "sqlsplit: 1\$\$ is a number and a dollar quote, so no COPY starts inside it" {
	printf 'SELECT 1$$;\nCOPY t (a) FROM stdin;\n$$;\n' >"$BATS_TEST_TMPDIR/in.sql"
	for n in 1 3 65536; do
		run split "$n" <"$BATS_TEST_TMPDIR/in.sql"
		assert_status 0
		assert_equal "$output" "$(printf '%s\n' 'STATEMENT 1 SELECT 1$$;\nCOPY t (a) FROM stdin;\n$$;' 'END bytes=39')"
	done
	# the server agrees: one statement, a syntax error (a string after 1)
	mkdb onedollar
	run psql -X -q -v ON_ERROR_STOP=1 -d onedollar -f "$BATS_TEST_TMPDIR/in.sql"
	assert_status 3
	assert_output_contains 'syntax error at or near "$$;'
	# and cr-verify's checker reads it as the splitter does: no COPY
	{ printf -- '--\n-- PostgreSQL database dump\n--\n\n'; cat "$BATS_TEST_TMPDIR/in.sql"
	  printf -- '\n--\n-- PostgreSQL database dump complete\n--\n\n'; } >"$BATS_TEST_TMPDIR/d.sql"
	for n in 1 3 65536; do
		run "$BATS_FILE_TMPDIR/dump-scan" "$n" <"$BATS_TEST_TMPDIR/d.sql"
		assert_status 0
		assert_equal "$output" "ok $(wc -c <"$BATS_TEST_TMPDIR/d.sql") 0 0 0"
	done
}

@test "sqlsplit: -- comments end at a carriage return, as in the server's lexer" {
	printf 'SELECT 1 --\r; SELECT 2;\n-- a\rSELECT 3;\n' >"$BATS_TEST_TMPDIR/in.sql"
	run split <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_equal "$(grep -c '^STATEMENT' <<<"$output")" 3
}

@test "sqlsplit: backslash commands are returned as META, also inside a statement" {
	printf 'SELECT 1;\n\\! touch x\nSELECT\n\\g\n2;\n\\unrestrict k' >"$BATS_TEST_TMPDIR/in.sql"
	run split 2 <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_equal "$output" "$(printf '%s\n' 'STATEMENT 1 SELECT 1;' 'META 2 \! touch x' \
		'META 4 \g' 'STATEMENT 3 SELECT\n2;' 'META 6 \unrestrict k' 'END bytes=47')"
}

@test "sqlsplit: unterminated quotes and comments are errors naming their line" {
	for case in "SELECT 1;\n\nSELECT \$x\$ abc;\n|unterminated dollar-quoted string starting at line 3" \
		"SELECT 'abc;\n|unterminated quoted string starting at line 1" \
		"SELECT E'a\\\\';\n|unterminated quoted string starting at line 1" \
		"SELECT \"abc;\n|unterminated quoted identifier starting at line 1" \
		"\n/* a /* b */ ;\n|unterminated /* comment starting at line 2" \
		"COPY t FROM stdin;\n1\n2\n|end of input in COPY data before its \\. line (data started at line 2)"; do
		printf "${case%%|*}" >"$BATS_TEST_TMPDIR/in.sql"
		run split <"$BATS_TEST_TMPDIR/in.sql"
		assert_status 65
		assert_output_contains "ERROR ${case#*|}"
	done
}

@test "sqlsplit: a statement without ';' at the end is returned as unterminated" {
	printf 'SELECT 1;\n  SELECT 2 -- no semicolon\n\n' >"$BATS_TEST_TMPDIR/in.sql"
	run split <"$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	assert_output_contains "STATEMENT 2 unterminated SELECT 2 -- no semicolon"
}

@test "cr-restore runs hand-written SQL with dollar quotes, nested comments and E'' strings" {
	mkdb handwritten
	cat >"$BATS_TEST_TMPDIR/in.sql" <<-'EOF'
	/* setup /* nested */ ; */
	CREATE TABLE t (id int, s text);
	CREATE FUNCTION add_row(x int) RETURNS void LANGUAGE plpgsql AS $body$
	BEGIN
		-- a ; in a comment, a quote ' too
		INSERT INTO t VALUES (x, 'fn;' || $q$it's$q$);
	END;
	$body$;
	SELECT add_row(1);
	INSERT INTO t VALUES (2, E'tab\there;\\back\'slash'), (3, 'it''s;'), (4, $$dollar;'$$);
	INSERT INTO "t" VALUES (5, U&'\0041;'); -- trailing comment ;
	SET standard_conforming_strings = off;
	INSERT INTO t VALUES (6, 'old\';style');
	SET standard_conforming_strings = on;
	INSERT INTO t VALUES (7, 'new\');
	EOF
	# not pg_dump's vocabulary (SELECT add_row(1)): a trusted script
	run cr-restore --trust-dump -d handwritten "$BATS_TEST_TMPDIR/in.sql"
	assert_status 0
	run q "SELECT id || '=' || s FROM t ORDER BY id" handwritten
	expected=$(printf '%s\n' "1=fn;it's" "2=tab	here;\\back'slash" "3=it's;" "4=dollar;'" "5=A;" "6=old';style" '7=new\')
	assert_equal "$output" "$expected"
}

@test "cr-restore: CRLF line ends, and a \\. line without a newline at the very end" {
	mkdb crlf
	printf 'CREATE TABLE t (a text);\r\nCOPY t (a) FROM stdin;\r\nx\r\ny\r\n\\.\r\nCOPY t (a) FROM stdin;\r\nz\r\n\\.' \
		>"$BATS_TEST_TMPDIR/crlf.sql"
	run split <"$BATS_TEST_TMPDIR/crlf.sql"
	assert_status 0
	assert_output_contains "COPY_END 5 rows=2 bytes=6"
	assert_output_contains "COPY_END 8 rows=1 bytes=3"
	run cr-restore -d crlf "$BATS_TEST_TMPDIR/crlf.sql"
	assert_status 0
	assert_equal "$(q "SELECT string_agg(a, ',' ORDER BY a) FROM t" crlf)" "x,y,z"
}
