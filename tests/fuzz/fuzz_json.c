/*
 * rig_json_loadb over arbitrary bytes, then pointer lookups and dumps. Beyond
 * "no crash, no leak" it checks two properties and aborts when they break:
 * every object key is reachable through its escaped pointer, and a dump parses
 * back to an equal value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed_pointers[] = {
    "", "/", "/0", "/a", "/a/0", "/a/b/c", "/-", "/00", "/~0", "/~1", "/~", "/~2",
    "//", "/0/0/0/0", "x",
};

static void check_keys_reachable(json_t *root)
{
    const char *key;
    json_t *val;

    if (!json_is_object(root))
        return;
    json_object_foreach(root, key, val) {
        char *tok = rig_json_pointer_escape(key);
        char *ptr = xasprintf("/%s", tok);

        if (rig_json_pointer(root, ptr) != val)
            abort();
        free(ptr);
        free(tok);
    }
}

static void check_dump_roundtrip(json_t *root, bool pretty)
{
    char *text = rig_json_dump(root, pretty);
    json_t *back;

    if (!text)
        abort();
    back = rig_json_loadb(text, strlen(text), "dump", NULL);
    if (!back || !json_equal(root, back))
        abort();
    json_decref(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *root = rig_json_loadb((const char *)data, size, "fuzz", &err);
    char *as_pointer;

    if (!root) {
        if (err.msg[0] == '\0' || strcmp(err.file, "fuzz") != 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < sizeof(fixed_pointers) / sizeof(fixed_pointers[0]); i++)
        rig_json_pointer(root, fixed_pointers[i]);
    /* the input itself as a pointer (up to its first NUL) */
    as_pointer = xstrndup((const char *)data, size);
    rig_json_pointer(root, as_pointer);
    free(as_pointer);
    check_keys_reachable(root);
    check_dump_roundtrip(root, false);
    check_dump_roundtrip(root, true);
    rig_json_str(root, "a", NULL);
    rig_json_int(root, "a", 0);
    rig_json_num(root, "a", 0);
    rig_json_bool(root, "a", false);
    rig_json_type_name(rig_json_pointer(root, "/0"));
    json_decref(root);
    return 0;
}
