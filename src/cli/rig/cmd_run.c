#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rig/app.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "server/webhook.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig run [-c FILE] [-p PORT] [--listen ADDR] [--grace DUR]\n"
    "               [--insecure-no-secret]\n"
    "\n"
    "Serve GitHub webhooks: deliveries that match workflow.trigger become tasks,\n"
    "which run on server.workers worker threads (server.per_project_limit per\n"
    "repository).\n"
    "Endpoints: POST /webhook, GET /healthz. See docs/server.md.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE      configuration file (default: rig.yaml)\n"
    "  -p, --port N           port (default: server.port, 8080); 0 = any free port\n"
    "      --listen ADDR      address to bind (default 0.0.0.0, every interface;\n"
    "                         127.0.0.1 with --insecure-no-secret)\n"
    "      --grace DUR        on SIGTERM/SIGINT, how long running tasks may finish\n"
    "                         before they are cancelled (default 30s)\n"
    "      --insecure-no-secret  start although server.secret is empty: deliveries\n"
    "                         are not verified (local experiments only)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Prints 'listening on http://ADDR:PORT' once ready. Stops on SIGTERM or SIGINT:\n"
    "new deliveries get 503, running tasks finish or are cancelled, exit status 0.\n";

struct run_args {
    long long port;
    const char *listen;
    int64_t grace_ms;
    bool insecure;
};

static int parse_args(struct rig_cli *cli, int argc, char **argv, struct run_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"port", required_argument, NULL, 'p'},
        {"listen", required_argument, NULL, 'l'},
        {"grace", required_argument, NULL, 'g'},
        {"insecure-no-secret", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rig_err err = RIG_ERR_INIT;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli->config_path = optarg;
            cli->config_given = true;
            break;
        case 'p':
            if (rig_str_to_ll(optarg, 0, 65535, &a->port) < 0)
                return cli_usage_error("run", "--port needs a number from 0 to 65535, not '%s'",
                                       optarg);
            break;
        case 'l': a->listen = optarg; break;
        case 'g':
            if (rig_duration_parse(optarg, &a->grace_ms, &err) < 0)
                return cli_usage_error("run", "--grace: %s", err.msg);
            break;
        case 'I': a->insecure = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_option_error("run", c, argv, opts);
        }
    }
    if (optind < argc)
        return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
    return -1;
}

static void print_url(const char *listen, int port)
{
    bool v6 = strchr(listen, ':') != NULL;

    printf("listening on http://%s%s%s:%d\n", v6 ? "[" : "", listen, v6 ? "]" : "", port);
    fflush(stdout);
}

int cmd_run(struct rig_cli *cli, int argc, char **argv)
{
    struct run_args a = {.port = -1, .grace_ms = 30000};
    struct rig_server_opts o = {0};
    struct rig_server *srv = NULL;
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    sigset_t stop;
    size_t left;
    int rc, sig = 0;

    rc = parse_args(cli, argc, argv, &a);
    if (rc >= 0)
        return rc;
    /* Blocked before any thread exists, so every thread inherits it and
     * only sigwait below sees the signals. Child processes get a clean mask. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    if (app_load_config(&app, cli, &err) < 0)
        goto fail;
    if (app.cfg.workflow.ntriggers == 0) {
        rig_err_set(&err, RIG_ECONFIG, "%s has no workflow.trigger: no delivery could start a "
                    "task. Add triggers (e.g. event: issues.labeled, labels: [rig]); see "
                    "docs/server.md", cli->config_path);
        goto fail;
    }
    if (app_open_store_only(&app, cli, &err) < 0 || app_build_wiring(&app, cli, &err) < 0)
        goto fail;
    o.listen = a.listen ? a.listen : a.insecure ? "127.0.0.1" : "0.0.0.0";
    o.port = a.port >= 0 ? (int)a.port : app.cfg.server.port;
    o.secret = app.cfg.server.secret;
    o.insecure_no_secret = a.insecure;
    o.workers = app.cfg.server.workers;
    o.per_project_limit = app.cfg.server.per_project_limit;
    if (rig_server_start(&app.cfg, &app.wiring, app.store, &o, &srv, &err) < 0)
        goto fail;
    if (!o.secret || !*o.secret)
        log_warn("server.secret is empty: deliveries are NOT verified (--insecure-no-secret)");
    for (size_t i = 0; i < app.wiring.nprojects; i++) {
        const struct rig_wiring_project *p = &app.wiring.projects[i];
        log_info("project %s: %s %s%s%s", p->name, p->conf.platform, p->conf.repo,
                 p->full_name ? ", deliveries for " : "", p->full_name ? p->full_name : "");
    }
    log_info("serving %zu project(s) with %d worker(s), %d per project; data in %s",
             app.wiring.nprojects, o.workers, o.per_project_limit, app.data_dir);
    print_url(o.listen, rig_server_port(srv));

    while (sigwait(&stop, &sig) != 0)
        ;
    log_info("%s: draining (running tasks get %lld ms)", sig == SIGINT ? "SIGINT" : "SIGTERM",
             (long long)a.grace_ms);
    left = rig_server_drain(srv, a.grace_ms);
    if (left) {
        /* Their threads still use the server: leave without freeing it. */
        fflush(NULL);
        _exit(0);
    }
    rig_server_free(srv);
    log_info("stopped");
    rc = 0;
    goto out;
fail:
    rc = app_fail("run", &err);
out:
    app_release(&app);
    return rc;
}
