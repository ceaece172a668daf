/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* pgrestore: pg_restore's options, which a plain SQL restore does not
 * have: why cr-restore refuses each, and what to do instead. */
#ifndef CR_RESTORE_PGRESTORE_H
#define CR_RESTORE_PGRESTORE_H

/* pg_restore's option given (letter, or name without "--"): why it is
 * refused, or NULL (lib/base/cliopt's tool.refused). */
const char *pgrestore_refused(int letter, const char *name);

#endif
