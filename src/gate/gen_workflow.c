/*
 * design-guard.yml generator. Everything that comes from the rules or the
 * command line reaches the workflow as a quoted YAML value in `env:`; the
 * scripts only read "$VARIABLES", so no value is ever parsed by the shell or
 * by the Actions expression engine as code.
 */
#include "gate/gen_workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/gen.h"
#include "gate/spec_check.h"
#include "core/banned.h"

static const char *const all_tools[] = {"archunit", "semgrep", "openapi_diff"};
static const char *const tool_block[] = {"archunit_rule", "semgrep_rule", "openapi_rule"};

static int tool_index(const char *t)
{
    for (int i = 0; i < 3; i++) {
        if (rig_str_eq(t, all_tools[i]))
            return i;
    }
    return -1;
}

static bool rule_uses(const struct sg_rule *r, int tool)
{
    json_t *ci = json_object_get(r->json, "ci_info");

    return json_object_get(ci, tool_block[tool]) && !sg_gen_tool_disabled(r, all_tools[tool]);
}

void sg_workflow_opts_init(struct sg_workflow_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->out_path = SG_WORKFLOW_OUT_DEFAULT;
    o->tests_dir = ".specgate";
    o->java_package = "com.example.arch";
    o->java_version = "17";
    o->specgate_ref = "main";
    o->build_tool = SG_BUILD_GRADLE;
}

size_t sg_workflow_tools(const struct sg_ruleset *set, const char *out[3])
{
    bool used[3] = {false, false, false}, placed[3] = {false, false, false};
    size_t n = 0;

    for (size_t i = 0; i < set->n; i++) {
        for (int t = 0; t < 3; t++)
            used[t] |= rule_uses(&set->rules[i], t);
    }
    for (size_t i = 0; i < set->n; i++) {
        json_t *order = json_object_get(
            json_object_get(json_object_get(set->rules[i].json, "ci_info"), "workflow_config"),
            "execution_order");
        size_t k;
        json_t *v;

        json_array_foreach(order, k, v) {
            int t = tool_index(json_string_value(v));

            if (t >= 0 && used[t] && !placed[t]) {
                placed[t] = true;
                out[n++] = all_tools[t];
            }
        }
    }
    for (int t = 0; t < 3; t++) {
        if (used[t] && !placed[t])
            out[n++] = all_tools[t];
    }
    return n;
}

struct strlist {
    char **v;
    size_t n;
};

static void list_add(struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], s) == 0)
            return;
    }
    l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = xstrdup(s);
}

static void list_release(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* Text that reaches an Actions string must not open an expression. */
static bool no_expression(const char *s)
{
    return !strstr(s, "${{");
}

/* Path filter: each rule's conditional_execution.file_patterns, else its
 * scope.file_patterns. A rule with neither applies to every file, and then
 * the workflow must run for every pull request (false). */
static bool path_filters(const struct sg_ruleset *set, struct strlist *paths)
{
    for (size_t i = 0; i < set->n; i++) {
        json_t *o = set->rules[i].json;
        json_t *ce = json_object_get(
            json_object_get(json_object_get(o, "ci_info"), "workflow_config"),
            "conditional_execution");
        json_t *fp = json_object_get(ce, "file_patterns");
        size_t k;
        json_t *v;

        if (json_array_size(fp) == 0)
            fp = json_object_get(json_object_get(o, "scope"), "file_patterns");
        if (json_array_size(fp) == 0)
            return false;
        json_array_foreach(fp, k, v)
            list_add(paths, json_string_value(v));
    }
    return true;
}

static void line(struct rig_buf *b, const char *s)
{
    rig_buf_adds(b, s);
    rig_buf_addch(b, '\n');
}

static void kv(struct rig_buf *b, const char *indent, const char *key, const char *value)
{
    rig_buf_addf(b, "%s%s: ", indent, key);
    sg_yaml_scalar(b, value);
    rig_buf_addch(b, '\n');
}

static void emit_trigger(struct rig_buf *b, const struct sg_ruleset *set,
                         const struct sg_workflow_opts *o)
{
    struct strlist paths = {NULL, 0};

    line(b, "on:");
    line(b, "  pull_request:");
    if (o->branches) {
        char **br = rig_str_split(o->branches, ',');

        line(b, "    branches:");
        for (size_t i = 0; br[i]; i++) {
            rig_str_trim(br[i]);
            if (!*br[i])
                continue;
            rig_buf_adds(b, "      - ");
            sg_yaml_scalar(b, br[i]);
            rig_buf_addch(b, '\n');
        }
        rig_strv_free(br);
    }
    if (path_filters(set, &paths)) {
        /* the gate must also run when its own inputs change */
        list_add(&paths, o->rules_path);
        list_add(&paths, o->out_path);
        if (o->openapi_spec)
            list_add(&paths, o->openapi_spec);
        line(b, "    paths:");
        for (size_t i = 0; i < paths.n; i++) {
            rig_buf_adds(b, "      - ");
            sg_yaml_scalar(b, paths.v[i]);
            rig_buf_addch(b, '\n');
        }
    }
    list_release(&paths);
}

static void emit_env(struct rig_buf *b, const struct sg_workflow_opts *o, bool need_openapi)
{
    line(b, "env:");
    kv(b, "  ", "SPECGATE_RULES", o->rules_path);
    kv(b, "  ", "SPECGATE_TESTS_DIR", o->tests_dir);
    kv(b, "  ", "SPECGATE_PACKAGE", o->java_package);
    if (need_openapi)
        kv(b, "  ", "OPENAPI_SPEC", o->openapi_spec);
    if (!o->preinstalled) {
        if (o->specgate_repo)
            kv(b, "  ", "SPECGATE_REPO", o->specgate_repo);
        else
            line(b, "  SPECGATE_REPO: ${{ vars.SPECGATE_REPO }}");
        kv(b, "  ", "SPECGATE_REF", o->specgate_ref);
    }
}

static void emit_setup(struct rig_buf *b, const struct sg_workflow_opts *o)
{
    line(b, "      - name: Check out");
    line(b, "        uses: actions/checkout@v4");
    line(b, "        with:");
    line(b, "          fetch-depth: 0");
    if (o->preinstalled) {
        line(b, "      - name: Check specgate");
        line(b, "        run: specgate --version");
        return;
    }
    if (!o->specgate_repo) {
        line(b, "      - name: Check specgate source");
        line(b, "        run: |");
        line(b, "          if [ -z \"$SPECGATE_REPO\" ]; then");
        line(b, "            echo \"::error::set the repository variable SPECGATE_REPO to the "
                "owner/name of the repository specgate is built from\"");
        line(b, "            exit 1");
        line(b, "          fi");
    }
    line(b, "      - name: Check out specgate");
    line(b, "        uses: actions/checkout@v4");
    line(b, "        with:");
    line(b, "          repository: ${{ env.SPECGATE_REPO }}");
    line(b, "          ref: ${{ env.SPECGATE_REF }}");
    line(b, "          path: .specgate-tool");
    line(b, "      - name: Build specgate");
    line(b, "        run: |");
    line(b, "          sudo apt-get update -qq");
    line(b, "          sudo apt-get install -y -qq --no-install-recommends cmake ninja-build "
            "pkg-config \\");
    line(b, "            libjansson-dev libfyaml-dev libcurl4-openssl-dev libmicrohttpd-dev "
            "libsqlite3-dev \\");
    line(b, "            libssl-dev libpcre2-dev libssh-dev");
    line(b, "          cmake -S .specgate-tool -B .specgate-tool/build -G Ninja "
            "-DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF");
    line(b, "          cmake --build .specgate-tool/build --target specgate");
    line(b, "          echo \"$GITHUB_WORKSPACE/.specgate-tool/build\" >> \"$GITHUB_PATH\"");
}

static void emit_generate(struct rig_buf *b)
{
    line(b, "      - name: Generate checks from the design rules");
    line(b, "        run: specgate tests generate --rules \"$SPECGATE_RULES\" --out "
            "\"$SPECGATE_TESTS_DIR\" --package \"$SPECGATE_PACKAGE\"");
}

static void emit_archunit(struct rig_buf *b, const struct sg_workflow_opts *o)
{
    bool gradle = o->build_tool == SG_BUILD_GRADLE;

    line(b, "      - name: Set up Java");
    line(b, "        uses: actions/setup-java@v4");
    line(b, "        with:");
    line(b, "          distribution: temurin");
    kv(b, "          ", "java-version", o->java_version);
    line(b, gradle ? "          cache: gradle" : "          cache: maven");
    line(b, "      - name: ArchUnit tests");
    line(b, "        id: archunit");
    line(b, "        # violations fail the tests; the drift score decides the gate");
    line(b, "        continue-on-error: true");
    if (gradle)
        line(b, "        run: ./gradlew test --tests \"${SPECGATE_PACKAGE}.*\" --continue");
    else
        line(b, "        run: mvn -B -ntp test -Dtest=\"${SPECGATE_PACKAGE}.*DesignRulesTest\" "
                "-Dmaven.test.failure.ignore=true");
}

static void emit_semgrep(struct rig_buf *b)
{
    line(b, "      - name: Semgrep");
    line(b, "        id: semgrep");
    line(b, "        continue-on-error: true");
    line(b, "        run: |");
    line(b, "          pipx install semgrep");
    line(b, "          semgrep scan --metrics=off --json --config \"$SPECGATE_TESTS_DIR/semgrep\" "
            "-o semgrep.json");
}

static void emit_oasdiff(struct rig_buf *b)
{
    line(b, "      - name: Set up Go");
    line(b, "        uses: actions/setup-go@v5");
    line(b, "        with:");
    line(b, "          go-version: stable");
    line(b, "          cache: false");
    line(b, "      - name: OpenAPI diff (oasdiff)");
    line(b, "        id: oasdiff");
    line(b, "        continue-on-error: true");
    line(b, "        env:");
    line(b, "          BASE_REF: ${{ github.base_ref }}");
    line(b, "        run: |");
    line(b, "          go install github.com/oasdiff/oasdiff@latest");
    line(b, "          if git cat-file -e \"origin/$BASE_REF:$OPENAPI_SPEC\" 2>/dev/null; then");
    line(b, "            git show \"origin/$BASE_REF:$OPENAPI_SPEC\" > base.yaml");
    line(b, "            \"$(go env GOPATH)/bin/oasdiff\" breaking base.yaml \"$OPENAPI_SPEC\" "
            "--format json > oasdiff.json");
    line(b, "          else");
    line(b, "            echo \"::notice::$OPENAPI_SPEC is new in this pull request: no API "
            "changes to check\"");
    line(b, "            echo '[]' > oasdiff.json");
    line(b, "          fi");
}

static void emit_score(struct rig_buf *b, const struct sg_workflow_opts *o, const bool *on)
{
    line(b, "      - name: Drift score");
    line(b, "        id: drift");
    line(b, "        run: |");
    line(b, "          specgate drift score --rules \"$SPECGATE_RULES\" \\");
    if (on[1])
        line(b, "            --semgrep semgrep.json \\");
    if (on[0])
        line(b, o->build_tool == SG_BUILD_GRADLE
                    ? "            --junit 'build/test-results/**/*.xml' \\"
                    : "            --junit 'target/surefire-reports/*.xml' \\");
    if (on[2])
        line(b, "            --oasdiff oasdiff.json \\");
    line(b, "            --out drift-score.json --check");
    line(b, "      - name: Drift Radar comment");
    line(b, "        if: always()");
    line(b, "        env:");
    line(b, "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}");
    line(b, "        run: specgate github comment --score drift-score.json --rules "
            "\"$SPECGATE_RULES\" --post");
    /* the raw tool results, to see why a score is what it is */
    line(b, "      - name: Upload design-guard results");
    line(b, "        if: always()");
    line(b, "        uses: actions/upload-artifact@v4");
    line(b, "        with:");
    line(b, "          name: design-guard-results");
    line(b, "          if-no-files-found: ignore");
    line(b, "          path: |");
    line(b, "            drift-score.json");
    if (on[1])
        line(b, "            semgrep.json");
    if (on[2])
        line(b, "            oasdiff.json");
    if (on[0])
        line(b, o->build_tool == SG_BUILD_GRADLE ? "            build/test-results/**/*.xml"
                                                 : "            target/surefire-reports/*.xml");
}

static int check_opts(const struct sg_ruleset *set, const struct sg_workflow_opts *o, bool *on,
                      struct rig_errlist *errs)
{
    const char *const vals[] = {o->rules_path, o->out_path, o->tests_dir, o->java_version,
                                o->openapi_spec, o->branches, o->specgate_repo, o->specgate_ref};
    struct strlist paths = {NULL, 0};
    int rc = 0;

    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        if (vals[i] && !no_expression(vals[i]))
            rc = rig_errlist_addf(errs, RIG_EINVAL, NULL, 0, 0,
                                  "\"%s\" contains \"${{\", which GitHub Actions would evaluate",
                                  vals[i]);
    }
    path_filters(set, &paths);
    for (size_t i = 0; i < paths.n; i++) {
        if (!no_expression(paths.v[i]))
            rc = rig_errlist_addf(errs, RIG_EINVAL, set->source, 0, 0,
                                  "file pattern \"%s\" contains \"${{\", which GitHub Actions "
                                  "would evaluate",
                                  paths.v[i]);
    }
    list_release(&paths);
    if (!sg_check_java_package(o->java_package))
        rc = rig_errlist_addf(errs, RIG_EINVAL, NULL, 0, 0, "invalid Java package \"%s\"",
                              o->java_package);
    if (on[2] && !o->openapi_spec) {
        for (size_t i = 0; i < set->n; i++) {
            if (rule_uses(&set->rules[i], 2)) {
                rc = rig_errlist_addf(errs, RIG_EINVAL, set->source, set->rules[i].line, 0,
                                      "%s enables openapi_diff: pass --openapi-spec PATH (the "
                                      "API spec file in the repository) so the workflow knows "
                                      "what to compare",
                                      set->rules[i].id);
                break;
            }
        }
    }
    return rc;
}

int sg_gen_workflow(const struct sg_ruleset *set, const struct sg_workflow_opts *o, char **out,
                    struct rig_errlist *errs)
{
    const char *tools[3];
    size_t nt = sg_workflow_tools(set, tools);
    bool on[3] = {false, false, false};
    struct rig_buf body = RIG_BUF_INIT, all = RIG_BUF_INIT;
    char sha[65];

    *out = NULL;
    for (size_t i = 0; i < nt; i++)
        on[tool_index(tools[i])] = true;
    if (nt == 0)
        return rig_errlist_addf(errs, RIG_EINVAL, set->source, 0, 0,
                                "no rule has an enabled archunit_rule, semgrep_rule or "
                                "openapi_rule: the workflow would check nothing");
    if (check_opts(set, o, on, errs) < 0)
        return -1;
    line(&body, "name: Design Guard");
    line(&body, "");
    emit_trigger(&body, set, o);
    line(&body, "");
    line(&body, "permissions:");
    line(&body, "  contents: read");
    line(&body, "  pull-requests: write");
    line(&body, "  checks: write");
    line(&body, "");
    line(&body, "concurrency:");
    line(&body, "  group: design-guard-${{ github.event.pull_request.number || github.ref }}");
    line(&body, "  cancel-in-progress: true");
    line(&body, "");
    emit_env(&body, o, on[2]);
    line(&body, "");
    line(&body, "jobs:");
    line(&body, "  design-guard:");
    line(&body, "    name: Design Guard");
    line(&body, "    runs-on: ubuntu-latest");
    line(&body, "    timeout-minutes: 30");
    line(&body, "    steps:");
    emit_setup(&body, o);
    emit_generate(&body);
    for (size_t i = 0; i < nt; i++) {
        if (strcmp(tools[i], "archunit") == 0)
            emit_archunit(&body, o);
        else if (strcmp(tools[i], "semgrep") == 0)
            emit_semgrep(&body);
        else
            emit_oasdiff(&body);
    }
    emit_score(&body, o, on);
    sg_sha256_hex(body.data, body.len, sha);
    rig_buf_adds(&all, "# " SG_GEN_MARKER "\n");
    rig_buf_addf(&all, "# checksum: sha256:%s (of the lines below the header)\n", sha);
    rig_buf_adds(&all, "# Source: ");
    sg_gen_comment_text(&all, o->rules_path, false);
    rig_buf_adds(&all, ". Regenerate with\n#   specgate workflow generate --rules ");
    sg_gen_comment_text(&all, o->rules_path, false);
    rig_buf_adds(&all, "\n");
    rig_buf_adds(&all, rig_buf_str(&body));
    rig_buf_release(&body);
    *out = rig_buf_take(&all);
    return 0;
}
