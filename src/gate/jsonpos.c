#include "gate/jsonpos.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

/* jansson refuses deeper documents (2048), so this only guards odd input. */
#define JSONPOS_MAX_DEPTH 4096

struct walker {
    const char *s;
    size_t len;
    size_t pos;
    int line, col;
    struct rig_buf ptr;         /* pointer of the value being visited */
    struct sg_jsonpos_query **sorted; /* queries sorted by pointer */
    size_t n;
    size_t *best;               /* per sorted query: length of deepest ancestor seen */
    size_t found;
};

static int peek(const struct walker *w)
{
    return w->pos < w->len ? (unsigned char)w->s[w->pos] : -1;
}

static void adv(struct walker *w)
{
    unsigned char c;

    if (w->pos >= w->len)
        return;
    c = (unsigned char)w->s[w->pos++];
    if (c == '\n') {
        w->line++;
        w->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        /* continuation bytes belong to the code point already counted */
        w->col++;
    }
}

static void skip_ws(struct walker *w)
{
    int c;

    while ((c = peek(w)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        adv(w);
}

static int cmp_query(const void *a, const void *b)
{
    const struct sg_jsonpos_query *qa = *(const struct sg_jsonpos_query *const *)a;
    const struct sg_jsonpos_query *qb = *(const struct sg_jsonpos_query *const *)b;

    return strcmp(qa->pointer, qb->pointer);
}

/* First sorted query whose pointer is >= key (compared on klen bytes + NUL). */
static size_t lower_bound(const struct walker *w, const char *key, size_t klen)
{
    size_t lo = 0, hi = w->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = w->sorted[mid]->pointer;
        int c = strncmp(p, key, klen);

        if (c == 0 && p[klen] != '\0')
            c = 1; /* p is longer, so it sorts after key */
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void fill(struct sg_jsonpos_query *q, int line, int col, int kline, int kcol)
{
    q->line = line;
    q->col = col;
    q->key_line = kline;
    q->key_col = kcol;
}

/* A value starts here: exact matches get its position; queries below it get it
 * as their nearest ancestor so far (pre-order walk: deeper ancestors come later
 * and overwrite). */
static void visit(struct walker *w, int kline, int kcol)
{
    const char *p = rig_buf_str(&w->ptr);
    size_t plen = w->ptr.len;
    size_t i;
    char *lo_key;

    if (!w->n)
        return;
    for (i = lower_bound(w, p, plen); i < w->n && strcmp(w->sorted[i]->pointer, p) == 0; i++) {
        if (!w->sorted[i]->found)
            w->found++;
        w->sorted[i]->found = true;
        fill(w->sorted[i], w->line, w->col, kline, kcol);
    }
    /* descendants are exactly the pointers starting with "<p>/" */
    lo_key = xasprintf("%s/", p);
    for (i = lower_bound(w, lo_key, plen + 1); i < w->n; i++) {
        struct sg_jsonpos_query *q = w->sorted[i];

        if (strncmp(q->pointer, lo_key, plen + 1) != 0)
            break;
        if (!q->found && plen + 1 > w->best[i]) {
            w->best[i] = plen + 1;
            fill(q, w->line, w->col, kline, kcol);
        }
    }
    free(lo_key);
}

static int read_hex4(struct walker *w, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        int h = rig_hex_digit(peek(w));

        if (h < 0)
            return -1;
        v = v * 16 + (uint32_t)h;
        adv(w);
    }
    *out = v;
    return 0;
}

static int read_escape(struct walker *w, struct rig_buf *out)
{
    int c = peek(w);
    uint32_t cp, lo;

    adv(w);
    switch (c) {
    case '"': case '\\': case '/':
        rig_buf_addch(out, (char)c);
        return 0;
    case 'b': rig_buf_addch(out, '\b'); return 0;
    case 'f': rig_buf_addch(out, '\f'); return 0;
    case 'n': rig_buf_addch(out, '\n'); return 0;
    case 'r': rig_buf_addch(out, '\r'); return 0;
    case 't': rig_buf_addch(out, '\t'); return 0;
    case 'u':
        if (read_hex4(w, &cp) < 0)
            return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (peek(w) != '\\')
                return -1;
            adv(w);
            if (peek(w) != 'u')
                return -1;
            adv(w);
            if (read_hex4(w, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                return -1;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        rig_buf_add_utf8(out, cp);
        return 0;
    default:
        return -1;
    }
}

/* At the opening quote. Decodes into out when out != NULL. */
static int read_string(struct walker *w, struct rig_buf *out)
{
    int c;

    adv(w);
    while ((c = peek(w)) >= 0) {
        if (c == '"') {
            adv(w);
            return 0;
        }
        if (c == '\\') {
            struct rig_buf scratch = RIG_BUF_INIT;
            int rc;

            adv(w);
            rc = read_escape(w, out ? out : &scratch);
            rig_buf_release(&scratch);
            if (rc < 0)
                return -1;
            continue;
        }
        if (out)
            rig_buf_addch(out, (char)c);
        adv(w);
    }
    return -1;
}

static void push_token(struct rig_buf *ptr, const char *tok, size_t len)
{
    rig_buf_addch(ptr, '/');
    for (size_t i = 0; i < len; i++) {
        if (tok[i] == '~')
            rig_buf_adds(ptr, "~0");
        else if (tok[i] == '/')
            rig_buf_adds(ptr, "~1");
        else
            rig_buf_addch(ptr, tok[i]);
    }
}

static int walk_value(struct walker *w, int depth, int kline, int kcol);

/* After a member or element: drop its pointer token, then take ',' (1: more
 * follow) or the closing bracket (0: done); -1 on anything else. */
static int next_item(struct walker *w, size_t base, int close)
{
    int more;

    w->ptr.len = base;
    w->ptr.data[base] = '\0';
    skip_ws(w);
    if (peek(w) != ',' && peek(w) != close)
        return -1;
    more = peek(w) == ',';
    adv(w);
    return more;
}

static int walk_object(struct walker *w, int depth)
{
    struct rig_buf key = RIG_BUF_INIT;
    size_t base = w->ptr.len;
    int rc = -1;

    adv(w); /* '{' */
    skip_ws(w);
    if (peek(w) == '}') {
        adv(w);
        return 0;
    }
    for (;;) {
        int kline, kcol, more;

        skip_ws(w);
        if (peek(w) != '"')
            goto out;
        kline = w->line;
        kcol = w->col;
        rig_buf_reset(&key);
        if (read_string(w, &key) < 0)
            goto out;
        skip_ws(w);
        if (peek(w) != ':')
            goto out;
        adv(w);
        push_token(&w->ptr, key.data ? key.data : "", key.len);
        if (walk_value(w, depth + 1, kline, kcol) < 0)
            goto out;
        more = next_item(w, base, '}');
        if (more == 1)
            continue;
        rc = more;
        goto out;
    }
out:
    rig_buf_release(&key);
    return rc;
}

static int walk_array(struct walker *w, int depth)
{
    size_t base = w->ptr.len;
    size_t index = 0;

    adv(w); /* '[' */
    skip_ws(w);
    if (peek(w) == ']') {
        adv(w);
        return 0;
    }
    for (;; index++) {
        int more;

        skip_ws(w);
        rig_buf_addf(&w->ptr, "/%zu", index);
        if (walk_value(w, depth + 1, w->line, w->col) < 0)
            return -1;
        more = next_item(w, base, ']');
        if (more != 1)
            return more;
    }
}

static int walk_value(struct walker *w, int depth, int kline, int kcol)
{
    int c;

    if (depth > JSONPOS_MAX_DEPTH)
        return -1;
    skip_ws(w);
    if (kline == 0) {
        kline = w->line;
        kcol = w->col;
    }
    visit(w, kline, kcol);
    c = peek(w);
    if (c == '{')
        return walk_object(w, depth);
    if (c == '[')
        return walk_array(w, depth);
    if (c == '"')
        return read_string(w, NULL);
    if (c < 0)
        return -1;
    /* number, true, false, null: run to the next delimiter */
    while ((c = peek(w)) >= 0 && c != ',' && c != ']' && c != '}' && c != ' ' && c != '\t' &&
           c != '\n' && c != '\r')
        adv(w);
    return 0;
}

size_t sg_jsonpos_resolve(const char *text, size_t len, struct sg_jsonpos_query *q, size_t n)
{
    struct walker w;

    memset(&w, 0, sizeof(w));
    w.s = text;
    w.len = len;
    w.line = 1;
    w.col = 1;
    w.n = n;
    for (size_t i = 0; i < n; i++) {
        q[i].found = false;
        fill(&q[i], 0, 0, 0, 0);
    }
    if (!n)
        return 0;
    w.sorted = xcalloc(n, sizeof(*w.sorted));
    w.best = xcalloc(n, sizeof(*w.best));
    for (size_t i = 0; i < n; i++)
        w.sorted[i] = &q[i];
    qsort(w.sorted, n, sizeof(*w.sorted), cmp_query);
    /* a UTF-8 byte order mark is not part of the document */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        w.pos = 3;
    rig_buf_adds(&w.ptr, "");
    walk_value(&w, 0, 0, 0);
    rig_buf_release(&w.ptr);
    free(w.sorted);
    free(w.best);
    return w.found;
}

char *sg_jsonpos_child(const char *parent, const char *token)
{
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_adds(&b, parent);
    push_token(&b, token, strlen(token));
    return rig_buf_take(&b);
}

char *sg_jsonpos_index(const char *parent, size_t index)
{
    return xasprintf("%s/%zu", parent, index);
}
