/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* json: JSON text for the tools' machine-readable output (--json), written
 * one way everywhere.  Nothing prints. */
#ifndef CR_JSON_H
#define CR_JSON_H

/* s as a JSON string (RFC 8259), quotes included: " and \ escaped, control
 * bytes and DEL as \u00XX, other bytes (UTF-8) as they are.  Returns a
 * malloc'd string, or NULL when out of memory. */
char *json_quote(const char *s);

/* The version of the --json formats (docs/json.md), the first member of
 * every object a tool prints for --json, and of manifests.  It changes
 * when a member changes meaning or goes; new members do not change it. */
#define JSON_FORMAT_VERSION	1
#define JSON_OPEN		"{\"format_version\":1,"

#endif
