#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/rig/cli.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/str.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig init [--template custom|docker] [--force] [-c FILE]\n"
    "\n"
    "Write a commented starting rig.yaml for the repository in the current\n"
    "directory. The result validates as written: it uses platform local (no\n"
    "credentials needed) and reads the AI key from the environment.\n"
    "\n"
    "Options:\n"
    "  -t, --template NAME  custom (shell commands, the default) or docker\n"
    "                       (docker compose)\n"
    "  -f, --force          overwrite an existing file\n"
    "  -c, --config FILE    where to write (default: rig.yaml)\n"
    "  -h, --help           show this help\n";

static const char head[] =
    "# Rig configuration, written by `rig init`. Every key is described in\n"
    "# docs/configuration.md. Check this file with `rig validate` and this machine\n"
    "# with `rig doctor`.\n"
    "#\n"
    "# Values may use environment variables: ${NAME} (must be set) or\n"
    "# ${NAME:-default}. Task variables (${BRANCH_NAME}, ${COMMIT_SHA},\n"
    "# ${ISSUE_NUMBER}, ${ISSUE_TITLE}, ${WORKSPACE}, ...) are filled in when a\n"
    "# command runs.\n"
    "\n"
    "project:\n"
    "  name: %s\n"
    "  # language: c\n"
    "  # description: what this project is, in one sentence (given to the AI)\n"
    "\n"
    "source:\n"
    "  # local: a git repository on this machine (a path relative to this file)\n"
    "  # or a git URL. For GitHub issues and pull requests use instead:\n"
    "  #   platform: github\n"
    "  #   repo: owner/name\n"
    "  #   token: ${GITHUB_TOKEN}\n"
    "  platform: local\n"
    "  repo: .\n"
    "  base_branch: %s\n"
    "\n"
    "ai:\n"
    "  provider: anthropic        # anthropic | openai | ollama | claude-code | command\n"
    "  model: claude-sonnet-4-5\n"
    "  # The key is read from $ANTHROPIC_API_KEY; or name it here:\n"
    "  # api_key: ${ANTHROPIC_API_KEY}\n"
    "  max_retry: 3               # self-heal attempts after a failure (0 = none, max 10)\n"
    "  # budget:\n"
    "  #   max_usd: 2             # stop a task that would spend more\n"
    "\n";

static const char deploy_custom[] =
    "deploy:\n"
    "  method: custom\n"
    "  config:\n"
    "    commands:\n"
    "      - name: build\n"
    "        run: make\n"
    "        timeout: 5m\n"
    "        transport:\n"
    "          type: local        # or ssh, with ssh: {host, user, key}\n"
    "\n"
    "test:\n"
    "  - type: command\n"
    "    name: unit-test\n"
    "    run: make test\n"
    "    timeout: 10m\n"
    "    # affected_paths: [src/]  # run only when the change touches these\n"
    "\n";

static const char deploy_docker[] =
    "deploy:\n"
    "  method: docker-compose\n"
    "  config:\n"
    "    file: docker-compose.yml\n"
    "    # env_file: .env\n"
    "    build: true              # docker compose up --build\n"
    "    pull: missing            # missing | always | never\n"
    "    timeout: 10m\n"
    "\n"
    "test:\n"
    "  - type: command\n"
    "    name: unit-test\n"
    "    run: docker compose exec -T app make test\n"
    "    timeout: 10m\n"
    "\n";

static const char tail[] =
    "workflow:\n"
    "  steps: [plan, code, deploy, test, report]\n"
    "  approval:\n"
    "    before_deploy: false     # true: wait for `rig approve` before each deploy\n"
    "  # GitHub webhooks (platform github only; needs server.secret):\n"
    "  # trigger:\n"
    "  #   - event: issues.labeled\n"
    "  #     labels: [rig]\n"
    "\n"
    "server:\n"
    "  port: 8080\n"
    "  workers: 2                 # tasks at the same time\n"
    "  # secret: ${WEBHOOK_SECRET}\n"
    "\n"
    "# policies:\n"
    "#   - name: small-changes\n"
    "#     rule: max_file_changes\n"
    "#     value: 10\n"
    "#     action: block\n"
    "\n"
    "git:\n"
    "  author_name: Rig\n"
    "  author_email: rig@localhost\n";

/* A safe plain-YAML project name from the directory name. */
static char *project_name(void)
{
    char cwd[PATH_MAX];
    const char *base;
    bool ok = true;

    if (!getcwd(cwd, sizeof(cwd)))
        return xstrdup("my-project");
    base = strrchr(cwd, '/');
    base = base && base[1] ? base + 1 : "my-project";
    for (const char *c = base; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            ok = false;
    return xstrdup(ok && base[0] != '.' && base[0] != '-' ? base : "my-project");
}

/* The branch checked out in the current directory, else "main". */
static char *current_branch(void)
{
    static const char *const argv[] = {"git", "symbolic-ref", "--quiet", "--short", "HEAD",
                                       NULL};
    struct rig_proc_opts o = {.argv = argv, .timeout_ms = 10000, .capture_max = 4096};
    struct rig_proc_result r = {0};
    char *branch = NULL;

    if (rig_proc_run(&o, &r, NULL) == 0 && rig_proc_ok(&r)) {
        rig_str_trim(r.out);
        if (*r.out && !strpbrk(r.out, " \t\"'#:{}[],&*!|>%@`"))
            branch = xstrdup(r.out);
    }
    rig_proc_result_release(&r);
    return branch ? branch : xstrdup("main");
}

static int parse_flags(struct rig_cli *cli, int argc, char **argv, const char **tmpl,
                       bool *force)
{
    static const struct option opts[] = {
        {"template", required_argument, NULL, 't'},
        {"force", no_argument, NULL, 'f'},
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:t:fc:h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            *tmpl = optarg;
            break;
        case 'f':
            *force = true;
            break;
        case 'c':
            cli->config_path = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return cli_option_error("init", c, argv, opts);
        }
    }
    if (optind < argc)
        return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
    if (strcmp(*tmpl, "custom") != 0 && strcmp(*tmpl, "docker") != 0)
        return cli_usage_error("init", "unknown template '%s' (custom or docker)", *tmpl);
    return -1;
}

int cmd_init(struct rig_cli *cli, int argc, char **argv)
{
    const char *tmpl = "custom";
    bool force = false;
    struct rig_buf text = RIG_BUF_INIT;
    struct rig_err err = RIG_ERR_INIT;
    struct stat st;
    char *name = NULL, *branch = NULL;
    int rc = parse_flags(cli, argc, argv, &tmpl, &force);

    if (rc >= 0)
        return rc;
    if (!force && lstat(cli->config_path, &st) == 0) {
        fprintf(stderr, "rig init: %s already exists; use --force to overwrite it\n",
                cli->config_path);
        return 1;
    }
    name = project_name();
    branch = current_branch();
    rig_buf_addf(&text, head, name, branch);
    rig_buf_adds(&text, strcmp(tmpl, "docker") == 0 ? deploy_docker : deploy_custom);
    rig_buf_adds(&text, tail);
    if (rig_write_file(cli->config_path, text.data, text.len, 0644, &err) < 0) {
        fprintf(stderr, "rig init: %s\n", err.msg);
        rc = 1;
    } else {
        printf("Created %s (template: %s)\n", cli->config_path, tmpl);
        printf("Next: edit it, then run 'rig validate' and 'rig doctor'.\n");
        rc = 0;
    }
    rig_buf_release(&text);
    free(name);
    free(branch);
    return rc;
}
