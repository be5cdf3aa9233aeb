/*
 * Shared pieces of the generators: the in-memory result, text escaping for
 * comments and YAML, the manifest.
 */
#include "gate/gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

const char *sg_gen_kind_name(enum sg_gen_kind k)
{
    switch (k) {
    case SG_GEN_ARCHUNIT: return "archunit";
    case SG_GEN_SEMGREP: return "semgrep";
    case SG_GEN_OPENAPI: return "openapi";
    case SG_GEN_MANIFEST: return "manifest";
    }
    return "?";
}

void sg_gen_add_file(struct sg_gen_result *res, enum sg_gen_kind kind, char *path, char *content,
                     const char *const *rule_ids, size_t nids)
{
    struct sg_gen_file *f;

    res->files = xreallocarray(res->files, res->nfiles + 1, sizeof(*res->files));
    f = &res->files[res->nfiles++];
    f->path = path;
    f->kind = kind;
    f->content = content;
    f->rule_ids = xcalloc(nids + 1, sizeof(*f->rule_ids));
    for (size_t i = 0; i < nids; i++)
        f->rule_ids[i] = xstrdup(rule_ids[i]);
}

void sg_gen_add_skip(struct sg_gen_result *res, enum sg_gen_kind kind, const char *rule_id,
                     const char *fmt, ...)
{
    struct sg_gen_skip *s;
    va_list ap;

    res->skips = xreallocarray(res->skips, res->nskips + 1, sizeof(*res->skips));
    s = &res->skips[res->nskips++];
    s->rule_id = xstrdup(rule_id);
    s->kind = kind;
    va_start(ap, fmt);
    s->reason = xvasprintf(fmt, ap);
    va_end(ap);
}

void sg_gen_error(struct rig_errlist *errs, const struct sg_ruleset *set, const struct sg_rule *r,
                  const char *sub, const char *fmt, ...)
{
    char msg[RIG_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rig_errlist_addf(errs, RIG_ECONFIG, set->source, r->line, 0, "%s%s%s: %s (%s)",
                     r->pointer[0] ? r->pointer : "", sub ? "/" : "", sub ? sub : "", msg, r->id);
}

bool sg_gen_tool_disabled(const struct sg_rule *r, const char *tool)
{
    json_t *enabled = json_object_get(
        json_object_get(json_object_get(r->json, "ci_info"), "workflow_config"), "enabled_tools");
    size_t i;
    json_t *t;

    if (!json_is_array(enabled))
        return false;
    json_array_foreach(enabled, i, t) {
        if (rig_str_eq(json_string_value(t), tool))
            return false;
    }
    return true;
}

void sg_gen_comment_text(struct rig_buf *b, const char *s, bool java)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            rig_buf_addch(b, ' ');
        else if (java && *p == '\\')
            rig_buf_adds(b, "\\\\");
        else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            /* U+2028/U+2029 end a line for some YAML readers */
            rig_buf_addch(b, ' ');
            p += 2;
        } else
            rig_buf_addch(b, (char)*p);
    }
}

static bool yaml_plain_ok(const char *s)
{
    static const char *const keywords[] = {"y", "n", "yes", "no", "on", "off", "true",
                                           "false", "null", NULL};

    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return false;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return false;
    }
    for (size_t i = 0; keywords[i]; i++) {
        if (strcasecmp(s, keywords[i]) == 0)
            return false;
    }
    return true;
}

/* Length of the UTF-8 sequence at p (input is valid UTF-8: jansson checked it). */
static size_t utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    return 4;
}

static unsigned long utf8_cp(const unsigned char *p, size_t n)
{
    unsigned long cp;

    if (n == 1)
        return p[0];
    cp = p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (p[i] & 0x3F);
    return cp;
}

void sg_yaml_scalar(struct rig_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (yaml_plain_ok(s)) {
        rig_buf_adds(b, s);
        return;
    }
    rig_buf_addch(b, '"');
    while (*p) {
        size_t n = utf8_len(*p);
        unsigned long cp;

        for (size_t i = 1; i < n; i++) {
            if (!p[i]) {
                n = i;
                break;
            }
        }
        cp = utf8_cp(p, n);
        if (cp == '"' || cp == '\\') {
            rig_buf_addch(b, '\\');
            rig_buf_addch(b, (char)cp);
        } else if (cp == '\n') {
            rig_buf_adds(b, "\\n");
        } else if (cp == '\t') {
            rig_buf_adds(b, "\\t");
        } else if (cp == '\r') {
            rig_buf_adds(b, "\\r");
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            rig_buf_addf(b, "\\x%02lX", cp);
        } else if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE ||
                   cp == 0xFFFF) {
            rig_buf_addf(b, "\\u%04lX", cp);
        } else {
            rig_buf_add(b, p, n);
        }
        p += n;
    }
    rig_buf_addch(b, '"');
}

void sg_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[64] = '\0';
}

void sg_gen_manifest(const struct sg_ruleset *set, const struct sg_gen_opts *o,
                     struct sg_gen_result *res)
{
    json_t *m = json_object();
    json_t *files = json_array();
    json_t *skipped = json_array();
    json_t *rules = json_array();
    char *text;

    json_object_set_new(m, "generated_by", json_string("specgate"));
    json_object_set_new(m, "note", json_string(SG_GEN_MARKER));
    json_object_set_new(m, "source", json_string(o->rules_path ? o->rules_path : set->source));
    json_object_set_new(m, "java_package", json_string(o->java_package));
    json_object_set_new(m, "analyze_package", json_string(o->analyze_package));
    for (size_t i = 0; i < set->n; i++)
        json_array_append_new(rules, json_string(set->rules[i].id));
    json_object_set_new(m, "rules", rules);
    for (size_t i = 0; i < res->nfiles; i++) {
        const struct sg_gen_file *f = &res->files[i];
        json_t *jf = json_object();
        json_t *ids = json_array();
        char sha[65];

        sg_sha256_hex(f->content, strlen(f->content), sha);
        json_object_set_new(jf, "path", json_string(f->path));
        json_object_set_new(jf, "kind", json_string(sg_gen_kind_name(f->kind)));
        for (size_t k = 0; f->rule_ids[k]; k++)
            json_array_append_new(ids, json_string(f->rule_ids[k]));
        json_object_set_new(jf, "rule_ids", ids);
        json_object_set_new(jf, "sha256", json_string(sha));
        json_array_append_new(files, jf);
    }
    for (size_t i = 0; i < res->nskips; i++) {
        json_t *js = json_object();

        json_object_set_new(js, "rule_id", json_string(res->skips[i].rule_id));
        json_object_set_new(js, "kind", json_string(sg_gen_kind_name(res->skips[i].kind)));
        json_object_set_new(js, "reason", json_string(res->skips[i].reason));
        json_array_append_new(skipped, js);
    }
    json_object_set_new(m, "files", files);
    json_object_set_new(m, "skipped", skipped);
    text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(m);
    sg_gen_add_file(res, SG_GEN_MANIFEST, xstrdup("manifest.json"), xasprintf("%s\n", text),
                    NULL, 0);
    free(text);
}

void sg_gen_result_release(struct sg_gen_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nfiles; i++) {
        free(res->files[i].path);
        free(res->files[i].content);
        rig_strv_free(res->files[i].rule_ids);
    }
    for (size_t i = 0; i < res->nskips; i++) {
        free(res->skips[i].rule_id);
        free(res->skips[i].reason);
    }
    free(res->files);
    free(res->skips);
    memset(res, 0, sizeof(*res));
}
