#include "core/hmac.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/str.h"
#include "core/banned.h"

#define GITHUB_SIG_PREFIX "sha256="

static const char hexdigits[] = "0123456789abcdef";

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

int rig_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                    unsigned char out[32])
{
    size_t outlen = 0;

    /* OpenSSL wants non-NULL pointers even for empty inputs */
    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, keylen ? key : "", keylen,
                   msglen ? msg : "", msglen, out, 32, &outlen) ||
        outlen != 32)
        return -1;
    return 0;
}

int rig_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                        char out[65])
{
    unsigned char mac[32];

    if (rig_hmac_sha256(key, keylen, msg, msglen, mac) < 0)
        return -1;
    hex_encode(mac, sizeof(mac), out);
    return 0;
}

bool rig_consttime_eq(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen)
        return false;
    if (alen == 0)
        return true;
    return CRYPTO_memcmp(a, b, alen) == 0;
}

bool rig_github_signature_ok(const char *secret, const void *body, size_t len,
                             const char *header)
{
    size_t plen = strlen(GITHUB_SIG_PREFIX);
    unsigned char want[32], got[32];
    const char *hex;

    /* Without a secret anyone could forge the header, so nothing verifies. */
    if (!secret || !*secret || !header)
        return false;
    if (strncmp(header, GITHUB_SIG_PREFIX, plen) != 0)
        return false;
    hex = header + plen;
    if (strlen(hex) != 2 * sizeof(got))
        return false;
    for (size_t i = 0; i < sizeof(got); i++) {
        int hi = rig_hex_digit(hex[2 * i]), lo = rig_hex_digit(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        got[i] = (unsigned char)(hi << 4 | lo);
    }
    if (rig_hmac_sha256(secret, strlen(secret), body, len, want) < 0)
        return false;
    return CRYPTO_memcmp(want, got, sizeof(want)) == 0;
}

int rig_random_hex(char *out, size_t nbytes)
{
    unsigned char chunk[256];

    while (nbytes > 0) {
        size_t want = nbytes < sizeof(chunk) ? nbytes : sizeof(chunk);
        ssize_t got = getrandom(chunk, want, 0);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            OPENSSL_cleanse(chunk, sizeof(chunk));
            return -1;
        }
        hex_encode(chunk, (size_t)got, out);
        out += 2 * (size_t)got;
        nbytes -= (size_t)got;
    }
    *out = '\0';
    /* the hex may be a token; leave no copy of its bytes on the stack */
    OPENSSL_cleanse(chunk, sizeof(chunk));
    return 0;
}
