/*
 * Cross-key rules for workflow, notify, policies, server and git.
 */
#include "config/config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/check_int.h"
#include "config/config_int.h"
#include "config/schema.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

static bool any_github(const struct rig_config *cfg)
{
    if (cfg->source.platform == RIG_PLATFORM_GITHUB)
        return true;
    for (size_t i = 0; i < cfg->nprojects; i++)
        if (cfg->projects[i].source.platform == RIG_PLATFORM_GITHUB)
            return true;
    return false;
}

static bool any_deploy(const struct rig_config *cfg)
{
    if (cfg->deploy.method != RIG_DEPLOY_NONE)
        return true;
    for (size_t i = 0; i < cfg->nprojects; i++)
        if (cfg->projects[i].has_deploy && cfg->projects[i].deploy.method != RIG_DEPLOY_NONE)
            return true;
    return false;
}

static bool any_tests(const struct rig_config *cfg)
{
    if (cfg->ntests)
        return true;
    for (size_t i = 0; i < cfg->nprojects; i++)
        if (cfg->projects[i].has_tests && cfg->projects[i].ntests)
            return true;
    return false;
}

static void check_trigger(struct cfg_walk *w, json_t *root, size_t i,
                          const struct rig_trigger_config *t)
{
    char *base = ck_ptr("/workflow/trigger", "/%zu", i);
    char *kp = ck_ptr(base, "/keyword");

    if (!ck_ok_at(w, root, base, "event"))
        goto out;
    if (t->event == RIG_EVENT_ISSUES_LABELED && t->labels.n == 0)
        cfg_err(w, base, CFG_AT_VALUE, "event issues.labeled needs labels (otherwise adding "
                "any label starts a task)");
    if (t->event == RIG_EVENT_ISSUE_COMMENT_CREATED && (!t->keyword || !*t->keyword))
        cfg_err(w, ck_given(root, kp) ? kp : base, CFG_AT_VALUE, "event issue_comment.created "
                "needs a keyword (otherwise every comment, including Rig's own, starts a task)");
    if (t->event != RIG_EVENT_ISSUE_COMMENT_CREATED && ck_given(root, kp))
        cfg_err(w, kp, CFG_AT_KEY, "applies only to event issue_comment.created");
out:
    free(base);
    free(kp);
}

static void check_steps(struct cfg_walk *w, json_t *root)
{
    struct rig_config *cfg = w->cfg;
    struct rig_workflow_config *wf = &cfg->workflow;

    if (!ck_given(root, "/workflow/steps")) {
        wf->steps = RIG_STEP_PLAN | RIG_STEP_CODE | RIG_STEP_REPORT;
        if (any_deploy(cfg))
            wf->steps |= RIG_STEP_DEPLOY;
        if (any_tests(cfg))
            wf->steps |= RIG_STEP_TEST;
    } else {
        if ((wf->steps & RIG_STEP_DEPLOY) && !any_deploy(cfg))
            cfg_err(w, "/workflow/steps", CFG_AT_VALUE, "includes deploy but no deploy section "
                    "is configured");
        if ((wf->steps & RIG_STEP_TEST) && !any_tests(cfg))
            cfg_err(w, "/workflow/steps", CFG_AT_VALUE, "includes test but no test is "
                    "configured");
    }
    if (wf->before_deploy && !(wf->steps & RIG_STEP_DEPLOY))
        cfg_err(w, "/workflow/approval/before_deploy", CFG_AT_VALUE, "has no effect: the "
                "workflow has no deploy step");
}

void ck_workflow(struct cfg_walk *w, json_t *root)
{
    struct rig_config *cfg = w->cfg;
    struct rig_workflow_config *wf = &cfg->workflow;

    for (size_t i = 0; i < wf->ntriggers; i++)
        check_trigger(w, root, i, &wf->triggers[i]);
    if (wf->ntriggers && !any_github(cfg))
        cfg_err(w, "/workflow/trigger", CFG_AT_KEY, "needs a repository on platform github "
                "(webhooks come from GitHub); with platform local, start tasks with rig exec");
    if (wf->ntriggers && !cfg->server.secret)
        cfg_err(w, "/workflow/trigger", CFG_AT_KEY, "needs server.secret (the webhook secret "
                "GitHub signs its deliveries with)");
    check_steps(w, root);
}

void ck_notify(struct cfg_walk *w, json_t *root)
{
    struct rig_config *cfg = w->cfg;

    for (size_t i = 0; i < cfg->nnotify; i++) {
        const struct rig_notify_config *n = &cfg->notify[i];
        char *base = ck_ptr("/notify", "/%zu", i);
        char *wp = ck_ptr(base, "/webhook");
        char *tp = ck_ptr(base, "/type");

        if (!ck_ok(w, root, tp)) {
            /* a missing or unknown type is already reported */
        } else if (n->type == RIG_NOTIFY_COMMENT) {
            if (ck_given(root, wp))
                cfg_err(w, wp, CFG_AT_KEY, "applies only to types slack and discord");
            if (!any_github(cfg))
                cfg_err(w, tp, CFG_AT_VALUE, "type comment needs a repository on platform "
                        "github (issue comments)");
        } else if (!n->webhook) {
            cfg_err(w, base, CFG_AT_VALUE, "missing required key 'webhook' for type %s",
                    n->type == RIG_NOTIFY_SLACK ? "slack" : "discord");
        } else {
            ck_url(w, wp, n->webhook);
        }
        free(base);
        free(wp);
        free(tp);
    }
}

/* ---- policies ----------------------------------------------------------------- */

static void policy_limit(struct cfg_walk *w, const char *vp, json_t *v,
                         struct rig_policy_config *p)
{
    long long n;
    char *text = NULL;
    char got[96];

    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v)) {
        if (cfg_subst(w, vp, json_string_value(v), &text) < 0)
            return;
        rig_str_trim(text);
        if (rig_str_to_ll(text, LLONG_MIN, LLONG_MAX, &n) < 0) {
            cfg_err(w, vp, CFG_AT_VALUE, "expected a whole number, got \"%s\"", text);
            free(text);
            return;
        }
        free(text);
    } else {
        cfg_err(w, vp, CFG_AT_VALUE, "expected a whole number, got %s",
                cfg_describe(v, got, sizeof(got)));
        return;
    }
    if (n < 0)
        cfg_err(w, vp, CFG_AT_VALUE, "must be 0 or more, got %lld", n);
    else
        p->limit = n;
}

static void add_path(struct rig_strlist *l, char *s)
{
    rig_str_trim(s);
    if (!*s) {
        free(s);
        return;
    }
    l->v = xreallocarray(l->v, l->n + 2, sizeof(char *));
    l->v[l->n++] = s;
    l->v[l->n] = NULL;
}

static void policy_paths(struct cfg_walk *w, const char *vp, json_t *v,
                         struct rig_policy_config *p)
{
    char got[96];
    size_t i;
    json_t *item;

    if (json_is_string(v)) {
        char *text = NULL;
        char **parts;

        if (cfg_subst(w, vp, json_string_value(v), &text) < 0)
            return;
        parts = rig_str_split(text, ',');
        for (size_t j = 0; parts && parts[j]; j++)
            add_path(&p->paths, xstrdup(parts[j]));
        rig_strv_free(parts);
        free(text);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item) {
            char *ip = ck_ptr(vp, "/%zu", i);
            char *text = NULL;

            if (!json_is_string(item))
                cfg_err(w, ip, CFG_AT_VALUE, "expected a path pattern, got %s",
                        cfg_describe(item, got, sizeof(got)));
            else if (cfg_subst(w, ip, json_string_value(item), &text) == 0)
                add_path(&p->paths, text);
            free(ip);
        }
    } else {
        cfg_err(w, vp, CFG_AT_VALUE, "expected a list of path patterns or a comma-separated "
                "string, got %s", cfg_describe(v, got, sizeof(got)));
        return;
    }
    if (p->paths.n == 0)
        cfg_err(w, vp, CFG_AT_VALUE, "lists no path patterns");
}

static void check_policy(struct cfg_walk *w, json_t *root, size_t i)
{
    struct rig_config *cfg = w->cfg;
    struct rig_policy_config *p = &cfg->policies[i];
    char *base = ck_ptr("/policies", "/%zu", i);
    char *vp = ck_ptr(base, "/value");
    char *rp = ck_ptr(base, "/rule");
    json_t *v = rig_json_pointer(root, vp);
    const char *rule = cfg_enum_name(cfg_rule_enum, (int)p->rule);

    if (v && json_is_null(v))
        v = NULL;
    if (!ck_ok(w, root, rp))
        goto out;
    switch (p->rule) {
    case RIG_POLICY_REQUIRE_TESTS:
        if (v)
            cfg_err(w, vp, CFG_AT_KEY, "rule require_tests takes no value");
        if (!any_tests(cfg))
            cfg_err(w, rp, CFG_AT_VALUE, "rule require_tests can never pass: no test is "
                    "configured");
        break;
    case RIG_POLICY_BLOCKED_PATHS:
    case RIG_POLICY_ALLOWED_PATHS:
        if (!v)
            cfg_err(w, base, CFG_AT_VALUE, "missing required key 'value' for rule %s (path "
                    "patterns)", rule);
        else
            policy_paths(w, vp, v, p);
        break;
    default:
        if (!v)
            cfg_err(w, base, CFG_AT_VALUE, "missing required key 'value' for rule %s (a whole "
                    "number)", rule);
        else
            policy_limit(w, vp, v, p);
        break;
    }
out:
    free(base);
    free(vp);
    free(rp);
}

void ck_policies(struct cfg_walk *w, json_t *root)
{
    struct rig_config *cfg = w->cfg;

    for (size_t i = 0; i < cfg->npolicies; i++) {
        const char *name = cfg->policies[i].name;

        for (size_t j = 0; j < i && name; j++) {
            if (cfg->policies[j].name && strcmp(name, cfg->policies[j].name) == 0) {
                char *np = ck_ptr("/policies", "/%zu/name", i);

                cfg_err(w, np, CFG_AT_VALUE, "'%s' is already the name of policy %zu; names "
                        "must be unique", name, j);
                free(np);
                break;
            }
        }
        check_policy(w, root, i);
    }
}

/* ---- server, git ----------------------------------------------------------------- */

static void check_data_dir(struct cfg_walk *w)
{
    struct rig_server_config *s = &w->cfg->server;
    struct rig_err err = RIG_ERR_INIT;
    char *dir = NULL;

    if (s->data_dir) {
        if (!*s->data_dir) {
            cfg_err(w, "/server/data_dir", CFG_AT_VALUE, "must not be empty");
            return;
        }
        dir = rig_path_expand_home(s->data_dir);
        free(s->data_dir);
        if (dir[0] == '/') {
            s->data_dir = dir;
        } else {
            s->data_dir = xasprintf("%s/%s", w->cfg->dir, dir);
            free(dir);
        }
        return;
    }
    if (rig_config_data_dir(&s->data_dir, &err) < 0)
        cfg_err(w, "/server", CFG_AT_KEY, "data_dir: %s", err.msg);
}

static bool has_any(const char *s, const char *set)
{
    for (; *s; s++)
        if (strchr(set, *s) || (unsigned char)*s < ' ')
            return true;
    return false;
}

void ck_server_git(struct cfg_walk *w, json_t *root)
{
    struct rig_git_config *g = &w->cfg->git;

    (void)root;
    check_data_dir(w);
    if (g->author_name && (!*g->author_name || has_any(g->author_name, "<>")))
        cfg_err(w, "/git/author_name", CFG_AT_VALUE, "must be a non-empty name without '<', "
                "'>' or control characters");
    if (g->author_email &&
        (!strchr(g->author_email, '@') || has_any(g->author_email, "<> ")))
        cfg_err(w, "/git/author_email", CFG_AT_VALUE, "'%s' is not an e-mail address such as "
                "rig@example.com", g->author_email);
}
