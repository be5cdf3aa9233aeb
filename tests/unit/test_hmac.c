#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmac.h"
#include "core/mem.h"

#define GH_SECRET "It's a Secret to Everybody"
#define GH_PAYLOAD "Hello, World!"
#define GH_HEX "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

/* GitHub Docs, "Validating webhook deliveries": the documented test vector. */
static void test_github_doc_vector(void **state)
{
    char hex[65];
    unsigned char raw[32];

    (void)state;
    assert_int_equal(rig_hmac_sha256_hex(GH_SECRET, strlen(GH_SECRET), GH_PAYLOAD,
                                         strlen(GH_PAYLOAD), hex), 0);
    assert_string_equal(hex, GH_HEX);
    assert_int_equal(rig_hmac_sha256(GH_SECRET, strlen(GH_SECRET), GH_PAYLOAD,
                                     strlen(GH_PAYLOAD), raw), 0);
    assert_int_equal(raw[0], 0x75);
    assert_int_equal(raw[31], 0x17);
    assert_true(rig_github_signature_ok(GH_SECRET, GH_PAYLOAD, strlen(GH_PAYLOAD),
                                        "sha256=" GH_HEX));
}

/* RFC 4231 test cases 1 and 2, and an empty key/message (RFC-independent, but
 * the value is the well-known HMAC-SHA256("", "")). */
static void test_rfc4231_vectors(void **state)
{
    unsigned char key1[20];
    char hex[65];

    (void)state;
    memset(key1, 0x0b, sizeof(key1));
    assert_int_equal(rig_hmac_sha256_hex(key1, sizeof(key1), "Hi There", 8, hex), 0);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert_int_equal(rig_hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, hex), 0);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_int_equal(rig_hmac_sha256_hex(NULL, 0, NULL, 0, hex), 0);
    assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static const struct {
    const char *file;
    const char *sig;
} fixture_sigs[] = {
    {"issue_comment/created.payload.json",
     "sha256=a026d32e08da28140eb5dc5242db65d0330ccd09816ada4d8b504f5410a58a0e"},
    {"issue_comment/edited.payload.json",
     "sha256=d31fa861dd923127c4c1caf92b4e5eebeb21f90c2e1d9b4f86f0056f65de1be8"},
    {"issues/edited.payload.json",
     "sha256=5f994498f3a6f72b36d44df942cc46714b48c4a1f3aaa3c2cf925698d2623aa7"},
    {"issues/labeled.payload.json",
     "sha256=2a13717f2e771ae3cd64cbaa49c1c44048f79570b1d98fefea7ca40387e432af"},
    {"issues/opened.payload.json",
     "sha256=875f5b04149debbe128e0521dadfa4afc90d192439111d59096790feb11b64d5"},
    {"issues/opened.with-empty-body.payload.json",
     "sha256=bc179eb83316fd46dab84aecd212c8cf3e03055b363e391e1cbb2bc3e954753f"},
    {"issues/unlabeled.payload.json",
     "sha256=f2ae4be76380e00dd1bf6b988fdb4680911bb78550c58a027f44995000cf5021"},
    {"ping/payload.json",
     "sha256=0781a4c342e19ba538f4541868124c3fc6deb4b56ae69a04a38e6cd5c188806a"},
    {"pull_request/closed.payload.json",
     "sha256=7dc9fe0429e0eaf5e53d778fa4379fe930b19ec232e8f17f5cc469add871486e"},
    {"pull_request/opened.payload.json",
     "sha256=9dc478d9f168340c18752a2c72bfbec57a9230b5a8af4e1b5cd19e4469a0e55a"},
    {"push/payload.json",
     "sha256=27ff3b2dbb02e7c8d6ab08b0d8d6faa2b2be5dba436346ac7616884f476acdc8"},
};

/* The whole file, bytes as stored (the signatures cover the trailing newline). */
static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        fail_msg("cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = xmalloc((size_t)n + 1);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

static void test_fixture_signatures(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fixture_sigs) / sizeof(fixture_sigs[0]); i++) {
        char *rel = xasprintf("github-webhooks/%s", fixture_sigs[i].file);
        char *path = tu_fixture(rel);
        size_t len;
        char *body = read_bytes(path, &len);
        char hex[65];

        assert_int_equal(body[len - 1], '\n');
        assert_true(rig_github_signature_ok(GH_SECRET, body, len, fixture_sigs[i].sig));
        assert_int_equal(rig_hmac_sha256_hex(GH_SECRET, strlen(GH_SECRET), body, len, hex), 0);
        assert_string_equal(hex, fixture_sigs[i].sig + 7);
        /* the body without its newline, or under another secret, is not what was signed */
        assert_false(rig_github_signature_ok(GH_SECRET, body, len - 1, fixture_sigs[i].sig));
        assert_false(rig_github_signature_ok("It's a Secret to Everybody!", body, len,
                                             fixture_sigs[i].sig));
        free(body);
        free(path);
        free(rel);
    }
}

static void test_signature_rejects_malformed(void **state)
{
    const char *body = GH_PAYLOAD;
    size_t len = strlen(body);
    char buf[128];

    (void)state;
    /* upper-case hex is the same digest */
    snprintf(buf, sizeof(buf), "sha256=%s", GH_HEX);
    for (char *p = buf + 7; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_true(rig_github_signature_ok(GH_SECRET, body, len, buf));

    assert_false(rig_github_signature_ok(GH_SECRET, body, len, GH_HEX));           /* no prefix */
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, "sha1=" GH_HEX));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, "SHA256=" GH_HEX));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, "sha256 =" GH_HEX));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, "sha256=" GH_HEX "0"));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, "sha256=" GH_HEX " "));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, " sha256=" GH_HEX));
    assert_false(rig_github_signature_ok(
        GH_SECRET, body, len,
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1"));
    assert_false(rig_github_signature_ok(
        GH_SECRET, body, len,
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1g"));
    assert_false(rig_github_signature_ok(
        GH_SECRET, body, len,
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18"));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, "sha256="));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, ""));
    assert_false(rig_github_signature_ok(GH_SECRET, body, len, NULL));
    /* no secret configured: nothing can be verified */
    assert_false(rig_github_signature_ok("", body, len, "sha256=" GH_HEX));
    assert_false(rig_github_signature_ok(NULL, body, len, "sha256=" GH_HEX));
}

static void test_consttime_eq(void **state)
{
    (void)state;
    assert_true(rig_consttime_eq("abc", 3, "abc", 3));
    assert_false(rig_consttime_eq("abc", 3, "abd", 3));
    assert_false(rig_consttime_eq("abc", 3, "abcd", 4));
    assert_true(rig_consttime_eq("", 0, "", 0));
    assert_true(rig_consttime_eq(NULL, 0, NULL, 0));
    assert_true(rig_consttime_eq("a\0b", 3, "a\0b", 3));
    assert_false(rig_consttime_eq("a\0b", 3, "a\0c", 3));
}

static void test_random_hex(void **state)
{
    char a[65], b[65], big[2 * 1000 + 1];

    (void)state;
    assert_int_equal(rig_random_hex(a, 32), 0);
    assert_int_equal(rig_random_hex(b, 32), 0);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b); /* 2^-256 chance of a false failure */
    assert_int_equal(rig_random_hex(a, 0), 0);
    assert_string_equal(a, "");
    /* more than one internal chunk */
    memset(big, 'x', sizeof(big));
    assert_int_equal(rig_random_hex(big, 1000), 0);
    assert_int_equal(strlen(big), 2000);
    assert_int_equal(strspn(big, "0123456789abcdef"), 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_github_doc_vector),
        cmocka_unit_test(test_rfc4231_vectors),
        cmocka_unit_test(test_fixture_signatures),
        cmocka_unit_test(test_signature_rejects_malformed),
        cmocka_unit_test(test_consttime_eq),
        cmocka_unit_test(test_random_hex),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
