#!/usr/bin/env bats
# Every --json output and every manifest starts with "format_version": 1
# and validates against docs/json.schema.json (docs/json.md).

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	pg_start
	load_awkward src
	local d=$BATS_FILE_TMPDIR
	mkdir "$d/backups" "$d/mig"
	cr-dump src | cr-gz >"$d/backups/db_backup_20251028_020000.sql.gz"
	cr-dump src | cr-gz >"$d/backups/db_backup_20251029_020000.sql.gz"
	printf 'CREATE TABLE public.m1 (id int);\n' >"$d/mig/001_init.sql"
	printf 'CREATE TABLE public.m2 (id int);\n' >"$d/mig/002_more.sql"
	mkdb mig
}
teardown_file() { pg_stop; }

setup() {
	d=$BATS_FILE_TMPDIR
	b=$d/backups
}

# validate DEF FILE: each line of FILE is an object that the schema's
# $defs/DEF accepts, format_version 1 first.
validate() {
	local def=$1 file=$2
	[ -s "$file" ]
	run grep -cv '^{"format_version":1,' "$file"
	assert_equal "$output" 0
	jq -e . "$file" >/dev/null
	if ! python3 -c 'import jsonschema' 2>/dev/null; then
		[ -z "${CR_CI:-}" ] || { echo "python3-jsonschema is not installed, and CI installs it" >&2; return 1; }
		skip "python3-jsonschema is not installed"
	fi
	run python3 - "$CR_REPO/docs/json.schema.json" "$def" "$file" <<-'PY'
	import json, sys, jsonschema
	schema = json.load(open(sys.argv[1]))
	sub = dict(schema, **{"$ref": "#/$defs/" + sys.argv[2]})
	v = jsonschema.Draft202012Validator(sub)
	bad = 0
	for n, line in enumerate(open(sys.argv[3]), 1):
	    for e in v.iter_errors(json.loads(line)):
	        print("line %d: %s at %s" % (n, e.message, list(e.absolute_path)))
	        bad += 1
	sys.exit(1 if bad else 0)
	PY
	assert_status 0
}

@test "cr-verify --json: good, damaged and missing files, each an object of the schema" {
	head -c 3000 "$b/db_backup_20251028_020000.sql.gz" >"$BATS_TEST_TMPDIR/cut.sql.gz"
	run --separate-stderr cr-verify --json "$b/db_backup_20251028_020000.sql.gz" \
		"$BATS_TEST_TMPDIR/cut.sql.gz" "$BATS_TEST_TMPDIR/none.sql.gz"
	assert_status 66
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/out")" 3
	validate verify "$BATS_TEST_TMPDIR/out"
	assert_equal "$(jq -r .ok "$BATS_TEST_TMPDIR/out" | paste -sd ' ')" "true false false"
}

@test "cr-verify --manifest: the manifest is a verify object of the schema, with its hash" {
	cr-verify -q --manifest "$BATS_TEST_TMPDIR/m.json" --duration 3 "$b/db_backup_20251028_020000.sql.gz"
	validate verify "$BATS_TEST_TMPDIR/m.json"
	assert_equal "$(jq -r .duration_s "$BATS_TEST_TMPDIR/m.json")" 3
}

@test "cr-verify --json --compare and --status (cr-backup --status --json) follow the schema; sizes and durations named as everywhere" {
	run --separate-stderr cr-verify --json --compare "$b/db_backup_20251028_020000.sql.gz" "$b/db_backup_20251029_020000.sql.gz"
	assert_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/cmp"
	validate compare "$BATS_TEST_TMPDIR/cmp"
	for f in "$b"/*.sql.gz; do cr-verify -q --manifest "$f.json" "$f"; done
	run --separate-stderr cr-verify --json --max-age 0h --status "$b"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/st"
	validate status "$BATS_TEST_TMPDIR/st"
	assert_equal "$(jq -r .max_age_s "$BATS_TEST_TMPDIR/st")" null
	assert_equal "$(jq -r '.kinds[0].stored_bytes' "$BATS_TEST_TMPDIR/st")" "$(stat -c %s "$b/db_backup_20251029_020000.sql.gz")"
	run --separate-stderr cr-backup --status --json --max-age 2d "$b"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/st2"
	validate status "$BATS_TEST_TMPDIR/st2"
	assert_equal "$(jq -r .max_age_s "$BATS_TEST_TMPDIR/st2")" 172800
}

@test "cr-verify --json --status and --compare: a failure before their object is the error object of the schema" {
	run --separate-stderr cr-verify --json --status "$BATS_TEST_TMPDIR/no-such-dir"
	assert_status 66
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e1"
	validate error "$BATS_TEST_TMPDIR/e1"
	assert_equal "$(jq -r '[.tool, .exit] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/e1")" "cr-verify 66"
	assert_equal "cr-verify: $(jq -r .error "$BATS_TEST_TMPDIR/e1")" "$stderr"
	run --separate-stderr cr-verify --json --max-age 3x --status "$b"
	assert_status 64
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e2"
	validate error "$BATS_TEST_TMPDIR/e2"
	head -c 3000 "$b/db_backup_20251028_020000.sql.gz" >"$BATS_TEST_TMPDIR/cut.sql.gz"
	run --separate-stderr cr-verify --json --compare "$BATS_TEST_TMPDIR/cut.sql.gz" "$b/db_backup_20251029_020000.sql.gz"
	assert_status 65
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e3"
	validate error "$BATS_TEST_TMPDIR/e3"
	assert_equal "$(jq -r .exit "$BATS_TEST_TMPDIR/e3")" 65
	# a usage error past the options: said, the synopsis, and the object
	run --separate-stderr cr-verify --json --compare "$b/db_backup_20251028_020000.sql.gz"
	assert_status 64
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e4"
	validate error "$BATS_TEST_TMPDIR/e4"
	assert_equal "$(jq -r .error "$BATS_TEST_TMPDIR/e4")" "--compare takes two files: old new"
	[[ $stderr == "cr-verify: --compare takes two files: old new"$'\n'"usage: cr-verify"* ]]
}

@test "cr-migrate --json status and up follow the schema" {
	run --separate-stderr cr-migrate --json -d mig --dir "$d/mig" status
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/ms"
	validate migrate "$BATS_TEST_TMPDIR/ms"
	run --separate-stderr cr-migrate --json -d mig --dir "$d/mig" up
	assert_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/mu"
	validate migrate "$BATS_TEST_TMPDIR/mu"
	assert_equal "$(jq -r .ran_count "$BATS_TEST_TMPDIR/mu")" 2
}

@test "cr-migrate --json: a failure before, at and after connecting is an error object of the schema" {
	# no such directory (66), no such database (66, a connection refused), a
	# migration that fails (1): each one object on stdout, its line on stderr
	run --separate-stderr cr-migrate --json -d mig --dir "$d/nosuchdir" status
	assert_status 66
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e1"
	validate error "$BATS_TEST_TMPDIR/e1"
	assert_equal "$(jq -r .tool "$BATS_TEST_TMPDIR/e1")" cr-migrate
	assert_equal "$(jq -r .exit "$BATS_TEST_TMPDIR/e1")" 66
	assert_equal "cr-migrate: $(jq -r .error "$BATS_TEST_TMPDIR/e1")" "$stderr"
	run --separate-stderr cr-migrate --json -d no_such_db --dir "$d/mig" status
	assert_status 66
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e2"
	assert_output_contains 'database \"no_such_db\" does not exist'
	validate error "$BATS_TEST_TMPDIR/e2"
	assert_equal "$(jq -r .exit "$BATS_TEST_TMPDIR/e2")" 66
	mkdir "$BATS_TEST_TMPDIR/bad"
	printf 'CREATE TABLE public.b1 (id int);\nSELECT pg_catalog.no_such_fn();\n' >"$BATS_TEST_TMPDIR/bad/001_bad.sql"
	mkdb migbad
	run --separate-stderr cr-migrate --json -d migbad --dir "$BATS_TEST_TMPDIR/bad" up
	assert_status 1
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e3"
	assert_output_contains "001_bad.sql"
	validate error "$BATS_TEST_TMPDIR/e3"
	run --separate-stderr cr-migrate --json -d mig --dir "$d/mig" verify
	assert_status 64
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e4"
	validate error "$BATS_TEST_TMPDIR/e4"
	assert_equal "$(jq -r .error "$BATS_TEST_TMPDIR/e4")" "--json is for status and up"
}

@test "cr-restore --json: the outcome, ok or not, as an object of the schema" {
	mkdb rj
	run --separate-stderr cr-restore --json -d rj "$b/db_backup_20251028_020000.sql.gz"
	assert_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r"
	validate restore "$BATS_TEST_TMPDIR/r"
	assert_equal "$(jq -r '[.ok, .mode, .proof] | join(" ")' "$BATS_TEST_TMPDIR/r")" "true in_place ok"
	assert_equal "$(jq -r .rows "$BATS_TEST_TMPDIR/r")" \
		"$(cr-verify --json "$b/db_backup_20251028_020000.sql.gz" | jq -r .rows)"
	# a dump cut short: the failure is an object too, and nothing was proved
	gzip -dc "$b/db_backup_20251028_020000.sql.gz" | head -c 20000 >"$BATS_TEST_TMPDIR/cut.sql"
	mkdb rj2
	run --separate-stderr cr-restore --json -d rj2 "$BATS_TEST_TMPDIR/cut.sql"
	assert_status 65
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r2"
	validate restore "$BATS_TEST_TMPDIR/r2"
	assert_equal "$(jq -r '[.ok, .exit, .proof] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/r2")" "false 65 null"
	[ -n "$stderr" ]
}

@test "cr-restore --json: a failure before any restore (usage, no server, a production target, a file missing) is one error object of the schema" {
	f=$b/db_backup_20251028_020000.sql.gz
	# each: the exit status, the command; the object repeats the stderr line
	check() {
		local code=$1; shift
		run --separate-stderr cr-restore --json "$@"
		assert_status "$code"
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e"
		validate error "$BATS_TEST_TMPDIR/e"
		assert_equal "$(jq -r '[.tool, .ok, .exit] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/e")" \
			"cr-restore false $code"
		assert_stderr_contains "$(jq -r .error "$BATS_TEST_TMPDIR/e")"
	}
	check 64 --clean --test -d x "$f"
	check 69 -h "$BATS_TEST_TMPDIR/no-server-here" -d x "$f"
	mkdb app_production
	check 77 --yes --clean -d app_production "$f"
	check 66 -d x "$BATS_TEST_TMPDIR/missing.sql.gz"
	assert_equal "$(jq -r .error "$BATS_TEST_TMPDIR/e")" "$BATS_TEST_TMPDIR/missing.sql.gz: No such file or directory"
}

@test "--json anywhere on the line: a mistake in the options, even one before it, is one error object of the schema, exit 64" {
	# each: the tool and its arguments; the object repeats the stderr line
	check() {
		run --separate-stderr "$@"
		assert_status 64
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e"
		validate error "$BATS_TEST_TMPDIR/e"
		assert_equal "$(jq -r '[.tool, .ok, .exit] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/e")" \
			"$1 false 64"
		assert_stderr_contains "$1: $(jq -r .error "$BATS_TEST_TMPDIR/e")"
		assert_stderr_contains "Try '$1 --help' for more information."
	}
	check cr-restore -j x --json
	check cr-restore --role '' --json
	check cr-restore --vers --json
	check cr-verify --alarm '' --json x.sql.gz
	check cr-rotate --now yesterday --json
	check cr-migrate --no-such-option --json status
	# -c is refused with its reason (pg_restore's), without the Try line
	run --separate-stderr cr-restore -c --json
	assert_status 64
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e"
	validate error "$BATS_TEST_TMPDIR/e"
	# an option's argument is not --json: -d names a database "--json"
	run --separate-stderr cr-restore -d --json -j x
	assert_status 64
	assert_equal "$output" ""
	# nor is a word after "--"
	run --separate-stderr cr-rotate --now yesterday -- --json
	assert_status 64
	assert_equal "$output" ""
}

@test "cr-rotate --json: every name's decision and why, what --delete removed, and a stale directory's 75, as objects of the schema" {
	r=$BATS_TEST_TMPDIR/rot
	mkdir "$r"
	for day in 01 02 03 04 05 06 07 08 09 10; do touch "$r/db_backup_202510${day}_020000.sql.gz"; done
	touch "$r/notes.txt"
	run --separate-stderr cr-rotate --json --now 2025-10-10T12:00:00Z "$r"
	assert_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r1"
	validate rotate "$BATS_TEST_TMPDIR/r1"
	assert_equal "$(jq -r '[.decisions[] | select(.action == "remove") | .name] | join(" ")' "$BATS_TEST_TMPDIR/r1")" \
		"$(cr-rotate --now 2025-10-10T12:00:00Z "$r" | paste -sd ' ')"
	assert_equal "$(jq -r '.decisions[] | select(.name == "notes.txt") | [.backup, .action] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/r1")" "false keep"
	run --separate-stderr cr-rotate --json --delete --now 2025-10-10T12:00:00Z "$r"
	assert_status 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r2"
	validate rotate "$BATS_TEST_TMPDIR/r2"
	assert_equal "$(jq '[.decisions[] | select(.removed)] | length' "$BATS_TEST_TMPDIR/r2")" 3
	[ ! -e "$r/db_backup_20251001_020000.sql.gz" ]
	# backups that have stopped: nothing removed, 75, said in the object too
	run --separate-stderr cr-rotate --json --delete --now 2025-11-30T12:00:00Z "$r"
	assert_status 75
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r3"
	validate rotate "$BATS_TEST_TMPDIR/r3"
	assert_equal "$(jq -r '[.exit, .stale, ([.decisions[] | select(.removed)] | length)] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/r3")" "75 true 0"
}

@test "cr-rotate --json: a directory it cannot read is an error object of the schema, exit 66, and the one line on stderr" {
	run --separate-stderr cr-rotate --json "$BATS_TEST_TMPDIR/none"
	assert_status 66
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/e"
	assert_equal "$stderr" "cr-rotate: $BATS_TEST_TMPDIR/none: No such file or directory"
	validate error "$BATS_TEST_TMPDIR/e"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/e")" "{\"format_version\":1,\"tool\":\"cr-rotate\",\"ok\":false,\"error\":\"$BATS_TEST_TMPDIR/none: No such file or directory\",\"exit\":66}"
}

@test "the error object of a failing --json (jw_error, as tests/unit/test_json.c has it write) follows the schema" {
	printf '%s\n' '{"format_version":1,"tool":"cr-restore","ok":false,"error":"a.sql: No such file or \"directory\"","exit":66}' >"$BATS_TEST_TMPDIR/e"
	validate error "$BATS_TEST_TMPDIR/e"
	printf '%s\n' '{"format_version":1,"tool":"cr-restore","ok":true,"error":"x","exit":66}' >"$BATS_TEST_TMPDIR/bad"
	run ! validate error "$BATS_TEST_TMPDIR/bad"
}
