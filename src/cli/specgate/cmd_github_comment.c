/*
 * specgate github comment: drift-score.json -> Drift Radar markdown, and
 * optionally the PR comment (updated in place) and a check run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "gate/drift.h"
#include "gate/github.h"
#include "gate/radar.h"
#include "core/banned.h"

static const char usage[] =
    "usage: specgate github comment --score FILE --rules FILE [--lang en|ko]\n"
    "                               [--repo OWNER/NAME] [--sha SHA] [--out FILE]\n"
    "                               [--post [--pr N]] [--check-run] [--max-cards N]\n"
    "\n"
    "Renders the Drift Radar pull-request comment from drift-score.json.\n"
    "\n"
    "  --score FILE      drift-score.json from `specgate drift score`\n"
    "  --rules FILE      the rules file (card titles, fix guidance, code examples)\n"
    "  --lang en|ko      wording (default en)\n"
    "  --repo OWNER/NAME and --sha SHA: link findings to the code (defaults:\n"
    "                    GITHUB_REPOSITORY, the event's pull_request.head.sha, GITHUB_SHA)\n"
    "  --out FILE        write the markdown there (default: standard output, unless posting)\n"
    "  --post            create or update the PR comment (GITHUB_TOKEN, GITHUB_API_URL;\n"
    "                    the PR from --pr or GITHUB_EVENT_PATH)\n"
    "  --check-run       also create a check run with one annotation per violation\n"
    "  --max-cards N     at most N violation cards (default: as many as fit in 65,536 chars)\n"
    "\n"
    "Exit status: 0 done, 1 GitHub refused or could not be reached, 2 bad usage or input.\n";

enum {
    OPT_SCORE = 256, OPT_RULES, OPT_LANG, OPT_REPO, OPT_SHA, OPT_OUT, OPT_POST, OPT_PR,
    OPT_CHECK_RUN, OPT_MAX_CARDS,
};

static const struct option longopts[] = {
    {"score", required_argument, NULL, OPT_SCORE},
    {"rules", required_argument, NULL, OPT_RULES},
    {"lang", required_argument, NULL, OPT_LANG},
    {"repo", required_argument, NULL, OPT_REPO},
    {"sha", required_argument, NULL, OPT_SHA},
    {"out", required_argument, NULL, OPT_OUT},
    {"post", no_argument, NULL, OPT_POST},
    {"pr", required_argument, NULL, OPT_PR},
    {"check-run", no_argument, NULL, OPT_CHECK_RUN},
    {"max-cards", required_argument, NULL, OPT_MAX_CARDS},
    {NULL, 0, NULL, 0},
};

struct comment_args {
    const char *score_path, *rules_path, *repo, *out;
    char *sha;
    bool post, check_run;
    long pr;
    struct sg_radar_opts radar;
};

static void print_err(const struct rig_err *err)
{
    char msg[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

    fprintf(stderr, "specgate github comment: %s\n", rig_err_format(err, msg, sizeof(msg)));
}

/* The PR head commit: a pull_request event's head.sha, else GITHUB_SHA
 * (which on pull_request events is the merge commit, so links may 404). */
static char *default_sha(void)
{
    const char *ev = getenv("GITHUB_EVENT_PATH");
    json_t *j = ev && *ev ? rig_json_load_file(ev, 16u << 20, NULL) : NULL;
    const char *sha = rig_json_str(json_object_get(json_object_get(j, "pull_request"), "head"),
                                   "sha", NULL);
    char *out = xstrdup(sha ? sha : getenv("GITHUB_SHA"));

    json_decref(j);
    if (out && !*out) {
        free(out);
        out = NULL;
    }
    return out;
}

static int parse_args(int argc, char **argv, struct comment_args *a)
{
    long long v;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SCORE: a->score_path = optarg; break;
        case OPT_RULES: a->rules_path = optarg; break;
        case OPT_LANG:
            if (sg_lang_parse(optarg, &a->radar.lang) < 0)
                return sg_usage_error("github comment", "--lang wants en or ko, got '%s'",
                                      optarg);
            break;
        case OPT_REPO: a->repo = optarg; break;
        case OPT_SHA:
            free(a->sha);
            a->sha = xstrdup(optarg);
            break;
        case OPT_OUT: a->out = optarg; break;
        case OPT_POST: a->post = true; break;
        case OPT_PR:
            if (rig_str_to_ll(optarg, 1, 1000000000, &v) < 0)
                return sg_usage_error("github comment", "--pr wants a PR number, got '%s'",
                                      optarg);
            a->pr = (long)v;
            break;
        case OPT_CHECK_RUN: a->check_run = true; break;
        case OPT_MAX_CARDS:
            if (rig_str_to_ll(optarg, 1, 100000, &v) < 0)
                return sg_usage_error("github comment", "--max-cards wants a number >= 1");
            a->radar.max_cards = (size_t)v;
            break;
        default:
            return sg_option_error("github comment", c, argv, longopts);
        }
    }
    if (optind < argc)
        return sg_usage_error("github comment", "unexpected argument '%s'", argv[optind]);
    if (!a->score_path)
        return sg_usage_error("github comment", "missing --score FILE (drift-score.json)");
    if (!a->rules_path)
        return sg_usage_error("github comment", "missing --rules FILE");
    return 0;
}

static int post_comment(struct comment_args *a, const json_t *score,
                        const struct sg_ruleset *rules, const struct sg_github *gh, char **md)
{
    struct rig_err err = RIG_ERR_INIT;
    long long id = 0, new_id = 0;
    char *old = NULL;

    if (!a->pr) {
        const char *ev = getenv("GITHUB_EVENT_PATH");

        if (!ev || !*ev) {
            fprintf(stderr, "specgate github comment: no pull request number: pass --pr N or "
                            "run in a pull_request workflow (GITHUB_EVENT_PATH)\n");
            return 2;
        }
        if (sg_github_event_pr(ev, &a->pr, &err) < 0) {
            print_err(&err);
            return 2;
        }
    }
    if (sg_github_find_comment(gh, a->pr, SG_RADAR_MARKER, &id, &old, &err) < 0) {
        print_err(&err);
        return 1;
    }
    /* Re-render with the previous score so the comment shows the change. */
    a->radar.prev_score = sg_radar_previous_score(old);
    free(old);
    free(*md);
    *md = NULL;
    if (sg_radar_render(score, a->score_path, rules, &a->radar, md, &err) < 0) {
        print_err(&err);
        return 2;
    }
    if (sg_github_put_comment(gh, a->pr, id, *md, &new_id, &err) < 0) {
        print_err(&err);
        return 1;
    }
    fprintf(stderr, "specgate: %s Drift Radar comment %lld on %s/%s#%ld\n",
            id ? "updated" : "created", new_id, gh->owner, gh->repo, a->pr);
    return 0;
}

static int create_check_run(const struct comment_args *a, const json_t *score,
                            const struct sg_ruleset *rules, const struct sg_github *gh)
{
    struct sg_radar_opts o = a->radar;
    struct rig_err err = RIG_ERR_INIT;
    char *summary = NULL;
    long long id = 0;
    size_t n = 0;
    int rc = 1;

    if (!a->sha) {
        fprintf(stderr, "specgate github comment: --check-run needs the commit: pass --sha\n");
        return 2;
    }
    o.max_chars = 65535; /* the check run summary limit */
    if (sg_radar_render(score, a->score_path, rules, &o, &summary, &err) < 0 ||
        sg_github_check_run(gh, a->sha, score, summary, &id, &n, &err) < 0) {
        print_err(&err);
        goto out;
    }
    fprintf(stderr, "specgate: check run %lld with %zu annotations\n", id, n);
    rc = 0;
out:
    free(summary);
    return rc;
}

int sg_cmd_github_comment(int argc, char **argv)
{
    struct comment_args a;
    struct rig_err err = RIG_ERR_INIT;
    struct sg_ruleset rules;
    struct sg_github gh;
    json_t *score = NULL;
    char *md = NULL;
    int rc = 2;

    memset(&a, 0, sizeof(a));
    memset(&rules, 0, sizeof(rules));
    memset(&gh, 0, sizeof(gh));
    sg_radar_opts_init(&a.radar);
    if (sg_wants_help(argc, argv, usage))
        return 0;
    if (parse_args(argc, argv, &a) != 0)
        goto out;
    a.repo = a.repo ? a.repo : getenv("GITHUB_REPOSITORY");
    a.radar.repo = a.repo && *a.repo ? a.repo : NULL;
    if (!a.sha)
        a.sha = default_sha();
    a.radar.sha = a.sha;
    a.radar.server_url = getenv("GITHUB_SERVER_URL");
    score = rig_json_load_file(a.score_path, 64u << 20, &err);
    if (!score || sg_rules_load(a.rules_path, &rules, &err) < 0) {
        print_err(&err);
        goto out;
    }
    if (sg_radar_render(score, a.score_path, &rules, &a.radar, &md, &err) < 0) {
        print_err(&err);
        goto out;
    }
    if (a.post || a.check_run) {
        rig_http_global_init();
        if (sg_github_init(&gh, a.repo, &err) < 0) {
            print_err(&err);
            goto out;
        }
    }
    if (a.post && (rc = post_comment(&a, score, &rules, &gh, &md)) != 0)
        goto out;
    if (a.check_run && (rc = create_check_run(&a, score, &rules, &gh)) != 0)
        goto out;
    rc = 2;
    if (a.out) {
        if (rig_write_file(a.out, md, strlen(md), 0644, &err) < 0) {
            print_err(&err);
            goto out;
        }
    } else if (!a.post && !a.check_run) {
        fputs(md, stdout);
    }
    rc = 0;
out:
    free(md);
    free(a.sha);
    json_decref(score);
    sg_ruleset_release(&rules);
    sg_github_release(&gh);
    return rc;
}
