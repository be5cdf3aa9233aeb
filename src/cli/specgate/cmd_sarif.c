/*
 * specgate sarif: drift-score.json -> SARIF 2.1.0 (GitHub code scanning).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/json.h"
#include "gate/drift.h"
#include "gate/sarif.h"
#include "core/banned.h"

static const char usage[] =
    "usage: specgate sarif --score FILE --rules FILE [--out FILE]\n"
    "\n"
    "Writes the scored violations as SARIF 2.1.0 for GitHub code scanning\n"
    "(upload with github/codeql-action/upload-sarif).\n"
    "\n"
    "  --score FILE   drift-score.json from `specgate drift score`\n"
    "  --rules FILE   the rules file (rule titles and help)\n"
    "  --out FILE     write there (default: standard output)\n";

static const struct option longopts[] = {
    {"score", required_argument, NULL, 's'},
    {"rules", required_argument, NULL, 'r'},
    {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

int sg_cmd_sarif(int argc, char **argv)
{
    const char *score_path = NULL, *rules_path = NULL, *out = NULL;
    struct rig_err err = RIG_ERR_INIT;
    struct sg_ruleset rules;
    json_t *score = NULL, *sarif = NULL;
    char msg[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];
    size_t unlocated = 0;
    int c, rc = 2;

    memset(&rules, 0, sizeof(rules));
    if (sg_wants_help(argc, argv, usage))
        return 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == 's')
            score_path = optarg;
        else if (c == 'r')
            rules_path = optarg;
        else if (c == 'o')
            out = optarg;
        else
            return sg_option_error("sarif", c, argv, longopts);
    }
    if (optind < argc)
        return sg_usage_error("sarif", "unexpected argument '%s'", argv[optind]);
    if (!score_path)
        return sg_usage_error("sarif", "missing --score FILE (drift-score.json)");
    if (!rules_path)
        return sg_usage_error("sarif", "missing --rules FILE");
    score = rig_json_load_file(score_path, 64u << 20, &err);
    if (!score || sg_rules_load(rules_path, &rules, &err) < 0 ||
        sg_sarif_from_score(score, score_path, &rules, &sarif, &unlocated, &err) < 0)
        goto fail;
    if (out) {
        if (rig_json_write_file(out, sarif, true, &err) < 0)
            goto fail;
    } else {
        char *text = rig_json_dump(sarif, true);

        printf("%s\n", text);
        free(text);
    }
    if (unlocated)
        fprintf(stderr, "specgate sarif: %zu violations have no file and are not in the SARIF "
                        "log (they stay in drift-score.json)\n", unlocated);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "specgate sarif: %s\n", rig_err_format(&err, msg, sizeof(msg)));
out:
    json_decref(sarif);
    json_decref(score);
    sg_ruleset_release(&rules);
    return rc;
}
