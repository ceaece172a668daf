/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sha256: SHA-256 (FIPS 180-4) over a stream, for backup manifests,
 * migration checksums and schema hashes; libcrypto's EVP does the work.
 * A context holds an allocation from init until final or discard; a
 * failure (no memory) is kept and reported by final.  Nothing prints. */
#ifndef CR_SHA256_H
#define CR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES	32
#define SHA256_HEX_BYTES	(2 * SHA256_DIGEST_BYTES + 1)

struct evp_md_ctx_st;

struct sha256 {
	struct evp_md_ctx_st	*ctx;	/* libcrypto's EVP_MD_CTX */
	int			 failed;
};

void sha256_init(struct sha256 *);
void sha256_update(struct sha256 *, const void *data, size_t len);
/* The digest as lowercase hex, NUL-terminated ("" on failure). */
int sha256_final_hex(struct sha256 *, char hex[SHA256_HEX_BYTES]);
/* The context freed without a digest (a path that gives up); safe after
 * final and twice. */
void sha256_discard(struct sha256 *);

#endif
