#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json.h"
#include "core/mem.h"

static json_t *parse(const char *s, struct rig_err *err)
{
    return rig_json_loadb(s, strlen(s), "input.json", err);
}

static void test_load_valid_keeps_order(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *v;
    char *out;

    (void)state;
    v = parse("{\"z\": 1, \"a\": [true, null, 2.5], \"m\": \"x\"}", &err);
    assert_non_null(v);
    out = rig_json_dump(v, false);
    assert_string_equal(out, "{\"z\":1,\"a\":[true,null,2.5],\"m\":\"x\"}");
    free(out);
    out = rig_json_dump(v, true);
    assert_string_equal(out, "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null,\n    2.5\n  ],\n"
                             "  \"m\": \"x\"\n}");
    free(out);
    json_decref(v);
}

static void test_load_scalars_and_big_ints(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *v;

    (void)state;
    v = parse("\"just a string\"", &err);
    assert_true(json_is_string(v));
    json_decref(v);
    /* 2^53 + 1: GitHub ids and rowids must survive exactly */
    v = parse("[9007199254740993, -9223372036854775808]", &err);
    assert_int_equal(json_integer_value(json_array_get(v, 0)), 9007199254740993LL);
    assert_true(json_integer_value(json_array_get(v, 1)) == INT64_MIN);
    json_decref(v);
}

static void test_load_errors_have_location(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char msg[2048];

    (void)state;
    assert_null(parse("{\n  \"x\": tru }", &err));
    assert_int_equal(err.code, RIG_EINVAL);
    assert_string_equal(err.file, "input.json");
    assert_int_equal(err.line, 2);
    assert_true(err.col > 0);
    rig_err_format(&err, msg, sizeof(msg));
    assert_true(strncmp(msg, "input.json:2:", 13) == 0);
    assert_non_null(strstr(msg, "invalid JSON: "));
    assert_non_null(strstr(msg, "tru"));

    rig_err_clear(&err);
    assert_null(parse("{\"a\": 1,\n \"a\": 2}", &err));
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "duplicate object key"));

    rig_err_clear(&err);
    assert_null(parse("[1, 2] trailing", &err));
    assert_non_null(strstr(err.msg, "end of file expected"));
}

static void test_load_rejects_bad_input(void **state)
{
    static const char *bad[] = {
        "1e400", "123456789012345678901234567890", "\"\\u0000\"", "[1,]", "{'a': 1}",
        "\"\\ud800\"", "\"\xff\"", "[", "nul", "   ",
    };
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rig_err_clear(&err);
        assert_null(parse(bad[i], &err));
        assert_int_equal(err.code, RIG_EINVAL);
        assert_string_equal(err.file, "input.json");
        assert_true(err.msg[0] != '\0');
    }
    rig_err_clear(&err);
    assert_null(rig_json_loadb("", 0, "body", &err));
    assert_string_equal(err.msg, "invalid JSON: the document is empty");
    assert_string_equal(err.file, "body");
    assert_int_equal(err.line, 0);
    assert_null(rig_json_loadb(NULL, 0, NULL, NULL)); /* err may be NULL */
    /* an embedded NUL byte is not JSON */
    assert_null(rig_json_loadb("[1]\0[2]", 7, "x", &err));
}

static void test_load_deep_nesting_refused(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    size_t n = 100000;
    char *s = xmalloc(2 * n + 1);

    (void)state;
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    assert_null(rig_json_loadb(s, 2 * n, "deep", &err));
    assert_non_null(strstr(err.msg, "depth"));
    free(s);
}

static void test_load_file(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *dir = tu_mkdtemp("rig-json");
    char *path = tu_path(dir, "a.json");
    char *missing = tu_path(dir, "missing.json");
    json_t *v;

    (void)state;
    tu_write_file(path, "{\"name\": \"rig\",\n \"n\": 3}\n");
    v = rig_json_load_file(path, 0, &err);
    assert_non_null(v);
    assert_string_equal(rig_json_str(v, "name", NULL), "rig");
    json_decref(v);

    /* exactly at the cap loads; one byte under fails */
    v = rig_json_load_file(path, 25, &err);
    assert_non_null(v);
    json_decref(v);
    assert_null(rig_json_load_file(path, 24, &err));
    assert_int_equal(err.code, RIG_ETOOBIG);
    assert_non_null(strstr(err.msg, "24-byte limit"));
    assert_non_null(strstr(err.msg, path));

    assert_null(rig_json_load_file(missing, 0, &err));
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_non_null(strstr(err.msg, missing));

    assert_null(rig_json_load_file(dir, 0, &err));
    assert_int_equal(err.code, RIG_EIO);

    tu_write_file(path, "{\n\n  \"a\": [1, 2,, 3]\n}\n");
    assert_null(rig_json_load_file(path, 0, &err));
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 3);
    assert_true(err.col > 0);

    tu_rmtree(dir);
    free(missing);
    free(path);
    free(dir);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void test_write_file_atomic(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *dir = tu_mkdtemp("rig-json");
    char *path = tu_path(dir, "state.json");
    char *bad = tu_path(dir, "no/such/dir/state.json");
    json_t *v = json_pack("{s:s, s:[i,i]}", "k", "v/~", "l", 1, 2);
    json_t *back;
    char *text;
    struct stat st;

    (void)state;
    assert_int_equal(rig_json_write_file(path, v, true, &err), 0);
    text = tu_read_file(path);
    assert_string_equal(text, "{\n  \"k\": \"v/~\",\n  \"l\": [\n    1,\n    2\n  ]\n}\n");
    free(text);
    back = rig_json_load_file(path, 0, &err);
    assert_true(json_equal(back, v));
    json_decref(back);

    /* overwrite in place, compact; no temp file left behind */
    json_object_set_new(v, "k", json_string("new"));
    assert_int_equal(rig_json_write_file(path, v, false, &err), 0);
    text = tu_read_file(path);
    assert_string_equal(text, "{\"k\":\"new\",\"l\":[1,2]}\n");
    free(text);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    {
        /* 0644 minus the umask, as for a plain create. */
        mode_t old = umask(077);

        assert_int_equal(rig_json_write_file(path, v, false, &err), 0);
        umask(old);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
    }

    assert_int_equal(rig_json_write_file(bad, v, false, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_non_null(strstr(err.msg, "no/such/dir/state.json"));
    assert_int_equal(count_entries(dir), 1);

    assert_int_equal(rig_json_write_file(path, NULL, false, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);

    json_decref(v);
    tu_rmtree(dir);
    free(bad);
    free(path);
    free(dir);
}

static void test_pointer_rfc6901_examples(void **state)
{
    /* the example document of RFC 6901 section 5 */
    const char *doc = "{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, \"e^f\": 3,"
                      " \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, \"m~n\": 8}";
    struct rig_err err = RIG_ERR_INIT;
    json_t *root = parse(doc, &err);
    static const struct {
        const char *ptr;
        long long val;
    } ints[] = {
        {"/", 0}, {"/a~1b", 1}, {"/c%d", 2}, {"/e^f", 3}, {"/g|h", 4},
        {"/i\\j", 5}, {"/k\"l", 6}, {"/ ", 7}, {"/m~0n", 8},
    };

    (void)state;
    assert_non_null(root);
    assert_ptr_equal(rig_json_pointer(root, ""), root);
    assert_ptr_equal(rig_json_pointer(root, "/foo"), json_object_get(root, "foo"));
    assert_string_equal(json_string_value(rig_json_pointer(root, "/foo/0")), "bar");
    assert_string_equal(json_string_value(rig_json_pointer(root, "/foo/1")), "baz");
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        assert_int_equal(json_integer_value(rig_json_pointer(root, ints[i].ptr)), ints[i].val);
    json_decref(root);
}

static void test_pointer_misses(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *root = parse("{\"a\": {\"b\": [10, 20, {\"c\": null}]}, \"s\": \"str\"}", &err);

    (void)state;
    assert_true(json_is_null(rig_json_pointer(root, "/a/b/2/c")));
    assert_int_equal(json_integer_value(rig_json_pointer(root, "/a/b/1")), 20);
    assert_null(rig_json_pointer(root, "a"));          /* must start with '/' */
    assert_null(rig_json_pointer(root, "/a/b/3"));     /* out of range */
    assert_null(rig_json_pointer(root, "/a/b/-"));     /* past the end never exists */
    assert_null(rig_json_pointer(root, "/a/b/01"));    /* leading zero */
    assert_null(rig_json_pointer(root, "/a/b/1x"));
    assert_null(rig_json_pointer(root, "/a/b/"));
    assert_null(rig_json_pointer(root, "/a/b/99999999999999999999999999"));
    assert_null(rig_json_pointer(root, "/s/0"));       /* into a scalar */
    assert_null(rig_json_pointer(root, "/a~2"));       /* bad escape */
    assert_null(rig_json_pointer(root, "/a~"));
    assert_null(rig_json_pointer(root, "/nope"));
    assert_null(rig_json_pointer(NULL, ""));
    assert_null(rig_json_pointer(root, NULL));
    json_decref(root);
}

static void test_pointer_escape_roundtrip(void **state)
{
    static const char *keys[] = {"plain", "a/b", "m~n", "~1", "/~/", "", "é ü"};
    json_t *root = json_object();

    (void)state;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        json_object_set_new(root, keys[i], json_integer((json_int_t)i));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char *tok = rig_json_pointer_escape(keys[i]);
        char *ptr = xasprintf("/%s", tok);

        assert_int_equal(json_integer_value(rig_json_pointer(root, ptr)), (long long)i);
        free(ptr);
        free(tok);
    }
    {
        char *t = rig_json_pointer_escape("~1/");

        assert_string_equal(t, "~01~1");
        free(t);
    }
    json_decref(root);
}

static void test_typed_getters(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *o = parse("{\"s\": \"x\", \"i\": 42, \"r\": 1.5, \"t\": true, \"f\": false,"
                      " \"n\": null}", &err);
    json_t *arr = json_array();

    (void)state;
    assert_string_equal(rig_json_str(o, "s", "dflt"), "x");
    assert_string_equal(rig_json_str(o, "i", "dflt"), "dflt");
    assert_string_equal(rig_json_str(o, "missing", "dflt"), "dflt");
    assert_null(rig_json_str(o, "n", NULL));
    assert_int_equal(rig_json_int(o, "i", -1), 42);
    assert_int_equal(rig_json_int(o, "r", -1), -1); /* a real is not an integer */
    assert_int_equal(rig_json_int(o, "s", -1), -1);
    assert_true(rig_json_num(o, "r", 0) == 1.5);
    assert_true(rig_json_num(o, "i", 0) == 42.0);
    assert_true(rig_json_num(o, "t", -2.0) == -2.0);
    assert_true(rig_json_bool(o, "t", false));
    assert_false(rig_json_bool(o, "f", true));
    assert_true(rig_json_bool(o, "i", true));
    assert_false(rig_json_bool(o, "missing", false));
    /* not an object: always the fallback */
    assert_string_equal(rig_json_str(arr, "s", "fb"), "fb");
    assert_int_equal(rig_json_int(NULL, "i", 7), 7);
    assert_true(rig_json_bool(NULL, "t", true));
    json_decref(arr);
    json_decref(o);
}

static void test_type_names(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *o = parse("{\"o\": {}, \"a\": [], \"s\": \"\", \"i\": 1, \"r\": 1.0, \"t\": true,"
                      " \"f\": false, \"n\": null}", &err);

    (void)state;
    assert_string_equal(rig_json_type_name(json_object_get(o, "o")), "object");
    assert_string_equal(rig_json_type_name(json_object_get(o, "a")), "array");
    assert_string_equal(rig_json_type_name(json_object_get(o, "s")), "string");
    assert_string_equal(rig_json_type_name(json_object_get(o, "i")), "integer");
    assert_string_equal(rig_json_type_name(json_object_get(o, "r")), "number");
    assert_string_equal(rig_json_type_name(json_object_get(o, "t")), "boolean");
    assert_string_equal(rig_json_type_name(json_object_get(o, "f")), "boolean");
    assert_string_equal(rig_json_type_name(json_object_get(o, "n")), "null");
    assert_string_equal(rig_json_type_name(NULL), "missing");
    assert_string_equal(rig_json_type_article(json_object_get(o, "o")), "an object");
    assert_string_equal(rig_json_type_article(json_object_get(o, "a")), "an array");
    assert_string_equal(rig_json_type_article(json_object_get(o, "s")), "a string");
    assert_string_equal(rig_json_type_article(json_object_get(o, "i")), "an integer");
    assert_string_equal(rig_json_type_article(json_object_get(o, "r")), "a number");
    assert_string_equal(rig_json_type_article(json_object_get(o, "t")), "a boolean");
    assert_string_equal(rig_json_type_article(json_object_get(o, "n")), "null");
    assert_string_equal(rig_json_type_article(NULL), "nothing");
    json_decref(o);
}

static void test_dump_unicode_and_null(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *v = parse("[\"\\u00e9\\ud83d\\ude00\", \"tab\\t\"]", &err);
    char *out;

    (void)state;
    assert_non_null(v);
    out = rig_json_dump(v, false);
    assert_string_equal(out, "[\"\xc3\xa9\xf0\x9f\x98\x80\",\"tab\\t\"]");
    free(out);
    json_decref(v);
    assert_null(rig_json_dump(NULL, false));
}

static void test_fixture_payload(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *path = tu_fixture("github-webhooks/issues/opened.payload.json");
    json_t *v;

    (void)state;
    v = rig_json_load_file(path, 0, &err);
    assert_non_null(v);
    assert_string_equal(rig_json_str(v, "action", NULL), "opened");
    assert_int_equal(json_integer_value(rig_json_pointer(v, "/issue/number")), 1);
    assert_string_equal(json_string_value(rig_json_pointer(v, "/issue/labels/0/name")), "bug");
    assert_string_equal(json_string_value(rig_json_pointer(v, "/repository/full_name")),
                        "Codertocat/Hello-World");
    json_decref(v);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_valid_keeps_order),
        cmocka_unit_test(test_load_scalars_and_big_ints),
        cmocka_unit_test(test_load_errors_have_location),
        cmocka_unit_test(test_load_rejects_bad_input),
        cmocka_unit_test(test_load_deep_nesting_refused),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_write_file_atomic),
        cmocka_unit_test(test_pointer_rfc6901_examples),
        cmocka_unit_test(test_pointer_misses),
        cmocka_unit_test(test_pointer_escape_roundtrip),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_dump_unicode_and_null),
        cmocka_unit_test(test_fixture_payload),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
