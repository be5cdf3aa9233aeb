#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/yaml.h"

#include <libfyaml.h>

static struct rig_yaml_doc *load_ok(const char *text)
{
    struct rig_yaml_doc *doc = NULL;
    struct rig_err err = RIG_ERR_INIT;
    char buf[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

    if (rig_yaml_load_string("t.yaml", text, strlen(text), &doc, &err) < 0)
        fail_msg("unexpected error: %s", rig_err_format(&err, buf, sizeof(buf)));
    return doc;
}

/* Load text that must fail; returns the formatted message (static). */
static const char *load_err(const char *text)
{
    static char buf[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];
    struct rig_yaml_doc *doc = NULL;
    struct rig_err err = RIG_ERR_INIT;

    assert_int_equal(rig_yaml_load_string("t.yaml", text, strlen(text), &doc, &err), -1);
    assert_null(doc);
    assert_int_equal(err.code, RIG_ECONFIG);
    return rig_err_format(&err, buf, sizeof(buf));
}

static json_t *at(struct rig_yaml_doc *doc, const char *key)
{
    json_t *v = json_object_get(rig_yaml_root(doc), key);

    if (!v)
        fail_msg("key %s missing", key);
    return v;
}

static void test_core_schema_typing(void **state)
{
    struct rig_yaml_doc *doc = load_ok("t1: true\nt2: False\nn1: null\nn2: ~\nn3:\n"
                                       "i1: 42\ni2: -7\ni3: 0x1F\ni4: 0o17\ni5: +3\n"
                                       "f1: 1.5\nf2: -2e3\nf3: .5\n"
                                       "s1: yes\ns2: 1_000\ns3: 12abc\ns4: 'true'\ns5: \"42\"\n"
                                       "s6: !!str 12\ns7: ! 13\ni6: !!int \"14\"\nf4: !!float 2\n"
                                       "s8: |\n  line\n");

    (void)state;
    assert_true(json_is_true(at(doc, "t1")));
    assert_true(json_is_false(at(doc, "t2")));
    assert_true(json_is_null(at(doc, "n1")));
    assert_true(json_is_null(at(doc, "n2")));
    assert_true(json_is_null(at(doc, "n3")));
    assert_int_equal(json_integer_value(at(doc, "i1")), 42);
    assert_int_equal(json_integer_value(at(doc, "i2")), -7);
    assert_int_equal(json_integer_value(at(doc, "i3")), 31);
    assert_int_equal(json_integer_value(at(doc, "i4")), 15);
    assert_int_equal(json_integer_value(at(doc, "i5")), 3);
    assert_true(json_is_real(at(doc, "f1")));
    assert_true(json_real_value(at(doc, "f1")) == 1.5);
    assert_true(json_real_value(at(doc, "f2")) == -2000.0);
    assert_true(json_real_value(at(doc, "f3")) == 0.5);
    assert_string_equal(json_string_value(at(doc, "s1")), "yes");
    assert_string_equal(json_string_value(at(doc, "s2")), "1_000");
    assert_string_equal(json_string_value(at(doc, "s3")), "12abc");
    assert_string_equal(json_string_value(at(doc, "s4")), "true");
    assert_string_equal(json_string_value(at(doc, "s5")), "42");
    assert_string_equal(json_string_value(at(doc, "s6")), "12");
    assert_string_equal(json_string_value(at(doc, "s7")), "13");
    assert_int_equal(json_integer_value(at(doc, "i6")), 14);
    assert_true(json_is_real(at(doc, "f4")));
    assert_string_equal(json_string_value(at(doc, "s8")), "line\n");
    rig_yaml_free(doc);
}

/* The root scalar of text as Rig decodes it (malloc'd). */
static char *rig_scalar(const char *text)
{
    struct rig_yaml_doc *doc = load_ok(text);
    char *v = xstrdup(json_string_value(rig_yaml_root(doc)));

    rig_yaml_free(doc);
    return v;
}

static void test_single_quoted(void **state)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"'a b'", "a b"},
        {"'it''s'", "it's"},
        {"'  lead'", "  lead"},
        {"'trail  '", "trail  "},
        {"''", ""},
        {"'one\n  two'", "one two"},
        {"'one  \n\n  two'", "one\ntwo"},
        {"'one\n\n\n two'", "one\n\ntwo"},
        {"'a\r\n b\r\n\r\n c'", "a b\nc"},
        {"'tab\t\n\tnext'", "tab next"},
        {"'x\n '", "x "},
        {"\xef\xbb\xbf'after a BOM ''q'''", "after a BOM 'q'"},
        {"key: 'in a ''map'''", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fy_document *fyd;
        const char *ref;
        size_t n = 0;
        char *got;

        if (!cases[i].want)
            continue;
        got = rig_scalar(cases[i].yaml);
        assert_string_equal(got, cases[i].want);
        /* and libfyaml agrees where it decodes correctly */
        fyd = fy_document_build_from_string(NULL, cases[i].yaml, FY_NT);
        assert_non_null(fyd);
        ref = fy_node_get_scalar(fy_document_root(fyd), &n);
        assert_int_equal(n, strlen(got));
        assert_memory_equal(ref, got, n);
        fy_document_destroy(fyd);
        free(got);
    }
    /* a run of escaped quotes, which libfyaml 0.7.12 mis-decodes */
    {
        char *got = rig_scalar("''''''''''''''");
        struct rig_yaml_doc *doc = load_ok("k: 'a''''''''''b'\n");

        assert_string_equal(got, "''''''");
        assert_string_equal(json_string_value(at(doc, "k")), "a'''''b");
        rig_yaml_free(doc);
        free(got);
    }
}

static void test_empty_document_is_null(void **state)
{
    struct rig_yaml_doc *doc = load_ok("# only a comment\n");

    (void)state;
    assert_true(json_is_null(rig_yaml_root(doc)));
    assert_string_equal(rig_yaml_name(doc), "t.yaml");
    rig_yaml_free(doc);
    doc = load_ok("");
    assert_true(json_is_null(rig_yaml_root(doc)));
    rig_yaml_free(doc);
}

static void test_anchors_and_aliases(void **state)
{
    struct rig_yaml_doc *doc = load_ok("base: &b\n  x: 1\n  y: [a, b]\n"
                                       "copy: *b\nlist: [*b, *b]\nscalar: &s hi\nagain: *s\n");
    json_t *root;

    (void)state;
    root = rig_yaml_root(doc);
    assert_true(json_equal(json_object_get(root, "base"), json_object_get(root, "copy")));
    assert_int_equal(json_array_size(json_object_get(root, "list")), 2);
    assert_string_equal(json_string_value(at(doc, "again")), "hi");
    rig_yaml_free(doc);
}

static void test_merge_keys(void **state)
{
    struct rig_yaml_doc *doc = load_ok("defaults: &d\n  timeout: 5m\n  retry: 1\n"
                                       "other: &o\n  retry: 9\n  user: deploy\n"
                                       "cmd:\n  name: x\n  retry: 3\n  <<: [*d, *o]\n"
                                       "inline:\n  <<: {a: 1, b: 2}\n  b: 3\n");
    json_t *cmd = at(doc, "cmd"), *in = at(doc, "inline");
    struct rig_yaml_pos v, k;

    (void)state;
    /* explicit key wins even when written before the merge */
    assert_int_equal(json_integer_value(json_object_get(cmd, "retry")), 3);
    assert_string_equal(json_string_value(json_object_get(cmd, "timeout")), "5m");
    assert_string_equal(json_string_value(json_object_get(cmd, "user")), "deploy");
    assert_null(json_object_get(cmd, "<<"));
    assert_int_equal(json_integer_value(json_object_get(in, "a")), 1);
    assert_int_equal(json_integer_value(json_object_get(in, "b")), 3);
    /* explicit key keeps its own position; merged ones point at the merge */
    assert_int_equal(rig_yaml_pos(doc, "/cmd/retry", &v, &k), 0);
    assert_int_equal(v.line, 9);
    assert_int_equal(k.line, 9);
    assert_int_equal(k.col, 3);
    assert_int_equal(rig_yaml_pos(doc, "/cmd/timeout", &v, &k), 0);
    assert_int_equal(v.line, 10);
    assert_int_equal(v.col, 7);
    assert_int_equal(k.line, 10);
    assert_int_equal(k.col, 3);
    assert_int_equal(rig_yaml_pos(doc, "/inline/b", &v, NULL), 0);
    assert_int_equal(v.line, 13);
    assert_int_equal(rig_yaml_pos(doc, "/inline/a", &v, &k), 0);
    assert_int_equal(v.line, 12);
    assert_int_equal(v.col, 11);
    assert_int_equal(k.col, 8);
    rig_yaml_free(doc);
}

static void test_positions(void **state)
{
    struct rig_yaml_doc *doc = load_ok("project:\n  name: demo\n"
                                       "deploy:\n  commands:\n    - name: build\n"
                                       "      run: \"make\"\n    - {name: t, run: x}\n"
                                       "a/b: 1\nt~: 2\n");
    struct rig_yaml_pos v, k;

    (void)state;
    assert_int_equal(rig_yaml_pos(doc, "/project/name", &v, &k), 0);
    assert_int_equal(v.line, 2);
    assert_int_equal(v.col, 9);
    assert_int_equal(k.line, 2);
    assert_int_equal(k.col, 3);
    assert_int_equal(rig_yaml_pos(doc, "/project", &v, &k), 0);
    assert_int_equal(k.line, 1);
    assert_int_equal(k.col, 1);
    assert_int_equal(v.line, 2);
    assert_int_equal(rig_yaml_pos(doc, "/deploy/commands/0/run", &v, &k), 0);
    assert_int_equal(v.line, 6);
    assert_int_equal(v.col, 12);
    assert_int_equal(rig_yaml_pos(doc, "/deploy/commands/1", &v, &k), 0);
    assert_int_equal(v.line, 7);
    assert_int_equal(v.col, 7);
    assert_int_equal(k.line, 0);
    assert_int_equal(rig_yaml_pos(doc, "/deploy/commands/1/run", &v, NULL), 0);
    assert_int_equal(v.col, 22);
    assert_int_equal(rig_yaml_pos(doc, "/a~1b", &v, NULL), 0);
    assert_int_equal(v.line, 8);
    assert_int_equal(rig_yaml_pos(doc, "/t~0", &v, NULL), 0);
    assert_int_equal(v.line, 9);
    /* unknown pointer: nearest ancestor is reported, return -1 */
    assert_int_equal(rig_yaml_pos(doc, "/deploy/commands/0/nope/deeper", &v, &k), -1);
    assert_int_equal(v.line, 5);
    assert_int_equal(v.col, 7);
    assert_int_equal(rig_yaml_pos(doc, "/nothing", &v, &k), -1);
    assert_int_equal(v.line, 1);
    rig_yaml_free(doc);
}

static void test_empty_scalars_have_positions(void **state)
{
    struct rig_yaml_doc *doc = load_ok("top:\n  a:\n  b: {: x}\n");
    struct rig_yaml_pos v, k;

    (void)state;
    assert_int_equal(rig_yaml_pos(doc, "/top/a", &v, &k), 0);
    assert_int_equal(k.line, 2);
    assert_int_equal(v.line, 2); /* no mark of its own: its key's */
    assert_int_equal(v.col, 3);
    assert_int_equal(rig_yaml_pos(doc, "/top/b/", &v, &k), 0);
    assert_int_equal(k.line, 3); /* the empty key: its mapping's */
    assert_int_equal(k.col, 6);
    assert_int_equal(v.col, 9);
    rig_yaml_free(doc);
    doc = load_ok(": {na:}\n");
    assert_int_equal(rig_yaml_pos(doc, "/", &v, &k), 0);
    assert_int_equal(k.line, 1);
    assert_int_equal(k.col, 1);
    assert_int_equal(rig_yaml_pos(doc, "//na", &v, &k), 0);
    assert_int_equal(k.line, 1);
    assert_int_equal(k.col, 4);
    assert_int_equal(v.line, 1);
    rig_yaml_free(doc);
}

static void test_alias_positions_fall_back_to_alias(void **state)
{
    struct rig_yaml_doc *doc = load_ok("a: &x\n  b: 1\nc: *x\n");
    struct rig_yaml_pos v;

    (void)state;
    assert_int_equal(rig_yaml_pos(doc, "/c/b", &v, NULL), -1);
    assert_int_equal(v.line, 3);
    assert_int_equal(v.col, 4);
    rig_yaml_free(doc);
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(load_err("a: 1\nb: 2\na: 3\n"),
                        "t.yaml:3:1: duplicate key 'a' (first defined at line 1)");
    assert_string_equal(load_err("x:\n  k: 1\n  k: 2\n"),
                        "t.yaml:3:3: duplicate key 'k' (first defined at line 2)");
    assert_string_equal(load_err("? [a]\n: 1\n"),
                        "t.yaml:1:3: mapping keys must be plain strings, not lists, mappings or "
                        "aliases");
    assert_string_equal(load_err("a: 1\n---\nb: 2\n"),
                        "t.yaml:2:1: only one YAML document is allowed in a file (remove the "
                        "second document or its '---' line)");
    assert_string_equal(load_err("a: *nope\n"),
                        "t.yaml:1:4: alias '*nope' refers to an unknown anchor (define '&nope' "
                        "before using it; a node cannot refer to itself)");
    assert_string_equal(load_err("a: &x [*x]\n"),
                        "t.yaml:1:8: alias '*x' refers to an unknown anchor (define '&x' before "
                        "using it; a node cannot refer to itself)");
    assert_string_equal(load_err("a: !foo x\n"), "t.yaml:1:4: unsupported YAML tag '!foo'");
    assert_string_equal(load_err("a: !!int abc\n"), "t.yaml:1:4: 'abc' is not a valid !!int");
    assert_string_equal(load_err("a: 99999999999999999999\n"),
                        "t.yaml:1:4: integer 99999999999999999999 is out of range");
    assert_string_equal(load_err("a: .inf\n"),
                        "t.yaml:1:4: '.inf' (infinity or NaN) cannot be used as a number here");
    assert_string_equal(load_err("a: \"x\\0y\"\n"), "t.yaml:1:4: string contains a NUL character");
    assert_string_equal(load_err("a: 1\nb: x\xc3\xa9\x96\n"),
                        "t.yaml:2:6: the file is not valid UTF-8 (byte 0x96); save it as UTF-8");
    /* libfyaml 0.7.12 loops forever on this one: it must never reach it */
    assert_string_equal(load_err("%\x96!$JJJJ"),
                        "t.yaml:1:2: the file is not valid UTF-8 (byte 0x96); save it as UTF-8");
    assert_string_equal(load_err("a: \xed\xa0\x80\n"),
                        "t.yaml:1:4: the file is not valid UTF-8 (byte 0xED); save it as UTF-8");
    assert_string_equal(load_err("a: \xc0\xaf\n"),
                        "t.yaml:1:4: the file is not valid UTF-8 (byte 0xC0); save it as UTF-8");
    assert_string_equal(load_err("a: 1\n<<: 5\n"),
                        "t.yaml:2:5: merge key '<<' needs a mapping or a list of mappings");
    assert_string_equal(load_err("a: [1\nb: 2\n"),
                        "t.yaml:3:1: YAML syntax error: flow sequence without a closing bracket");
    assert_string_equal(load_err("a: \"\\q\"\n"),
                        "t.yaml:1:5: YAML syntax error: invalid escape 'q' in double-quoted "
                        "string");
}

static void test_syntax_error_is_quiet_and_located(void **state)
{
    (void)state;
    assert_string_equal(load_err("key: value\n  bad indent: x\n"),
                        "t.yaml:1:6: YAML syntax error: invalid multiline plain key");
    assert_string_equal(load_err("a: 'open\n"),
                        "t.yaml:1:5: YAML syntax error: single-quoted scalar without closing "
                        "quote");
}

static void test_billion_laughs_refused(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *msg;

    (void)state;
    rig_buf_adds(&b, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++) {
        rig_buf_addf(&b, "l%d: &l%d [", i, i);
        for (int j = 0; j < 10; j++)
            rig_buf_addf(&b, "%s*l%d", j ? ", " : "", i - 1);
        rig_buf_adds(&b, "]\n");
    }
    msg = load_err(rig_buf_str(&b));
    assert_non_null(strstr(msg, "too large once aliases are expanded"));
    rig_buf_release(&b);
}

static void test_load_file(void **state)
{
    char *dir = tu_mkdtemp("yaml");
    char *path = tu_path(dir, "rig.yaml");
    char *missing = tu_path(dir, "missing.yaml");
    struct rig_yaml_doc *doc = NULL;
    struct rig_err err = RIG_ERR_INIT;
    char buf[2048];

    (void)state;
    tu_write_file(path, "a:\n  - 1\n  - two\n");
    assert_int_equal(rig_yaml_load_file(path, &doc, &err), 0);
    assert_string_equal(rig_yaml_name(doc), path);
    assert_int_equal(json_array_size(json_object_get(rig_yaml_root(doc), "a")), 2);
    rig_yaml_free(doc);
    assert_int_equal(rig_yaml_load_file(missing, &doc, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    tu_write_file(path, "a: 1\na: 2\n");
    assert_int_equal(rig_yaml_load_file(path, &doc, &err), -1);
    rig_err_format(&err, buf, sizeof(buf));
    assert_true(strncmp(buf, path, strlen(path)) == 0);
    assert_non_null(strstr(buf, ":2:1: duplicate key 'a'"));
    rig_yaml_free(NULL);
    tu_rmtree(dir);
    free(dir);
    free(path);
    free(missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_schema_typing),
        cmocka_unit_test(test_single_quoted),
        cmocka_unit_test(test_empty_document_is_null),
        cmocka_unit_test(test_anchors_and_aliases),
        cmocka_unit_test(test_merge_keys),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_empty_scalars_have_positions),
        cmocka_unit_test(test_alias_positions_fall_back_to_alias),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_syntax_error_is_quiet_and_located),
        cmocka_unit_test(test_billion_laughs_refused),
        cmocka_unit_test(test_load_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
