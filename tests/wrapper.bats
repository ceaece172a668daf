#!/usr/bin/env bats
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# The wrappers' one reader (cmd/wrapper.bash): key=value lines escaped as
# cr-dump writes them, and JSON flattened into the same lines.  No server:
# the functions are sourced and fed text; tests/backup.bats,
# tests/restore-dev.bats and tests/contrib.bats read real tools' output.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	prog=cr-test
	# shellcheck source=../cmd/wrapper.bash
	. "$CR_REPO/cmd/wrapper.bash"
}

@test "read_json: a top-level member is found whatever the key order, never a nested one of the same name" {
	declare -A a=() b=()
	read_json a <<<'{"kinds":[{"rows":1,"kind":"daily"}],"tables":[{"name":"t","rows":2}],"rows":5,"ok":true}'
	read_json b <<<'{ "ok" : true , "rows" : 5 , "tables" : [ { "rows" : 2 , "name" : "t" } ], "kinds" : [ { "kind" : "daily" , "rows" : 1 } ] }'
	assert_equal "${a[rows]}" 5
	assert_equal "${b[rows]}" 5
	assert_equal "${a[kinds.0.rows]}" 1
	assert_equal "${b[tables.0.name]}" t
	assert_equal "${b[ok]}" true
}

@test "read_json: a quote, a backslash, a newline, a tab, \\u escapes and UTF-8 reach the wrapper intact" {
	declare -A m=()
	read_json m <<<'{"error":"a \"quoted\" C:\\dir\\n name\nsecond line\tTAB","u":"caf\u00e9 \ud83d\ude00 ü \/","n":null,"e":""}'
	assert_equal "${m[error]}" $'a "quoted" C:\\dir\\n name\nsecond line\tTAB'
	assert_equal "${m[u]}" 'café 😀 ü /'
	assert_equal "${m[n]+set}" set
	assert_equal "${m[n]}" ''
	assert_equal "${m[e]}" ''
}

@test "kv_join: an array's strings in order, joined; nothing for an empty or missing array" {
	declare -A m=()
	read_json m <<<'{"alarms":["rows shrank from 10 to 1","a; \"b\""],"none":[],"healthy":false}'
	assert_equal "$(kv_join m alarms)" 'rows shrank from 10 to 1; a; "b"'
	assert_equal "$(kv_join m alarms ' | ')" 'rows shrank from 10 to 1 | a; "b"'
	assert_equal "$(kv_join m none)" ''
	assert_equal "$(kv_join m missing)" ''
	assert_equal "${m[healthy]}" false
}

@test "read_kv undoes cr-dump's escaping (backslash, newline, tab, control bytes); key order and lines without = do not matter" {
	declare -A f=()
	read_kv f <<<$'user=u\\x01v\nnoise\ndatabase=we"ird\\\\db\\nline2\\tTAB\nempty='
	assert_equal "${f[database]}" $'we"ird\\db\nline2\tTAB'
	assert_equal "${f[user]}" $'u\001v'
	assert_equal "${f[empty]}" ''
	assert_equal "${#f[@]}" 3
}

@test "json_kv writes what read_kv reads: the escaping of cr-dump --check, one line per value" {
	run json_kv <<<'{"s":"a\\b\nc\td\u0001\u007f","list":[1,"x"],"k=v":{"deep":null}}'
	assert_status 0
	assert_equal "${lines[0]}" 's=a\\b\nc\td\x01\x7f'
	assert_equal "${lines[1]}" 'list.0=1'
	assert_equal "${lines[2]}" 'list.1=x'
	assert_equal "${lines[3]}" 'k\x3dv.deep='
	assert_equal "${#lines[@]}" 4
}
