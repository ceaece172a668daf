# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# reword_tools DIR TOOL...: in DIR, a shim for each cr TOOL that runs the real
# one and rewords every line of its stdout and stderr that is not JSON, as a
# later version might word its messages.  A wrapper run with DIR first in
# PATH works only if it reads nothing but the tools' stable interfaces:
# --json, key=value facts, exit status.  The wrappers run the tools beside
# them first, so DIR gets a copy of each wrapper too: run from DIR, they
# find the shims there and the other tools on PATH.
reword_tools() {
	local dir=$1 tool
	shift
	mkdir -p "$dir"
	cp "$CR_BIN/cr-backup" "$CR_BIN/cr-restore-dev" "$dir/"
	for tool; do
		cat >"$dir/$tool" <<-SH
		#!/usr/bin/env bash
		reword() { sed -u '/^[[:space:]]*[{[]/!s/[[:alpha:]]\{2,\}/zz/g'; }
		"$CR_BIN/$tool" "\$@" 2> >(reword >&2) | reword
		rc=\${PIPESTATUS[0]}
		wait
		exit "\$rc"
		SH
		chmod +x "$dir/$tool"
	done
}
