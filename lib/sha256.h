/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sha256: SHA-256 (FIPS 180-4) over a stream, for backup manifests.
 * Nothing prints. */
#ifndef CR_SHA256_H
#define CR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES	32
#define SHA256_HEX_BYTES	(2 * SHA256_DIGEST_BYTES + 1)

struct sha256 {
	uint32_t	state[8];
	uint64_t	length;		/* bytes hashed so far */
	unsigned char	block[64];
	size_t		used;		/* bytes in block */
};

void sha256_init(struct sha256 *);
void sha256_update(struct sha256 *, const void *data, size_t len);
/* The digest; the context must be initialised again before reuse. */
void sha256_final(struct sha256 *, unsigned char digest[SHA256_DIGEST_BYTES]);
/* The digest as lowercase hex, NUL-terminated. */
void sha256_final_hex(struct sha256 *, char hex[SHA256_HEX_BYTES]);

#endif
