#include <stdio.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libfyaml.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "cli/rig/cli.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig version\n"
    "\n"
    "Print Rig's version and commit, and the versions of the libraries it runs with.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

int cmd_version(struct rig_cli *cli, int argc, char **argv)
{
    int rc = cli_help_flag(argc, argv, "version", usage);

    (void)cli;
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cli_usage_error("version", "unexpected argument '%s'", argv[optind]);
    printf("rig %s (commit %s)\n", RIG_VERSION, RIG_COMMIT);
    printf("  libcurl       %s\n", curl_version_info(CURLVERSION_NOW)->version);
    printf("  jansson       %s\n", jansson_version_str());
    printf("  libfyaml      %s\n", fy_library_version());
    printf("  libmicrohttpd %s\n", MHD_get_version());
    printf("  sqlite        %s\n", sqlite3_libversion());
    printf("  openssl       %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
    return 0;
}
