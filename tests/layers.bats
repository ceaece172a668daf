#!/usr/bin/env bats
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# lib/ is in layers (tests/layers.sh, docs/design.md): includes go only down.

load helpers

bats_require_minimum_version 1.5.0

@test "layers: every include in lib/ goes to its own folder or a layer below; docs/design.md's Layers table names every module" {
	run sh "$CR_REPO/tests/layers.sh" "$CR_REPO"
	assert_status 0
	assert_equal "$output" ""
}

@test "layers: an include up, sideways, without a folder, or a folder outside the layers is named" {
	r=$BATS_TEST_TMPDIR/repo
	mkdir -p "$r/lib/base" "$r/lib/pg" "$r/lib/backup" "$r/lib/dump" "$r/lib/misc"
	printf '#include "pg/pgconn.h"\n' >"$r/lib/base/io.c"
	printf '#include "base/io.h"\n#include "dump/dumprun.h"\n' >"$r/lib/backup/b.c"
	printf '#include "pgexec.h"\n' >"$r/lib/pg/p.c"
	printf '#include "base/io.h"\n' >"$r/lib/dump/dumprun.c"
	: >"$r/lib/misc/m.c"
	run sh "$CR_REPO/tests/layers.sh" "$r"
	assert_status 1
	assert_output_contains "lib/base/io.c:1: includes pg/pgconn.h (layer pg is not below base)"
	assert_output_contains "lib/backup/b.c:2: includes dump/dumprun.h (layer dump is not below backup)"
	assert_output_contains "lib/pg/p.c:1: includes pgexec.h without its layer"
	assert_output_contains "lib/misc: a folder that is not a layer (add it to LAYERS in tests/layers.sh)"
	assert_equal "${#lines[@]}" 4
}

@test "layers: a module missing from docs/design.md's Layers table is named" {
	r=$BATS_TEST_TMPDIR/repo
	mkdir -p "$r/lib/base" "$r/lib/pg" "$r/docs"
	: >"$r/lib/base/io.c"
	: >"$r/lib/base/newmod.c"
	: >"$r/lib/pg/pgconn.c"
	printf '# Design\n\n## Layers\n\n| layer | what |\n| --- | --- |\n| `lib/base` | io |\n| `lib/pg` | pgconn |\n\n## Modules\n\nnewmod\n' >"$r/docs/design.md"
	run sh "$CR_REPO/tests/layers.sh" "$r"
	assert_status 1
	assert_equal "$output" "docs/design.md: lib/base/newmod.c is not in the Layers table"
}
