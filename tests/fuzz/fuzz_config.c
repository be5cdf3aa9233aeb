/*
 * Arbitrary bytes as rig.yaml: the YAML layer and the whole config loader.
 * Beyond "no crash, no leak" it checks that a failed load always explains
 * itself (at least one error, all naming the file, sorted by position) and
 * that a successful load adds no error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/log.h"
#include "core/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errors(const struct rig_errlist *errs)
{
    if (errs->len == 0)
        abort();
    for (size_t i = 0; i < errs->len; i++) {
        const struct rig_err *e = &errs->items[i];

        if (strcmp(e->file, "fuzz.yaml") != 0 || e->msg[0] == '\0')
            abort();
        if (i && (e[-1].line > e->line || (e[-1].line == e->line && e[-1].col > e->col)))
            abort();
    }
}

static void yaml_positions(const char *text, size_t size)
{
    struct rig_yaml_doc *doc = NULL;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_yaml_pos v, k;
    const char *key;
    json_t *val;

    if (rig_yaml_load_string("fuzz.yaml", text, size, &doc, &err) < 0) {
        if (err.msg[0] == '\0')
            abort();
        return;
    }
    rig_yaml_pos(doc, "", &v, &k);
    if (json_is_object(rig_yaml_root(doc))) {
        json_object_foreach(rig_yaml_root(doc), key, val) {
            char ptr[256];

            if (strchr(key, '/') || strchr(key, '~') || strlen(key) > 200)
                continue;
            snprintf(ptr, sizeof(ptr), "/%s", key);
            /* a key of the root is always recorded */
            if (rig_yaml_pos(doc, ptr, &v, &k) < 0 || k.line < 1)
                abort();
            (void)val;
        }
    }
    rig_yaml_pos(doc, "/deploy/config/commands/0/run/x", &v, &k);
    rig_yaml_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rig_config cfg;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    const char *text = (const char *)data;

    yaml_positions(text, size);
    if (rig_config_load_string("fuzz.yaml", "/nonexistent", text, size, &cfg, &errs) < 0)
        check_errors(&errs);
    else if (errs.len != 0)
        abort();
    rig_config_release(&cfg);
    rig_errlist_release(&errs);
    /* loading registers secrets process-wide; do not let them pile up */
    rig_secret_clear();
    return 0;
}
