/*
 * YAML to jansson through libfyaml's event parser. Events (not libfyaml's
 * document tree) give us every mark we need and let us build the JSON tree
 * directly: anchors keep a reference to the finished json_t, so an alias shares
 * it instead of copying (a "billion laughs" file costs nothing to load, and a
 * weight budget stops consumers that walk the tree from exploding).
 *
 * Positions are recorded per JSON pointer while building. Values reached only
 * through an alias are not recorded: lookups fall back to the alias itself.
 * Keys contributed by a merge (<<) are recorded as "weak" entries so an
 * explicit key always wins.
 */
#include "core/yaml.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/yaml_int.h"
#include "core/banned.h"

/* More nodes than this once aliases are expanded is refused. */
#define YAML_MAX_WEIGHT ((size_t)1 << 20)
#define YAML_MAX_FILE ((size_t)8 << 20)

struct pos_entry {
    char *ptr;
    struct rig_yaml_pos val;
    struct rig_yaml_pos key;
    bool weak;
    size_t seq;
};

struct rig_yaml_doc {
    char *name;
    json_t *root;
    struct pos_entry *pos;
    size_t npos;
};

struct anchor {
    char *name;
    json_t *node;
    size_t weight;
};

struct frame {
    json_t *node;
    bool is_map;
    char *ptr;
    bool weak;           /* positions below are merge contributions */
    bool merge_children; /* a list given to '<<': its items are merge sources */
    char *anchor;
    struct rig_yaml_pos pos;
    size_t weight;
    /* mapping state */
    char *key;
    bool have_key;
    bool key_is_merge;
    bool have_merge;
    struct rig_yaml_pos keypos;
    json_t **merges;
    struct rig_yaml_pos *merge_pos;
    size_t nmerges;
    struct rig_yaml_pos merge_keypos;
};

struct loader {
    const char *name;
    const char *text; /* the source, for single-quoted scalars */
    size_t len;
    struct frame *stack;
    size_t depth;
    size_t cap;
    struct anchor *anchors;
    size_t nanchors;
    struct pos_entry *pos;
    size_t npos;
    size_t poscap;
    json_t *root;
    bool have_root;
    int ndocs;
    bool extra_doc; /* a second document started: report at the next mark */
    struct rig_err *err;
};

static struct rig_yaml_pos mark_pos(const struct fy_mark *m)
{
    struct rig_yaml_pos p = {0, 0};

    if (m) {
        p.line = m->line + 1;
        p.col = m->column + 1;
    }
    return p;
}

static bool pos_before(struct rig_yaml_pos a, struct rig_yaml_pos b)
{
    return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Where a node starts: its anchor ('&' precedes the marked name), its tag, or
 * its content, whichever comes first. */
static struct rig_yaml_pos node_pos(struct fy_event *fye, struct rig_yaml_pos p)
{
    struct fy_token *a = fy_event_get_anchor_token(fye);
    struct fy_token *t = fy_event_get_tag_token(fye);

    if (t) {
        struct rig_yaml_pos tp = mark_pos(fy_token_start_mark(t));

        if (tp.line && pos_before(tp, p))
            p = tp;
    }
    if (a) {
        struct rig_yaml_pos ap = mark_pos(fy_token_start_mark(a));

        if (ap.col > 1)
            ap.col--;
        if (ap.line && pos_before(ap, p))
            p = ap;
    }
    return p;
}

static int ld_error(struct loader *ld, struct rig_yaml_pos p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ld_error(struct loader *ld, struct rig_yaml_pos p, const char *fmt, ...)
{
    char msg[RIG_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rig_err_at(ld->err, RIG_ECONFIG, ld->name, p.line, p.col, "%s", msg);
}

/* RFC 6901 escaping of one reference token. */
static char *ptr_join(const char *base, const char *tok, size_t len)
{
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_adds(&b, base);
    rig_buf_addch(&b, '/');
    for (size_t i = 0; i < len; i++) {
        if (tok[i] == '~')
            rig_buf_adds(&b, "~0");
        else if (tok[i] == '/')
            rig_buf_adds(&b, "~1");
        else
            rig_buf_addch(&b, tok[i]);
    }
    return rig_buf_take(&b);
}

static void record_pos(struct loader *ld, const char *ptr, struct rig_yaml_pos val,
                       struct rig_yaml_pos key, bool weak)
{
    struct pos_entry *e;

    if (ld->npos == ld->poscap) {
        ld->poscap = ld->poscap ? ld->poscap * 2 : 64;
        ld->pos = xreallocarray(ld->pos, ld->poscap, sizeof(*ld->pos));
    }
    e = &ld->pos[ld->npos];
    e->ptr = xstrdup(ptr);
    e->val = val;
    e->key = key;
    e->weak = weak;
    e->seq = ld->npos;
    ld->npos++;
}

static size_t weight_add(size_t a, size_t b)
{
    return a > YAML_MAX_WEIGHT || b > YAML_MAX_WEIGHT ? YAML_MAX_WEIGHT + 1 : a + b;
}

/* ---- the frame stack -------------------------------------------------- */

static struct frame *top(struct loader *ld)
{
    return ld->depth ? &ld->stack[ld->depth - 1] : NULL;
}

static void frame_release(struct frame *f)
{
    json_decref(f->node);
    free(f->ptr);
    free(f->anchor);
    free(f->key);
    for (size_t i = 0; i < f->nmerges; i++)
        json_decref(f->merges[i]);
    free(f->merges);
    free(f->merge_pos);
    memset(f, 0, sizeof(*f));
}

/* Where the next value goes: its pointer, whether it is recorded, weak. */
static char *child_ptr(struct loader *ld, bool *record, bool *weak)
{
    struct frame *f = top(ld);
    char idx[32];

    *record = true;
    *weak = false;
    if (!f)
        return xstrdup("");
    *weak = f->weak;
    if (!f->is_map) {
        if (f->merge_children) {
            *record = false;
            *weak = true;
            return xstrdup(f->ptr);
        }
        snprintf(idx, sizeof(idx), "%zu", json_array_size(f->node));
        return ptr_join(f->ptr, idx, strlen(idx));
    }
    if (f->key_is_merge) {
        *record = false;
        *weak = true;
        return xstrdup(f->ptr);
    }
    return ptr_join(f->ptr, f->key, strlen(f->key));
}

static struct rig_yaml_pos first_pos(const struct loader *ld, const char *ptr)
{
    struct rig_yaml_pos none = {0, 0};

    for (size_t i = 0; i < ld->npos; i++)
        if (!ld->pos[i].weak && strcmp(ld->pos[i].ptr, ptr) == 0)
            return ld->pos[i].key.line ? ld->pos[i].key : ld->pos[i].val;
    return none;
}

static int check_merge_value(struct loader *ld, json_t *v, struct rig_yaml_pos p)
{
    size_t i;
    json_t *item;

    if (json_is_object(v))
        return 0;
    if (json_is_array(v)) {
        json_array_foreach(v, i, item)
            if (!json_is_object(item))
                break;
        if (i == json_array_size(v))
            return 0;
    }
    return ld_error(ld, p, "merge key '<<' needs a mapping or a list of mappings");
}

static void add_merge(struct frame *f, json_t *src, struct rig_yaml_pos p)
{
    f->merges = xreallocarray(f->merges, f->nmerges + 1, sizeof(*f->merges));
    f->merge_pos = xreallocarray(f->merge_pos, f->nmerges + 1, sizeof(*f->merge_pos));
    f->merges[f->nmerges] = json_incref(src);
    f->merge_pos[f->nmerges] = p;
    f->nmerges++;
}

/* Attach a finished value (reference stolen) to its parent, or make it the root. */
static int attach(struct loader *ld, json_t *v, struct rig_yaml_pos p, size_t weight)
{
    struct frame *f = top(ld);
    int rc = 0;

    if (!f) {
        ld->root = v;
        ld->have_root = true;
        return 0;
    }
    f->weight = weight_add(f->weight, weight);
    if (f->weight > YAML_MAX_WEIGHT) {
        json_decref(v);
        return ld_error(ld, p, "document is too large once aliases are expanded "
                               "(more than %zu nodes)", YAML_MAX_WEIGHT);
    }
    if (!f->is_map) {
        json_array_append_new(f->node, v);
        return 0;
    }
    if (f->key_is_merge) {
        rc = check_merge_value(ld, v, p);
        if (rc == 0 && json_is_object(v)) {
            add_merge(f, v, p);
        } else if (rc == 0) {
            size_t i;
            json_t *item;

            json_array_foreach(v, i, item)
                add_merge(f, item, p);
        }
        json_decref(v);
    } else if (json_object_set_new(f->node, f->key, v) < 0) {
        rc = ld_error(ld, f->keypos, "key is not valid UTF-8");
    }
    free(f->key);
    f->key = NULL;
    f->have_key = false;
    f->key_is_merge = false;
    return rc;
}

static int set_key(struct loader *ld, const char *s, size_t n, bool plain, struct rig_yaml_pos p)
{
    struct frame *f = top(ld);

    if (memchr(s, '\0', n))
        return ld_error(ld, p, "key contains a NUL character");
    if (plain && n == 2 && memcmp(s, "<<", 2) == 0) {
        if (f->have_merge)
            return ld_error(ld, p, "duplicate merge key '<<'");
        f->have_merge = true;
        f->key_is_merge = true;
        f->merge_keypos = p;
    } else if (json_object_getn(f->node, s, n)) {
        char *child = ptr_join(f->ptr, s, n);
        struct rig_yaml_pos first = first_pos(ld, child);

        free(child);
        return ld_error(ld, p, "duplicate key '%.*s' (first defined at line %d)", (int)n, s,
                        first.line);
    }
    f->key = xstrndup(s, n);
    f->have_key = true;
    f->keypos = p;
    return 0;
}

static void register_anchor(struct loader *ld, const char *name, json_t *node, size_t weight)
{
    ld->anchors = xreallocarray(ld->anchors, ld->nanchors + 1, sizeof(*ld->anchors));
    ld->anchors[ld->nanchors].name = xstrdup(name);
    ld->anchors[ld->nanchors].node = json_incref(node);
    ld->anchors[ld->nanchors].weight = weight;
    ld->nanchors++;
}

static const struct anchor *find_anchor(const struct loader *ld, const char *name)
{
    /* Later definitions of the same anchor name win (YAML allows redefining). */
    for (size_t i = ld->nanchors; i > 0; i--)
        if (strcmp(ld->anchors[i - 1].name, name) == 0)
            return &ld->anchors[i - 1];
    return NULL;
}

static char *token_text(struct fy_token *t)
{
    size_t n = 0;
    const char *s = t ? fy_token_get_text(t, &n) : NULL;

    return s ? xstrndup(s, n) : NULL;
}

/* A value is about to start: keys must be scalars; record its position. */
static int value_start(struct loader *ld, struct rig_yaml_pos p, char **ptr_out, bool *weak)
{
    struct frame *f = top(ld);
    bool record;

    if (f && f->is_map && !f->have_key)
        return ld_error(ld, p, "mapping keys must be plain strings, not lists, mappings "
                               "or aliases");
    *ptr_out = child_ptr(ld, &record, weak);
    if (record)
        record_pos(ld, *ptr_out, p, f && f->is_map ? f->keypos : (struct rig_yaml_pos){0, 0},
                   *weak);
    return 0;
}

/* The scalar's content (malloc'd). Single-quoted scalars are decoded here from
 * the source: libfyaml 0.7.12 mis-decodes runs of escaped quotes () and
 * leaks the buffer it grows for them. */
static char *scalar_text(const struct loader *ld, struct fy_token *t,
                         enum fy_scalar_style style, size_t *n)
{
    const struct fy_mark *a = fy_token_start_mark(t), *z = fy_token_end_mark(t);
    const char *s;

    if (style == FYSS_SINGLE_QUOTED && a && z && a->input_pos <= z->input_pos &&
        z->input_pos <= ld->len)
        return yaml_single_quoted(ld->text + a->input_pos, z->input_pos - a->input_pos, n);
    *n = 0;
    s = fy_token_get_text(t, n);
    if (!s)
        *n = 0;
    return xstrndup(s ? s : "", *n);
}

static struct rig_yaml_pos scalar_pos(struct loader *ld, struct fy_event *fye,
                                      enum fy_scalar_style style)
{
    struct rig_yaml_pos p = mark_pos(fy_event_start_mark(fye));
    struct frame *f = top(ld);

    /* libfyaml marks the content; point at the opening quote instead. */
    if ((style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) && p.col > 1)
        p.col--;
    p = node_pos(fye, p);
    /* An empty plain scalar ("a:", "{: x}") has no mark: use what encloses it. */
    if (p.line == 0) {
        struct rig_yaml_pos first = {1, 1};

        p = !f ? first : f->is_map && f->have_key ? f->keypos : f->pos;
    }
    return p;
}

static int scalar_value(struct loader *ld, struct fy_event *fye, const char *s, size_t n,
                        enum fy_scalar_style style, struct rig_yaml_pos p)
{
    struct fy_token *tt = fy_event_get_tag_token(fye);
    char *ptr = NULL, *anchor = NULL;
    struct rig_err err = RIG_ERR_INIT;
    json_t *v = NULL;
    bool weak;
    int rc;

    if (value_start(ld, p, &ptr, &weak) < 0)
        return -1;
    free(ptr);
    if (tt)
        rc = yaml_scalar_tagged(fy_token_get_text0(tt), s, n, &v, &err);
    else if (style == FYSS_PLAIN)
        rc = yaml_scalar_plain(s, n, &v, &err);
    else
        rc = 1;
    if (rc == 1)
        rc = yaml_scalar_string(s, n, &v, &err);
    if (rc < 0)
        return ld_error(ld, p, "%s", err.msg);
    anchor = token_text(fy_event_get_anchor_token(fye));
    if (anchor)
        register_anchor(ld, anchor, v, 1);
    free(anchor);
    return attach(ld, v, p, 1);
}

static int on_scalar(struct loader *ld, struct fy_event *fye)
{
    struct fy_token *vt = fy_event_get_token(fye);
    enum fy_scalar_style style = fy_token_scalar_style(vt);
    struct rig_yaml_pos p = scalar_pos(ld, fye, style);
    struct frame *f = top(ld);
    size_t n = 0;
    char *s = scalar_text(ld, vt, style, &n);
    int rc;

    if (f && f->is_map && !f->have_key)
        rc = set_key(ld, s, n, style == FYSS_PLAIN && !fy_event_get_tag_token(fye), p);
    else
        rc = scalar_value(ld, fye, s, n, style, p);
    free(s);
    return rc;
}

static int on_alias(struct loader *ld, struct fy_event *fye)
{
    struct rig_yaml_pos p = mark_pos(fy_event_start_mark(fye));
    char *name = token_text(fy_event_get_token(fye));

    /* The mark is on the anchor name; report the '*' before it. */
    if (p.col > 1)
        p.col--;
    const struct anchor *a;
    char *ptr = NULL;
    bool weak;
    int rc = -1;

    if (value_start(ld, p, &ptr, &weak) < 0)
        goto out;
    a = find_anchor(ld, name ? name : "");
    if (!a) {
        ld_error(ld, p, "alias '*%s' refers to an unknown anchor (define '&%s' before using it; "
                        "a node cannot refer to itself)", name ? name : "", name ? name : "");
        goto out;
    }
    rc = attach(ld, json_incref(a->node), p, a->weight);
out:
    free(ptr);
    free(name);
    return rc;
}

static int on_collection_start(struct loader *ld, struct fy_event *fye, bool is_map)
{
    struct rig_yaml_pos p = node_pos(fye, mark_pos(fy_event_start_mark(fye)));
    struct frame *parent = top(ld);
    struct frame *f;
    const char *tag = NULL;
    char *ptr = NULL;
    bool weak, merge_children;

    if (fy_event_get_tag_token(fye)) {
        tag = fy_token_get_text0(fy_event_get_tag_token(fye));
        if (tag && strcmp(tag, "!") != 0 &&
            strcmp(tag, is_map ? "tag:yaml.org,2002:map" : "tag:yaml.org,2002:seq") != 0)
            return ld_error(ld, p, "unsupported YAML tag '%s'", tag);
    }
    merge_children = !is_map && parent && parent->is_map && parent->key_is_merge;
    if (value_start(ld, p, &ptr, &weak) < 0)
        return -1;
    if (ld->depth == ld->cap) {
        ld->cap = ld->cap ? ld->cap * 2 : 16;
        ld->stack = xreallocarray(ld->stack, ld->cap, sizeof(*ld->stack));
    }
    f = &ld->stack[ld->depth++];
    memset(f, 0, sizeof(*f));
    f->node = is_map ? json_object() : json_array();
    f->is_map = is_map;
    f->ptr = ptr;
    f->weak = weak;
    f->merge_children = merge_children;
    f->anchor = token_text(fy_event_get_anchor_token(fye));
    f->pos = p;
    f->weight = 1;
    return 0;
}

/* Merged keys only fill in what the mapping does not set itself; the first
 * source that has a key wins (YAML merge semantics). */
static void apply_merges(struct loader *ld, struct frame *f)
{
    for (size_t i = 0; i < f->nmerges; i++) {
        const char *k;
        json_t *v;

        json_object_foreach(f->merges[i], k, v) {
            char *ptr;

            if (json_object_get(f->node, k))
                continue;
            json_object_set(f->node, k, v);
            ptr = ptr_join(f->ptr, k, strlen(k));
            record_pos(ld, ptr, f->merge_pos[i], f->merge_keypos, true);
            free(ptr);
        }
    }
}

static int on_collection_end(struct loader *ld)
{
    struct frame done;

    if (!ld->depth)
        return ld_error(ld, (struct rig_yaml_pos){0, 0}, "unbalanced YAML events");
    done = ld->stack[--ld->depth];
    if (done.is_map)
        apply_merges(ld, &done);
    if (done.weight > YAML_MAX_WEIGHT) {
        int rc = ld_error(ld, done.pos, "document is too large once aliases are expanded "
                                        "(more than %zu nodes)", YAML_MAX_WEIGHT);
        frame_release(&done);
        return rc;
    }
    if (done.anchor)
        register_anchor(ld, done.anchor, done.node, done.weight);
    if (attach(ld, json_incref(done.node), done.pos, done.weight) < 0) {
        frame_release(&done);
        return -1;
    }
    frame_release(&done);
    return 0;
}

static int on_event(struct loader *ld, struct fy_event *fye)
{
    const struct fy_mark *m = fy_event_start_mark(fye);

    if (ld->extra_doc && m)
        return ld_error(ld, mark_pos(m), "only one YAML document is allowed in a file "
                                         "(remove the second document or its '---' line)");
    switch (fye->type) {
    case FYET_DOCUMENT_START:
        if (++ld->ndocs > 1) {
            if (m)
                return ld_error(ld, mark_pos(m), "only one YAML document is allowed in a file "
                                                 "(remove the second document or its '---' "
                                                 "line)");
            ld->extra_doc = true;
        }
        return 0;
    case FYET_SCALAR:
        return on_scalar(ld, fye);
    case FYET_ALIAS:
        return on_alias(ld, fye);
    case FYET_MAPPING_START:
        return on_collection_start(ld, fye, true);
    case FYET_SEQUENCE_START:
        return on_collection_start(ld, fye, false);
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        return on_collection_end(ld);
    default:
        return 0;
    }
}

/* libfyaml's own syntax errors, collected by the diag object. */
static void syntax_error(struct loader *ld, struct fy_diag *diag)
{
    void *it = NULL;
    struct fy_diag_error *de;

    while ((de = fy_diag_errors_iterate(diag, &it))) {
        if (de->type < FYET_ERROR)
            continue;
        rig_err_at(ld->err, RIG_ECONFIG, ld->name, de->line > 0 ? de->line : 0,
                   de->column > 0 ? de->column : 0, "YAML syntax error: %s",
                   de->msg ? de->msg : "invalid YAML");
        return;
    }
    rig_err_at(ld->err, RIG_ECONFIG, ld->name, 0, 0, "YAML syntax error");
}

static int pos_cmp(const void *a, const void *b)
{
    const struct pos_entry *x = a, *y = b;
    int c = strcmp(x->ptr, y->ptr);

    if (c)
        return c;
    if (x->weak != y->weak)
        return x->weak ? 1 : -1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by pointer and keep the best entry of each: strong first, then earliest. */
static void pos_finish(struct rig_yaml_doc *doc)
{
    size_t w = 0;

    if (!doc->npos)
        return;
    qsort(doc->pos, doc->npos, sizeof(*doc->pos), pos_cmp);
    for (size_t r = 0; r < doc->npos; r++) {
        if (w && strcmp(doc->pos[w - 1].ptr, doc->pos[r].ptr) == 0) {
            free(doc->pos[r].ptr);
            continue;
        }
        doc->pos[w++] = doc->pos[r];
    }
    doc->npos = w;
}

static void loader_release(struct loader *ld)
{
    for (size_t i = 0; i < ld->depth; i++)
        frame_release(&ld->stack[i]);
    free(ld->stack);
    for (size_t i = 0; i < ld->nanchors; i++) {
        free(ld->anchors[i].name);
        json_decref(ld->anchors[i].node);
    }
    free(ld->anchors);
    for (size_t i = 0; i < ld->npos; i++)
        free(ld->pos[i].ptr);
    free(ld->pos);
    json_decref(ld->root);
}

static int parse_events(struct loader *ld, const char *text, size_t len)
{
    struct fy_diag_cfg dcfg;
    struct fy_parse_cfg pcfg;
    struct fy_diag *diag = NULL;
    struct fy_parser *fyp = NULL;
    struct fy_event *fye;
    int rc = -1;

    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.colorize = false;
    diag = fy_diag_create(&dcfg);
    if (!diag) {
        rig_err_set(ld->err, RIG_EGENERIC, "cannot create the YAML diagnostics object");
        goto out;
    }
    fy_diag_set_collect_errors(diag, true);
    memset(&pcfg, 0, sizeof(pcfg));
    pcfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2;
    pcfg.diag = diag;
    fyp = fy_parser_create(&pcfg);
    if (!fyp || fy_parser_set_string(fyp, text, len) < 0) {
        rig_err_set(ld->err, RIG_EGENERIC, "cannot create the YAML parser");
        goto out;
    }
    while ((fye = fy_parser_parse(fyp))) {
        int erc = on_event(ld, fye);

        fy_parser_event_free(fyp, fye);
        if (erc < 0)
            goto out;
    }
    if (fy_parser_get_stream_error(fyp)) {
        syntax_error(ld, diag);
        goto out;
    }
    rc = 0;
out:
    if (fyp)
        fy_parser_destroy(fyp);
    if (diag)
        fy_diag_destroy(diag);
    return rc;
}

/* Offset of the first byte that is not valid UTF-8 (no overlong forms,
 * surrogates or code points past U+10FFFF), or n. */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                                          : (c & 0xF8) == 0xF0 ? 4 : 0;
        uint32_t cp;

        if (len == 0 || i + len > n)
            return i;
        cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/* Invalid UTF-8 is refused before libfyaml sees it: its scanner can loop
 * forever on some invalid sequences (0.7.12, e.g. in a directive). */
static int check_text(struct loader *ld, const char *text, size_t len)
{
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    struct rig_yaml_pos p = {1, 1};

    if (memchr(text, '\0', len))
        return rig_err_at(ld->err, RIG_ECONFIG, ld->name, 0, 0,
                          "file contains a NUL byte (not a YAML text)");
    if (bad == len)
        return 0;
    for (size_t i = 0; i < bad; i++) {
        if (text[i] == '\n') {
            p.line++;
            p.col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            p.col++;
        }
    }
    return ld_error(ld, p, "the file is not valid UTF-8 (byte 0x%02X); save it as UTF-8",
                    (unsigned char)text[bad]);
}

int rig_yaml_load_string(const char *name, const char *text, size_t len,
                         struct rig_yaml_doc **out, struct rig_err *err)
{
    struct loader ld;
    struct rig_yaml_doc *doc = NULL;

    *out = NULL;
    memset(&ld, 0, sizeof(ld));
    ld.name = name ? name : "<yaml>";
    ld.text = text;
    ld.len = len;
    ld.err = err;
    if (check_text(&ld, text, len) < 0 || parse_events(&ld, text, len) < 0)
        goto fail;
    doc = xcalloc(1, sizeof(*doc));
    doc->name = xstrdup(ld.name);
    doc->root = ld.have_root ? ld.root : json_null();
    ld.root = NULL;
    doc->pos = ld.pos;
    doc->npos = ld.npos;
    ld.pos = NULL;
    ld.npos = 0;
    pos_finish(doc);
    loader_release(&ld);
    *out = doc;
    return 0;
fail:
    loader_release(&ld);
    return -1;
}

int rig_yaml_load_file(const char *path, struct rig_yaml_doc **out, struct rig_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (rig_read_file(path, YAML_MAX_FILE, &text, &len, err) < 0)
        return -1;
    rc = rig_yaml_load_string(path, text, len, out, err);
    free(text);
    return rc;
}

json_t *rig_yaml_root(const struct rig_yaml_doc *doc)
{
    return doc->root;
}

const char *rig_yaml_name(const struct rig_yaml_doc *doc)
{
    return doc->name;
}

static const struct pos_entry *pos_find(const struct rig_yaml_doc *doc, const char *ptr)
{
    size_t lo = 0, hi = doc->npos;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(doc->pos[mid].ptr, ptr);

        if (c == 0)
            return &doc->pos[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int rig_yaml_pos(const struct rig_yaml_doc *doc, const char *pointer, struct rig_yaml_pos *value,
                 struct rig_yaml_pos *key)
{
    struct rig_yaml_pos none = {0, 0};
    const struct pos_entry *e = pos_find(doc, pointer);
    char *p;
    int rc = e ? 0 : -1;

    if (!e) {
        p = xstrdup(pointer);
        while (!e) {
            char *slash = strrchr(p, '/');

            if (!slash)
                break;
            *slash = '\0';
            e = pos_find(doc, p);
        }
        free(p);
    }
    if (value)
        *value = e ? e->val : none;
    if (key)
        *key = e ? e->key : none;
    return rc;
}

void rig_yaml_free(struct rig_yaml_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->npos; i++)
        free(doc->pos[i].ptr);
    free(doc->pos);
    json_decref(doc->root);
    free(doc->name);
    free(doc);
}
