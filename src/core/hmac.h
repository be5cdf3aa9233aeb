#ifndef RIG_CORE_HMAC_H
#define RIG_CORE_HMAC_H

#include <stdbool.h>
#include <stddef.h>

/* HMAC-SHA256 through OpenSSL 3 EVP_MAC. 0 ok, -1 on library failure. */
int rig_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                    unsigned char out[32]);

/* Lowercase hex of the MAC into out (65 bytes with the NUL). */
int rig_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                        char out[65]);

/* Constant-time equality (time depends only on the lengths). */
bool rig_consttime_eq(const void *a, size_t alen, const void *b, size_t blen);

/* Verify a GitHub "X-Hub-Signature-256: sha256=<hex>" header over body. */
bool rig_github_signature_ok(const char *secret, const void *body, size_t len,
                             const char *header);

/* Random bytes from the OS (getrandom), hex-encoded: n bytes -> 2n chars. */
int rig_random_hex(char *out, size_t nbytes);

#endif
