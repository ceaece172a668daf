#!/bin/sh
# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# trust-names.sh [--bare] [REPO]: the names cr's own SQL uses, read from the
# C string literals of lib/*/*.c and cmd/*.c, one per line as "function NAME",
# "operator OP" or "type NAME", each once.  tests/trust.bats builds a trap
# object in public for every one of them, so a query added later is covered
# without a word in the test.  A name is listed whether the source
# qualifies it or not: the trap catches the one that is not.
# --bare: instead, the function calls and operators in SQL literals that are
# not schema-qualified (pg_catalog.f(, OPERATOR(pg_catalog.=)), one per line.
set -eu
bare=0
if [ "${1:-}" = --bare ]; then
	bare=1
	shift
fi
repo=${1:-$(dirname "$0")/..}

# Every string literal, escapes kept (\" stays inside).
literals() {
	cat "$repo"/lib/*/*.c "$repo"/cmd/*.c |
	grep -o '"\([^"\\]\|\\.\)*"' | sed 's/^"//; s/"$//; s/\\"/"/g'
}

# The literals that are SQL (a keyword in capitals), with quoted SQL
# literals, printf conversions, "SET name =", "(*)", "SELECT *" and "--"
# comments (words of messages) taken out.
sql_literals() {
	literals | grep -E '(^|[^A-Za-z])(SELECT|WHERE|FROM|AND|OR|WHEN|THEN|ON|SET|VALUES|ELSE|RETURNING|BY|JOIN)([^A-Za-z]|$)' |
	sed "s/'[^']*'//g" | sed 's/%[-0-9.]*l*[a-zA-Z%]//g; s/(\*)/()/g; s/SELECT \*//g' |
	sed 's/SET \(LOCAL \)\{0,1\}[a-z_]* =//g; s/--.*$//'
}

if [ "$bare" = 1 ]; then
	# coalesce( is syntax; e( a column alias list.
	sql_literals | grep -o '\(^\|[^a-z0-9_.]\)[a-z_][a-z0-9_]*(' | sed 's/^[^a-z_]//' |
		grep -v -x 'coalesce(\|e(' || true
	sql_literals | sed 's/OPERATOR([^)]*)//g; s/[a-z]-[a-z]//g; s/ -[0-9]//g' |
		grep -o '[-+*/<>=~!@#%^&|?]\{1,\}' || true
	exit 0
fi

{
# Functions: an identifier (pg_catalog.-qualified or not) right before "(";
# SQL keywords are written in capitals, words of messages before " (".
literals | grep -o '\(pg_catalog\.\)\{0,1\}[a-z_][a-z0-9_]*(' |
	sed 's/^pg_catalog\.//; s/($//' | sed 's/^/function /'

# Operators: OPERATOR(pg_catalog.X), and bare ones in SQL literals.
literals | grep -o 'OPERATOR(pg_catalog\.[^)]*)' |
	sed 's/^OPERATOR(pg_catalog\.//; s/)$//; s/^/operator /'
sql_literals | sed 's/OPERATOR([^)]*)//g' |
	grep -o '[-+*/<>=~!@#%^&|?]\{1,\}' | sed 's/^/operator /'

# Types: a cast's target, qualified or not.
literals | grep -o '::\(pg_catalog\.\)\{0,1\}\("[a-z]*"\|[a-z_][a-z0-9_]*\)' |
	sed 's/^:://; s/^pg_catalog\.//; s/"//g; s/^/type /'
# Column types of the tables cr creates (pg_catalog.int8 and the like).
literals | grep -o 'pg_catalog\.[a-z_][a-z0-9_]*[^a-z0-9_(.]' |
	sed 's/^pg_catalog\.//; s/.$//' | grep -v '^pg_' | sed 's/^/type /'
} | sort -u
