/*
 * Drift Radar markdown from drift-score.json.
 */
#include "gate/radar.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "gate/drift.h"
#include "gate/findings.h"
#include "gate/radar_int.h"
#include "core/banned.h"

#define CARD_TEXT_MAX 1500  /* bytes of one message / guidance line */
#define CARD_CODE_MAX 4000  /* bytes of one code example */
#define MAIN_RULES 2        /* rules named per area row */

void sg_radar_opts_init(struct sg_radar_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->prev_score = -1;
}

int sg_lang_parse(const char *s, enum sg_lang *out)
{
    if (rig_str_eq(s, "en"))
        *out = SG_LANG_EN;
    else if (rig_str_eq(s, "ko"))
        *out = SG_LANG_KO;
    else
        return -1;
    return 0;
}

static int need(struct rig_err *err, const char *name, const char *what, const json_t *v,
                const char *want)
{
    return rig_err_set(err, RIG_EINVAL, "%s: %s: expected %s, got %s; was it written by "
                                        "`specgate drift score`?", name, what, want,
                       v ? rig_json_type_name(v) : "nothing");
}

static int check_violation(const json_t *v, size_t i, const char *name, struct rig_err *err)
{
    static const char *const strs[] = {"rule", "area", "priority", "message"};
    char what[64];
    json_t *x;
    enum sg_area a;
    enum sg_priority p;

    if (!json_is_object(v)) {
        snprintf(what, sizeof(what), "violations[%zu]", i);
        return need(err, name, what, v, "an object");
    }
    for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
        x = json_object_get(v, strs[k]);
        if (!json_is_string(x)) {
            snprintf(what, sizeof(what), "violations[%zu].%s", i, strs[k]);
            return need(err, name, what, x, "a string");
        }
    }
    if (sg_area_parse(rig_json_str(v, "area", ""), &a) < 0 ||
        sg_priority_parse(rig_json_str(v, "priority", ""), &p) < 0) {
        snprintf(what, sizeof(what), "violations[%zu]", i);
        return need(err, name, what, v, "a known area and priority");
    }
    x = json_object_get(v, "file");
    if (x && !json_is_string(x) && !json_is_null(x)) {
        snprintf(what, sizeof(what), "violations[%zu].file", i);
        return need(err, name, what, x, "a string or null");
    }
    x = json_object_get(v, "line");
    if (!json_is_integer(x) || json_integer_value(x) < 0) {
        snprintf(what, sizeof(what), "violations[%zu].line", i);
        return need(err, name, what, x, "a line number");
    }
    x = json_object_get(v, "points");
    if (!json_is_number(x)) {
        snprintf(what, sizeof(what), "violations[%zu].points", i);
        return need(err, name, what, x, "a number");
    }
    return 0;
}

int sg_radar_check_score(const json_t *score, const char *name, struct rig_err *err)
{
    static const char *const arrays[] = {"violations", "unmapped", "tool_errors"};
    json_t *x, *th, *areas, *v;
    enum sg_status st;
    size_t i;

    if (!json_is_object(score))
        return need(err, name, "top level", score, "an object");
    x = json_object_get(score, "total_score");
    if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 100)
        return need(err, name, "total_score", x, "an integer 0..100");
    x = json_object_get(score, "status");
    if (!json_is_string(x) || sg_status_parse(json_string_value(x), &st) < 0)
        return need(err, name, "status", x, "PASS, WARN or FAIL");
    th = json_object_get(score, "thresholds");
    if (!json_is_object(th) || !json_is_integer(json_object_get(th, "fail")) ||
        !json_is_integer(json_object_get(th, "warn")))
        return need(err, name, "thresholds", th, "{\"fail\": N, \"warn\": N}");
    areas = json_object_get(score, "areas");
    if (!json_is_object(areas))
        return need(err, name, "areas", areas, "an object");
    for (int a = 0; a < SG_AREA_COUNT; a++) {
        json_t *ar = json_object_get(areas, sg_area_name((enum sg_area)a));

        if (!json_is_object(ar) || !json_is_integer(json_object_get(ar, "score")))
            return need(err, name, "areas entry", ar, "an object with \"score\"");
    }
    for (size_t k = 0; k < sizeof(arrays) / sizeof(arrays[0]); k++) {
        x = json_object_get(score, arrays[k]);
        if (!json_is_array(x))
            return need(err, name, arrays[k], x, "an array");
    }
    json_array_foreach(json_object_get(score, "violations"), i, v) {
        if (check_violation(v, i, name, err) < 0)
            return -1;
    }
    return 0;
}

int sg_radar_previous_score(const char *body)
{
    const char *p = body ? strstr(body, "<!-- specgate:data ") : NULL;
    const char *e;
    json_t *d;
    int score = -1;

    if (!p)
        return -1;
    p += strlen("<!-- specgate:data ");
    e = strstr(p, " -->");
    if (!e)
        return -1;
    d = json_loadb(p, (size_t)(e - p), 0, NULL);
    if (json_is_integer(json_object_get(d, "total_score"))) {
        json_int_t v = json_integer_value(json_object_get(d, "total_score"));

        score = v >= 0 && v <= 100 ? (int)v : -1;
    }
    json_decref(d);
    return score;
}

struct radar {
    const json_t *score;
    const struct sg_ruleset *rules;
    const struct sg_radar_opts *o;
    const struct radar_text *t;
    enum sg_status status;
    int fail_at, warn_at;
};

static const char *rule_title(const struct radar *r, const char *id)
{
    const struct sg_rule *rule = sg_rules_by_id(r->rules, id);

    return rule && rule->title && *rule->title ? rule->title : id;
}

static bool counted(const json_t *v)
{
    return rig_json_bool(v, "counted", true);
}

static void fmt_points(char *out, size_t n, double v)
{
    snprintf(out, n, "%.1f", v);
    if (strlen(out) > 2 && strcmp(out + strlen(out) - 2, ".0") == 0)
        out[strlen(out) - 2] = '\0';
}

static void render_head(const struct radar *r, struct rig_buf *b)
{
    const struct radar_text *t = r->t;
    int total = (int)rig_json_int(r->score, "total_score", 0);
    char n1[24], n2[24], n3[24];

    rig_buf_addf(b, "%s\n<!-- specgate:data {\"total_score\":%d,\"status\":\"%s\"} -->\n",
                 SG_RADAR_MARKER, total, sg_status_name(r->status));
    rig_buf_addf(b, "%s\n\n%s\n**Drift Score: %d/100** %s ", t->title, t->overall, total,
                 t->badge[r->status]);
    snprintf(n1, sizeof(n1), "%d", r->fail_at);
    radar_tpl(b, t->threshold_fmt, n1, NULL, NULL);
    rig_buf_addf(b, "\n\n%s\n", t->status_msg[r->status]);
    if (r->o->prev_score >= 0) {
        rig_buf_addch(b, '\n');
        snprintf(n1, sizeof(n1), "%d", r->o->prev_score);
        snprintf(n2, sizeof(n2), "%d", total);
        snprintf(n3, sizeof(n3), "%+d", total - r->o->prev_score);
        radar_tpl(b, t->previous_fmt, n1, n2, n3);
        rig_buf_addch(b, '\n');
    }
    if (!rig_json_bool(r->score, "complete", true))
        rig_buf_addf(b, "\n%s\n", t->incomplete);
}

struct rule_tally {
    const char *id;
    size_t count;
    double points;
};

static int cmp_tally(const void *pa, const void *pb)
{
    const struct rule_tally *a = pa, *b = pb;

    if (a->points != b->points)
        return a->points > b->points ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* "title (6), other (1), +2 more" for the area's scored violations, the
 * rules that cost the most points first. */
static void area_main(const struct radar *r, struct rig_buf *b, const char *area)
{
    json_t *viol = json_object_get(r->score, "violations"), *v;
    struct rule_tally *t = NULL;
    size_t nids = 0, i;
    char num[24];

    json_array_foreach(viol, i, v) {
        const char *id = rig_json_str(v, "rule", "");
        size_t k;

        if (!counted(v) || strcmp(rig_json_str(v, "area", ""), area) != 0)
            continue;
        for (k = 0; k < nids && strcmp(t[k].id, id) != 0; k++)
            ;
        if (k == nids) {
            t = xreallocarray(t, nids + 1, sizeof(*t));
            t[nids].id = id;
            t[nids].count = 0;
            t[nids++].points = 0;
        }
        t[k].count++;
        t[k].points += rig_json_num(v, "points", 0);
    }
    if (nids)
        qsort(t, nids, sizeof(*t), cmp_tally);
    else
        rig_buf_adds(b, r->t->review_none);
    for (size_t k = 0; k < nids && k < MAIN_RULES; k++) {
        struct rig_buf name = RIG_BUF_INIT;

        radar_md_authored(&name, rule_title(r, t[k].id), 80);
        if (k)
            rig_buf_adds(b, ", ");
        snprintf(num, sizeof(num), "%zu", t[k].count);
        radar_tpl(b, r->t->count_fmt, rig_buf_str(&name), num, NULL);
        rig_buf_release(&name);
    }
    if (nids > MAIN_RULES) {
        rig_buf_adds(b, ", ");
        snprintf(num, sizeof(num), "%zu", nids - MAIN_RULES);
        radar_tpl(b, r->t->more_rules_fmt, num, NULL, NULL);
    }
    free(t);
}

static void render_areas(const struct radar *r, struct rig_buf *b)
{
    json_t *areas = json_object_get(r->score, "areas");

    rig_buf_addf(b, "\n%s\n%s", r->t->by_area, r->t->table_head);
    for (int a = 0; a < SG_AREA_COUNT; a++) {
        const char *code = sg_area_name((enum sg_area)a);
        json_t *ar = json_object_get(areas, code);
        long long blocking = rig_json_int(ar, "blocking", 0);
        long long n = rig_json_int(ar, "violations", 0);
        int st = blocking > 0 ? 2 : n > 0 ? 1 : 0;

        rig_buf_addf(b, "| %s | %lld/100 | %s | ", r->t->area[a], rig_json_int(ar, "score", 0),
                     r->t->area_status[st]);
        area_main(r, b, code);
        rig_buf_adds(b, " |\n");
    }
}

static const char *code_lang(const char *file, const struct sg_rule *rule)
{
    static const struct {
        const char *ext, *lang;
    } map[] = {{".java", "java"}, {".kt", "kotlin"},     {".ts", "typescript"},
               {".tsx", "tsx"},   {".js", "javascript"}, {".py", "python"},
               {".go", "go"},     {".yaml", "yaml"},     {".yml", "yaml"},
               {".json", "json"}, {".cs", "csharp"},     {".rb", "ruby"}};
    json_t *langs;

    for (size_t i = 0; file && i < sizeof(map) / sizeof(map[0]); i++) {
        if (rig_str_endswith(file, map[i].ext))
            return map[i].lang;
    }
    langs = sg_rule_get(rule, "ci_info.semgrep_rule.languages");
    if (json_is_string(json_array_get(langs, 0)))
        return json_string_value(json_array_get(langs, 0));
    return rule && sg_rule_get(rule, "ci_info.archunit_rule") ? "java" : "";
}

static void url_path(struct rig_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || strchr("/-._~", c))
            rig_buf_addch(b, (char)c);
        else
            rig_buf_addf(b, "%%%02X", c);
    }
}

static void card_file(const struct radar *r, struct rig_buf *b, const json_t *v)
{
    const char *file = rig_json_str(v, "file", NULL);
    long long line = rig_json_int(v, "line", 0);
    const char *server = r->o->server_url ? r->o->server_url : "https://github.com";
    struct rig_buf label = RIG_BUF_INIT;
    char *norm = NULL;

    rig_buf_addf(b, "- **%s**: ", r->t->file);
    if (!file) {
        rig_buf_addf(b, "%s\n", r->t->no_location);
        return;
    }
    /* CR ends a markdown line as LF does: either would let a code span run open. */
    if (strpbrk(file, "`\n\r")) {
        radar_md_inline(&label, file, 300);
    } else {
        rig_buf_addch(&label, '`');
        rig_buf_add(&label, file, radar_utf8_cut(file, 300));
        if (line > 0)
            rig_buf_addf(&label, ":%lld", line);
        rig_buf_addch(&label, '`');
    }
    /* A path that is absolute or climbs with ".." is not linked: the browser
     * would resolve it to another page on the server. */
    norm = file[0] == '/' ? NULL : rig_path_normalize_rel(file);
    if (r->o->repo && r->o->sha && norm) {
        rig_buf_addf(b, "[%s](%s/", rig_buf_str(&label), server);
        url_path(b, r->o->repo);
        rig_buf_adds(b, "/blob/");
        url_path(b, r->o->sha);
        rig_buf_addch(b, '/');
        url_path(b, norm);
        if (line > 0)
            rig_buf_addf(b, "#L%lld", line);
        rig_buf_adds(b, ")\n");
    } else {
        rig_buf_addf(b, "%s\n", rig_buf_str(&label));
    }
    rig_buf_release(&label);
    free(norm);
}

/* authored: text from the rules file (markdown allowed), else tool output. */
static void card_line(struct rig_buf *b, const char *label, const char *text, bool authored)
{
    rig_buf_addf(b, "- **%s**: ", label);
    if (authored)
        radar_md_authored(b, text, CARD_TEXT_MAX);
    else
        radar_md_inline(b, text, CARD_TEXT_MAX);
    rig_buf_addch(b, '\n');
}

static void render_card(const struct radar *r, struct rig_buf *b, size_t n, const json_t *v)
{
    const char *id = rig_json_str(v, "rule", "");
    const struct sg_rule *rule = sg_rules_by_id(r->rules, id);
    const char *title = sg_rule_str(rule, "ci_info.pr_comment.card_title");
    const char *summary = sg_rule_str(rule, "ci_info.pr_comment.violation_summary");
    const char *fix = sg_rule_str(rule, "ci_info.pr_comment.fix_guidance");
    const char *code = sg_rule_str(rule, "ci_info.pr_comment.code_example");
    const char *msg = rig_json_str(v, "message", "");
    struct rig_buf id_md = RIG_BUF_INIT;
    char pts[32], num[24];

    radar_md_inline(&id_md, id, 100);
    rig_buf_addch(b, '\n');
    snprintf(num, sizeof(num), "%zu", n);
    radar_tpl(b, r->t->card_fmt, num, rig_buf_str(&id_md), rig_json_str(v, "priority", ""));
    rig_buf_release(&id_md);
    if (!title && rule && rule->title && *rule->title)
        title = rule->title;
    if (title) {
        rig_buf_adds(b, ": ");
        radar_md_authored(b, title, 200);
    }
    rig_buf_addch(b, '\n');
    card_file(r, b, v);
    card_line(b, r->t->problem, summary ? summary : msg, summary != NULL);
    if (summary && *msg && strcmp(summary, msg) != 0)
        card_line(b, r->t->detected, msg, false);
    if (fix)
        card_line(b, r->t->fix, fix, true);
    fmt_points(pts, sizeof(pts), rig_json_num(v, "points", 0));
    rig_buf_addf(b, "- **%s**: %s\n", r->t->points, pts);
    if (code && *code) {
        rig_buf_addf(b, "- **%s**:\n", r->t->example);
        radar_code_block(b, "    ", code_lang(rig_json_str(v, "file", NULL), rule), code,
                         CARD_CODE_MAX);
    }
}

static void render_plan(const struct radar *r, struct rig_buf *b)
{
    json_t *plan = json_object_get(r->score, "fix_plan"), *s;
    size_t i;

    if (!json_array_size(plan))
        return;
    rig_buf_addf(b, "- **%s**: ", r->t->priorities);
    json_array_foreach(plan, i, s) {
        enum sg_area a = SG_AREA_API;
        enum sg_status st = SG_STATUS_PASS;
        char pts[32];

        if (sg_area_parse(rig_json_str(s, "area", ""), &a) < 0 ||
            sg_status_parse(rig_json_str(s, "status_after", ""), &st) < 0)
            continue;
        fmt_points(pts, sizeof(pts), rig_json_num(s, "points", 0));
        if (i)
            rig_buf_adds(b, " → ");
        radar_tpl(b, r->t->area_rules_fmt, r->t->area[a], NULL, NULL);
        rig_buf_addf(b, " (−%s → %lld/100 %s)", pts, rig_json_int(s, "score_after", 0),
                     r->t->status_word[st]);
    }
    rig_buf_addch(b, '\n');
}

static void render_review(const struct radar *r, struct rig_buf *b, size_t not_scored)
{
    json_t *errs = json_object_get(r->score, "tool_errors"), *e;
    size_t unmapped = json_array_size(json_object_get(r->score, "unmapped"));
    size_t nerr = json_array_size(errs), fatal = 0, i, shown = 0;
    bool any = false;
    char n1[24], n2[24];

    json_array_foreach(errs, i, e)
        fatal += rig_json_bool(e, "fatal", false);
    rig_buf_addf(b, "- **%s**: ", r->t->review);
    if (unmapped) {
        snprintf(n1, sizeof(n1), "%zu", unmapped);
        radar_tpl(b, r->t->review_unmapped_fmt, n1, NULL, NULL);
        any = true;
    }
    if (nerr) {
        rig_buf_adds(b, any ? "; " : "");
        snprintf(n1, sizeof(n1), "%zu", nerr);
        snprintf(n2, sizeof(n2), "%zu", fatal);
        radar_tpl(b, r->t->review_errors_fmt, n1, n2, NULL);
        any = true;
    }
    if (not_scored) {
        snprintf(n1, sizeof(n1), "%zu", not_scored);
        rig_buf_adds(b, any ? "; " : "");
        radar_tpl(b, r->t->review_not_scored, n1, NULL, NULL);
        any = true;
    }
    if (any)
        rig_buf_addf(b, " — %s\n", r->t->review_tail);
    else
        rig_buf_addf(b, "%s\n", r->t->review_none);
    /* The checks that did not run matter most: name a few. */
    json_array_foreach(errs, i, e) {
        if (!rig_json_bool(e, "fatal", false) || shown >= 3)
            continue;
        rig_buf_addf(b, "  - `%s`: ", rig_json_str(e, "tool", "?"));
        radar_md_inline(b, rig_json_str(e, "message", ""), 300);
        rig_buf_addch(b, '\n');
        shown++;
    }
}

static void render_tail(const struct radar *r, struct rig_buf *b, double rest, bool cut,
                        size_t scored, size_t not_scored)
{
    int expected = sg_drift_round(fmin(100.0, rest));
    enum sg_status st = sg_drift_status(expected, r->fail_at, r->warn_at);
    char n1[24], n2[24], n3[24];

    rig_buf_addf(b, "\n%s\n", r->t->suggestions);
    rig_buf_addf(b, "- **%s**: %d/100 (%s)\n", cut ? r->t->expected_shown : r->t->expected,
                 expected, r->t->status_word[st]);
    render_plan(r, b);
    render_review(r, b, not_scored);
    if (r->status == SG_STATUS_PASS)
        rig_buf_addf(b, "\n%s\n", r->t->congrats);
    rig_buf_addch(b, '\n');
    snprintf(n1, sizeof(n1), "%d", r->fail_at);
    snprintf(n2, sizeof(n2), "%d", r->warn_at);
    snprintf(n3, sizeof(n3), "%zu", scored);
    radar_tpl(b, r->t->footer_fmt, n1, n2, n3);
    rig_buf_addch(b, '\n');
}

int sg_radar_render(const json_t *score, const char *name, const struct sg_ruleset *rules,
                    const struct sg_radar_opts *o, char **out, struct rig_err *err)
{
    struct radar r;
    struct rig_buf head = RIG_BUF_INIT, cards = RIG_BUF_INIT, tail = RIG_BUF_INIT;
    struct rig_buf one = RIG_BUF_INIT, note = RIG_BUF_INIT;
    size_t max = o->max_chars ? o->max_chars : SG_RADAR_MAX_CHARS;
    json_t *viol, *v;
    size_t i, scored = 0, shown = 0, not_scored = 0;
    double rest = 0;
    bool full = false;
    char num[24];

    *out = NULL;
    if (sg_radar_check_score(score, name, err) < 0)
        return -1;
    r.score = score;
    r.rules = rules;
    r.o = o;
    r.t = radar_text_for(o->lang);
    sg_status_parse(rig_json_str(score, "status", ""), &r.status);
    r.fail_at = (int)rig_json_int(json_object_get(score, "thresholds"), "fail", 50);
    r.warn_at = (int)rig_json_int(json_object_get(score, "thresholds"), "warn", 30);
    render_head(&r, &head);
    render_areas(&r, &head);
    rig_buf_addf(&head, "\n%s\n", r.t->violations);
    viol = json_object_get(score, "violations");
    json_array_foreach(viol, i, v) {
        if (counted(v))
            scored++;
        else
            not_scored++;
    }
    if (!scored)
        rig_buf_addf(&head, "\n%s\n", r.t->no_violations);
    /* Cards go in while head + cards + the cut note + the tail still fit. */
    json_array_foreach(viol, i, v) {
        if (!counted(v))
            continue;
        if (full || (o->max_cards && shown >= o->max_cards)) {
            rest += rig_json_num(v, "points", 0);
            continue;
        }
        rig_buf_reset(&one);
        render_card(&r, &one, shown + 1, v);
        rig_buf_reset(&tail);
        rig_buf_reset(&note);
        rig_buf_addf(&note, "\n");
        snprintf(num, sizeof(num), "%zu", scored);
        radar_tpl(&note, r.t->cut_fmt, num, NULL, NULL);
        rig_buf_addch(&note, '\n');
        render_tail(&r, &tail, 100.0, true, scored, not_scored);
        if (head.len + cards.len + one.len + note.len + tail.len + 64 > max) {
            full = true; /* later cards rank lower: stop rather than skip */
            rest += rig_json_num(v, "points", 0);
            continue;
        }
        rig_buf_add(&cards, one.data, one.len);
        shown++;
    }
    rig_buf_reset(&tail);
    render_tail(&r, &tail, rest, shown < scored, scored, not_scored);
    if (shown < scored) {
        rig_buf_addch(&cards, '\n');
        snprintf(num, sizeof(num), "%zu", scored - shown);
        radar_tpl(&cards, r.t->cut_fmt, num, NULL, NULL);
        rig_buf_addch(&cards, '\n');
    }
    rig_buf_add(&head, cards.data ? cards.data : "", cards.len);
    rig_buf_add(&head, tail.data ? tail.data : "", tail.len);
    *out = rig_buf_take(&head);
    rig_buf_release(&cards);
    rig_buf_release(&tail);
    rig_buf_release(&one);
    rig_buf_release(&note);
    return 0;
}
