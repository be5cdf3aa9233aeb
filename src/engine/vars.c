#include "engine/vars.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

/*
 * The expander is a small POSIX-shell lexer: it only needs to know, at each
 * ${NAME}, which quoting context the shell will be in, because the safe
 * encoding of a value differs per context. Values are never re-parsed by the
 * shell as code once encoded this way.
 */

enum vctx { V_NONE, V_SQ, V_DQ, V_BQ, V_ANSI, V_SUB, V_PARAM };

#define VARS_MAX_DEPTH 64
#define VARS_MAX_HEREDOCS 16
#define VARS_DELIM_MAX 256

struct frame {
    enum vctx kind;
    int parens;    /* V_SUB: unmatched '(' inside $( ) */
    int cases;     /* V_SUB: open `case` statements, whose patterns end in ')' */
    bool arith;    /* V_SUB opened by $(( : '<<' is a shift */
    bool in_dq;    /* V_PARAM inside "...": dash takes ' literally there */
};

struct heredoc {
    char delim[VARS_DELIM_MAX];
    bool strip_tabs;
};

struct lexer {
    const char *s;
    size_t len;
    size_t i;
    const struct rig_vars *vars;
    struct rig_buf out;
    struct frame stack[VARS_MAX_DEPTH];
    int depth; /* stack[depth - 1] is current; depth 0 = top level, unquoted */
    struct heredoc pending[VARS_MAX_HEREDOCS];
    int npending;
    struct rig_err *err;
};

struct vardef {
    const char *name;
    size_t off;
};

static const struct vardef vardefs[] = {
    {"BRANCH_NAME", offsetof(struct rig_vars, branch_name)},
    {"COMMIT_SHA", offsetof(struct rig_vars, commit_sha)},
    {"ISSUE_ID", offsetof(struct rig_vars, issue_id)},
    {"ISSUE_NUMBER", offsetof(struct rig_vars, issue_number)},
    {"ISSUE_TITLE", offsetof(struct rig_vars, issue_title)},
    {"REPO_OWNER", offsetof(struct rig_vars, repo_owner)},
    {"REPO_NAME", offsetof(struct rig_vars, repo_name)},
    {"WORKSPACE", offsetof(struct rig_vars, workspace)},
};

#define NVARDEFS (sizeof(vardefs) / sizeof(vardefs[0]))

static const char *var_value(const struct rig_vars *v, const struct vardef *d)
{
    const char *val;

    if (!v)
        return "";
    memcpy(&val, (const char *)v + d->off, sizeof(val));
    return val ? val : "";
}

/* A known ${NAME} at s[i]? Returns its definition and total length. */
static const struct vardef *match_var(const char *s, size_t i, size_t *len)
{
    size_t j;

    if (s[i] != '$' || s[i + 1] != '{')
        return NULL;
    for (j = i + 2; s[j] == '_' || (s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z') ||
                    (s[j] >= '0' && s[j] <= '9');
         j++)
        ;
    if (s[j] != '}')
        return NULL;
    for (size_t k = 0; k < NVARDEFS; k++) {
        size_t n = strlen(vardefs[k].name);
        if (n == j - (i + 2) && memcmp(vardefs[k].name, s + i + 2, n) == 0) {
            *len = j + 1 - i;
            return &vardefs[k];
        }
    }
    return NULL;
}

static enum vctx cur(const struct lexer *lx)
{
    return lx->depth ? lx->stack[lx->depth - 1].kind : V_NONE;
}

static int push(struct lexer *lx, enum vctx kind)
{
    if (lx->depth >= VARS_MAX_DEPTH)
        return rig_err_set(lx->err, RIG_EINVAL,
                           "command nests quotes/substitutions deeper than %d levels at byte %zu",
                           VARS_MAX_DEPTH, lx->i);
    memset(&lx->stack[lx->depth], 0, sizeof(lx->stack[0]));
    lx->stack[lx->depth].kind = kind;
    lx->stack[lx->depth].in_dq = cur(lx) == V_DQ;
    lx->depth++;
    return 0;
}

static void copy(struct lexer *lx, size_t n)
{
    size_t avail = lx->len - lx->i;

    if (n > avail)
        n = avail;
    rig_buf_add(&lx->out, lx->s + lx->i, n);
    lx->i += n;
}

static int unsafe_ctx(struct lexer *lx, const struct vardef *d, const char *where)
{
    return rig_err_set(lx->err, RIG_EINVAL,
                       "variable ${%s} at byte %zu is inside %s, where a value cannot be quoted "
                       "safely; use the environment variable \"$RIG_%s\" there instead",
                       d->name, lx->i, where, d->name);
}

static int emit_var(struct lexer *lx, const struct vardef *d, size_t len)
{
    const char *v = var_value(lx->vars, d);

    /* Inside these, text is re-scanned or quoted by rules that differ between
     * shells, whatever frames are nested deeper. */
    for (int k = 0; k < lx->depth; k++) {
        switch (lx->stack[k].kind) {
        case V_BQ:
            return unsafe_ctx(lx, d, "`...` backquotes");
        case V_ANSI:
            return unsafe_ctx(lx, d, "a $'...' string");
        case V_PARAM:
            return unsafe_ctx(lx, d, "a ${...} expansion");
        case V_SUB:
            /* The expression is read as if double-quoted (a $(...) inside
             * single quotes still runs), and bash evaluates a command
             * substitution's output as an expression too (a[$(cmd)]). */
            if (lx->stack[k].arith)
                return rig_err_set(lx->err, RIG_EINVAL,
                                   "variable ${%s} at byte %zu is inside an arithmetic "
                                   "expansion $((...)), which runs commands hidden in its value; "
                                   "check that \"$RIG_%s\" is a number first (case $RIG_%s in "
                                   "''|*[!0-9]*) exit 1;; esac) and use that",
                                   d->name, lx->i, d->name, d->name);
            break;
        default:
            break;
        }
    }
    switch (cur(lx)) {
    case V_NONE:
    case V_SUB:
        rig_shell_quote(&lx->out, v);
        break;
    case V_SQ:
        for (; *v; v++) {
            if (*v == '\'')
                rig_buf_adds(&lx->out, "'\\''");
            else
                rig_buf_addch(&lx->out, *v);
        }
        break;
    case V_DQ:
        for (; *v; v++) {
            if (*v == '\\' || *v == '$' || *v == '`' || *v == '"')
                rig_buf_addch(&lx->out, '\\');
            rig_buf_addch(&lx->out, *v);
        }
        break;
    default:
        break;
    }
    lx->i += len;
    return 0;
}

static bool is_meta(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
           c == ')' || c == '<' || c == '>';
}

/* After "<<" or "<<-": read the delimiter word (quote removal applied). */
static int read_heredoc_op(struct lexer *lx)
{
    struct heredoc *h;
    size_t n = 0;
    char q = 0;

    if (lx->npending >= VARS_MAX_HEREDOCS)
        return rig_err_set(lx->err, RIG_EINVAL, "more than %d here-documents on one line",
                           VARS_MAX_HEREDOCS);
    h = &lx->pending[lx->npending];
    memset(h, 0, sizeof(*h));
    copy(lx, 2);
    if (lx->s[lx->i] == '-') {
        h->strip_tabs = true;
        copy(lx, 1);
    }
    while (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t')
        copy(lx, 1);
    while (lx->s[lx->i]) {
        char c = lx->s[lx->i];
        if (q) {
            if (c == q)
                q = 0;
            else if (n + 1 < sizeof(h->delim))
                h->delim[n++] = c;
        } else if (c == '\'' || c == '"') {
            q = c;
        } else if (c == '\\' && lx->s[lx->i + 1]) {
            copy(lx, 1);
            c = lx->s[lx->i];
            if (n + 1 < sizeof(h->delim))
                h->delim[n++] = c;
        } else if (is_meta(c)) {
            break;
        } else if (n + 1 < sizeof(h->delim)) {
            h->delim[n++] = c;
        }
        copy(lx, 1);
    }
    h->delim[n] = '\0';
    if (n == 0)
        return rig_err_set(lx->err, RIG_EINVAL, "here-document at byte %zu has no delimiter",
                           lx->i);
    lx->npending++;
    return 0;
}

/* At the start of a line after a "<<" operator: copy the bodies verbatim,
 * refusing task variables in them (a value with a newline could end the
 * document early and the rest would run as commands). */
static int heredoc_bodies(struct lexer *lx)
{
    for (int k = 0; k < lx->npending; k++) {
        const struct heredoc *h = &lx->pending[k];
        while (lx->s[lx->i]) {
            const char *line = lx->s + lx->i;
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            const char *t = line;
            size_t tl = len;
            bool end;

            for (size_t j = 0; j < len; j++) {
                size_t vl;
                const struct vardef *d = match_var(line, j, &vl);
                if (d) {
                    lx->i += j;
                    return unsafe_ctx(lx, d, "a here-document");
                }
            }
            if (h->strip_tabs)
                for (; tl && *t == '\t'; t++, tl--)
                    ;
            end = tl == strlen(h->delim) && memcmp(t, h->delim, tl) == 0;
            copy(lx, len + (nl ? 1 : 0));
            if (end)
                break;
        }
    }
    lx->npending = 0;
    return 0;
}

static bool word_start(const struct lexer *lx)
{
    return lx->i == 0 || is_meta(lx->s[lx->i - 1]);
}

/* The reserved word w at the current position (a whole word)? */
static bool at_word(const struct lexer *lx, const char *w)
{
    size_t n = strlen(w);

    return word_start(lx) && lx->len - lx->i >= n && memcmp(lx->s + lx->i, w, n) == 0 &&
           (lx->s[lx->i + n] == '\0' || is_meta(lx->s[lx->i + n]));
}

static struct frame *top(struct lexer *lx)
{
    return &lx->stack[lx->depth - 1];
}

/* Outside any quotes: top level, inside $( ) or $(( )). */
static int step_unquoted(struct lexer *lx)
{
    const char *s = lx->s;
    size_t i = lx->i;
    char c = s[i];
    bool sub = cur(lx) == V_SUB;

    if (c == '\\') {
        copy(lx, 2);
    } else if (c == '\'') {
        copy(lx, 1);
        return push(lx, V_SQ);
    } else if (c == '"') {
        copy(lx, 1);
        return push(lx, V_DQ);
    } else if (c == '`') {
        copy(lx, 1);
        return push(lx, V_BQ);
    } else if (c == '$' && s[i + 1] == '\'') {
        copy(lx, 2);
        return push(lx, V_ANSI);
    } else if (c == '$' && s[i + 1] == '(') {
        bool arith = s[i + 2] == '(';
        copy(lx, arith ? 3 : 2);
        if (push(lx, V_SUB) < 0)
            return -1;
        top(lx)->arith = arith;
        top(lx)->parens = arith ? 1 : 0;
    } else if (c == '$' && s[i + 1] == '{') {
        copy(lx, 2);
        return push(lx, V_PARAM);
    } else if (sub && c == '(') {
        top(lx)->parens++;
        copy(lx, 1);
    } else if (sub && c == ')') {
        copy(lx, 1);
        if (top(lx)->parens > 0)
            top(lx)->parens--;
        else if (top(lx)->cases == 0)
            lx->depth--;
    } else if (sub && at_word(lx, "case")) {
        top(lx)->cases++;
        copy(lx, 4);
    } else if (sub && at_word(lx, "esac")) {
        if (top(lx)->cases > 0)
            top(lx)->cases--;
        copy(lx, 4);
    } else if (c == '#' && word_start(lx)) {
        const char *nl = memchr(s + i, '\n', lx->len - i);
        copy(lx, nl ? (size_t)(nl - (s + i)) : lx->len - i);
    } else if (c == '<' && s[i + 1] == '<' && s[i + 2] != '<' && !(sub && top(lx)->arith)) {
        return read_heredoc_op(lx);
    } else if (c == '<' && s[i + 1] == '<') {
        copy(lx, 2); /* a shift, or the start of a bash here-string */
    } else if (c == '\n') {
        copy(lx, 1);
        if (lx->npending)
            return heredoc_bodies(lx);
    } else {
        copy(lx, 1);
    }
    return 0;
}

/* Inside ${...}: find its end; quotes nest (a single quote is literal when
 * the expansion itself is inside double quotes, as dash does). */
static int step_param(struct lexer *lx)
{
    const char *s = lx->s;
    size_t i = lx->i;

    if (s[i] == '}') {
        lx->depth--;
        copy(lx, 1);
    } else if (s[i] == '\\') {
        copy(lx, 2);
    } else if (s[i] == '\'' && !top(lx)->in_dq) {
        copy(lx, 1);
        return push(lx, V_SQ);
    } else if (s[i] == '"') {
        copy(lx, 1);
        return push(lx, V_DQ);
    } else if (s[i] == '`') {
        copy(lx, 1);
        return push(lx, V_BQ);
    } else if (s[i] == '$' && (s[i + 1] == '(' || s[i + 1] == '{')) {
        return step_unquoted(lx);
    } else {
        copy(lx, 1);
    }
    return 0;
}

static int step(struct lexer *lx)
{
    const char *s = lx->s;
    size_t i = lx->i;
    size_t vl;
    const struct vardef *d = match_var(s, i, &vl);

    if (d)
        return emit_var(lx, d, vl);
    switch (cur(lx)) {
    case V_NONE:
    case V_SUB:
        return step_unquoted(lx);
    case V_PARAM:
        return step_param(lx);
    case V_SQ:
        if (s[i] == '\'')
            lx->depth--;
        copy(lx, 1);
        return 0;
    case V_DQ:
        if (s[i] == '\\') {
            copy(lx, 2);
        } else if (s[i] == '"') {
            lx->depth--;
            copy(lx, 1);
        } else if (s[i] == '`') {
            copy(lx, 1);
            return push(lx, V_BQ);
        } else if (s[i] == '$' && (s[i + 1] == '(' || s[i + 1] == '{')) {
            return step_unquoted(lx);
        } else {
            copy(lx, 1);
        }
        return 0;
    case V_BQ:
    case V_ANSI:
        if (s[i] == '\\') {
            copy(lx, 2);
        } else {
            if (s[i] == (cur(lx) == V_BQ ? '`' : '\''))
                lx->depth--;
            copy(lx, 1);
        }
        return 0;
    }
    return 0;
}

int rig_vars_expand(const char *cmd, const struct rig_vars *vars, char **out,
                    struct rig_err *err)
{
    struct lexer lx;
    int rc = -1;

    *out = NULL;
    if (!cmd)
        return rig_err_set(err, RIG_EINVAL, "no command to expand");
    memset(&lx, 0, sizeof(lx));
    lx.s = cmd;
    lx.len = strlen(cmd);
    lx.vars = vars;
    lx.err = err;
    rig_buf_init(&lx.out, 0);
    while (lx.i < lx.len)
        if (step(&lx) < 0)
            goto out;
    *out = rig_buf_take(&lx.out);
    rc = 0;
out:
    rig_buf_release(&lx.out);
    return rc;
}

char **rig_vars_env(const struct rig_vars *vars)
{
    char **v = xcalloc(NVARDEFS + 1, sizeof(*v));
    size_t n = 0;

    if (!vars)
        return v;
    for (size_t k = 0; k < NVARDEFS; k++)
        v[n++] = xasprintf("RIG_%s=%s", vardefs[k].name, var_value(vars, &vardefs[k]));
    return v;
}
