# SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors.
# Helpers shared by dump.bats and verify.bats: the awkward database, row
# counts, dump comparison, a recording pg_dump wrapper and trailer surgery.

# table_counts DB: "schema.table rows" for every user table, sorted.
table_counts() {
	q "SELECT format('%I.%I', schemaname, tablename) || ' ' ||
	          (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
	           schemaname, tablename), false, true, '')))[1]::text
	     FROM pg_tables
	    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
	    ORDER BY 1" "$1"
}

# canonical_dump DB: pg_dump output without the per-dump random \restrict key.
canonical_dump() {
	pg_dump --no-owner --no-acl -d "$1" | grep -v '^\\\(un\)\?restrict '
}

# crc32_of FILE BYTES: CRC-32 (hex) of the first BYTES bytes, computed by
# gzip, independently of cr.
crc32_of() {
	head -c "$2" "$1" | gzip -c | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n'
}

# retrailer FILE: replace the last line of a cr dump with a trailer that is
# correct for the bytes before it (to test the SQL checks behind it).
retrailer() {
	local body=$1.body n
	head -n -1 "$1" >"$body"
	n=$(stat -c %s "$body")
	printf -- '-- cr-dump trailer: bytes=%s crc32=%s end\n' "$n" "$(crc32_of "$body" "$n")" >>"$body"
	mv "$body" "$1"
}

# make_wrapper DIR: a CR_PG_DUMP that logs its argv (all on one line, then
# one argument a line), its whole environment, PGPASSWORD/PGPASSFILE and the
# passfile's mode to DIR/pg_dump.log, then runs the real pg_dump.
make_wrapper() {
	local real
	real=$(command -v pg_dump)
	cat >"$1/pg_dump" <<-EOF
	#!/bin/sh
	{
		echo "argv: \$*"
		for a; do echo "arg: \$a"; done
		echo "env:"
		env
		echo "PGPASSWORD=\${PGPASSWORD-unset}"
		echo "PGPASSFILE=\${PGPASSFILE-unset}"
		[ -n "\${PGPASSFILE:-}" ] && [ -f "\$PGPASSFILE" ] && echo "passfile mode \$(stat -L -c %a "\$PGPASSFILE")"
	} >>"$1/pg_dump.log"
	exec "$real" "\$@"
	EOF
	chmod 755 "$1/pg_dump"
}
