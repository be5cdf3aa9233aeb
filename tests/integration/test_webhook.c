/*
 * `rig run` end to end: the real binary on an ephemeral 127.0.0.1 port, fed
 * GitHub's real payloads (/work/shared/fixtures/github-webhooks) signed here
 * with rig_hmac_sha256_hex, checked through the store it writes.
 *
 * rig.yaml serves two projects:
 *   hello-world  platform github, Codertocat/Hello-World (the fixtures' repo).
 *                Its tasks are created and started; running them needs the
 *                GitHub adapter (api_url points at a closed local port so no
 *                test ever reaches the network).
 *   local-demo   platform local, a bare repository .../acme/local-demo.git, so
 *                deliveries for "acme/local-demo" run the whole pipeline on a
 *                worker: AI (ai_standin), commit, push, deploy, pull request.
 *                Its deploy waits for a gate file (gate-<issue>), which lets
 *                the test hold a task "running" for as long as it needs.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/hmac.h"
#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/store.h"

extern char **environ;

#define SECRET "It's a Secret to Everybody"
#define AI_KEY "sk-webhook-test-key-0123456789"
#define WAIT_MS 90000
#define FIXTURE_TITLE "Spelling error in the README file"

struct proc {
    pid_t pid;
    char *out;  /* stdout file */
    char *err;  /* stderr file */
    int port;
};

struct fx {
    char *dir;
    char *yaml;
    char *db;
    struct proc ai;
    struct proc srv;
    int nstarts;
    struct rig_store *st;
};

struct resp {
    long status;
    char *body;
};

/* ------------------------------------------------------------ helpers -- */

static void msleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static pid_t spawn(const char *const *argv, const char *out, const char *err)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        fail_msg("spawning %s: %s", argv[0], strerror(rc));
    return pid;
}

/* Exit status of pid, or -1 if it is still running after ms. */
static int wait_exit(pid_t pid, long ms)
{
    for (long waited = 0; waited <= ms; waited += 20) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);

        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        msleep(20);
    }
    return -1;
}

static void dump(const char *what, const char *path)
{
    char *s = tu_read_file(path);

    print_message("---- %s (%s)\n%s\n----\n", what, path, s ? s : "(missing)");
    free(s);
}

static char *fixture(const char *rel)
{
    char *p = tu_fixture(rel);
    char *s = tu_read_file(p);

    if (!s)
        fail_msg("cannot read fixture %s", p);
    free(p);
    return s;
}

/* A fixture with changes: pairs of JSON pointer and JSON value text. */
static char *variant(const char *rel, ...)
{
    char *text = fixture(rel);
    json_t *root = json_loads(text, 0, NULL);
    const char *ptr;
    va_list ap;
    char *out;

    assert_non_null(root);
    va_start(ap, rel);
    while ((ptr = va_arg(ap, const char *))) {
        const char *val = va_arg(ap, const char *);
        char *parent = xstrdup(ptr);
        char *slash = strrchr(parent, '/');
        json_t *v = json_loads(val, JSON_DECODE_ANY, NULL);

        assert_non_null(v);
        *slash = '\0';
        json_object_set_new(rig_json_pointer(root, parent), slash + 1, v);
        free(parent);
    }
    va_end(ap);
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    free(text);
    return out;
}

/* An issues.opened delivery for acme/local-demo issue n. */
static char *local_issue(long n, const char *title)
{
    char num[32], t[256], url[128];

    snprintf(num, sizeof(num), "%ld", n);
    snprintf(t, sizeof(t), "\"%s\"", title);
    snprintf(url, sizeof(url), "\"https://example.invalid/acme/local-demo/issues/%ld\"", n);
    return variant("github-webhooks/issues/opened.payload.json", "/repository/full_name",
                   "\"acme/local-demo\"", "/issue/number", num, "/issue/title", t,
                   "/issue/body", "\"Add a NOTES.md file.\"", "/issue/html_url", url, NULL);
}

/* ---------------------------------------------------------------- HTTP -- */

enum sig { SIG_GOOD, SIG_NONE, SIG_WRONG, SIG_NOPREFIX };

static int request(int port, const char *method, const char *path, const char *const *headers,
                   const char *body, size_t len, struct resp *out)
{
    struct rig_http_req req = {0};
    struct rig_http_resp resp = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
    int rc;

    req.method = method;
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = len;
    req.timeout_ms = 60000;
    rc = rig_http_do(&req, &resp, &err);
    free(url);
    memset(out, 0, sizeof(*out));
    if (rc == 0) {
        out->status = resp.status;
        out->body = xstrdup(resp.body);
    }
    rig_http_resp_release(&resp);
    return rc;
}

static void post(struct fx *f, const char *event, const char *delivery, const char *body,
                 enum sig sig, struct resp *out)
{
    char hex[65], ev[96], dl[160], sg[128];
    const char *headers[6] = {"Content-Type: application/json", ev, dl, NULL, NULL, NULL};

    snprintf(ev, sizeof(ev), "X-GitHub-Event: %s", event);
    snprintf(dl, sizeof(dl), "X-GitHub-Delivery: %s", delivery);
    assert_int_equal(rig_hmac_sha256_hex(SECRET, strlen(SECRET), body, strlen(body), hex), 0);
    if (sig == SIG_WRONG)
        hex[0] = hex[0] == '0' ? '1' : '0';
    if (sig == SIG_GOOD || sig == SIG_WRONG)
        snprintf(sg, sizeof(sg), "X-Hub-Signature-256: sha256=%s", hex);
    else
        snprintf(sg, sizeof(sg), "X-Hub-Signature-256: %s", hex);
    if (sig != SIG_NONE)
        headers[3] = sg;
    if (request(f->srv.port, "POST", "/webhook", headers, body, strlen(body), out) < 0)
        fail_msg("POST /webhook (%s %s): no HTTP answer", event, delivery);
}

static void resp_release(struct resp *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static json_t *resp_json(const struct resp *r)
{
    json_t *v = json_loads(r->body, 0, NULL);

    if (!v)
        fail_msg("response is not JSON: %s", r->body);
    return v;
}

static void expect(const struct resp *r, long status, const char *status_field)
{
    json_t *v;

    if (r->status != status)
        fail_msg("HTTP %ld, expected %ld: %s", r->status, status, r->body);
    if (!status_field)
        return;
    v = resp_json(r);
    if (!rig_str_eq(rig_json_str(v, "status", NULL), status_field))
        fail_msg("status %s expected in %s", status_field, r->body);
    json_decref(v);
}

/* --------------------------------------------------------------- store -- */

static size_t count_tasks(struct fx *f, const char *project, long issue)
{
    struct rig_task_filter flt = {.project = project};
    struct rig_task_list l = {0};
    struct rig_err err = RIG_ERR_INIT;
    char id[32];
    size_t n;

    snprintf(id, sizeof(id), "%ld", issue);
    flt.issue_id = id;
    if (rig_store_task_list(f->st, &flt, &l, &err) < 0)
        fail_msg("task list: %s", err.msg);
    n = l.len;
    rig_task_list_release(&l);
    return n;
}

/* The only task of project/issue (fails when there is not exactly one). */
static void get_task(struct fx *f, const char *project, long issue, struct rig_task *t)
{
    struct rig_task_filter flt = {.project = project};
    struct rig_task_list l = {0};
    struct rig_err err = RIG_ERR_INIT;
    char id[32];

    snprintf(id, sizeof(id), "%ld", issue);
    flt.issue_id = id;
    if (rig_store_task_list(f->st, &flt, &l, &err) < 0)
        fail_msg("task list: %s", err.msg);
    if (l.len != 1)
        fail_msg("%zu tasks for %s issue %ld, expected 1", l.len, project, issue);
    *t = l.items[0];
    memset(&l.items[0], 0, sizeof(l.items[0]));
    rig_task_list_release(&l);
}

static bool delivery_status(struct fx *f, const char *id, char **status, char **task)
{
    struct rig_delivery d = {0};
    struct rig_err err = RIG_ERR_INIT;

    if (rig_store_delivery_get(f->st, id, &d, &err) < 0) {
        assert_int_equal(err.code, RIG_ENOTFOUND);
        return false;
    }
    *status = d.status ? xstrdup(d.status) : NULL;
    if (task)
        *task = d.task_id ? xstrdup(d.task_id) : NULL;
    rig_delivery_release(&d);
    return true;
}

/* Poll until the task of project/issue is in phase (or status) want. */
static void wait_task(struct fx *f, const char *project, long issue, const char *want)
{
    for (long waited = 0; waited < WAIT_MS; waited += 50) {
        struct rig_task t = {0};
        bool ok;

        get_task(f, project, issue, &t);
        ok = strcmp(rig_phase_name(t.phase), want) == 0 ||
             strcmp(rig_task_status_name(t.status), want) == 0;
        if (ok) {
            rig_task_release(&t);
            return;
        }
        if (rig_task_status_is_terminal(t.status)) {
            dump("rig run stderr", f->srv.err);
            fail_msg("task %s ended %s (%s) while waiting for %s", t.id,
                     rig_task_status_name(t.status), t.error ? t.error : "", want);
        }
        rig_task_release(&t);
        msleep(50);
    }
    dump("rig run stderr", f->srv.err);
    fail_msg("task of %s issue %ld never reached %s", project, issue, want);
}

static void open_gate(struct fx *f, const char *name)
{
    char *p = tu_path(f->dir, name);

    tu_write_file(p, "open\n");
    free(p);
}

/* ------------------------------------------------------------- servers -- */

static void start_standin(struct fx *f)
{
    char *bin = xasprintf("%s/ai_standin", tu_env("RIG_STANDIN_DIR"));
    char *script = tu_path(f->dir, "script.json");
    char *portf = tu_path(f->dir, "ai.port");
    char *log = tu_path(f->dir, "ai.log");
    const char *argv[] = {bin, "--script", script, "--port-file", portf, "--log", log,
                          "--api-key", AI_KEY, NULL};
    const char *plan = "{\"plan\": \"1. add NOTES.md\", \"files_to_change\": [\"NOTES.md\"]}";
    const char *code = "{\"summary\": \"add NOTES.md\", \"files\": [{\"path\": \"NOTES.md\", "
                 "\"action\": \"write\", \"content\": \"notes\\n\"}]}";
    json_t *s = json_pack("[{s:s, s:s, s:i, s:i}, {s:s, s:s, s:i, s:i}]",
                          "match", "Write the implementation plan", "text", plan,
                          "tokens_in", 10, "tokens_out", 5,
                          "match", "Implement the plan", "text", code,
                          "tokens_in", 10, "tokens_out", 5);
    char *text = json_dumps(s, 0);

    json_decref(s);
    tu_write_file(script, text);
    free(text);
    f->ai.out = tu_path(f->dir, "ai.out");
    f->ai.err = tu_path(f->dir, "ai.err");
    f->ai.pid = spawn(argv, f->ai.out, f->ai.err);
    for (long waited = 0; waited < WAIT_MS; waited += 20) {
        char *p = tu_read_file(portf);
        long long port;

        if (p && rig_str_to_ll(rig_str_trim(p), 1, 65535, &port) == 0) {
            f->ai.port = (int)port;
            free(p);
            break;
        }
        free(p);
        msleep(20);
    }
    if (!f->ai.port) {
        dump("ai_standin stderr", f->ai.err);
        fail_msg("ai_standin did not start");
    }
    free(bin);
    free(script);
    free(portf);
    free(log);
}

/* Start `rig run` with config yaml; returns its exit status when it stops on
 * its own before listening (then f->srv.pid is 0), else -1. */
static int start_rig(struct fx *f, const char *yaml, const char *extra)
{
    const char *bin = tu_env("RIG_BIN");
    const char *argv[] = {bin, "-c", yaml, "run", "--port", "0", "--listen", "127.0.0.1",
                          "--grace", "1s", extra, NULL};
    const char *needle = "listening on http://127.0.0.1:";

    f->nstarts++;
    free(f->srv.out);
    free(f->srv.err);
    f->srv.out = xasprintf("%s/rig-run-%d.out", f->dir, f->nstarts);
    f->srv.err = xasprintf("%s/rig-run-%d.err", f->dir, f->nstarts);
    f->srv.port = 0;
    f->srv.pid = spawn(argv, f->srv.out, f->srv.err);
    for (long waited = 0; waited < WAIT_MS; waited += 20) {
        char *s = tu_read_file(f->srv.out);
        char *at = s ? strstr(s, needle) : NULL;
        int st;

        if (at && strchr(at, '\n')) {
            long long port;
            *strchr(at, '\n') = '\0';
            assert_int_equal(rig_str_to_ll(at + strlen(needle), 1, 65535, &port), 0);
            f->srv.port = (int)port;
            free(s);
            return -1;
        }
        free(s);
        if (waitpid(f->srv.pid, &st, WNOHANG) == f->srv.pid) {
            f->srv.pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        msleep(20);
    }
    dump("rig run stderr", f->srv.err);
    fail_msg("rig run did not print its URL");
    return -1;
}

static void start_server(struct fx *f)
{
    struct resp r;

    if (start_rig(f, f->yaml, NULL) != -1) {
        dump("rig run stderr", f->srv.err);
        fail_msg("rig run exited instead of listening");
    }
    /* Readiness as a deployment would check it. */
    assert_int_equal(request(f->srv.port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
    expect(&r, 200, "ok");
    resp_release(&r);
}

/* Send sig and expect exit status 0; /healthz no longer answers. */
static void stop_server(struct fx *f, int sig)
{
    struct resp r;
    int st;

    assert_int_equal(kill(f->srv.pid, sig), 0);
    st = wait_exit(f->srv.pid, WAIT_MS);
    if (st != 0) {
        dump("rig run stderr", f->srv.err);
        fail_msg("rig run exited with %d after signal %d, expected 0", st, sig);
    }
    f->srv.pid = 0;
    assert_int_equal(request(f->srv.port, "GET", "/healthz", NULL, NULL, 0, &r), -1);
}

static void health(struct fx *f, long *queued, long *running)
{
    struct resp r;
    json_t *v;

    assert_int_equal(request(f->srv.port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
    expect(&r, 200, "ok");
    v = resp_json(&r);
    *queued = (long)rig_json_int(v, "queued", -1);
    *running = (long)rig_json_int(v, "running", -1);
    json_decref(v);
    resp_release(&r);
}

/* ---------------------------------------------------------------- setup -- */

static void write_config(struct fx *f)
{
    char *yaml = xasprintf(
        "project: {name: hello-world}\n"
        "source:\n"
        "  platform: github\n"
        "  repo: Codertocat/Hello-World\n"
        "  token: ghp_webhooktest0123456789\n"
        "  api_url: http://127.0.0.1:9\n"
        "ai:\n"
        "  provider: anthropic\n"
        "  model: claude-sonnet-4-5\n"
        "  api_key: %s\n"
        "  endpoint: http://127.0.0.1:%d\n"
        "  max_retry: 0\n"
        "git: {author_name: Rig Bot, author_email: rig@example.com}\n"
        "projects:\n"
        "  - name: local-demo\n"
        "    platform: local\n"
        "    repo: %s/acme/local-demo.git\n"
        "    base_branch: main\n"
        "    deploy:\n"
        "      method: custom\n"
        "      config:\n"
        "        commands:\n"
        "          - name: gate\n"
        "            run: 'while [ ! -e %s/gate-${ISSUE_NUMBER} ] && [ ! -e %s/gate-all ]; "
        "do sleep 0.05; done; echo deployed'\n"
        "            timeout: 5m\n"
        "workflow:\n"
        "  trigger:\n"
        "    - event: issues.opened\n"
        "    - event: issues.labeled\n"
        "      labels: [rig]\n"
        "    - event: issue_comment.created\n"
        "      keyword: /rig run\n"
        "server:\n"
        "  secret: \"" SECRET "\"\n"
        "  workers: 2\n"
        "  per_project_limit: 1\n"
        "  data_dir: %s/home\n",
        AI_KEY, f->ai.port, f->dir, f->dir, f->dir, f->dir);

    tu_write_file(f->yaml, yaml);
    free(yaml);
}

static int group_setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    struct rig_err err = RIG_ERR_INIT;

    unsetenv("RIG_CONFIG");
    setenv("GIT_AUTHOR_NAME", "tester", 1);
    setenv("GIT_AUTHOR_EMAIL", "tester@example.com", 1);
    setenv("GIT_COMMITTER_NAME", "tester", 1);
    setenv("GIT_COMMITTER_EMAIL", "tester@example.com", 1);
    assert_int_equal(rig_http_global_init(), 0);
    f->dir = tu_mkdtemp("rig-webhook");
    f->yaml = tu_path(f->dir, "rig.yaml");
    f->db = xasprintf("%s/home/rig.db", f->dir);
    if (tu_sh(NULL, "set -e; cd '%s'; mkdir src acme; cd src; git init -q -b main; "
                    "printf '# Demo\\n' > README.md; git add -A; git commit -qm initial; "
                    "git clone -q --bare . ../acme/local-demo.git", f->dir) != 0)
        fail_msg("could not create the demo repository");
    start_standin(f);
    write_config(f);
    *state = f;
    start_server(f);
    if (rig_store_open(f->db, &f->st, &err) < 0)
        fail_msg("store: %s", err.msg);
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;

    if (f->srv.pid > 0) {
        kill(f->srv.pid, SIGKILL);
        waitpid(f->srv.pid, NULL, 0);
    }
    /* Deploy loops of a killed server stop once the gate is open. */
    open_gate(f, "gate-all");
    if (f->ai.pid > 0) {
        kill(f->ai.pid, SIGTERM);
        waitpid(f->ai.pid, NULL, 0);
    }
    rig_store_close(f->st);
    msleep(200);
    /* RIG_TEST_KEEP=1 keeps the directory (logs of every rig run) for a look. */
    if (getenv("RIG_TEST_KEEP"))
        print_message("kept %s\n", f->dir);
    else
        tu_rmtree(f->dir);
    free(f->dir);
    free(f->yaml);
    free(f->db);
    free(f->ai.out);
    free(f->ai.err);
    free(f->srv.out);
    free(f->srv.err);
    free(f);
    rig_http_global_cleanup();
    return 0;
}

/* ---------------------------------------------------------------- tests -- */

static void test_ping(void **state)
{
    struct fx *f = *state;
    char *body = fixture("github-webhooks/ping/payload.json");
    struct resp r;
    json_t *v;
    char *st = NULL;

    post(f, "ping", "ping-1", body, SIG_GOOD, &r);
    expect(&r, 200, NULL);
    v = resp_json(&r);
    assert_true(rig_json_bool(v, "ok", false));
    assert_string_equal(rig_json_str(v, "zen", ""), "Anything added dilutes everything else.");
    json_decref(v);
    assert_true(delivery_status(f, "ping-1", &st, NULL));
    assert_string_equal(st, "ping");
    free(st);
    resp_release(&r);
    free(body);
}

static void test_routes(void **state)
{
    struct fx *f = *state;
    struct resp r;

    assert_int_equal(request(f->srv.port, "GET", "/webhook", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 405);
    resp_release(&r);
    assert_int_equal(request(f->srv.port, "GET", "/nowhere", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 404);
    resp_release(&r);
}

static void test_signatures(void **state)
{
    struct fx *f = *state;
    char *body = fixture("github-webhooks/issues/opened.payload.json");
    struct resp r;
    char *st = NULL;

    post(f, "issues", "badsig-1", body, SIG_WRONG, &r);
    expect(&r, 401, NULL);
    assert_non_null(strstr(r.body, "invalid signature"));
    resp_release(&r);
    post(f, "issues", "badsig-2", body, SIG_NOPREFIX, &r);
    expect(&r, 401, NULL);
    resp_release(&r);
    post(f, "issues", "badsig-3", body, SIG_NONE, &r);
    expect(&r, 401, NULL);
    assert_non_null(strstr(r.body, "missing X-Hub-Signature-256"));
    resp_release(&r);
    /* Unauthenticated input never reaches the store. */
    assert_false(delivery_status(f, "badsig-1", &st, NULL));
    assert_false(delivery_status(f, "badsig-3", &st, NULL));
    assert_int_equal(count_tasks(f, "hello-world", 1), 0);
    free(body);
}

static void test_opened_creates_task(void **state)
{
    struct fx *f = *state;
    char *body = fixture("github-webhooks/issues/opened.payload.json");
    struct rig_task t = {0};
    struct resp r;
    json_t *v;
    char *st = NULL, *task = NULL;

    post(f, "issues", "opened-1", body, SIG_GOOD, &r);
    expect(&r, 202, "queued");
    v = resp_json(&r);
    assert_string_equal(rig_json_str(v, "project", ""), "hello-world");
    assert_int_equal(rig_json_int(v, "issue", 0), 1);
    get_task(f, "hello-world", 1, &t);
    assert_string_equal(rig_json_str(v, "task", ""), t.id);
    assert_string_equal(t.issue_title, FIXTURE_TITLE);
    assert_string_equal(t.issue_body,
                        "It looks like you accidently spelled 'commit' with two 't's.");
    assert_string_equal(t.issue_url, "https://github.com/Codertocat/Hello-World/issues/1");
    assert_true(delivery_status(f, "opened-1", &st, &task));
    assert_string_equal(st, "queued");
    assert_string_equal(task, t.id);
    json_decref(v);
    rig_task_release(&t);
    free(st);
    free(task);
    resp_release(&r);
    /* A worker picks it up: it leaves "queued". Without the GitHub adapter
     * in this build it then fails, naming the missing platform. */
    for (long waited = 0; waited < WAIT_MS; waited += 50) {
        bool started;
        get_task(f, "hello-world", 1, &t);
        started = t.phase != RIG_PHASE_QUEUED;
        rig_task_release(&t);
        if (started)
            break;
        msleep(50);
    }
    get_task(f, "hello-world", 1, &t);
    assert_int_not_equal(t.phase, RIG_PHASE_QUEUED);
    rig_task_release(&t);
    free(body);
}

static void test_redelivery_duplicate(void **state)
{
    struct fx *f = *state;
    char *body = fixture("github-webhooks/issues/opened.payload.json");
    struct resp r;
    json_t *v;

    post(f, "issues", "opened-1", body, SIG_GOOD, &r);
    expect(&r, 200, "queued");
    v = resp_json(&r);
    assert_true(rig_json_bool(v, "duplicate", false));
    json_decref(v);
    assert_int_equal(count_tasks(f, "hello-world", 1), 1);
    resp_release(&r);
    free(body);
}

static void test_labeled_other_label(void **state)
{
    struct fx *f = *state;
    char *body = fixture("github-webhooks/issues/labeled.payload.json");
    struct resp r;
    char *st = NULL;

    post(f, "issues", "labeled-bug", body, SIG_GOOD, &r);
    expect(&r, 202, "ignored");
    assert_non_null(strstr(r.body, "label 'bug'"));
    assert_true(delivery_status(f, "labeled-bug", &st, NULL));
    assert_true(rig_str_startswith(st, "ignored: "));
    assert_int_equal(count_tasks(f, "hello-world", 1), 1);
    free(st);
    resp_release(&r);
    free(body);
}

static void test_comment_keyword(void **state)
{
    struct fx *f = *state;
    const char *fx = "github-webhooks/issue_comment/created.payload.json";
    char *plain = fixture(fx);
    char *kw = variant(fx, "/issue/number", "3", "/comment/body", "\"Please /rig run this\"",
                       NULL);
    struct rig_task t = {0};
    struct resp r;

    post(f, "issue_comment", "comment-plain", plain, SIG_GOOD, &r);
    expect(&r, 202, "ignored");
    resp_release(&r);
    assert_int_equal(count_tasks(f, "hello-world", 1), 1);
    post(f, "issue_comment", "comment-kw", kw, SIG_GOOD, &r);
    expect(&r, 202, "queued");
    resp_release(&r);
    get_task(f, "hello-world", 3, &t);
    assert_string_equal(t.issue_title, FIXTURE_TITLE);
    rig_task_release(&t);
    free(plain);
    free(kw);
}

static void test_bot_comments(void **state)
{
    struct fx *f = *state;
    const char *fx = "github-webhooks/issue_comment/created.payload.json";
    char *bot = variant(fx, "/issue/number", "4", "/comment/body", "\"/rig run\"",
                        "/sender/type", "\"Bot\"", NULL);
    char *own = variant(fx, "/issue/number", "4", "/comment/body",
                        "\"Rig failed; comment /rig run to retry\\n<!-- rig:status -->\"", NULL);
    struct resp r;

    post(f, "issue_comment", "comment-bot", bot, SIG_GOOD, &r);
    expect(&r, 202, "ignored");
    assert_non_null(strstr(r.body, "bot"));
    resp_release(&r);
    post(f, "issue_comment", "comment-own", own, SIG_GOOD, &r);
    expect(&r, 202, "ignored");
    resp_release(&r);
    assert_int_equal(count_tasks(f, "hello-world", 4), 0);
    free(bot);
    free(own);
}

static void test_unknown_repo(void **state)
{
    struct fx *f = *state;
    char *body = variant("github-webhooks/issues/opened.payload.json", "/repository/full_name",
                         "\"someone/else\"", NULL);
    struct resp r;

    post(f, "issues", "unknown-repo", body, SIG_GOOD, &r);
    expect(&r, 202, "ignored");
    assert_non_null(strstr(r.body, "someone/else"));
    resp_release(&r);
    free(body);
}

static void test_body_too_large(void **state)
{
    struct fx *f = *state;
    size_t n = 25u * 1024 * 1024 + 1;
    char *big = xmalloc(n + 1);
    const char *headers[] = {"Content-Type: application/json", "X-GitHub-Event: issues",
                             "X-GitHub-Delivery: too-big",
                             "X-Hub-Signature-256: sha256=0000", NULL};
    struct resp r;

    memset(big, ' ', n);
    big[n] = '\0';
    assert_int_equal(request(f->srv.port, "POST", "/webhook", headers, big, n, &r), 0);
    assert_int_equal(r.status, 413);
    resp_release(&r);
    free(big);
}

struct par {
    struct fx *f;
    pthread_barrier_t *bar;
    const char *body;
    char delivery[32];
    struct resp r;
};

static void *par_post(void *arg)
{
    struct par *p = arg;

    pthread_barrier_wait(p->bar);
    post(p->f, "issues", p->delivery, p->body, SIG_GOOD, &p->r);
    return NULL;
}

static void test_local_pipeline(void **state)
{
    struct fx *f = *state;
    char *body = local_issue(7, "Add notes");
    char *labeled = variant("github-webhooks/issues/labeled.payload.json",
                            "/repository/full_name", "\"acme/local-demo\"", "/issue/number",
                            "7", "/label/name", "\"rig\"", NULL);
    pthread_barrier_t bar;
    pthread_t th[2];
    struct par p[2];
    struct rig_task t = {0};
    struct resp r;
    int queued = 0, coalesced = 0;
    long nq, nr;
    char *st = NULL, *task = NULL;

    /* Two deliveries of one issue at the same moment: one task. */
    pthread_barrier_init(&bar, NULL, 2);
    for (int i = 0; i < 2; i++) {
        memset(&p[i], 0, sizeof(p[i]));
        p[i].f = f;
        p[i].bar = &bar;
        p[i].body = body;
        snprintf(p[i].delivery, sizeof(p[i].delivery), "local-7-%d", i);
        pthread_create(&th[i], NULL, par_post, &p[i]);
    }
    for (int i = 0; i < 2; i++) {
        json_t *v;
        pthread_join(th[i], NULL);
        assert_int_equal(p[i].r.status, 202);
        v = resp_json(&p[i].r);
        queued += rig_str_eq(rig_json_str(v, "status", ""), "queued");
        coalesced += rig_str_eq(rig_json_str(v, "status", ""), "coalesced");
        json_decref(v);
        resp_release(&p[i].r);
    }
    pthread_barrier_destroy(&bar);
    assert_int_equal(queued, 1);
    assert_int_equal(coalesced, 1);
    assert_int_equal(count_tasks(f, "local-demo", 7), 1);

    /* It runs on a worker up to the deploy gate; more triggers coalesce. */
    wait_task(f, "local-demo", 7, "deploying");
    health(f, &nq, &nr);
    assert_true(nr >= 1);
    post(f, "issues", "local-7-labeled", labeled, SIG_GOOD, &r);
    expect(&r, 202, "coalesced");
    resp_release(&r);
    get_task(f, "local-demo", 7, &t);
    assert_true(delivery_status(f, "local-7-labeled", &st, &task));
    assert_string_equal(st, "coalesced");
    assert_string_equal(task, t.id);
    rig_task_release(&t);
    free(st);
    free(task);

    open_gate(f, "gate-7");
    wait_task(f, "local-demo", 7, "completed");
    get_task(f, "local-demo", 7, &t);
    assert_non_null(t.pr_title);
    assert_non_null(strstr(t.pr_title, "Add notes"));
    assert_int_equal(t.tokens_in, 20);
    if (tu_sh(NULL, "git -C '%s/acme/local-demo.git' cat-file -e '%s:NOTES.md'", f->dir,
              t.branch) != 0)
        fail_msg("branch %s with NOTES.md is not on the remote", t.branch);
    rig_task_release(&t);
    assert_int_equal(count_tasks(f, "local-demo", 7), 1);
    free(body);
    free(labeled);
}

static void test_drain_cancels(void **state)
{
    struct fx *f = *state;
    char *body = local_issue(8, "Drain me");
    struct rig_task t = {0};
    struct resp r;

    post(f, "issues", "local-8", body, SIG_GOOD, &r);
    expect(&r, 202, "queued");
    resp_release(&r);
    wait_task(f, "local-demo", 8, "deploying");
    /* Grace is 1s: the deploy never ends by itself, so it is cancelled. */
    stop_server(f, SIGTERM);
    get_task(f, "local-demo", 8, &t);
    assert_string_equal(rig_task_status_name(t.status), "cancelled");
    rig_task_release(&t);
    free(body);
}

static void test_restart(void **state)
{
    struct fx *f = *state;
    char *b9 = local_issue(9, "Interrupted one");
    char *b10 = local_issue(10, "Queued one");
    struct rig_task t9 = {0}, t10 = {0};
    struct resp r;
    long nq = 0, nr = 0;
    char *log;

    start_server(f);
    post(f, "issues", "local-9", b9, SIG_GOOD, &r);
    expect(&r, 202, "queued");
    resp_release(&r);
    wait_task(f, "local-demo", 9, "deploying");
    /* per_project_limit 1: issue 10 waits in the queue behind 9. */
    post(f, "issues", "local-10", b10, SIG_GOOD, &r);
    expect(&r, 202, "queued");
    resp_release(&r);
    health(f, &nq, &nr);
    assert_int_equal(nq, 1);
    assert_true(nr >= 1);

    /* A crash: 9 is left running by a dead process, 10 queued. */
    assert_int_equal(kill(f->srv.pid, SIGKILL), 0);
    waitpid(f->srv.pid, NULL, 0);
    f->srv.pid = 0;
    get_task(f, "local-demo", 10, &t10);
    assert_int_equal(t10.phase, RIG_PHASE_QUEUED);
    rig_task_release(&t10);

    start_server(f);
    get_task(f, "local-demo", 9, &t9);
    assert_string_equal(rig_task_status_name(t9.status), "interrupted");
    log = tu_read_file(f->srv.err);
    assert_non_null(strstr(log, t9.id));
    assert_non_null(strstr(log, "marking it interrupted"));
    free(log);
    wait_task(f, "local-demo", 10, "deploying");
    open_gate(f, "gate-10");
    wait_task(f, "local-demo", 10, "completed");
    stop_server(f, SIGINT);

    /* The interrupted task resumes from the CLI on its own project's engine. */
    open_gate(f, "gate-9");
    if (tu_sh(NULL, "'%s' -c '%s' exec -q --resume %s >'%s/resume.out' 2>&1",
              tu_env("RIG_BIN"), f->yaml, t9.id, f->dir) != 0) {
        char *p = tu_path(f->dir, "resume.out");
        dump("rig exec --resume", p);
        free(p);
        fail_msg("rig exec --resume %s failed", t9.id);
    }
    rig_task_release(&t9);
    get_task(f, "local-demo", 9, &t9);
    assert_string_equal(rig_task_status_name(t9.status), "completed");
    rig_task_release(&t9);
    free(b9);
    free(b10);
}

/* A drain lets a running task finish within the grace period and refuses
 * new deliveries meanwhile. */
static void test_drain_waits(void **state)
{
    struct fx *f = *state;
    char *b11 = local_issue(11, "Finish during the drain");
    char *b12 = local_issue(12, "Too late");
    struct rig_task t = {0};
    struct resp r;
    int st = -1;

    if (start_rig(f, f->yaml, "--grace=5m") != -1)
        fail_msg("rig run did not start");
    post(f, "issues", "local-11", b11, SIG_GOOD, &r);
    expect(&r, 202, "queued");
    resp_release(&r);
    wait_task(f, "local-demo", 11, "deploying");
    assert_int_equal(kill(f->srv.pid, SIGTERM), 0);
    for (long waited = 0; waited < WAIT_MS; waited += 20) {
        assert_int_equal(request(f->srv.port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
        st = (int)r.status;
        resp_release(&r);
        if (st == 503)
            break;
        msleep(20);
    }
    assert_int_equal(st, 503);
    post(f, "issues", "local-12", b12, SIG_GOOD, &r);
    expect(&r, 503, NULL);
    resp_release(&r);
    open_gate(f, "gate-11");
    st = wait_exit(f->srv.pid, WAIT_MS);
    f->srv.pid = 0;
    assert_int_equal(st, 0);
    get_task(f, "local-demo", 11, &t);
    assert_string_equal(rig_task_status_name(t.status), "completed");
    rig_task_release(&t);
    assert_int_equal(count_tasks(f, "local-demo", 12), 0);
    free(b11);
    free(b12);
}

static void test_empty_secret_refuses(void **state)
{
    struct fx *f = *state;
    char *text = tu_read_file(f->yaml);
    char *at = strstr(text, "  secret: ");
    char *eol = strchr(at, '\n');
    char *yaml = tu_path(f->dir, "nosecret.yaml");
    char *body = fixture("github-webhooks/ping/payload.json");
    char *err, *cfg;
    struct resp r;

    *at = '\0';
    cfg = xasprintf("%s  secret: \"\"%s", text, eol);
    tu_write_file(yaml, cfg);
    assert_int_equal(start_rig(f, yaml, NULL), 1);
    err = tu_read_file(f->srv.err);
    assert_non_null(strstr(err, "server.secret is empty"));
    assert_non_null(strstr(err, "--insecure-no-secret"));
    free(err);

    /* Allowed on request: unsigned deliveries are then accepted. */
    assert_int_equal(start_rig(f, yaml, "--insecure-no-secret"), -1);
    post(f, "ping", "unsigned-ping", body, SIG_NONE, &r);
    expect(&r, 200, NULL);
    assert_non_null(strstr(r.body, "\"ok\":true"));
    resp_release(&r);
    stop_server(f, SIGTERM);
    free(text);
    free(cfg);
    free(yaml);
    free(body);
}

static void test_help(void **state)
{
    char *out = NULL;

    (void)state;
    assert_int_equal(tu_sh(&out, "'%s' run --help", tu_env("RIG_BIN")), 0);
    assert_non_null(strstr(out, "--insecure-no-secret"));
    assert_non_null(strstr(out, "--grace"));
    free(out);
    assert_int_equal(tu_sh(NULL, "'%s' run --grace soon 2>/dev/null", tu_env("RIG_BIN")), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_opened_creates_task),
        cmocka_unit_test(test_redelivery_duplicate),
        cmocka_unit_test(test_labeled_other_label),
        cmocka_unit_test(test_comment_keyword),
        cmocka_unit_test(test_bot_comments),
        cmocka_unit_test(test_unknown_repo),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_local_pipeline),
        cmocka_unit_test(test_drain_cancels),
        cmocka_unit_test(test_restart),
        cmocka_unit_test(test_drain_waits),
        cmocka_unit_test(test_empty_secret_refuses),
        cmocka_unit_test(test_help),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
