#include "gate/xml.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

#define XML_NAME_MAX 256

struct xml_parser {
    const char *name;
    const char *p;
    const char *end;
    const char *line_start;
    int line;
    int depth;
    size_t nodes;
    int max_depth;
    size_t max_nodes;
    size_t max_attrs;
    struct rig_err *err;
};

static int xml_fail(struct xml_parser *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int xml_fail(struct xml_parser *x, const char *fmt, ...)
{
    int col = (int)(x->p - x->line_start) + 1;
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rig_err_at(x->err, RIG_EINVAL, x->name, x->line, col, "%s", msg);
}

static void xml_advance(struct xml_parser *x, size_t n)
{
    while (n-- && x->p < x->end) {
        if (*x->p == '\n') {
            x->line++;
            x->line_start = x->p + 1;
        }
        x->p++;
    }
}

static bool xml_starts(const struct xml_parser *x, const char *s)
{
    size_t n = strlen(s);

    return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_name_char(unsigned char c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80)
        return true;
    return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

static void skip_space(struct xml_parser *x)
{
    while (x->p < x->end && is_space(*x->p))
        xml_advance(x, 1);
}

/* Skip up to and including the terminator; error when it never comes. */
static int skip_past(struct xml_parser *x, const char *term, const char *what)
{
    size_t n = strlen(term);

    while (x->p < x->end) {
        if (xml_starts(x, term)) {
            xml_advance(x, n);
            return 0;
        }
        xml_advance(x, 1);
    }
    return xml_fail(x, "unterminated %s", what);
}

static int read_name(struct xml_parser *x, char **out)
{
    const char *s = x->p;

    if (x->p >= x->end || !is_name_char((unsigned char)*x->p, true))
        return xml_fail(x, "expected a name");
    while (x->p < x->end && is_name_char((unsigned char)*x->p, false))
        x->p++;
    if (x->p - s > XML_NAME_MAX)
        return xml_fail(x, "name longer than 256 bytes");
    *out = xstrndup(s, (size_t)(x->p - s));
    return 0;
}

/* At '&': decode one reference into b. */
static int read_reference(struct xml_parser *x, struct rig_buf *b)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    uint32_t cp = 0;
    const char *q;
    int base = 10, digits = 0;

    xml_advance(x, 1);
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (xml_starts(x, named[i].name)) {
            rig_buf_addch(b, named[i].c);
            xml_advance(x, strlen(named[i].name));
            return 0;
        }
    }
    if (x->p >= x->end || *x->p != '#')
        return xml_fail(x, "unknown entity reference (only &lt; &gt; &amp; &quot; &apos; "
                           "and &#N; are supported)");
    q = x->p + 1;
    if (q < x->end && (*q == 'x' || *q == 'X')) {
        base = 16;
        q++;
    }
    for (; q < x->end && *q != ';'; q++, digits++) {
        int d = rig_hex_digit((unsigned char)*q);

        if (d < 0 || d >= base)
            return xml_fail(x, "bad character reference");
        if (digits > 8)
            return xml_fail(x, "character reference too long");
        cp = cp * (uint32_t)base + (uint32_t)d;
    }
    if (q >= x->end || digits == 0)
        return xml_fail(x, "unterminated character reference");
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return xml_fail(x, "character reference to an invalid code point");
    rig_buf_add_utf8(b, cp);
    xml_advance(x, (size_t)(q - x->p) + 1);
    return 0;
}

/* Line ends become "\n" (XML 1.0 section 2.11). */
static void add_char(struct xml_parser *x, struct rig_buf *b)
{
    if (*x->p == '\r') {
        rig_buf_addch(b, '\n');
        if (x->p + 1 < x->end && x->p[1] == '\n')
            xml_advance(x, 1);
    } else {
        rig_buf_addch(b, *x->p);
    }
    xml_advance(x, 1);
}

static int read_attr_value(struct xml_parser *x, char **out)
{
    struct rig_buf b = RIG_BUF_INIT;
    char quote;

    if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
        return xml_fail(x, "expected a quoted attribute value");
    quote = *x->p;
    xml_advance(x, 1);
    while (x->p < x->end && *x->p != quote) {
        if (*x->p == '<') {
            rig_buf_release(&b);
            return xml_fail(x, "'<' inside an attribute value");
        }
        if (*x->p == '&') {
            if (read_reference(x, &b) < 0) {
                rig_buf_release(&b);
                return -1;
            }
            continue;
        }
        add_char(x, &b);
    }
    if (x->p >= x->end) {
        rig_buf_release(&b);
        return xml_fail(x, "unterminated attribute value");
    }
    xml_advance(x, 1);
    *out = rig_buf_take(&b);
    return 0;
}

static struct sg_xml_node *node_new(struct xml_parser *x)
{
    struct sg_xml_node *n = xcalloc(1, sizeof(*n));

    n->line = x->line;
    x->nodes++;
    return n;
}

static void node_add_child(struct sg_xml_node *parent, struct sg_xml_node *child)
{
    parent->children = xreallocarray(parent->children, parent->nchildren + 1,
                                     sizeof(*parent->children));
    parent->children[parent->nchildren++] = child;
}

static int read_attrs(struct xml_parser *x, struct sg_xml_node *n, bool *empty)
{
    for (;;) {
        char *name = NULL, *value = NULL;

        skip_space(x);
        if (x->p >= x->end)
            return xml_fail(x, "unterminated start tag <%s>", n->name);
        if (*x->p == '>') {
            xml_advance(x, 1);
            *empty = false;
            return 0;
        }
        if (xml_starts(x, "/>")) {
            xml_advance(x, 2);
            *empty = true;
            return 0;
        }
        if (n->nattrs >= x->max_attrs)
            return xml_fail(x, "too many attributes on <%s>", n->name);
        if (read_name(x, &name) < 0)
            return -1;
        skip_space(x);
        if (x->p >= x->end || *x->p != '=') {
            free(name);
            return xml_fail(x, "expected '=' after an attribute name in <%s>", n->name);
        }
        xml_advance(x, 1);
        skip_space(x);
        if (read_attr_value(x, &value) < 0) {
            free(name);
            return -1;
        }
        n->attrs = xreallocarray(n->attrs, n->nattrs + 1, sizeof(*n->attrs));
        n->attrs[n->nattrs].name = name;
        n->attrs[n->nattrs].value = value;
        n->nattrs++;
    }
}

static int read_element(struct xml_parser *x, struct sg_xml_node **out);

/* Content of an element up to and including its end tag. */
static int read_content(struct xml_parser *x, struct sg_xml_node *n)
{
    struct rig_buf text = RIG_BUF_INIT;
    int rc = -1;

    for (;;) {
        if (x->p >= x->end) {
            xml_fail(x, "missing end tag </%s>", n->name);
            goto out;
        }
        if (*x->p == '&') {
            if (read_reference(x, &text) < 0)
                goto out;
        } else if (*x->p != '<') {
            add_char(x, &text);
        } else if (xml_starts(x, "<![CDATA[")) {
            const char *s;

            xml_advance(x, 9);
            s = x->p;
            if (skip_past(x, "]]>", "CDATA section") < 0)
                goto out;
            rig_buf_add(&text, s, (size_t)(x->p - s) - 3);
        } else if (xml_starts(x, "<!--")) {
            if (skip_past(x, "-->", "comment") < 0)
                goto out;
        } else if (xml_starts(x, "<?")) {
            if (skip_past(x, "?>", "processing instruction") < 0)
                goto out;
        } else if (xml_starts(x, "</")) {
            char *name = NULL;
            bool same;

            xml_advance(x, 2);
            if (read_name(x, &name) < 0)
                goto out;
            same = strcmp(name, n->name) == 0;
            free(name);
            if (!same) {
                xml_fail(x, "end tag does not match <%s>", n->name);
                goto out;
            }
            skip_space(x);
            if (x->p >= x->end || *x->p != '>') {
                xml_fail(x, "expected '>' to close </%s>", n->name);
                goto out;
            }
            xml_advance(x, 1);
            break;
        } else if (xml_starts(x, "<!")) {
            xml_fail(x, "unexpected markup declaration inside <%s>", n->name);
            goto out;
        } else {
            struct sg_xml_node *child = NULL;

            if (read_element(x, &child) < 0) {
                sg_xml_free(child);
                goto out;
            }
            node_add_child(n, child);
        }
    }
    n->text_len = text.len;
    n->text = rig_buf_take(&text);
    rc = 0;
out:
    rig_buf_release(&text);
    return rc;
}

static int read_element(struct xml_parser *x, struct sg_xml_node **out)
{
    struct sg_xml_node *n;
    bool empty = false;

    if (x->depth >= x->max_depth)
        return xml_fail(x, "elements nested deeper than %d levels", x->max_depth);
    if (x->nodes >= x->max_nodes)
        return xml_fail(x, "more than %zu elements", x->max_nodes);
    n = node_new(x);
    *out = n;
    xml_advance(x, 1); /* '<' */
    if (read_name(x, &n->name) < 0)
        return -1;
    if (read_attrs(x, n, &empty) < 0)
        return -1;
    if (empty) {
        n->text = xstrdup("");
        return 0;
    }
    x->depth++;
    if (read_content(x, n) < 0)
        return -1;
    x->depth--;
    return 0;
}

/* Prolog and epilog: declarations, comments, PIs and whitespace only. */
static int skip_misc(struct xml_parser *x)
{
    for (;;) {
        skip_space(x);
        if (xml_starts(x, "<?")) {
            if (skip_past(x, "?>", "processing instruction") < 0)
                return -1;
        } else if (xml_starts(x, "<!--")) {
            if (skip_past(x, "-->", "comment") < 0)
                return -1;
        } else if (xml_starts(x, "<!DOCTYPE") || xml_starts(x, "<!doctype")) {
            return xml_fail(x, "DOCTYPE declarations are not accepted in test reports");
        } else {
            return 0;
        }
    }
}

int sg_xml_parse(const char *name, const char *data, size_t len,
                 const struct sg_xml_limits *limits, struct sg_xml_node **root,
                 struct rig_err *err)
{
    struct xml_parser x;
    struct sg_xml_node *n = NULL;

    memset(&x, 0, sizeof(x));
    x.name = name;
    x.p = data;
    x.end = data + len;
    x.line_start = data;
    x.line = 1;
    x.err = err;
    x.max_depth = limits && limits->max_depth > 0 ? limits->max_depth : 64;
    x.max_nodes = limits && limits->max_nodes ? limits->max_nodes : 1000000;
    x.max_attrs = limits && limits->max_attrs ? limits->max_attrs : 256;
    *root = NULL;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        x.p += 3;
    if (memchr(data, '\0', len)) {
        x.p = memchr(data, '\0', len);
        return xml_fail(&x, "NUL byte in the document (not a text XML file)");
    }
    if (skip_misc(&x) < 0)
        return -1;
    if (x.p >= x.end || *x.p != '<')
        return xml_fail(&x, "expected the root element");
    if (read_element(&x, &n) < 0) {
        sg_xml_free(n);
        return -1;
    }
    if (skip_misc(&x) < 0) {
        sg_xml_free(n);
        return -1;
    }
    if (x.p < x.end) {
        sg_xml_free(n);
        return xml_fail(&x, "content after the root element");
    }
    *root = n;
    return 0;
}

void sg_xml_free(struct sg_xml_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nchildren; i++)
        sg_xml_free(n->children[i]);
    for (size_t i = 0; i < n->nattrs; i++) {
        free(n->attrs[i].name);
        free(n->attrs[i].value);
    }
    free(n->children);
    free(n->attrs);
    free(n->name);
    free(n->text);
    free(n);
}

const char *sg_xml_attr(const struct sg_xml_node *n, const char *name)
{
    for (size_t i = 0; n && i < n->nattrs; i++) {
        if (strcmp(n->attrs[i].name, name) == 0)
            return n->attrs[i].value;
    }
    return NULL;
}
