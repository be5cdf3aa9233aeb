#include "gate/findings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

static const char *const tool_names[SG_TOOL_COUNT] = {"semgrep", "archunit", "oasdiff"};

const char *sg_tool_name(enum sg_tool t)
{
    return (unsigned)t < SG_TOOL_COUNT ? tool_names[t] : "unknown";
}

int sg_tool_parse(const char *s, enum sg_tool *out)
{
    for (int i = 0; i < SG_TOOL_COUNT; i++) {
        if (s && strcmp(s, tool_names[i]) == 0) {
            *out = (enum sg_tool)i;
            return 0;
        }
    }
    return -1;
}

void sg_findings_add(struct sg_findings *f, enum sg_tool tool, const char *rule_id,
                     const char *check_id, const char *file, int line, const char *message,
                     const char *source)
{
    struct sg_finding *x;

    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->items = xreallocarray(f->items, f->cap, sizeof(*f->items));
    }
    x = &f->items[f->n++];
    x->tool = tool;
    x->rule_id = xstrdup(rule_id);
    x->check_id = xstrdup(check_id ? check_id : "");
    x->file = file && *file ? sg_path_normalize(file) : NULL;
    x->line = line > 0 ? line : 0;
    x->message = xstrdup(message ? message : "");
    x->source = xstrdup(source);
    x->unknown_rule = NULL;
}

void sg_findings_set_unknown_rule(struct sg_findings *f, const char *id)
{
    if (!f->n)
        return;
    free(f->items[f->n - 1].unknown_rule);
    f->items[f->n - 1].unknown_rule = xstrdup(id);
}

void sg_findings_add_error(struct sg_findings *f, enum sg_tool tool, bool fatal, const char *level,
                           const char *type, const char *message, const char *path,
                           const char *source)
{
    struct sg_tool_error *e;

    if (f->nerr == f->errcap) {
        f->errcap = f->errcap ? f->errcap * 2 : 8;
        f->errors = xreallocarray(f->errors, f->errcap, sizeof(*f->errors));
    }
    e = &f->errors[f->nerr++];
    e->tool = tool;
    e->fatal = fatal;
    e->level = xstrdup(level ? level : (fatal ? "error" : "warn"));
    e->type = xstrdup(type ? type : "error");
    e->message = xstrdup(message ? message : "");
    e->path = path && *path ? sg_path_normalize(path) : NULL;
    e->source = xstrdup(source);
}

void sg_findings_note_input(struct sg_findings *f, enum sg_tool tool, const char *path,
                            size_t nfindings, size_t nerrors)
{
    struct sg_input_info *in;

    if (f->ninputs == f->inputcap) {
        f->inputcap = f->inputcap ? f->inputcap * 2 : 4;
        f->inputs = xreallocarray(f->inputs, f->inputcap, sizeof(*f->inputs));
    }
    in = &f->inputs[f->ninputs++];
    in->tool = tool;
    in->path = xstrdup(path);
    in->findings = nfindings;
    in->errors = nerrors;
}

size_t sg_findings_fatal_count(const struct sg_findings *f)
{
    size_t n = 0;

    for (size_t i = 0; i < f->nerr; i++)
        n += f->errors[i].fatal;
    return n;
}

static void finding_free(struct sg_finding *x)
{
    free(x->rule_id);
    free(x->check_id);
    free(x->file);
    free(x->message);
    free(x->source);
    free(x->unknown_rule);
}

static void tool_error_free(struct sg_tool_error *e)
{
    free(e->level);
    free(e->type);
    free(e->message);
    free(e->path);
    free(e->source);
}

void sg_findings_truncate(struct sg_findings *f, size_t n, size_t nerr)
{
    while (f->n > n)
        finding_free(&f->items[--f->n]);
    while (f->nerr > nerr)
        tool_error_free(&f->errors[--f->nerr]);
}

void sg_findings_release(struct sg_findings *f)
{
    if (!f)
        return;
    sg_findings_truncate(f, 0, 0);
    for (size_t i = 0; i < f->ninputs; i++)
        free(f->inputs[i].path);
    free(f->items);
    free(f->errors);
    free(f->inputs);
    memset(f, 0, sizeof(*f));
}

char *sg_path_normalize(const char *path)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = path;

    for (;;) {
        if (p[0] == '.' && (p[1] == '/' || p[1] == '\\'))
            p += 2;
        else if (p[0] == '/' && p[1] == '/')
            p++;
        else
            break;
    }
    for (; *p; p++) {
        char c = *p == '\\' ? '/' : *p;

        if (c == '/' && b.len && b.data[b.len - 1] == '/')
            continue;
        rig_buf_addch(&b, c);
    }
    return rig_buf_take(&b);
}

int sg_read_input(const char *path, size_t max, char **out, size_t *len, struct rig_err *err)
{
    FILE *fp = NULL;
    struct stat st;
    struct rig_buf b;
    char chunk[65536];
    size_t n;
    int rc = -1;

    rig_buf_init(&b, max);
    *out = NULL;
    fp = fopen(path, "rb");
    if (!fp) {
        rig_err_errno(err, errno, "cannot read %s (check the path; a check tool that did not "
                                  "run leaves no result file)", path);
        goto out;
    }
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        rig_err_set(err, RIG_EINVAL, "%s is a directory, expected a result file", path);
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (rig_buf_add(&b, chunk, n) < 0) {
            rig_err_set(err, RIG_ETOOBIG, "%s is larger than the %zu byte limit for a result file",
                        path, max);
            goto out;
        }
    }
    if (ferror(fp)) {
        rig_err_errno(err, errno, "read error on %s", path);
        goto out;
    }
    *len = b.len;
    *out = rig_buf_take(&b);
    rc = 0;
out:
    if (fp)
        fclose(fp);
    rig_buf_release(&b);
    return rc;
}

const struct sg_rule *sg_rules_by_id(const struct sg_ruleset *set, const char *id)
{
    if (!set || !id)
        return NULL;
    for (size_t i = 0; i < set->n; i++) {
        if (set->rules[i].id && strcmp(set->rules[i].id, id) == 0)
            return &set->rules[i];
    }
    return NULL;
}

json_t *sg_rule_get(const struct sg_rule *r, const char *dotted)
{
    json_t *cur = r ? r->json : NULL;
    const char *p = dotted;

    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (!json_is_object(cur))
            return NULL;
        cur = json_object_getn(cur, p, n);
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

const char *sg_rule_str(const struct sg_rule *r, const char *dotted)
{
    json_t *v = sg_rule_get(r, dotted);

    return json_is_string(v) ? json_string_value(v) : NULL;
}
