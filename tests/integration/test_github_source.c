/*
 * The GitHub source against the local GitHub stand-in (REST + git over HTTP
 * through `git http-backend`): issues from the octokit webhook fixtures, a
 * clone and push whose token travels only in git's environment (never in
 * .git/config, a log line or an error), one pull request reused, one status
 * comment edited in place, labels, rate limits, issue URLs, and the status
 * updater driven by engine events.
 */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "adapters/source/github_api.h"
#include "adapters/source/github_status.h"
#include "adapters/source/source.h"
#include "adapters/source/workspace.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/log.h"
#include "core/mem.h"

#define TOKEN "tok-S3cret-4242"
#define REPO "Codertocat/Hello-World"

struct env {
    char *dir;
    char *home;
    char *log_path;
    FILE *log;
    pid_t standin;
    int port;
    char *api;
    char *git_url;
};

static struct env E;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int start_standin(void)
{
    char *bin = xasprintf("%s/github_standin", getenv("RIG_STANDIN_DIR"));
    char *port_file = tu_path(E.dir, "port");
    char *payload = tu_fixture("github-webhooks/issues/opened.payload.json");
    char *seed = tu_path(E.dir, "issues.json");
    char *gitroot = tu_path(E.dir, "git");
    char *text;

    /* #2 is a pull request (GitHub lists PRs as issues too), #3 a closed issue */
    tu_write_file(seed, "{\"" REPO "\": ["
                        "{\"number\": 2, \"title\": \"A PR\", \"body\": null, \"state\": \"open\","
                        " \"pull_request\": {\"url\": \"x\"}, \"user\": {\"login\": \"a\"}},"
                        "{\"number\": 3, \"title\": \"Old\", \"body\": \"done\", \"state\": "
                        "\"closed\", \"user\": {\"login\": \"b\"}}]}");
    E.standin = fork();
    if (E.standin == 0) {
        execl(bin, bin, "--port-file", port_file, "--token", TOKEN, "--login", "rig-bot",
              "--git-root", gitroot, "--issue-payload", payload, "--issues", seed,
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 600 && access(port_file, F_OK) != 0; i++)
        sleep_ms(50);
    text = tu_read_file(port_file);
    E.port = text ? (int)strtol(text, NULL, 10) : 0;
    free(text);
    free(gitroot);
    free(seed);
    free(payload);
    free(port_file);
    free(bin);
    return E.port > 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    if (!getenv("RIG_STANDIN_DIR") || !getenv("RIG_FIXTURES"))
        return -1;
    E.dir = tu_mkdtemp("rig-gh");
    E.home = tu_path(E.dir, "home");
    /* the repository the stand-in serves: <dir>/git/Codertocat/Hello-World.git */
    if (tu_sh(NULL, "set -e; cd '%s'; mkdir -p home git/Codertocat; git init -q -b main src; "
                    "cd src; echo 'Hello Wrold' > README.md; git add -A; "
                    "git -c user.name=t -c user.email=t@t commit -qm init; cd ..; "
                    "git clone -q --bare src git/" REPO ".git", E.dir) != 0)
        return -1;
    if (start_standin() < 0)
        return -1;
    E.api = xasprintf("http://127.0.0.1:%d", E.port);
    E.git_url = xasprintf("http://127.0.0.1:%d/git/" REPO ".git", E.port);
    /* Everything Rig logs (debug included) goes to a file the last test greps. */
    E.log_path = tu_path(E.dir, "rig.log");
    E.log = fopen(E.log_path, "w");
    rig_log_setup(RIG_LOG_DEBUG, RIG_LOG_TEXT, E.log);
    rig_http_global_init();
    return 0;
}

static int teardown(void **state)
{
    int st;

    (void)state;
    if (E.standin > 0) {
        kill(E.standin, SIGTERM);
        waitpid(E.standin, &st, 0);
    }
    rig_log_setup(RIG_LOG_INFO, RIG_LOG_TEXT, stderr);
    if (E.log)
        fclose(E.log);
    tu_rmtree(E.dir);
    free(E.dir);
    free(E.home);
    free(E.log_path);
    free(E.api);
    free(E.git_url);
    rig_secret_clear();
    return 0;
}

/* ----------------------------------------------------------- helpers -- */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    rig_buf_add(ud, p, size * n);
    return size * n;
}

static json_t *standin(const char *method, const char *path, const char *body)
{
    CURL *c = curl_easy_init();
    struct rig_buf b = RIG_BUF_INIT;
    char *url = xasprintf("%s%s", E.api, path);
    json_t *j;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    j = json_loads(rig_buf_str(&b), 0, NULL);
    assert_non_null(j);
    rig_buf_release(&b);
    free(url);
    return j;
}

static json_t *state_get(void)
{
    return standin("GET", "/_standin/state", NULL);
}

static struct rig_source *new_source(const char *token, int64_t rate_wait_ms)
{
    struct rig_source_github_opts o;
    struct rig_source *src = NULL;
    struct rig_err err = RIG_ERR_INIT;

    memset(&o, 0, sizeof(o));
    o.repo = REPO;
    o.token = token;
    o.api_url = E.api;
    o.git_url = E.git_url;
    o.base_branch = "main";
    o.git.home = E.home;
    o.rate_limit_wait_max_ms = rate_wait_ms;
    if (rig_source_github_new(&o, &src, &err) < 0)
        fail_msg("rig_source_github_new: %s", err.msg);
    return src;
}

static size_t count_requests(const char *line)
{
    json_t *st = state_get(), *r;
    size_t i, n = 0;

    json_array_foreach(json_object_get(st, "requests"), i, r)
        n += strcmp(json_string_value(r), line) == 0;
    json_decref(st);
    return n;
}

static json_t *issue_comments(json_t *st, long long issue)
{
    json_t *out = json_array(), *c;
    size_t i;

    json_array_foreach(json_object_get(st, "comments"), i, c) {
        if (json_integer_value(json_object_get(c, "issue")) == issue)
            json_array_append(out, c);
    }
    return out;
}

/* ------------------------------------------------------------- tests -- */

static void test_options(void **state)
{
    struct rig_source_github_opts o;
    struct rig_source *src = NULL;
    struct rig_err err = RIG_ERR_INIT;
    const char *env[] = {"GIT_CONFIG_COUNT=1", NULL};

    (void)state;
    memset(&o, 0, sizeof(o));
    o.repo = REPO;
    assert_int_equal(rig_source_github_new(&o, &src, &err), -1);
    assert_non_null(strstr(err.msg, "no GitHub token"));
    assert_non_null(strstr(err.msg, "GITHUB_TOKEN"));
    o.token = TOKEN;
    o.repo = "https://github.com/x/y";
    assert_int_equal(rig_source_github_new(&o, &src, &err), -1);
    assert_non_null(strstr(err.msg, "owner/name"));
    o.repo = REPO;
    o.git_url = "https://x-access-token:abc@github.com/x/y.git";
    assert_int_equal(rig_source_github_new(&o, &src, &err), -1);
    assert_non_null(strstr(err.msg, "credentials"));
    assert_null(strstr(err.msg, "abc"));
    o.git_url = NULL;
    o.git.env = env;
    assert_int_equal(rig_source_github_new(&o, &src, &err), -1);
    assert_non_null(strstr(err.msg, "GIT_CONFIG_"));
    o.git.env = NULL;
    assert_int_equal(rig_source_github_new(&o, &src, &err), 0);
    assert_string_equal(src->repo_owner, "Codertocat");
    assert_string_equal(src->repo_name, "Hello-World");
    assert_true(rig_source_is_github(src));
    assert_null(src->ops->set_status);
    assert_non_null(src->ops->set_label);
    rig_source_free(src);
}

static void test_fetch_issue(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0);
    struct rig_issue_ref ref = {0};
    struct rig_issue is = {0};
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    ref.number = 1;
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), 0);
    assert_int_equal(is.number, 1);
    assert_string_equal(is.id, "1");
    assert_string_equal(is.title, "Spelling error in the README file");
    assert_string_equal(is.body, "It looks like you accidently spelled 'commit' with two 't's.");
    assert_string_equal(is.url, "https://github.com/Codertocat/Hello-World/issues/1");
    assert_string_equal(is.author, "Codertocat");
    rig_issue_release(&is);

    ref.number = 999;
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_non_null(strstr(err.msg, "fetch issue #999 of Codertocat/Hello-World"));
    assert_non_null(strstr(err.msg, "404"));
    ref.number = 2;
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), -1);
    assert_non_null(strstr(err.msg, "is a pull request, not an issue"));
    ref.number = 3; /* closed: a warning, and the issue */
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), 0);
    assert_string_equal(is.title, "Old");
    rig_issue_release(&is);
    ref.number = 0;
    ref.title = "local style";
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), -1);
    assert_non_null(strstr(err.msg, "reads issues from GitHub"));
    rig_source_free(src);
}

static void commit_file(struct rig_workspace *ws, const char *name, const char *text)
{
    struct rig_git g = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *path = tu_path(ws->repo, name);
    bool committed = false;

    g.home = E.home;
    tu_write_file(path, text);
    assert_int_equal(rig_git_add_all(&g, ws->repo, &err), 0);
    assert_int_equal(rig_git_commit(&g, ws->repo, "rig: fix spelling", NULL, &committed, NULL,
                                    &err), 0);
    assert_true(committed);
    free(path);
}

static void test_clone_and_push_token_only_in_env(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0);
    struct rig_workspace ws;
    struct rig_err err = RIG_ERR_INIT;
    char *data = tu_path(E.dir, "data"), *out = NULL;
    char *b64 = rig_gh_base64("x-access-token:" TOKEN);

    (void)state;
    assert_int_equal(rig_workspace_init(&ws, data, "t-1", &err), 0);
    rig_workspace_set_branch(&ws, "rig/issue-1-spelling");
    if (src->ops->prepare_workspace(src, &ws, false, &err) < 0)
        fail_msg("prepare: %s", err.msg);
    assert_string_equal(ws.base, "main");
    commit_file(&ws, "README.md", "Hello World\n");
    if (src->ops->push_branch(src, &ws, &err) < 0)
        fail_msg("push: %s", err.msg);
    /* the branch arrived in the stand-in's bare repository, through http-backend */
    assert_int_equal(tu_sh(NULL, "git --git-dir='%s/git/" REPO ".git' rev-parse --verify -q "
                                 "refs/heads/rig/issue-1-spelling >/dev/null", E.dir), 0);
    assert_true(count_requests("GIT POST /git/" REPO ".git/git-receive-pack") >= 1);
    assert_true(count_requests("GIT POST /git/" REPO ".git/git-upload-pack") >= 1);
    /* no token, no auth header anywhere in the clone's git directory */
    assert_int_equal(tu_sh(&out, "grep -rl -e '%s' -e '%s' -e extraheader '%s/.git' || true",
                           TOKEN, b64, ws.repo), 0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(tu_sh(&out, "cat '%s/.git/config'", ws.repo), 0);
    assert_non_null(strstr(out, E.git_url));
    assert_null(strstr(out, TOKEN));
    free(out);
    /* resume keeps the clone */
    assert_int_equal(src->ops->prepare_workspace(src, &ws, true, &err), 0);
    assert_true(ws.reused);
    /* delete_branch uses the same auth */
    assert_int_equal(src->ops->delete_branch(src, &ws, "rig/issue-1-spelling", &err), 0);
    assert_int_not_equal(tu_sh(NULL, "git --git-dir='%s/git/" REPO ".git' rev-parse --verify -q "
                                     "refs/heads/rig/issue-1-spelling >/dev/null", E.dir), 0);
    assert_int_equal(src->ops->push_branch(src, &ws, &err), 0);
    rig_workspace_release(&ws);
    free(b64);
    free(data);
    rig_source_free(src);
}

static void test_wrong_token(void **state)
{
    struct rig_source *src = new_source("wrong-Tok3n-777", 0);
    struct rig_workspace ws;
    struct rig_issue_ref ref = {0};
    struct rig_issue is = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *data = tu_path(E.dir, "data-wrong");
    char *b64 = rig_gh_base64("x-access-token:wrong-Tok3n-777");

    (void)state;
    assert_int_equal(rig_workspace_init(&ws, data, "t-2", &err), 0);
    rig_workspace_set_branch(&ws, "rig/issue-1-x");
    assert_int_equal(src->ops->prepare_workspace(src, &ws, false, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_non_null(strstr(err.msg, "did not accept the token"));
    assert_non_null(strstr(err.msg, "source.token"));
    assert_null(strstr(err.msg, "wrong-Tok3n-777"));
    assert_null(strstr(err.msg, b64));
    ref.number = 1;
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), -1);
    assert_non_null(strstr(err.msg, "401 Bad credentials"));
    assert_non_null(strstr(err.msg, "check source.token"));
    assert_null(strstr(err.msg, "wrong-Tok3n-777"));
    rig_workspace_release(&ws);
    free(b64);
    free(data);
    rig_source_free(src);
}

static void test_pr_created_once(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0);
    struct rig_pr_request req = {"rig/issue-1-spelling", "main", "rig: Spelling error",
                                 "## Plan\n\nfix it", 1};
    struct rig_pr pr = {0}, again = {0};
    struct rig_err err = RIG_ERR_INIT;
    json_t *st, *p;

    (void)state;
    if (src->ops->open_pr(src, &req, &pr, &err) < 0)
        fail_msg("open_pr: %s", err.msg);
    assert_true(pr.number > 0);
    assert_non_null(strstr(pr.url, "/pull/"));
    assert_non_null(strstr(pr.body, "Closes #1"));
    assert_string_equal(pr.base, "main");
    req.body = "## Plan\n\nfix it better";
    assert_int_equal(src->ops->open_pr(src, &req, &again, &err), 0);
    assert_int_equal(again.number, pr.number);
    assert_string_equal(again.url, pr.url);
    st = state_get();
    assert_int_equal(json_array_size(json_object_get(st, "pulls")), 1);
    p = json_array_get(json_object_get(st, "pulls"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(p, "head"), "label")),
                        "Codertocat:rig/issue-1-spelling");
    assert_non_null(strstr(json_string_value(json_object_get(p, "body")), "fix it better"));
    assert_non_null(strstr(json_string_value(json_object_get(p, "body")), "Closes #1"));
    assert_int_equal(json_integer_value(json_object_get(p, "updates")), 1);
    json_decref(st);
    /* a branch that was never pushed: GitHub's 422, explained */
    req.branch = "rig/never-pushed";
    rig_pr_release(&again);
    assert_int_equal(src->ops->open_pr(src, &req, &again, &err), -1);
    assert_non_null(strstr(err.msg, "422 Validation Failed (head is invalid)"));
    rig_pr_release(&pr);
    rig_pr_release(&again);
    rig_source_free(src);
}

static void test_status_comment_edited_in_place(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0), *src2;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_issue is = {0};
    json_t *st, *cs, *c, *ours = NULL, *spoof = NULL;
    size_t i, nmarked = 0;
    char text[64];

    (void)state;
    /* someone else quotes the marker: Rig must not take that comment over */
    json_decref(standin("POST", "/_standin/comment",
                        "{\"repo\": \"" REPO "\", \"issue\": 1, \"login\": \"mallory\", "
                        "\"body\": \"<!-- rig:status --> I am the status now\"}"));
    for (int n = 1; n <= 5; n++) {
        snprintf(text, sizeof(text), "update %d", n);
        if (rig_github_status_comment(src, 1, text, &err) < 0)
            fail_msg("status comment: %s", err.msg);
    }
    /* a new process (no cache) finds the comment by its marker and author */
    src2 = new_source(TOKEN, 0);
    assert_int_equal(rig_github_status_comment(src2, 1, "update 6", &err), 0);
    /* notifications are separate, new comments, marked as Rig's */
    is.number = 1;
    assert_int_equal(src->ops->comment(src, &is, "tests passed", &err), 0);
    st = state_get();
    cs = issue_comments(st, 1);
    json_array_foreach(cs, i, c) {
        const char *body = json_string_value(json_object_get(c, "body"));
        const char *who = json_string_value(json_object_get(json_object_get(c, "user"), "login"));

        if (strstr(body, RIG_GITHUB_STATUS_MARKER)) {
            nmarked++;
            if (strcmp(who, "rig-bot") == 0)
                ours = c;
            else
                spoof = c;
        }
    }
    assert_int_equal(nmarked, 2);
    assert_non_null(ours);
    assert_non_null(spoof);
    assert_int_equal(json_integer_value(json_object_get(spoof, "edits")), 0);
    assert_int_equal(json_integer_value(json_object_get(ours, "edits")), 5);
    assert_string_equal(json_string_value(json_object_get(ours, "body")),
                        RIG_GITHUB_STATUS_MARKER "\nupdate 6");
    c = json_array_get(cs, json_array_size(cs) - 1);
    assert_string_equal(json_string_value(json_object_get(c, "body")),
                        "tests passed\n\n" RIG_GITHUB_NOTIFY_MARKER);
    assert_true(rig_github_comment_is_rig(json_string_value(json_object_get(c, "body"))));
    assert_false(rig_github_comment_is_rig("please [rig] fix this"));
    assert_int_equal(json_array_size(cs), 3);
    json_decref(cs);
    json_decref(st);
    rig_source_free(src2);
    rig_source_free(src);
}

static json_t *labels_of(long long n)
{
    json_t *st = state_get();
    char key[64];
    json_t *l;

    snprintf(key, sizeof(key), "codertocat/hello-world#%lld", n);
    l = json_deep_copy(json_object_get(json_object_get(json_object_get(st, "issues"), key),
                                       "labels"));
    json_decref(st);
    return l;
}

static char *label_names(long long n)
{
    json_t *ls = labels_of(n), *l;
    struct rig_buf b = RIG_BUF_INIT;
    size_t i;

    json_array_foreach(ls, i, l)
        rig_buf_addf(&b, "%s%s", i ? "," : "", json_string_value(json_object_get(l, "name")));
    json_decref(ls);
    return rig_buf_take(&b);
}

static void test_labels(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0);
    struct rig_err err = RIG_ERR_INIT;
    char *names;

    (void)state;
    assert_int_equal(src->ops->set_label(src, 1, RIG_LABEL_RUNNING, &err), 0);
    names = label_names(1);
    assert_string_equal(names, "bug,rig:running");
    free(names);
    assert_int_equal(src->ops->set_label(src, 1, RIG_LABEL_RUNNING, &err), 0); /* idempotent */
    assert_int_equal(src->ops->set_label(src, 1, RIG_LABEL_DONE, &err), 0);
    names = label_names(1);
    assert_string_equal(names, "bug,rig:done");
    free(names);
    assert_int_equal(src->ops->set_label(src, 1, RIG_LABEL_FAILED, &err), 0);
    names = label_names(1);
    assert_string_equal(names, "bug,rig:failed");
    free(names);
    assert_int_equal(src->ops->set_label(src, 1, RIG_LABEL_NONE, &err), 0);
    names = label_names(1);
    assert_string_equal(names, "bug");
    free(names);
    assert_int_equal(src->ops->set_label(src, 404, RIG_LABEL_DONE, &err), -1);
    assert_non_null(strstr(err.msg, "issue #404"));
    rig_source_free(src);
}

static void test_rate_limits(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0), *impatient;
    struct rig_issue_ref ref = {0};
    struct rig_issue is = {0};
    struct rig_err err = RIG_ERR_INIT;
    size_t before = count_requests("GET /repos/" REPO "/issues/1");

    (void)state;
    ref.number = 1;
    /* primary: 403 + x-ratelimit-remaining 0 twice, waited out until the reset */
    json_decref(standin("POST", "/_standin/rate-limit", "{\"primary\": 2}"));
    if (src->ops->fetch_issue(src, &ref, &is, &err) < 0)
        fail_msg("fetch after rate limit: %s", err.msg);
    assert_string_equal(is.title, "Spelling error in the README file");
    rig_issue_release(&is);
    assert_int_equal(count_requests("GET /repos/" REPO "/issues/1"), before + 3);
    /* secondary: 403 + retry-after */
    json_decref(standin("POST", "/_standin/rate-limit", "{\"secondary\": 1}"));
    assert_int_equal(src->ops->fetch_issue(src, &ref, &is, &err), 0);
    rig_issue_release(&is);
    assert_int_equal(count_requests("GET /repos/" REPO "/issues/1"), before + 5);
    /* a reset later than the source waits: fail at once, saying when */
    impatient = new_source(TOKEN, 1);
    json_decref(standin("POST", "/_standin/rate-limit", "{\"primary\": 100}"));
    assert_int_equal(impatient->ops->fetch_issue(impatient, &ref, &is, &err), -1);
    assert_non_null(strstr(err.msg, "rate limit exceeded (403)"));
    assert_non_null(strstr(err.msg, "resets at"));
    json_decref(standin("POST", "/_standin/rate-limit", "{\"primary\": 0}"));
    rig_source_free(impatient);
    rig_source_free(src);
}

static void test_issue_urls(void **state)
{
    static const char *const bad[] = {
        "", "github.com/o/r/issues/1", "ftp://github.com/o/r/issues/1",
        "https://github.com/o/r/issues/abc", "https://github.com/o/r/issues/0",
        "https://github.com/o/r/issues/1/files", "https://user:pw@github.com/o/r/issues/1",
        "https://github.com/-o/r/issues/1", "https://github.com/o/r/issue/1",
        "https://github.com/o/r", "https://github.com/o/r/issues/99999999999",
    };
    struct rig_github_issue_url u;
    struct rig_source *src = new_source(TOKEN, 0);
    struct rig_err err = RIG_ERR_INIT;
    long long n = 0;
    char *url;

    (void)state;
    assert_int_equal(rig_github_parse_issue_url("https://github.com/acme/shop/issues/42", &u,
                                                &err), 0);
    assert_string_equal(u.host, "github.com");
    assert_string_equal(u.owner, "acme");
    assert_string_equal(u.repo, "shop");
    assert_int_equal(u.number, 42);
    assert_int_equal(rig_github_parse_issue_url("HTTP://GHE.example.com:8443/a-b/c.d_e/issues/7/"
                                                "#issuecomment-1", &u, &err), 0);
    assert_string_equal(u.host, "ghe.example.com:8443");
    assert_string_equal(u.repo, "c.d_e");
    assert_int_equal(u.number, 7);
    assert_int_equal(rig_github_parse_issue_url("https://github.com/a/b/issues/3?x=1", &u, &err),
                     0);
    assert_int_equal(u.number, 3);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (rig_github_parse_issue_url(bad[i], &u, &err) != -1)
            fail_msg("accepted %s", bad[i]);
        assert_non_null(strstr(err.msg, "invalid issue URL"));
        assert_null(strstr(err.msg, "pw@"));
    }
    assert_int_equal(rig_github_parse_issue_url("https://github.com/o/r/pull/3", &u, &err), -1);
    assert_non_null(strstr(err.msg, "pull request"));

    /* for this source: its host (the stand-in) and its repository only */
    url = xasprintf("http://127.0.0.1:%d/codertocat/hello-world/issues/1", E.port);
    assert_int_equal(rig_source_github_issue_number(src, url, &n, &err), 0);
    assert_int_equal(n, 1);
    free(url);
    url = xasprintf("http://127.0.0.1:%d/acme/other/issues/1", E.port);
    assert_int_equal(rig_source_github_issue_number(src, url, &n, &err), -1);
    assert_non_null(strstr(err.msg, "is for acme/other but source.repo is " REPO));
    free(url);
    assert_int_equal(rig_source_github_issue_number(
                         src, "https://github.com/Codertocat/Hello-World/issues/1", &n, &err), -1);
    assert_non_null(strstr(err.msg, "is on github.com"));
    rig_source_free(src);

    /* the hosts issue URLs live on: github.com for api.github.com, the API's own
     * host on GitHub Enterprise */
    {
        struct rig_source_github_opts o;

        memset(&o, 0, sizeof(o));
        o.repo = REPO;
        o.token = TOKEN;
        assert_int_equal(rig_source_github_new(&o, &src, &err), 0);
        assert_int_equal(rig_source_github_issue_number(
                             src, "https://github.com/Codertocat/Hello-World/issues/8", &n, &err),
                         0);
        assert_int_equal(n, 8);
        assert_int_equal(rig_source_github_issue_number(
                             src, "https://www.github.com/codertocat/hello-world/issues/9", &n,
                             &err), 0);
        assert_int_equal(n, 9);
        rig_source_free(src);
        o.api_url = "https://GHE.example.com/api/v3/";
        assert_int_equal(rig_source_github_new(&o, &src, &err), 0);
        assert_int_equal(rig_source_github_issue_number(
                             src, "https://ghe.example.com/Codertocat/Hello-World/issues/5", &n,
                             &err), 0);
        assert_int_equal(n, 5);
        assert_int_equal(rig_source_github_issue_number(
                             src, "https://github.com/Codertocat/Hello-World/issues/5", &n, &err),
                         -1);
        assert_non_null(strstr(err.msg, "this source is on ghe.example.com"));
        rig_source_free(src);
    }
}

/* Rig's one status comment on issue 1 contains text. */
static void assert_status_body(const char *text)
{
    json_t *st = state_get(), *cs = issue_comments(st, 1), *c;
    size_t i, n = 0;

    json_array_foreach(cs, i, c) {
        const char *b = json_string_value(json_object_get(c, "body"));

        if (strstr(b, RIG_GITHUB_STATUS_MARKER) &&
            strcmp(json_string_value(json_object_get(json_object_get(c, "user"), "login")),
                   "rig-bot") == 0) {
            n++;
            if (!strstr(b, text))
                fail_msg("status comment lacks \"%s\":\n%s", text, b);
        }
    }
    assert_int_equal(n, 1);
    json_decref(cs);
    json_decref(st);
}

static void fake_task(struct rig_task *t, enum rig_phase p, int attempt)
{
    t->phase = p;
    t->attempt = attempt;
}

static void test_status_updater(void **state)
{
    struct rig_source *src = new_source(TOKEN, 0);
    struct rig_github_status *s = NULL;
    struct rig_github_status_stats stats;
    struct rig_task t;
    struct rig_err err = RIG_ERR_INIT;
    json_t *st, *cs, *c;
    const char *body = NULL;
    size_t i, nmarked = 0;
    char *names;
    char id[] = "t-20260101-000000-1";
    char url[] = "https://github.com/Codertocat/Hello-World/issues/1";
    char pr[] = "https://github.com/Codertocat/Hello-World/pull/100";
    char why[] = "tests still failing after 1 self-heal round(s): @everyone ```";
    static const enum rig_phase run[] = {
        RIG_PHASE_PLANNING, RIG_PHASE_CODING,  RIG_PHASE_COMMITTING, RIG_PHASE_DEPLOYING,
        RIG_PHASE_TESTING,  RIG_PHASE_ANALYZING, RIG_PHASE_CODING,   RIG_PHASE_COMMITTING,
        RIG_PHASE_DEPLOYING, RIG_PHASE_TESTING,
    };

    (void)state;
    memset(&t, 0, sizeof(t));
    t.id = id;
    t.issue_number = 1;
    t.issue_url = url;
    t.max_retry = 1;
    assert_int_equal(rig_github_status_new(src, &s, &err), 0);
    for (size_t k = 0; k < sizeof(run) / sizeof(run[0]); k++) {
        fake_task(&t, run[k], k < 6 ? 1 : 2);
        rig_github_status_on_event(s, &t, RIG_EVENT_PHASE, rig_phase_name(run[k]));
        /* one comment update at a time reaches the API: later ones collapse */
    }
    t.error = why;
    fake_task(&t, RIG_PHASE_FAILED, 2);
    rig_github_status_on_event(s, &t, RIG_EVENT_PHASE, "failed");
    rig_github_status_on_event(s, &t, RIG_EVENT_FAILED, why);
    assert_int_equal(rig_github_status_flush(s, 60000, &err), 0);
    rig_github_status_get_stats(s, &stats);
    assert_int_equal(stats.failed, 0);
    assert_int_equal(stats.labels_sent, 2);
    assert_true(stats.comments_sent >= 1);
    st = state_get();
    cs = issue_comments(st, 1);
    json_array_foreach(cs, i, c) {
        const char *b = json_string_value(json_object_get(c, "body"));
        const char *who = json_string_value(json_object_get(json_object_get(c, "user"), "login"));

        if (strstr(b, RIG_GITHUB_STATUS_MARKER) && strcmp(who, "rig-bot") == 0) {
            nmarked++;
            body = b;
        }
    }
    assert_int_equal(nmarked, 1); /* the one from the previous test, edited again */
    assert_non_null(strstr(body, "### ✘ Rig could not finish this issue"));
    assert_non_null(strstr(body, "- ✔ Plan\n- ✔ Code\n- ✔ Commit and push\n- ✔ Deploy\n"
                                 "- ✘ Test\n- – Pull request\n"));
    assert_non_null(strstr(body, "Attempt 2 of 2"));
    /* untrusted text fenced by a longer fence than it contains */
    assert_non_null(strstr(body, "````\ntests still failing after 1 self-heal round(s): "
                                 "@everyone ```\n````"));
    assert_null(strstr(body, "[rig]"));
    json_decref(cs);
    json_decref(st);
    names = label_names(1);
    assert_string_equal(names, "bug,rig:failed");
    free(names);

    /* a second task on the same issue that completes */
    t.error = NULL;
    id[sizeof(id) - 2] = '2';
    fake_task(&t, RIG_PHASE_PLANNING, 1);
    rig_github_status_on_event(s, &t, RIG_EVENT_PHASE, "planning");
    fake_task(&t, RIG_PHASE_REPORTING, 1);
    rig_github_status_on_event(s, &t, RIG_EVENT_PHASE, "reporting");
    t.pr_url = pr;
    t.pr_number = 100;
    rig_github_status_on_event(s, &t, RIG_EVENT_PR_CREATED, pr);
    fake_task(&t, RIG_PHASE_COMPLETED, 1);
    rig_github_status_on_event(s, &t, RIG_EVENT_PHASE, "completed");
    rig_github_status_on_event(s, &t, RIG_EVENT_COMPLETED, "");
    /* dry runs and issues without a URL are left alone */
    t.dry_run = true;
    rig_github_status_on_event(s, &t, RIG_EVENT_FAILED, "x");
    t.dry_run = false;
    t.issue_url = NULL;
    rig_github_status_on_event(s, &t, RIG_EVENT_FAILED, "x");
    rig_github_status_free(s);
    names = label_names(1);
    assert_string_equal(names, "bug,rig:done");
    free(names);
    assert_status_body("### ✔ Rig is done: pull request [#100](https://github.com/Codertocat/"
                       "Hello-World/pull/100)");
    assert_status_body("- ✔ Plan\n");
    assert_status_body("- ✔ Pull request\n");
    assert_status_body("Task `t-20260101-000000-2`");

    /* a task resumed in a new process (first seen deploying), then cancelled */
    assert_int_equal(rig_github_status_new(src, &s, &err), 0);
    t.issue_url = url;
    t.pr_url = NULL;
    id[sizeof(id) - 2] = '3';
    fake_task(&t, RIG_PHASE_DEPLOYING, 1);
    rig_github_status_on_event(s, &t, RIG_EVENT_PHASE, "deploying");
    fake_task(&t, RIG_PHASE_CANCELLED, 1);
    rig_github_status_on_event(s, &t, RIG_EVENT_CANCELLED, "");
    rig_github_status_free(s);
    assert_status_body("### Rig stopped: the task was cancelled\n\n- ✔ Plan\n- ✔ Code\n"
                       "- ✔ Commit and push\n- – Deploy\n- – Test\n- – Pull request\n");
    names = label_names(1);
    assert_string_equal(names, "bug");
    free(names);
    rig_source_free(src);
}
/* Last: nothing Rig logged (debug level, every test above) holds the token. */
static void test_no_token_in_logs(void **state)
{
    char *log, *b64 = rig_gh_base64("x-access-token:" TOKEN);

    (void)state;
    fflush(E.log);
    log = tu_read_file(E.log_path);
    assert_non_null(log);
    assert_non_null(strstr(log, "GET http://127.0.0.1:")); /* it did log requests */
    assert_null(strstr(log, TOKEN));
    assert_null(strstr(log, b64));
    assert_null(strstr(log, "wrong-Tok3n-777"));
    free(log);
    free(b64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_fetch_issue),
        cmocka_unit_test(test_clone_and_push_token_only_in_env),
        cmocka_unit_test(test_wrong_token),
        cmocka_unit_test(test_pr_created_once),
        cmocka_unit_test(test_status_comment_edited_in_place),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_rate_limits),
        cmocka_unit_test(test_issue_urls),
        cmocka_unit_test(test_status_updater),
        cmocka_unit_test(test_no_token_in_logs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
