/*
 * fake_agent: behaves like `claude -p` (Claude Code print mode) for tests.
 *
 *   fake_agent -p [--output-format text|json|stream-json] [--verbose]
 *              [--max-turns N] [--permission-mode M] [--model X] [prompt]
 *
 * Reads the prompt on stdin, picks a step from the JSON script named by
 * $FAKE_AGENT_SCRIPT, applies the step's file edits in its working directory
 * (only when the permission mode allows edits, as print mode denies tools that
 * would need a prompt), and prints a Claude Code result object
 * (/work/shared/fixtures/ai-apis/claude-code.md). Script steps:
 *
 *   {"match": "<substring of the prompt>", "edits": [{"path": "a.c", "content": "..."},
 *    {"path": "b.c", "delete": true}], "result": "<final text>", "is_error": false,
 *    "subtype": "success", "exit": 0, "stderr": "...", "cost": 0.01,
 *    "tokens_in": 100, "tokens_out": 50, "sleep_ms": 0}
 *
 * A step with "match" applies when the prompt contains it; otherwise steps are
 * taken in order by invocation count (the number of lines already in
 * $FAKE_AGENT_LOG), the last one repeating. Each run appends
 * {"argv", "cwd", "prompt", "applied", "denied"} to $FAKE_AGENT_LOG.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/mem.h"

#include "core/banned.h"

struct args {
    bool print;
    bool verbose;
    const char *format;
    const char *mode;
    const char *model;
    const char *prompt_arg;
    long max_turns;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    a->format = "text";
    a->mode = "default";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool has_val = i + 1 < argc;

        if (!strcmp(o, "-p") || !strcmp(o, "--print")) {
            a->print = true;
        } else if (!strcmp(o, "--verbose")) {
            a->verbose = true;
        } else if (!strcmp(o, "--output-format") && has_val) {
            a->format = argv[++i];
        } else if (!strcmp(o, "--permission-mode") && has_val) {
            a->mode = argv[++i];
        } else if (!strcmp(o, "--model") && has_val) {
            a->model = argv[++i];
        } else if (!strcmp(o, "--max-turns") && has_val) {
            char *end;

            a->max_turns = strtol(argv[++i], &end, 10);
            if (*end || a->max_turns < 1) {
                fprintf(stderr, "error: --max-turns must be a positive integer\n");
                return -1;
            }
        } else if (o[0] == '-') {
            fprintf(stderr, "error: unknown option '%s'\n", o);
            return -1;
        } else {
            a->prompt_arg = o;
        }
    }
    if (strcmp(a->format, "text") && strcmp(a->format, "json") &&
        strcmp(a->format, "stream-json")) {
        fprintf(stderr, "error: option '--output-format <format>' argument '%s' is invalid. "
                        "Allowed choices are text, json, stream-json.\n", a->format);
        return -1;
    }
    if (!strcmp(a->format, "stream-json") && !a->verbose) {
        fprintf(stderr, "Error: When using --print, --output-format=stream-json requires "
                        "--verbose\n");
        return -1;
    }
    if (strcmp(a->mode, "default") && strcmp(a->mode, "acceptEdits") && strcmp(a->mode, "plan") &&
        strcmp(a->mode, "bypassPermissions") && strcmp(a->mode, "dontAsk")) {
        fprintf(stderr, "error: option '--permission-mode <mode>' argument '%s' is invalid.\n",
                a->mode);
        return -1;
    }
    return 0;
}

static char *read_stdin(void)
{
    struct rig_buf b = RIG_BUF_INIT;
    char chunk[65536];
    size_t n;

    if (isatty(STDIN_FILENO))
        return rig_buf_take(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
        rig_buf_add(&b, chunk, n);
    return rig_buf_take(&b);
}

static long count_lines(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    long n = 0;
    int ch;

    if (!f)
        return 0;
    while ((ch = fgetc(f)) != EOF)
        if (ch == '\n')
            n++;
    fclose(f);
    return n;
}

static json_t *pick_step(json_t *script, const char *prompt, long run)
{
    size_t i;
    long seq = 0;
    json_t *st, *last = NULL;

    json_array_foreach(script, i, st) {
        const char *m = json_string_value(json_object_get(st, "match"));

        if (m && strstr(prompt, m))
            return st;
    }
    json_array_foreach(script, i, st) {
        if (json_object_get(st, "match"))
            continue;
        if (seq++ == run)
            return st;
        last = st;
    }
    return last;
}

static bool safe_path(const char *p)
{
    if (!*p || p[0] == '/')
        return false;
    for (const char *s = p; *s; s = strchr(s, '/') ? strchr(s, '/') + 1 : s + strlen(s)) {
        if (!strncmp(s, "..", 2) && (s[2] == '/' || s[2] == '\0'))
            return false;
    }
    return true;
}

static int mkparents(const char *path)
{
    char *d = xstrdup(path);

    for (char *s = strchr(d, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(d, 0755) < 0 && errno != EEXIST) {
            free(d);
            return -1;
        }
        *s = '/';
    }
    free(d);
    return 0;
}

static int apply_edit(json_t *e)
{
    const char *path = json_string_value(json_object_get(e, "path"));
    const char *content = json_string_value(json_object_get(e, "content"));
    FILE *f;

    if (json_is_true(json_object_get(e, "delete")))
        return unlink(path);
    if (mkparents(path) < 0 || !(f = fopen(path, "w")))
        return -1;
    fputs(content ? content : "", f);
    return fclose(f);
}

/* Apply the step's edits when the mode allows; fill applied/denied. */
static int apply_edits(json_t *step, const char *mode, json_t *applied, json_t *denied)
{
    bool may_edit = !strcmp(mode, "acceptEdits") || !strcmp(mode, "bypassPermissions");
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(step, "edits"), i, e) {
        const char *path = json_string_value(json_object_get(e, "path"));

        if (!path || !may_edit || !safe_path(path)) {
            json_array_append_new(denied, json_pack("{s:s, s:s, s:{s:s}}", "tool_name",
                                                    json_is_true(json_object_get(e, "delete"))
                                                    ? "Bash" : "Write", "tool_use_id",
                                                    "toolu_fake", "tool_input", "file_path",
                                                    path ? path : ""));
            continue;
        }
        if (apply_edit(e) < 0) {
            fprintf(stderr, "fake_agent: cannot change %s: %s\n", path, strerror(errno));
            return -1;
        }
        json_array_append_new(applied, json_string(path));
    }
    return 0;
}

static void log_run(const char *log, int argc, char **argv, const char *prompt, json_t *applied,
                    json_t *denied)
{
    char cwd[PATH_MAX];
    json_t *a = json_array();
    json_t *line;
    char *txt;
    FILE *f;

    if (!log)
        return;
    for (int i = 0; i < argc; i++)
        json_array_append_new(a, json_string(argv[i]));
    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    line = json_pack("{s:o, s:s, s:s, s:O, s:O}", "argv", a, "cwd", cwd, "prompt", prompt,
                     "applied", applied, "denied", denied);
    txt = json_dumps(line, JSON_COMPACT);
    if (txt && (f = fopen(log, "a"))) {
        fprintf(f, "%s\n", txt);
        fclose(f);
    }
    free(txt);
    json_decref(line);
}

static void print_result(const struct args *a, json_t *step, json_t *denied)
{
    const char *text = json_string_value(json_object_get(step, "result"));
    const char *subtype = json_string_value(json_object_get(step, "subtype"));
    json_t *cost = json_object_get(step, "cost");
    json_t *res;
    char *out;

    if (!strcmp(a->format, "text")) {
        printf("%s\n", text ? text : "");
        return;
    }
    res = json_pack("{s:s, s:s, s:b, s:i, s:i, s:i, s:s, s:s, s:f, s:{s:I, s:I, s:i, s:i}, "
                    "s:O}", "type", "result", "subtype", subtype ? subtype : "success",
                    "is_error", json_is_true(json_object_get(step, "is_error")), "duration_ms",
                    1234, "duration_api_ms", 800, "num_turns", 3, "result", text ? text : "",
                    "session_id", "fake-session-0001", "total_cost_usd",
                    json_is_number(cost) ? json_number_value(cost) : 0.0, "usage",
                    "input_tokens", json_integer_value(json_object_get(step, "tokens_in")),
                    "output_tokens", json_integer_value(json_object_get(step, "tokens_out")),
                    "cache_creation_input_tokens", 0, "cache_read_input_tokens", 0,
                    "permission_denials", denied);
    if (a->verbose) {
        json_t *arr = json_pack("[{s:s, s:s, s:s}]", "type", "system", "subtype", "init",
                                "permissionMode", a->mode);

        json_array_append(arr, res);
        json_decref(res);
        res = arr;
    }
    out = json_dumps(res, JSON_COMPACT);
    printf("%s\n", out);
    free(out);
    json_decref(res);
}

int main(int argc, char **argv)
{
    struct args a = {0};
    const char *script_path = getenv("FAKE_AGENT_SCRIPT");
    const char *log = getenv("FAKE_AGENT_LOG");
    json_t *script = NULL, *step, *applied = json_array(), *denied = json_array();
    json_error_t jerr;
    char *prompt = NULL;
    int code = 1;

    if (parse_args(argc, argv, &a) < 0)
        goto out;
    if (!a.print) {
        fprintf(stderr, "fake_agent: only print mode (-p) is supported\n");
        goto out;
    }
    prompt = read_stdin();
    if (a.prompt_arg) {
        char *p = xasprintf("%s\n\n%s", a.prompt_arg, prompt);

        free(prompt);
        prompt = p;
    }
    if (!*prompt) {
        fprintf(stderr, "Error: Input must be provided either through stdin or as a prompt "
                        "argument when using --print\n");
        goto out;
    }
    if (!script_path || !(script = json_load_file(script_path, 0, &jerr)) ||
        !json_is_array(script)) {
        fprintf(stderr, "fake_agent: FAKE_AGENT_SCRIPT must name a JSON array of steps\n");
        goto out;
    }
    if (!(step = pick_step(script, prompt, count_lines(log)))) {
        fprintf(stderr, "fake_agent: the script has no step for this prompt\n");
        goto out;
    }
    if (json_integer_value(json_object_get(step, "sleep_ms")) > 0) {
        long long ms = json_integer_value(json_object_get(step, "sleep_ms"));
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

        nanosleep(&ts, NULL);
    }
    if (apply_edits(step, a.mode, applied, denied) < 0)
        goto out;
    log_run(log, argc, argv, prompt, applied, denied);
    if (json_string_value(json_object_get(step, "stderr")))
        fprintf(stderr, "%s\n", json_string_value(json_object_get(step, "stderr")));
    print_result(&a, step, denied);
    code = json_is_integer(json_object_get(step, "exit"))
               ? (int)json_integer_value(json_object_get(step, "exit"))
               : json_is_true(json_object_get(step, "is_error")) ? 1 : 0;
out:
    free(prompt);
    json_decref(script);
    json_decref(applied);
    json_decref(denied);
    return code;
}
