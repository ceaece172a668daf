#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# lint-bats.sh FILE...: find assertions in bats tests that cannot fail.
#
# In bats only a failing simple command (set -e) or a test's last command
# fails a test.  So, in a @test body, anywhere but its last command:
#   ! cmd                  never fails the test (set -e ignores `!`)
#   a && b                 fails it only when a succeeds and b fails
#   [ x ] || echo why      an assertion whose failure is handled away
#   cmd || echo why        any command whose failure is only printed
#   [ x ] | cat            a test in a pipeline but last: its status is lost
#   run cmd                with nothing reading $status/$output afterwards
#                          (an assert_equal on something else does not count)
# Use `run ! cmd`, `run cmd; assert_status N`, one condition per line, or
# `cond || { echo why >&2; return 1; }`.  Files using `run !` or
# `run --separate-stderr` must call bats_require_minimum_version 1.5.0.
#
# Prints FILE:LINE: what, and exits 1 if anything was found.  POSIX sh and
# awk only (runs under mawk), so it needs nothing beyond what the tests need.

[ $# -gt 0 ] || { echo "usage: lint-bats.sh FILE..." >&2; exit 64; }

exec awk '
# mask(s): s with everything inside quotes, $(...), `...` and ${...}
# replaced by "_" (same length), the comment dropped; the quoting context
# carries over to the next line in the global stack (st, sp).
function mask(s,    out, i, n, c, c2, top, inword, w) {
	out = ""; n = length(s); heredoc = ""
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1); c2 = substr(s, i, 2)
		top = sp > 0 ? st[sp] : ""
		if (top == "S") {
			if (c == "\047") { sp--; out = out c } else out = out "_"
			continue
		}
		if (top == "A" || top == "B") {
			if (c == "\\") { out = out "__"; i++; continue }
			if ((top == "A" && c == "\047") || (top == "B" && c == "`")) { sp--; out = out c; continue }
			out = out "_"; continue
		}
		if (top == "D") {
			if (c == "\\") { out = out "__"; i++; continue }
			if (c == "\"") { sp--; out = out c; continue }
			if (c2 == "$(") { st[++sp] = "C"; out = out "__"; i++; continue }
			if (c2 == "${") { st[++sp] = "V"; out = out "__"; i++; continue }
			if (c == "`") { st[++sp] = "B"; out = out "_"; continue }
			out = out "_"; continue
		}
		# code: top level, or inside $( ), ( ) within it, or ${ }
		if (c == "\\") { out = out (sp ? "__" : substr(s, i, 2)); i++; continue }
		if (c == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t;(]/)) break
		if (c == "\047") { st[++sp] = "S"; out = out (sp > 1 ? "_" : c); continue }
		if (c2 == "$\047") { st[++sp] = "A"; out = out (sp > 1 ? "__" : c2); i++; continue }
		if (c == "\"") { st[++sp] = "D"; out = out (sp > 1 ? "_" : c); continue }
		if (c2 == "$(" || c2 == "<(" || c2 == ">(") { st[++sp] = "C"; out = out (sp > 1 ? "__" : substr(c2, 1, 1) "("); i++; continue }
		if (c2 == "${") { st[++sp] = "V"; out = out (sp > 1 ? "__" : "${"); i++; continue }
		if (c == "`") { st[++sp] = "B"; out = out (sp > 1 ? "_" : c); continue }
		if (c == "(" && (top == "C" || top == "P")) { st[++sp] = "P"; out = out "_"; continue }
		if (c == ")" && (top == "C" || top == "P")) { sp--; out = out (sp ? "_" : ")"); continue }
		if (c == "}" && top == "V") { sp--; out = out (sp ? "_" : "}"); continue }
		if (c2 == "<<" && substr(s, i + 2, 1) != "<" && heredoc == "") {
			w = substr(s, i + 2)
			heredoc_strip = (substr(w, 1, 1) == "-")
			sub(/^-?[ \t]*/, "", w)
			if (match(w, /^["\047]?[A-Za-z_][A-Za-z_0-9]*/)) {
				heredoc = substr(w, RSTART, RLENGTH)
				gsub(/["\047]/, "", heredoc)
			}
		}
		out = out (sp ? "_" : c)
	}
	return out
}

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

function report(line, msg) {
	printf "%s:%d: %s\n", FILENAME, line, msg
	bad = 1
}

# A command that makes a failing chain fail the test, or is control flow.
function fails_or_control(seg) {
	seg = trim(seg)
	sub(/^\{[ \t]*/, "", seg); sub(/[ \t;]*\}$/, "", seg)
	n = split(seg, parts, /;/)
	seg = trim(parts[n])
	return seg ~ /^(return[ \t]+[1-9][0-9]*|return|false|exit([ \t].*)?|fail([ \t].*)?|skip([ \t].*)?|break|continue)$/
}

# A right side of `||` that only prints: the failure is reported, not failed.
function only_prints(seg) {
	seg = trim(seg)
	sub(/^\{[ \t]*/, "", seg); sub(/[ \t;]*\}$/, "", seg)
	n = split(seg, parts, /;/)
	seg = trim(parts[n])
	return seg ~ /^(echo|printf)([ \t]|$)/
}

# A test that prints nothing, so a pipe after it only loses its status.
function is_silent_test(seg) {
	seg = trim(seg)
	sub(/^![ \t]+/, "", seg)
	return seg ~ /^(\[|\[\[|test[ \t]|\(\(|assert_|refute_)/
}

# check_pipes(l, s): report a silent test that is not the last part of a pipeline.
function check_pipes(l, s,    k, c, cur, stages, nst) {
	nst = 0; cur = ""
	for (k = 1; k <= length(s); k++) {
		c = substr(s, k, 1)
		if (c == "|" && substr(s, k + 1, 1) == "|") { cur = ""; k++; continue }
		if (c == "&" && substr(s, k + 1, 1) == "&") { cur = ""; k++; continue }
		if (c == "|") {
			if (is_silent_test(cur))
				report(l, "test piped into another command: the pipeline exits with the last command, so the test cannot fail")
			cur = ""
			if (substr(s, k + 1, 1) == "&") k++
			continue
		}
		cur = cur c
	}
}

function is_assertion(seg) {
	seg = trim(seg)
	return seg ~ /^(\[|\[\[|test[ \t]|\(\(|assert_|refute_|grep[ \t]|cmp[ \t]|diff[ \t])/
}

# check(i, last): the rules for logical command i of the current body.
# split_cmds(s, pieces): s cut at the ";" outside { } groups.
function split_cmds(s, pieces,    np, depth, k, c, prev, cur) {
	np = 0; depth = 0; cur = ""; prev = " "
	for (k = 1; k <= length(s); k++) {
		c = substr(s, k, 1)
		if (c == "{" && prev ~ /[ \t;|&(]/ && substr(s, k + 1, 1) ~ /[ \t]/) depth++
		else if (c == "}" && prev ~ /[ \t;]/ && depth > 0) depth--
		else if (c == ";" && depth == 0) { pieces[++np] = cur; cur = ""; prev = c; continue }
		cur = cur c; prev = c
	}
	pieces[++np] = cur
	return np
}

function check(i, last,    pieces, np, p, piece, segs, ns, ops, k, rest, m, lastop, has_and) {
	np = split_cmds(text[i], pieces)
	for (p = 1; p <= np; p++) {
		piece = trim(pieces[p])
		if (piece == "" || piece ~ /^(if|elif|while|until|for|case)([ \t]|$)/)
			continue
		while (sub(/^(then|do|else|\{|\(|\}|done|fi|esac)([ \t]+|$)/, "", piece))
			piece = trim(piece)
		if (piece == "" || piece ~ /^(if|elif|while|until|for|case)([ \t]|$)/)
			continue
		if (piece ~ /^[A-Za-z_][A-Za-z_0-9]*[ \t]*\(\)/)
			continue	# a function defined on one line
		final = last && p == np
		check_pipes(line[i], piece)
		if (piece ~ /^![ \t]/ && !final)
			report(line[i], "mid-test `! cmd` never fails the test: use `run ! cmd` or a refute helper")
		if (piece !~ /&&|\|\|/)
			continue
		# split into segments at && and ||
		ns = 0; rest = piece; has_and = 0; lastop = ""
		while (match(rest, /&&|\|\|/)) {
			segs[++ns] = substr(rest, 1, RSTART - 1)
			lastop = substr(rest, RSTART, 2)
			if (lastop == "&&") has_and = 1
			rest = substr(rest, RSTART + 2)
		}
		segs[++ns] = rest
		if (final) {
			# the last command too: `|| echo` turns its failure into success
			if (lastop == "||" && only_prints(segs[ns]))
				report(line[i], "command followed by `||` that only prints: its failure is lost")
			continue
		}
		if (lastop == "||" && fails_or_control(segs[ns]))
			continue
		if (lastop == "||" && !has_and && !is_assertion(segs[1]) && only_prints(segs[ns])) {
			report(line[i], "command followed by `||` that only prints: its failure is lost")
			continue
		}
		if (has_and) {
			if (lastop == "&&" && fails_or_control(segs[ns]))
				continue
			report(line[i], "`&&` chain on a non-final line fails the test only when its last part fails: one condition per line")
		} else if (is_assertion(segs[1]))
			report(line[i], "assertion followed by `||` that does not fail: its failure is lost")
	}
}

# Reads what `run` left: its variables, or a helper that reads them.
function reads_run(s) {
	return s ~ /\$\{?#?(status|output|stderr|lines|stderr_lines)([^A-Za-z_0-9]|$)|(^|[^A-Za-z_0-9])(assert_status|assert_output[A-Za-z_]*|assert_stderr[A-Za-z_]*|refute_output[A-Za-z_]*|assert_success|assert_failure|assert_line)([ \t;]|$)/
}

function check_body(    i, pending) {
	pending = 0
	for (i = 1; i <= nb; i++) {
		check(i, i == nb)
		if (pending && reads_run(raw[i]))
			pending = 0
		if (text[i] ~ /^[ \t]*([A-Za-z_][A-Za-z_0-9]*=[^ \t]*[ \t]+)*run([ \t]|$)/) {
			if (pending)
				report(pending, "`run` whose $status and $output nothing checks")
			pending = line[i]
			# run ! and run -N assert the status themselves
			if (reads_run(raw[i]) || text[i] ~ /(^|[ \t])run[ \t]+(--separate-stderr[ \t]+)?(!|-[0-9])/)
				pending = 0
		}
	}
	if (pending)
		report(pending, "`run` whose $status and $output nothing checks")
}

FNR == 1 {
	if (prevfile != "" && needver && !hasver)
		printf "%s:%d: uses `run !` or `run --separate-stderr` without bats_require_minimum_version 1.5.0\n", prevfile, needver
	if (prevfile != "" && needver && !hasver) bad = 1
	prevfile = FILENAME; needver = 0; hasver = 0; intest = 0; sp = 0; heredoc = ""; inheredoc = ""
}

inheredoc != "" {
	l = $0
	if (heredoc_strip_cur) sub(/^\t+/, "", l)
	if (l == inheredoc) inheredoc = ""
	next
}

{
	m = mask($0)
	if (heredoc != "") { inheredoc = heredoc; heredoc_strip_cur = heredoc_strip }
	if (m ~ /^[ \t]*bats_require_minimum_version[ \t]/) hasver = 1
	if (m ~ /(^|[ \t;])run[ \t]+(!|--separate-stderr|-[0-9])/ && !needver) needver = FNR
}

!intest && m ~ /^@test[ \t].*\{[ \t]*$/ {
	intest = 1; nb = 0; acc = ""; accraw = ""
	next
}

intest && sp == 0 && acc == "" && m ~ /^\}[ \t]*$/ {
	check_body()
	intest = 0
	next
}

intest {
	if (acc == "") start = FNR
	acc = acc " " m; accraw = accraw "\n" $0
	if (sp > 0 || m ~ /(\\|&&|\|\||\|)[ \t]*$/) {
		sub(/\\[ \t]*$/, "", acc)
		next
	}
	if (trim(acc) != "") {
		nb++; text[nb] = trim(acc); raw[nb] = accraw; line[nb] = start
	}
	acc = ""; accraw = ""
}

END {
	if (prevfile != "" && needver && !hasver) {
		printf "%s:%d: uses `run !` or `run --separate-stderr` without bats_require_minimum_version 1.5.0\n", prevfile, needver
		bad = 1
	}
	exit bad
}
' "$@"
