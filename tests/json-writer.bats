#!/usr/bin/env bats
# The one JSON writer (lib/base/json.c, docs/json.md): every object opens
# with format_version, keys and strings are escaped by json_quote's rules,
# a wrong nesting or a failed write makes jw_finish fail, and the error
# object of a --json failure has one shape.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	local flags=()
	[ "${CR_SANITIZE:-}" = 1 ] && flags=(-fsanitize=address,undefined)
	cc -std=c11 -D_GNU_SOURCE -I"$CR_REPO/lib" "${flags[@]}" -o "$BATS_FILE_TMPDIR/json-writer" \
		"$CR_REPO/tests/json-writer.c" "$CR_BIN/../libcr.a" -lm
}

jw() { "$BATS_FILE_TMPDIR/json-writer" "$@"; }

@test "jw: every kind of value, nested, escaped, on one line after format_version" {
	run --separate-stderr jw members
	assert_status 0
	local want
	want='{"format_version":1,"s":"quote \" backslash \\ tab \u0009 nl \u000a del \u007f é","key \"q\"":null,'
	want+='"neg":-9223372036854775808,"big":18446744073709551615,"t":true,"f":false,"n":null,'
	want+='"ratio":3.14,"secs":2,"nan":null,"empty":[],"obj":{},'
	want+='"list":[1,"two",{"rows":3,"a":[[]]},null],"last":true}'
	assert_equal "$output" "$want"
	assert_equal "$stderr" ""
}

@test "jw: the output is JSON that python reads back" {
	jw members > "$BATS_TEST_TMPDIR/m.json"
	run python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["s"][:5], d["list"][2]["rows"], d["big"])' "$BATS_TEST_TMPDIR/m.json"
	assert_status 0
	assert_equal "$output" "quote 3 18446744073709551615"
}

@test "jw: an object with nothing in it is format_version alone" {
	run jw empty
	assert_status 0
	assert_equal "$output" '{"format_version":1}'
}

@test "jw: a key inside an array, a value without a key in an object, an unclosed or extra end fail jw_finish" {
	local c
	for c in key-in-array no-key unclosed extra-end deep; do
		run --separate-stderr jw "$c"
		assert_status 1
		assert_equal "$stderr" "jw_finish: Invalid argument"
	done
}

@test "jw: nesting up to JW_MAX_DEPTH is fine" {
	run jw nested-max
	assert_status 0
	assert_equal "$output" "{\"format_version\":1,\"a\":$(printf '%.0s[' $(seq 31))$(printf '%.0s]' $(seq 31))}"
}

@test "jw: a write error (a full disk) makes jw_finish fail, mid-object or at the flush" {
	local c
	for c in long empty; do
		run --separate-stderr bash -c '"$1" "$2" > /dev/full' _ "$BATS_FILE_TMPDIR/json-writer" "$c"
		assert_status 1
		assert_equal "$stderr" "jw_finish: No space left on device"
	done
}

@test "jw_error: the failure object, one line, the schema's error" {
	run jw error
	assert_status 0
	assert_equal "$output" '{"format_version":1,"tool":"cr-x","ok":false,"error":"a.sql: No such file or \"directory\"","exit":66}'
}

@test "jw_error: the object validates as the schema's error" {
	jw error > "$BATS_TEST_TMPDIR/e.json"
	run python3 - "$CR_REPO/docs/json.schema.json" "$BATS_TEST_TMPDIR/e.json" <<-'PY'
	import json, sys, jsonschema
	schema = json.load(open(sys.argv[1]))
	obj = json.load(open(sys.argv[2]))
	obj["tool"] = "cr-gz"
	v = jsonschema.Draft202012Validator(dict(schema, **{"$ref": "#/$defs/error"}))
	print(len(list(v.iter_errors(obj))), len(list(v.iter_errors(dict(obj, ok=True)))))
	PY
	assert_status 0
	assert_equal "$output" "0 1"
}
