#!/usr/bin/env bats
# make dist: the tarball holds what git tracks plus a VERSION file, and
# builds and passes from a clean directory outside the checkout.  To keep
# CI's time, the tarball runs `make all` and tests/cli.bats (every
# program's --help, --version and usage errors: the version stamped from
# the VERSION file, with no git); the whole suite runs from the checkout.

load helpers

bats_require_minimum_version 1.5.0

# (MAKEFLAGS from an outer `make check` would carry its jobserver along.)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

@test "make dist: cr-VERSION.tar.gz builds outside git and its tools say its version" {
	command -v git >/dev/null || skip "git is not installed"
	git -C "$CR_REPO" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
	d=$BATS_TEST_TMPDIR
	version=$(mk -s -C "$CR_REPO" version)
	[ -n "$version" ]
	run mk -s -C "$CR_REPO" dist DIST_DIR="$d"
	assert_status 0
	assert_equal "${lines[${#lines[@]}-1]}" "$d/cr-$version.tar.gz"
	run tar -tzf "$d/cr-$version.tar.gz"
	assert_status 0
	assert_output_contains "cr-$version/LICENSE"
	assert_output_contains "cr-$version/NEWS"
	assert_output_contains "cr-$version/VERSION"
	assert_output_contains "cr-$version/cmd/cr-restore.c"
	refute_grep -e '/build/' -e '\.git/' -e '\.o$' <(echo "$output")
	# Built from its VERSION file; git would describe the checkout, not it.
	mkdir "$d/unpack"
	tar -C "$d/unpack" -xzf "$d/cr-$version.tar.gz"
	src=$d/unpack/cr-$version
	assert_equal "$(cat "$src/VERSION")" "$version"
	run mk -C "$src" -j2 all
	assert_status 0
	run "$src/build/default/bin/cr-gz" --version
	assert_status 0
	assert_equal "$output" "cr-gz $version"
	run env CR_BIN="$src/build/default/bin" bats --tap "$src/tests/cli.bats"
	assert_status 0
	assert_output_contains "ok 1 "
}
