/*
 * Model answers are untrusted text: every parser over arbitrary bytes must
 * neither crash nor leak, and a successful changeset must satisfy the
 * documented invariants (non-empty paths, content for writes, edits for edits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/ai/ai_parse.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_changes(const struct rig_ai_file_change *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!f[i].path || !f[i].path[0])
            abort();
        if (f[i].action == RIG_AI_WRITE && !f[i].content)
            abort();
        if (f[i].action == RIG_AI_EDIT && (f[i].nedits == 0 || !f[i].edits[0].search[0]))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    struct rig_ai_proposal p;
    const struct rig_ai_file ro = {"ro.txt", "", true};
    char *out = NULL;
    char **files = NULL;
    size_t start = 0, len = 0;
    json_t *v = rig_ai_extract_json(text, &start, &len, &err);

    if (v && (start + len > strlen(text) || text[start] != '{' || text[start + len - 1] != '}'))
        abort();
    json_decref(v);
    if (rig_ai_parse_plan(text, &out, &files, &err) == 0) {
        free(out);
        rig_strv_free(files);
    }
    if (rig_ai_parse_changeset(text, true, &cs, &err) == 0) {
        if (cs.nfiles == 0 || !cs.summary)
            abort();
        check_changes(cs.files, cs.nfiles);
        rig_ai_changeset_release(&cs);
    }
    if (rig_ai_parse_proposal(text, &ro, 1, &p, &err) == 0) {
        check_changes(p.files, p.nfiles);
        for (size_t i = 0; i < p.nfiles; i++)
            if (strcmp(p.files[i].path, "ro.txt") == 0)
                abort();
        rig_ai_proposal_release(&p);
    }
    if (rig_ai_parse_explain(text, &out, &err) == 0)
        free(out);
    free(text);
    return 0;
}
