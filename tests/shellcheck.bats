#!/usr/bin/env bats
# The shell in the tree is shellcheck-clean: the wrappers (cmd/*.sh) and
# every shell script in contrib/, found by its #! line.

load helpers

bats_require_minimum_version 1.5.0

# shell_files: the files to check, one a line, relative to the repository.
shell_files() {
	local f
	for f in cmd/*.sh contrib/*.sh contrib/*/*; do
		case $(head -n 1 "$f") in
		'#!'*sh|'#!'*sh[[:space:]]*|'#!/usr/bin/env bash'*) echo "$f" ;;
		esac
	done
}

@test "shellcheck: the wrappers and contrib's shell scripts are clean" {
	command -v shellcheck >/dev/null ||
		skip "shellcheck is not installed (Debian: apt-get install shellcheck)"
	cd "$CR_REPO"
	run shell_files
	[[ $output == *cmd/cr-backup.sh* ]]
	[[ $output == *contrib/monitoring/cr-backup-textfile* ]]
	mapfile -t files < <(shell_files)
	run shellcheck -x "${files[@]}"
	assert_status 0
	assert_equal "$output" ""
}
