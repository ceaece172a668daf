#!/usr/bin/env bats
# tests/lint-bats.sh: every test file passes it, and it catches the patterns
# that make an assertion unable to fail (planted in a temp dir).

load helpers

bats_require_minimum_version 1.5.0

lint() { sh "$CR_REPO/tests/lint-bats.sh" "$@"; }

# planted FILE: stdin with "%test" made "@test" (bats would take an "@test"
# line in this file's here-documents for one of its own tests).
planted() { sed 's/^%test /@test /' >"$1"; }

@test "lint-bats: every tests/*.bats file passes" {
	run lint "$CR_REPO"/tests/*.bats
	assert_status 0
	assert_equal "$output" ""
}

@test "lint-bats: a mid-test ! command, && and || chains and an unchecked run are named by file:line" {
	f=$BATS_TEST_TMPDIR/bad.bats
	planted "$f" <<-'EOF'
	#!/usr/bin/env bats
	%test "planted" {
		run true
		! grep -q secret log
		[ -f a ] && [ -f b ]
		grep -q x y && echo found
		[ -s out ] || echo "empty"
		for i in 1 2; do ! kill -0 "$i"; done
		cr-dump src >out
		run cr-verify out
		run cr-verify out
		assert_status 0
		[ -f a ] &&
			[ -f b ]
		true
	}
	%test "an unchecked run at the end" {
		run cr-verify out
	}
	EOF
	run lint "$f"
	assert_status 1
	assert_output_contains "$f:4: mid-test \`! cmd\`"
	assert_output_contains "$f:5: \`&&\` chain"
	assert_output_contains "$f:6: \`&&\` chain"
	assert_output_contains "$f:7: assertion followed by \`||\`"
	assert_output_contains "$f:8: mid-test \`! cmd\`"
	assert_output_contains "$f:3: \`run\` whose"
	assert_output_contains "$f:10: \`run\` whose"
	assert_output_contains "$f:13: \`&&\` chain"
	assert_output_contains "$f:18: \`run\` whose"
	assert_equal "${#lines[@]}" 9
}

@test "lint-bats: a failure only printed, a test piped on, and a run read by no assertion are named" {
	f=$BATS_TEST_TMPDIR/lost.bats
	planted "$f" <<-'EOF'
	#!/usr/bin/env bats
	%test "planted" {
		cr-verify f || echo bad
		cr-verify f || { echo "bad" >&2; }
		[ -f a ] | cat
		assert_status 0 | tee log
		run cr-verify out
		assert_equal "$(cat x)" 1
		run cr-verify out
		refute_grep secret log
		true
	}
	%test "a failure printed by the last command" {
		cr-verify f || printf 'bad\n' >&2
	}
	EOF
	run lint "$f"
	assert_status 1
	assert_output_contains "$f:3: command followed by \`||\` that only prints"
	assert_output_contains "$f:4: command followed by \`||\` that only prints"
	assert_output_contains "$f:5: test piped into another command"
	assert_output_contains "$f:6: test piped into another command"
	assert_output_contains "$f:7: \`run\` whose"
	assert_output_contains "$f:9: \`run\` whose"
	assert_output_contains "$f:14: command followed by \`||\` that only prints"
	assert_equal "${#lines[@]}" 7
}

@test "lint-bats: run ! without bats_require_minimum_version is named" {
	f=$BATS_TEST_TMPDIR/nover.bats
	printf '@test "x" {\n\trun ! false\n}\n' >"$f"
	run lint "$f"
	assert_status 1
	assert_output_contains "$f:2: uses \`run !\`"
}

@test "lint-bats: the forms that do fail a test pass" {
	f=$BATS_TEST_TMPDIR/good.bats
	planted "$f" <<-'EOF'
	bats_require_minimum_version 1.5.0
	%test "good" {
		[ "${CR_SANITIZE:-}" = 1 ] && skip "sanitized"
		command -v age >/dev/null || skip "no age"
		run ! grep -q secret log
		run --separate-stderr cr-gz -t x
		assert_equal "$stderr" ""
		[ -f a ] || { echo "no a" >&2; return 1; }
		cmp a b || { diff a b >&2; return 1; }
		wait "$pid" || rc=$?
		cr-dump src >out 2>/dev/null || true
		if ! grep -q x y && [ -f z ]; then echo no; fi
		while ! [ -f x ]; do sleep 1; done
		for i in 1 2; do
			[ "$i" -ge 1 ] && break
		done
		helper() { [ -f a ] && [ -f b ]; }
		run node -e '
			if (!a || b) process.exit(2);
			! x && y'
		assert_status 0
		cat >in <<-'SQL'
		! grep && x
		SQL
		echo "$(cd / && ls)" >/dev/null
		x="a && b"	# ! not a command
		cr-dump src >out 2>/dev/null || :
		grep -c x log | grep -qx 3
		x=$(cr-verify f || echo bad)
		run grep -l x a b
		assert_equal "${#lines[@]}" 2
		run cr-verify out
		[ "$status" -eq 0 ]
		run cr-verify out
		assert_output_contains OK
		[ -f a ] && [ -f b ]
	}
	%test "negation as the last command" {
		! grep -q secret log
	}
	EOF
	run lint "$f"
	assert_status 0
	assert_equal "$output" ""
}
