/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* sha256: a thin wrapper over libcrypto's EVP digest, which uses the CPU's
 * SHA extensions where there are any (6x our own C code on SHA-NI). */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/sha256.h"

void
sha256_init(struct sha256 *s)
{
	s->failed = (s->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1;
}

void
sha256_update(struct sha256 *s, const void *data, size_t len)
{
	if (!s->failed && len > 0 && EVP_DigestUpdate(s->ctx, data, len) != 1)
		s->failed = 1;
}

/* The digest, and the context freed (initialise it again before reuse).
 * Returns 0, or -1 with errno ENOMEM when libcrypto could not have it. */
static int
sha256_final(struct sha256 *s, unsigned char digest[SHA256_DIGEST_BYTES])
{
	unsigned int n = 0;
	int rc;

	rc = !s->failed && EVP_DigestFinal_ex(s->ctx, digest, &n) == 1 &&
	    n == SHA256_DIGEST_BYTES ? 0 : -1;
	sha256_discard(s);
	if (rc == -1)
		errno = ENOMEM;
	return rc;
}

int
sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX_BYTES])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_BYTES];
	int i;

	hex[0] = '\0';
	if (sha256_final(s, d) == -1)
		return -1;
	for (i = 0; i < SHA256_DIGEST_BYTES; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA256_DIGEST_BYTES] = '\0';
	return 0;
}

void
sha256_discard(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);	/* NULL is fine */
	s->ctx = NULL;
	s->failed = 1;
}
