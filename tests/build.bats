#!/usr/bin/env bats
# The first build: plain `make` checks its prerequisites before compiling,
# and a second `make` has nothing to do (intermediate objects are kept).

load helpers

# mk (helpers.bash) here: in the checkout, into this test's own build tree.
mk_here() { mk -C "$CR_REPO" O="$BATS_TEST_TMPDIR/build" "$@"; }

@test "make: a missing build prerequisite stops it before compiling, naming the package and make deps" {
	mkdir "$BATS_TEST_TMPDIR/include"	# no headers at all
	CR_INCLUDE_DIR=$BATS_TEST_TMPDIR/include run mk_here all
	assert_status 2
	assert_output_contains "cr: missing prerequisites: libpq-dev zlib1g-dev libdeflate-dev libbsd-dev libssl-dev; install them with: make deps"
	[ ! -e "$BATS_TEST_TMPDIR/build/lib" ]
	[ ! -e "$BATS_TEST_TMPDIR/build/cmd" ]
}

@test "make: a second run builds nothing, the objects are kept" {
	run mk_here -j2 all
	assert_status 0
	[ -x "$BATS_TEST_TMPDIR/build/bin/cr-dump" ]
	[ -f "$BATS_TEST_TMPDIR/build/cmd/cr-dump.o" ]
	run mk_here all
	assert_status 0
	assert_equal "$output" "make: Nothing to be done for 'all'."
}
