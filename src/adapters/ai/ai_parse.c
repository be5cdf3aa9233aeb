#include "adapters/ai/ai_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

/* Candidates tried before giving up: bounds the work on hostile answers full of
 * braces (each try is a linear scan). */
#define MAX_CANDIDATES 64

static void line_col(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;

    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *col = c;
}

/* A '{' that starts a JSON object is followed by a key or by '}': this keeps
 * prose and code like "main() {" out of the candidates. */
static bool looks_like_object(const char *text, size_t i)
{
    size_t j = i + 1;

    while (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')
        j++;
    return text[j] == '"' || text[j] == '}';
}

/* Index of the '}' closing the object opened at text[i], honouring strings and
 * escapes; -1 when the text ends first. */
static long scan_object(const char *text, size_t n, size_t i)
{
    long depth = 0;
    bool in_str = false;

    for (size_t j = i; j < n; j++) {
        char ch = text[j];

        if (in_str) {
            if (ch == '\\')
                j++;
            else if (ch == '"')
                in_str = false;
            continue;
        }
        if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
            if (depth == 0)
                return (long)j; /* a stray ']' here is left to the parser to report */
        }
    }
    return -1;
}

static void set_parse_err(struct rig_err *err, const char *text, size_t start,
                          const json_error_t *jerr)
{
    int sl, sc;
    int line, col;

    line_col(text, start, &sl, &sc);
    line = sl + jerr->line - 1;
    col = jerr->line <= 1 ? sc + jerr->column - 1 : jerr->column;
    if (jerr->line < 1)
        line = sl, col = sc;
    rig_err_set(err, RIG_EINVAL, "answer line %d:%d: invalid JSON: %s", line, col, jerr->text);
}

static void answer_head(const char *text, char *out, size_t n)
{
    size_t j = 0;

    for (size_t i = 0; text[i] && j + 4 < n && i < 60; i++)
        out[j++] = (text[i] == '\n' || text[i] == '\r' || text[i] == '\t') ? ' ' : text[i];
    if (j + 4 < n && strlen(text) > 60) {
        out[j++] = '.';
        out[j++] = '.';
        out[j++] = '.';
    }
    out[j] = '\0';
}

json_t *rig_ai_extract_json(const char *text, size_t *start, size_t *len, struct rig_err *err)
{
    size_t n = strlen(text);
    struct rig_err first = RIG_ERR_INIT;
    int tried = 0;
    size_t i = 0;

    while (i < n && tried < MAX_CANDIDATES) {
        json_error_t jerr;
        json_t *v;
        long end;

        if (text[i] != '{' || !looks_like_object(text, i)) {
            i++;
            continue;
        }
        tried++;
        end = scan_object(text, n, i);
        if (end < 0) {
            int line, col;

            if (!first.code) {
                line_col(text, i, &line, &col);
                rig_err_set(&first, RIG_EINVAL,
                            "answer line %d:%d: the JSON object is not closed (the answer is "
                            "truncated or its braces do not balance)", line, col);
            }
            break; /* everything after is inside this unclosed object */
        }
        v = json_loadb(text + i, (size_t)end - i + 1, JSON_REJECT_DUPLICATES, &jerr);
        if (v && json_is_object(v)) {
            if (start)
                *start = i;
            if (len)
                *len = (size_t)end - i + 1;
            return v;
        }
        json_decref(v);
        if (!first.code)
            set_parse_err(&first, text, i, &jerr);
        i = (size_t)end + 1;
    }
    if (first.code) {
        if (err)
            *err = first;
        return NULL;
    }
    {
        char head[80];

        answer_head(text, head, sizeof(head));
        rig_err_set(err, RIG_EINVAL, "no JSON object found in the answer (it starts with \"%s\")",
                    head);
    }
    return NULL;
}

/* Exact key first, then case-insensitively (models write "Summary" now and then). */
static json_t *member(json_t *obj, const char *key)
{
    const char *k;
    json_t *v = json_object_get(obj, key);

    if (v)
        return v;
    json_object_foreach(obj, k, v) {
        if (strcasecmp(k, key) == 0)
            return v;
    }
    return NULL;
}

/* Fetch an optional or required string member. *out borrowed; NULL when absent
 * or null (optional only). */
static int get_str(json_t *obj, const char *key, const char *where, bool required,
                   bool nonempty, const char **out, struct rig_err *err)
{
    json_t *v = member(obj, key);
    const char *s;

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return rig_err_set(err, RIG_EINVAL, "\"%s%s\" is missing (a string is required)",
                               where, key);
        return 0;
    }
    if (!json_is_string(v))
        return rig_err_set(err, RIG_EINVAL, "\"%s%s\" must be a string, not %s", where, key,
                           rig_json_type_article(v));
    s = json_string_value(v);
    if (nonempty) {
        size_t k = 0;

        while (s[k] && isspace((unsigned char)s[k]))
            k++;
        if (!s[k])
            return rig_err_set(err, RIG_EINVAL, "\"%s%s\" is empty", where, key);
    }
    *out = s;
    return 0;
}

/* Optional array member: NULL when absent or null. */
static int get_array(json_t *obj, const char *key, const char *where, bool required,
                     json_t **out, struct rig_err *err)
{
    json_t *v = member(obj, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return rig_err_set(err, RIG_EINVAL, "\"%s%s\" is missing (an array is required)",
                               where, key);
        return 0;
    }
    if (!json_is_array(v))
        return rig_err_set(err, RIG_EINVAL, "\"%s%s\" must be an array, not %s", where, key,
                           rig_json_type_article(v));
    *out = v;
    return 0;
}

static char *trimmed_dup(const char *s)
{
    char *d = xstrdup(s);

    rig_str_trim(d);
    return d;
}

/* Array of non-empty strings -> NULL-terminated vector. */
static int string_list(json_t *arr, const char *name, char ***out, struct rig_err *err)
{
    size_t n = arr ? json_array_size(arr) : 0;
    char **v = xcalloc(n + 1, sizeof(*v));
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);

        if (!json_is_string(e)) {
            rig_strv_free(v);
            return rig_err_set(err, RIG_EINVAL, "\"%s[%zu]\" must be a string, not %s", name, i,
                               rig_json_type_article(e));
        }
        if (!*json_string_value(e))
            continue;
        v[k++] = trimmed_dup(json_string_value(e));
    }
    *out = v;
    return 0;
}

static void change_release(struct rig_ai_file_change *c)
{
    free(c->path);
    free(c->content);
    for (size_t i = 0; i < c->nedits; i++) {
        free(c->edits[i].search);
        free(c->edits[i].replace);
    }
    free(c->edits);
    memset(c, 0, sizeof(*c));
}

static void changes_free(struct rig_ai_file_change *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        change_release(&files[i]);
    free(files);
}

static int parse_action(json_t *c, const char *where, bool has_content, bool has_edits,
                        enum rig_ai_action *out, struct rig_err *err)
{
    static const struct {
        const char *name;
        enum rig_ai_action action;
    } names[] = {
        {"write", RIG_AI_WRITE}, {"create", RIG_AI_WRITE}, {"modify", RIG_AI_WRITE},
        {"update", RIG_AI_WRITE}, {"replace", RIG_AI_WRITE}, {"delete", RIG_AI_DELETE},
        {"remove", RIG_AI_DELETE}, {"edit", RIG_AI_EDIT}, {"patch", RIG_AI_EDIT},
    };
    const char *a;

    if (get_str(c, "action", where, false, false, &a, err) < 0)
        return -1;
    if (!a || !*a) {
        if (has_edits)
            *out = RIG_AI_EDIT;
        else if (has_content)
            *out = RIG_AI_WRITE;
        else
            return rig_err_set(err, RIG_EINVAL,
                               "\"%saction\" is missing (use \"write\", \"delete\" or \"edit\")",
                               where);
        return 0;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(a, names[i].name) == 0) {
            *out = names[i].action;
            return 0;
        }
    }
    return rig_err_set(err, RIG_EINVAL,
                       "\"%saction\" is \"%s\": use \"write\", \"delete\" or \"edit\"", where, a);
}

static int parse_edits(json_t *arr, const char *where, struct rig_ai_file_change *out,
                       struct rig_err *err)
{
    size_t n = json_array_size(arr);

    if (n == 0)
        return rig_err_set(err, RIG_EINVAL,
                           "\"%sedits\" is empty: an edit needs at least one search/replace pair",
                           where);
    out->edits = xcalloc(n, sizeof(*out->edits));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        char ew[96];
        const char *s, *r;

        snprintf(ew, sizeof(ew), "%sedits[%zu].", where, i);
        if (!json_is_object(e))
            return rig_err_set(err, RIG_EINVAL, "\"%sedits[%zu]\" must be an object, not %s",
                               where, i, rig_json_type_article(e));
        if (get_str(e, "search", ew, true, false, &s, err) < 0 ||
            get_str(e, "replace", ew, true, false, &r, err) < 0)
            return -1;
        if (!*s)
            return rig_err_set(err, RIG_EINVAL,
                               "\"%ssearch\" is empty: quote the exact text to replace", ew);
        out->edits[i].search = xstrdup(s);
        out->edits[i].replace = xstrdup(r);
        out->nedits = i + 1;
    }
    return 0;
}

static int parse_change(json_t *c, size_t idx, struct rig_ai_file_change *out,
                        struct rig_err *err)
{
    char where[64];
    const char *path, *content;
    json_t *edits;

    snprintf(where, sizeof(where), "files[%zu].", idx);
    if (!json_is_object(c))
        return rig_err_set(err, RIG_EINVAL, "\"files[%zu]\" must be an object, not %s", idx,
                           rig_json_type_article(c));
    if (get_str(c, "path", where, true, true, &path, err) < 0 ||
        get_str(c, "content", where, false, false, &content, err) < 0 ||
        get_array(c, "edits", where, false, &edits, err) < 0 ||
        parse_action(c, where, content != NULL, edits != NULL, &out->action, err) < 0)
        return -1;
    out->path = trimmed_dup(path);
    switch (out->action) {
    case RIG_AI_WRITE:
        if (!content)
            return rig_err_set(err, RIG_EINVAL,
                               "\"%scontent\" is missing: \"write\" needs the whole new file",
                               where);
        out->content = xstrdup(content);
        break;
    case RIG_AI_EDIT:
        if (!edits)
            return rig_err_set(err, RIG_EINVAL,
                               "\"%sedits\" is missing: \"edit\" needs search/replace pairs",
                               where);
        return parse_edits(edits, where, out, err);
    case RIG_AI_DELETE:
        break;
    }
    return 0;
}

static int parse_changes(json_t *arr, struct rig_ai_file_change **files, size_t *nfiles,
                         struct rig_err *err)
{
    size_t n = arr ? json_array_size(arr) : 0;
    struct rig_ai_file_change *v = n ? xcalloc(n, sizeof(*v)) : NULL;

    for (size_t i = 0; i < n; i++) {
        if (parse_change(json_array_get(arr, i), i, &v[i], err) < 0)
            goto fail;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(v[j].path, v[i].path) == 0) {
                rig_err_set(err, RIG_EINVAL,
                            "\"files[%zu].path\" \"%s\" also appears in files[%zu]: give one "
                            "entry per file", i, v[i].path, j);
                goto fail;
            }
        }
    }
    *files = v;
    *nfiles = n;
    return 0;
fail:
    changes_free(v, n);
    return -1;
}

static json_t *load_answer(const char *text, struct rig_err *err)
{
    return rig_ai_extract_json(text, NULL, NULL, err);
}

int rig_ai_parse_plan(const char *text, char **plan_text, char ***files_to_change,
                      struct rig_err *err)
{
    json_t *root = NULL, *files = NULL;
    char **paths = NULL;
    const char *plan;
    struct rig_buf b = RIG_BUF_INIT;
    int rc = -1;

    if (!(root = load_answer(text, err)))
        goto out;
    if (get_str(root, "plan", "", true, true, &plan, err) < 0 ||
        get_array(root, "files_to_change", "", false, &files, err) < 0 ||
        string_list(files, "files_to_change", &paths, err) < 0)
        goto out;
    {
        char *t = trimmed_dup(plan);

        rig_buf_adds(&b, t);
        free(t);
    }
    if (paths[0]) {
        rig_buf_adds(&b, "\n\nFiles to change:\n");
        for (size_t i = 0; paths[i]; i++)
            rig_buf_addf(&b, "- %s\n", paths[i]);
    }
    *plan_text = rig_buf_take(&b);
    if (files_to_change) {
        *files_to_change = paths;
        paths = NULL;
    }
    rc = 0;
out:
    rig_strv_free(paths);
    rig_buf_release(&b);
    json_decref(root);
    return rc;
}

int rig_ai_parse_changeset(const char *text, bool require_files, struct rig_ai_changeset *out,
                           struct rig_err *err)
{
    json_t *root = NULL, *files = NULL;
    const char *summary, *notes;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!(root = load_answer(text, err)))
        goto out;
    if (get_str(root, "summary", "", true, true, &summary, err) < 0 ||
        get_str(root, "test_notes", "", false, false, &notes, err) < 0 ||
        get_array(root, "files", "", true, &files, err) < 0)
        goto out;
    if (require_files && json_array_size(files) == 0) {
        rig_err_set(err, RIG_EINVAL, "\"files\" is empty: at least one file change is needed");
        goto out;
    }
    if (parse_changes(files, &out->files, &out->nfiles, err) < 0)
        goto out;
    out->summary = trimmed_dup(summary);
    out->test_notes = notes && *notes ? trimmed_dup(notes) : NULL;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int rig_ai_parse_proposal(const char *text, const struct rig_ai_file *infra, size_t ninfra,
                          struct rig_ai_proposal *out, struct rig_err *err)
{
    json_t *root = NULL, *files = NULL;
    const char *expl;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!(root = load_answer(text, err)))
        goto out;
    if (get_str(root, "explanation", "", true, true, &expl, err) < 0 ||
        get_array(root, "files", "", false, &files, err) < 0 ||
        parse_changes(files, &out->files, &out->nfiles, err) < 0)
        goto out;
    for (size_t i = 0; i < out->nfiles; i++) {
        for (size_t j = 0; j < ninfra; j++) {
            if (infra[j].readonly && infra[j].path &&
                strcmp(infra[j].path, out->files[i].path) == 0) {
                rig_err_set(err, RIG_EINVAL,
                            "\"files[%zu].path\" \"%s\" is read-only: leave it unchanged and "
                            "explain what a person should change instead", i, out->files[i].path);
                changes_free(out->files, out->nfiles);
                out->files = NULL;
                out->nfiles = 0;
                goto out;
            }
        }
    }
    out->explanation = trimmed_dup(expl);
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int rig_ai_parse_explain(const char *text, char **out, struct rig_err *err)
{
    json_t *root = NULL, *sugg = NULL;
    char **items = NULL;
    const char *expl;
    struct rig_buf b = RIG_BUF_INIT;
    int rc = -1;

    if (!(root = load_answer(text, err)))
        goto out;
    if (get_str(root, "explanation", "", true, true, &expl, err) < 0 ||
        get_array(root, "suggestions", "", false, &sugg, err) < 0 ||
        string_list(sugg, "suggestions", &items, err) < 0)
        goto out;
    {
        char *t = trimmed_dup(expl);

        rig_buf_adds(&b, t);
        free(t);
    }
    if (items[0]) {
        rig_buf_adds(&b, "\n\nSuggested actions:\n");
        for (size_t i = 0; items[i]; i++)
            rig_buf_addf(&b, "- %s\n", items[i]);
    }
    *out = rig_buf_take(&b);
    rc = 0;
out:
    rig_strv_free(items);
    rig_buf_release(&b);
    json_decref(root);
    return rc;
}

void rig_ai_changeset_release(struct rig_ai_changeset *cs)
{
    if (!cs)
        return;
    changes_free(cs->files, cs->nfiles);
    free(cs->summary);
    free(cs->test_notes);
    memset(cs, 0, sizeof(*cs));
}

void rig_ai_proposal_release(struct rig_ai_proposal *p)
{
    if (!p)
        return;
    changes_free(p->files, p->nfiles);
    free(p->explanation);
    memset(p, 0, sizeof(*p));
}

const char *rig_ai_action_name(enum rig_ai_action a)
{
    switch (a) {
    case RIG_AI_WRITE: return "write";
    case RIG_AI_DELETE: return "delete";
    case RIG_AI_EDIT: return "edit";
    }
    return "?";
}
