/*
 * Message text for notifiers. Everything shown comes from the task (issue
 * title and URL, PR URL) or the engine (error text, test output), so all of
 * it is treated as untrusted: redacted first (secrets must match before any
 * escaping changes them), cleaned to valid UTF-8, then escaped for the target.
 */
#include "adapters/notify/notify_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "engine/phase.h"
#include "core/banned.h"

#define TITLE_MAX_CP 200
#define URL_MAX 400
#define DETAIL_WINDOW (64u << 10)
#define ELLIPSIS "\xe2\x80\xa6"    /* U+2026 */
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define GRAVE_MOD "\xcb\x8b"       /* U+02CB: looks like ` but closes no code span */

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1-4), 0 when invalid (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
static int utf8_seq(const unsigned char *p, uint32_t *cp)
{
    uint32_t c;
    int n;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, c = p[0] & 0x1fu;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, c = p[0] & 0x0fu;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, c = p[0] & 0x07u;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3fu);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Past an ANSI escape sequence at p (p[0] == ESC): colour codes in test
 * output would otherwise leave "[31m" litter once ESC is removed. */
static const unsigned char *skip_escape(const unsigned char *p)
{
    p++;
    if (*p == '[') {
        for (p++; *p && !(*p >= 0x40 && *p <= 0x7e); p++)
            ;
        return *p ? p + 1 : p;
    }
    return *p ? p + 1 : p;
}

char *notify_utf8_clean(const char *s)
{
    struct rig_buf b = RIG_BUF_INIT;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    uint32_t cp;

    rig_buf_adds(&b, "");
    while (*p) {
        int n;

        if (*p == 0x1b) {
            p = skip_escape(p);
            continue;
        }
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
            p++;
            continue;
        }
        n = utf8_seq(p, &cp);
        if (n == 0) {
            rig_buf_adds(&b, REPLACEMENT);
            p++;
            continue;
        }
        rig_buf_add(&b, p, (size_t)n);
        p += n;
    }
    return rig_buf_take(&b);
}

size_t notify_utf16_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    uint32_t cp;

    while (*p) {
        int len = utf8_seq(p, &cp);

        if (len == 0)
            len = 1;
        n += cp >= 0x10000 && len == 4 ? 2 : 1;
        p += len;
    }
    return n;
}

/* The end of s, at most max bytes, starting on a character boundary and, when
 * a line break is close, on a line boundary. *cut tells whether text was left out. */
static const char *tail_bytes(const char *s, size_t max, bool *cut)
{
    size_t len = strlen(s);
    const char *p, *nl;

    *cut = len > max;
    if (!*cut)
        return s;
    p = s + len - max;
    while ((*(const unsigned char *)p & 0xc0) == 0x80)
        p++;
    nl = strchr(p, '\n');
    if (nl && nl - p < 160 && nl[1])
        p = nl + 1;
    return p;
}

/* The end of valid UTF-8 s that fits in max UTF-16 code units. */
static const char *tail_utf16(const char *s, size_t max, bool *cut)
{
    size_t total = notify_utf16_len(s);
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;

    *cut = total > max;
    while (total > max && *p) {
        int len = utf8_seq(p, &cp);

        if (len == 0)
            len = 1;
        total -= cp >= 0x10000 && len == 4 ? 2 : 1;
        p += len;
    }
    return (const char *)p;
}

/* One line of at most max characters, with an ellipsis when cut. */
static char *one_line(const char *s, size_t max)
{
    struct rig_buf b = RIG_BUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    size_t ncp = 0;
    uint32_t cp;

    rig_buf_adds(&b, "");
    while (*p) {
        int len = utf8_seq(p, &cp);

        if (len == 0)
            len = 1;
        if (ncp == max) {
            rig_buf_adds(&b, ELLIPSIS);
            break;
        }
        if (*p == '\n' || *p == '\t')
            rig_buf_addch(&b, ' ');
        else
            rig_buf_add(&b, p, (size_t)len);
        ncp++;
        p += len;
    }
    return rig_buf_take(&b);
}

/* Redact, then clean. NULL stays NULL. */
static char *safe_text(const char *s)
{
    char *r, *c;

    if (!s)
        return NULL;
    r = rig_redact(s);
    c = notify_utf8_clean(r);
    free(r);
    return c;
}

/* Task ids are generated by the engine; keep them inert in code spans and
 * HTML comments anyway. */
static char *safe_id(const char *id)
{
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_adds(&b, "");
    for (const char *p = id ? id : ""; *p; p++) {
        char c = *p;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.')
            rig_buf_addch(&b, c);
    }
    return rig_buf_take(&b);
}

/* ---- what an event says ---------------------------------------------------- */

struct view {
    const char *emoji;      /* Slack shortcode */
    const char *headline;
    const char *evname;
    char *id;
    long long issue;
    char *title;            /* one line */
    char *issue_url;        /* NULL when none */
    const char *phase;
    int attempt;
    char *link;             /* PR URL or branch; NULL when none */
    bool approve_hint;
    char *detail;           /* NULL when none */
};

/* An http(s) URL that can stand in a message as is. */
static bool plain_url(const char *u)
{
    return u && strlen(u) <= URL_MAX && (rig_str_startswith(u, "https://") ||
                                         rig_str_startswith(u, "http://")) &&
           !strpbrk(u, "<>| \t\n\"`");
}

static void view_init(struct view *v, const struct rig_task *t, enum rig_event ev,
                      const char *detail)
{
    static const struct {
        const char *emoji, *headline;
    } names[] = {
        [RIG_EVENT_PHASE] = {":gear:", "Working on this issue"},
        [RIG_EVENT_DEPLOYED] = {":rocket:", "Deploy succeeded"},
        [RIG_EVENT_DEPLOY_FAIL] = {":x:", "Deploy failed"},
        [RIG_EVENT_TEST_FAIL] = {":x:", "Tests failed"},
        [RIG_EVENT_TEST_PASS] = {":white_check_mark:", "Tests passed"},
        [RIG_EVENT_PR_CREATED] = {":twisted_rightwards_arrows:", "Pull request opened"},
        [RIG_EVENT_PROPOSAL] = {":raised_hand:", "Waiting for approval"},
        [RIG_EVENT_FAILED] = {":rotating_light:", "Task failed"},
        [RIG_EVENT_COMPLETED] = {":tada:", "Task completed"},
        [RIG_EVENT_CANCELLED] = {":octagonal_sign:", "Task cancelled"},
    };
    bool known = (size_t)ev < sizeof(names) / sizeof(names[0]);
    char *title;

    memset(v, 0, sizeof(*v));
    v->emoji = known ? names[ev].emoji : ":grey_question:";
    v->headline = known ? names[ev].headline : "Event";
    v->evname = rig_event_name(ev);
    v->id = safe_id(t->id);
    v->issue = (long long)t->issue_number;
    title = safe_text(t->issue_title ? t->issue_title : "");
    v->title = one_line(title, TITLE_MAX_CP);
    free(title);
    if (plain_url(t->issue_url))
        v->issue_url = safe_text(t->issue_url);
    v->phase = rig_phase_name(t->phase);
    v->attempt = t->attempt;
    switch (ev) {
    case RIG_EVENT_PR_CREATED:
        if (detail && *detail && strlen(detail) <= URL_MAX)
            v->link = safe_text(detail);
        break;
    case RIG_EVENT_COMPLETED:
        if (t->pr_url && *t->pr_url && strlen(t->pr_url) <= URL_MAX)
            v->link = safe_text(t->pr_url);
        break;
    case RIG_EVENT_PROPOSAL:
        v->approve_hint = true;
        /* fallthrough */
    case RIG_EVENT_DEPLOY_FAIL:
    case RIG_EVENT_TEST_FAIL:
    case RIG_EVENT_FAILED:
        if (detail && *detail) {
            bool cut;

            /* Test output can be megabytes; messages show at most a few KiB of
             * its end. Redacting only a window keeps the engine's callback
             * cheap; a secret split at the window's start lies far before
             * what any message shows. */
            v->detail = safe_text(tail_bytes(detail, DETAIL_WINDOW, &cut));
        }
        break;
    default:
        /* Successes carry no detail: the engine passes the task's last error,
         * which may be from an earlier attempt. */
        break;
    }
}

/* Platforms without pull-request pages (local) report the pushed branch. */
static const char *link_label(const struct view *v)
{
    return plain_url(v->link) ? "Pull request" : "Branch";
}

static void view_release(struct view *v)
{
    free(v->id);
    free(v->title);
    free(v->issue_url);
    free(v->link);
    free(v->detail);
}

/* ---- escaping ------------------------------------------------------------------ */

/* Slack treats & < > as control characters (<!channel>, <@U123>, links). */
static void add_slack(struct rig_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            rig_buf_adds(b, "&amp;");
        else if (*s == '<')
            rig_buf_adds(b, "&lt;");
        else if (*s == '>')
            rig_buf_adds(b, "&gt;");
        else
            rig_buf_addch(b, *s);
    }
}

/* Text inside a ``` block or a one-line field: a backtick could end the
 * block early, so it becomes a look-alike. */
static void add_nograve(struct rig_buf *b, const char *s, bool slack)
{
    for (; *s; s++) {
        if (*s == '`')
            rig_buf_adds(b, GRAVE_MOD);
        else if (slack && (*s == '&' || *s == '<' || *s == '>'))
            add_slack(b, (char[]){*s, '\0'});
        else
            rig_buf_addch(b, *s);
    }
}

static char *json_body(const char *key, const char *text, bool discord)
{
    json_t *o = json_object();
    char *s;

    json_object_set_new(o, key, json_string(text));
    if (discord)
        /* Issue titles and error text must not ping @everyone or anyone else. */
        json_object_set_new(o, "allowed_mentions", json_pack("{s:[]}", "parse"));
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s ? s : xstrdup("{}");
}

/* ---- Slack ---------------------------------------------------------------------- */

static char *format_slack(const struct view *v)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *body;

    rig_buf_addf(&b, "%s *%s* \xc2\xb7 Rig task `%s`\n", v->emoji, v->headline, v->id);
    if (v->issue > 0) {
        rig_buf_addf(&b, "Issue #%lld: ", v->issue);
        add_nograve(&b, v->title, true);
        if (v->issue_url) {
            rig_buf_adds(&b, " ");
            add_slack(&b, v->issue_url);
        }
        rig_buf_adds(&b, "\n");
    }
    rig_buf_addf(&b, "Phase: %s", v->phase);
    if (v->attempt > 0)
        rig_buf_addf(&b, ", attempt %d", v->attempt);
    rig_buf_adds(&b, "\n");
    if (v->link) {
        rig_buf_addf(&b, "%s: ", link_label(v));
        add_nograve(&b, v->link, true);
        rig_buf_adds(&b, "\n");
    }
    if (v->approve_hint)
        rig_buf_addf(&b, "Approve with `rig approve %s` or reject with `rig reject %s`.\n", v->id,
                     v->id);
    if (v->detail) {
        bool cut;
        const char *d = tail_bytes(v->detail, NOTIFY_SLACK_DETAIL_MAX, &cut);

        rig_buf_adds(&b, "```\n");
        if (cut)
            rig_buf_adds(&b, ELLIPSIS "\n");
        add_nograve(&b, d, true);
        rig_buf_adds(&b, "\n```\n");
    }
    if (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    body = json_body("text", rig_buf_str(&b), false);
    rig_buf_release(&b);
    return body;
}

/* ---- Discord -------------------------------------------------------------------- */

static void discord_head(struct rig_buf *b, const struct view *v)
{
    rig_buf_addf(b, "**%s** \xc2\xb7 Rig task `%s`\n", v->headline, v->id);
    if (v->issue > 0) {
        rig_buf_addf(b, "Issue #%lld: ", v->issue);
        add_nograve(b, v->title, false);
        /* <url> keeps Discord from unfurling a preview card. */
        if (v->issue_url)
            rig_buf_addf(b, " <%s>", v->issue_url);
        rig_buf_adds(b, "\n");
    }
    rig_buf_addf(b, "Phase: %s", v->phase);
    if (v->attempt > 0)
        rig_buf_addf(b, ", attempt %d", v->attempt);
    rig_buf_adds(b, "\n");
    if (v->link) {
        if (plain_url(v->link))
            rig_buf_addf(b, "Pull request: <%s>\n", v->link);
        else {
            rig_buf_addf(b, "%s: ", link_label(v));
            add_nograve(b, v->link, false);
            rig_buf_adds(b, "\n");
        }
    }
    if (v->approve_hint)
        rig_buf_addf(b, "Approve with `rig approve %s` or reject with `rig reject %s`.\n", v->id,
                     v->id);
}

static char *format_discord(const struct view *v)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *body;

    discord_head(&b, v);
    if (v->detail) {
        struct rig_buf d = RIG_BUF_INIT;
        size_t used = notify_utf16_len(rig_buf_str(&b));
        /* "```\n" + ellipsis line + "\n```" */
        size_t frame = 4 + 2 + 4;

        add_nograve(&d, v->detail, false);
        if (used + frame + 40 < NOTIFY_DISCORD_MAX) {
            bool cut;
            const char *t = tail_utf16(rig_buf_str(&d), NOTIFY_DISCORD_MAX - used - frame, &cut);

            rig_buf_adds(&b, "```\n");
            if (cut)
                rig_buf_adds(&b, ELLIPSIS "\n");
            rig_buf_adds(&b, t);
            rig_buf_adds(&b, "\n```");
        }
        rig_buf_release(&d);
    }
    if (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    /* The head alone cannot reach the limit (title and URLs are capped);
     * this keeps the promise even if that changes. */
    if (notify_utf16_len(rig_buf_str(&b)) > NOTIFY_DISCORD_MAX) {
        bool cut;
        const char *t = tail_utf16(rig_buf_str(&b), NOTIFY_DISCORD_MAX, &cut);
        char *copy = xstrdup(t);

        rig_buf_reset(&b);
        rig_buf_adds(&b, copy);
        free(copy);
    }
    body = json_body("content", rig_buf_str(&b), true);
    rig_buf_release(&b);
    return body;
}

/* ---- issue comment -------------------------------------------------------------- */

static size_t longest_grave_run(const char *s)
{
    size_t best = 0, run = 0;

    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

static char *format_comment(const struct view *v)
{
    struct rig_buf b = RIG_BUF_INIT;

    /* A marker so Rig's webhook handler can recognise and ignore its own comments. */
    rig_buf_addf(&b, "<!-- rig:task=%s event=%s -->\n", v->id, v->evname);
    rig_buf_addf(&b, "**Rig** \xc2\xb7 %s \xc2\xb7 task `%s` \xc2\xb7 phase %s", v->headline, v->id,
                 v->phase);
    if (v->attempt > 0)
        rig_buf_addf(&b, ", attempt %d", v->attempt);
    rig_buf_adds(&b, "\n");
    if (v->link) {
        rig_buf_addf(&b, "\n%s: ", link_label(v));
        add_nograve(&b, v->link, false);
        rig_buf_adds(&b, "\n");
    }
    if (v->approve_hint)
        rig_buf_addf(&b, "\nApprove with `rig approve %s` or reject with `rig reject %s`.\n", v->id,
                     v->id);
    if (v->detail) {
        bool cut;
        const char *d = tail_bytes(v->detail, NOTIFY_COMMENT_DETAIL_MAX, &cut);
        size_t fence = longest_grave_run(d) + 1;

        /* Inside a fence longer than any backtick run, nothing in the text
         * is Markdown: no @mentions, no links, no early end. */
        if (fence < 3)
            fence = 3;
        rig_buf_adds(&b, "\n");
        for (size_t i = 0; i < fence; i++)
            rig_buf_addch(&b, '`');
        rig_buf_adds(&b, "text\n");
        if (cut)
            rig_buf_adds(&b, ELLIPSIS "\n");
        rig_buf_adds(&b, d);
        rig_buf_adds(&b, "\n");
        for (size_t i = 0; i < fence; i++)
            rig_buf_addch(&b, '`');
        rig_buf_adds(&b, "\n");
    }
    return rig_buf_take(&b);
}

char *notify_format(enum rig_notify_type type, const struct rig_task *task, enum rig_event ev,
                    const char *detail)
{
    struct view v;
    char *out;

    view_init(&v, task, ev, detail);
    switch (type) {
    case RIG_NOTIFY_SLACK: out = format_slack(&v); break;
    case RIG_NOTIFY_DISCORD: out = format_discord(&v); break;
    default: out = format_comment(&v); break;
    }
    view_release(&v);
    return out;
}

char *notify_url_origin(const char *url)
{
    const char *p = strstr(url ? url : "", "://");
    const char *host, *end, *at;

    if (!p)
        return xstrdup("(invalid URL)");
    host = p + 3;
    end = host + strcspn(host, "/?#");
    at = memchr(host, '@', (size_t)(end - host));
    if (at)
        host = at + 1;
    return xasprintf("%.*s://%.*s", (int)(p - url), url, (int)(end - host), host);
}
