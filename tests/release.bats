#!/usr/bin/env bats
# make dist: the tarball holds what git tracks plus a VERSION file, and
# builds and passes from a clean directory outside the checkout.  To keep
# CI's time, the tarball runs `make all`, the C unit tests (`make unit`),
# and the bats files that need no server: tests/cli.bats (every program's
# --help, --version and usage errors: the version stamped from the VERSION
# file, with no git), help.bats (--help against the man pages) and
# layers.bats (the tree's layers and docs/design.md's picture of them);
# the whole suite runs from the checkout.

load helpers

bats_require_minimum_version 1.5.0

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
	run mk -C "$src" unit
	assert_status 0
	run env CR_BIN="$src/build/default/bin" bats --tap "$src/tests/cli.bats" \
		"$src/tests/help.bats" "$src/tests/layers.bats"
	assert_status 0
	assert_output_contains "ok 1 "
	refute_grep '^not ok' <(echo "$output")
}

@test "make install DESTDIR=... PREFIX=/opt/cr: tools, man pages, completion, systemd units in the prefix, monitoring; uninstall removes them" {
	d=$BATS_TEST_TMPDIR/root
	run mk -s -C "$CR_REPO" install DESTDIR="$d" PREFIX=/opt/cr
	assert_status 0
	p=$d/opt/cr
	for t in cr-dump cr-gz cr-verify cr-rotate cr-restore cr-migrate cr-backup cr-restore-dev; do
		[ -x "$p/bin/$t" ]
		[ -f "$p/share/man/man1/$t.1" ]
		assert_equal "$(readlink "$p/share/bash-completion/completions/$t")" cr
	done
	[ -f "$p/share/doc/cr/LICENSE" ]
	[ -f "$p/share/doc/cr/NEWS" ]
	# the units run the prefix's cr-backup
	run grep -h '^ExecStart=' "$p/lib/systemd/system/cr-backup@.service"
	assert_equal "$output" "ExecStart=/opt/cr/bin/cr-backup -q --env-file /etc/cr/%i.env --dir /var/backups/%i"
	[ -f "$p/lib/systemd/system/cr-backup@.timer" ]
	# the monitoring scripts find the prefix's tools first, and still parse
	for s in "$p/lib/nagios/plugins/check_cr_backup" "$p/libexec/cr/cr-backup-textfile"; do
		[ -x "$s" ]
		run grep -c '^PATH=/opt/cr/bin:\$PATH ' "$s"
		assert_equal "$output" 1
		run sh -n "$s"
		assert_status 0
	done
	# an installed wrapper runs the tools beside it, whatever PATH says
	run env PATH=/usr/bin:/bin "$p/bin/cr-backup" --help
	assert_status 0
	assert_output_contains "--keep-daily=N"
	run env PATH=/usr/bin:/bin "$p/bin/cr-gz" --version
	assert_equal "$output" "cr-gz $(cr_version)"
	# the installed completion completes
	run bash -c 'source "$1"; COMP_WORDS=(cr-restore --cl); COMP_CWORD=1; _cr cr-restore; echo "${COMPREPLY[*]}"' _ \
		"$p/share/bash-completion/completions/cr-restore"
	assert_equal "$output" "--clean"
	run mk -s -C "$CR_REPO" uninstall DESTDIR="$d" PREFIX=/opt/cr
	assert_status 0
	run find "$d" -not -type d
	assert_equal "$output" ""
}

@test "every source file and script says its licence in an SPDX line near its top" {
	cd "$CR_REPO"
	local -a missing=()
	for f in lib/*/*.[ch] cmd/* tests/*.c tests/*.bash tests/*.sh bench/*.sh contrib/*.sh \
	    contrib/monitoring/* contrib/completion/* .ci/run Makefile; do
		head -n 3 "$f" | grep -q 'SPDX-License-Identifier: PostgreSQL' || missing+=("$f")
	done
	printf 'no SPDX line: %s\n' "${missing[@]}" >&2
	assert_equal "${#missing[@]}" 0
	grep -q '^Copyright (c) 2025-2026, the cr authors$' LICENSE
}
