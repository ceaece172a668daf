#!/usr/bin/env bats
# Sizes are written one way: lib/base/size.c (libbsd's humanize_number, IEC
# prefixes) in the C tools, and the wrappers' iec (cmd/wrapper.bash) gives
# the same text for every byte count, the edges of each unit included.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	build_driver size-iec "$BATS_FILE_TMPDIR/size-iec"
}

# The wrappers' iec, alone.
wrapper_iec() {
	# shellcheck source=/dev/null
	source <(sed -n '/^iec() {$/,/^}$/p' "$CR_REPO/cmd/wrapper.bash")
	local n
	for n; do iec "$n"; done
}

@test "size_iec: bytes, one decimal below 10, three digits at most, IEC prefixes" {
	run "$BATS_FILE_TMPDIR/size-iec" 0 184 999 1000 1023 1024 1536 10239 27014400 1610612736 2199023255552
	assert_status 0
	assert_equal "$output" "$(printf '%s\n' '0 B' '184 B' '999 B' '1.0 KiB' '1.0 KiB' '1.0 KiB' '1.5 KiB' '10 KiB' '26 MiB' '1.5 GiB' '2.0 TiB')"
}

@test "the wrappers' iec writes what size_iec writes, at every edge" {
	local -a ns=()
	for e in 0 10 20 30; do	# awk counts exactly up to 2^53
		for m in 1 9 10 99 100 511 512 972 973 998 999 1000 1023 1024 1025 9215 9216 9727 9728 9729 10239 10240 102399 102400 1023487 1023488 1048575; do
			ns+=("$(( m << e ))" "$(( (m << e) + (1 << e) / 2 ))" "$(( (m << e) - 1 ))")
		done
	done
	run "$BATS_FILE_TMPDIR/size-iec" "${ns[@]}"
	assert_status 0
	c=$output
	run wrapper_iec "${ns[@]}"
	assert_status 0
	if [ "$output" != "$c" ]; then
		diff <(paste <(printf '%s\n' "${ns[@]}") <(echo "$c")) <(paste <(printf '%s\n' "${ns[@]}") <(echo "$output")) >&2
		return 1
	fi
	[ "${#ns[@]}" -gt 300 ]
}

@test "no size printed with numfmt or a hand-made unit: lib/base/size.c and wrapper.bash's iec are the only formatters" {
	cd "$CR_REPO"
	refute_grep -n -e 'numfmt' -e '%\.[0-9]f *[KMGT]iB' -e '" *[KMGT]iB' cmd/ lib/ --include='*.c' --include='*.sh' --include='*.bash' -r
}
