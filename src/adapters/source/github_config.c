#include "adapters/source/github_config.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int rig_source_github_from_config(const struct rig_source_config *s, const struct rig_git *git,
                                  const char *where, struct rig_source **out,
                                  struct rig_err *err)
{
    struct rig_source_github_opts o;
    const char *env = getenv("GITHUB_TOKEN");

    *out = NULL;
    if (s->platform != RIG_PLATFORM_GITHUB)
        return rig_err_set(err, RIG_ECONFIG, "%s: platform is %s, not github", where,
                           rig_platform_name(s->platform));
    memset(&o, 0, sizeof(o));
    o.repo = s->repo;
    o.token = s->token && *s->token ? s->token : env;
    if (!o.token || !*o.token)
        return rig_err_set(err, RIG_ECONFIG, "%s: no GitHub token for %s: export GITHUB_TOKEN "
                           "or set token: under %s in rig.yaml; it needs Issues, Pull requests "
                           "and Contents read and write",
                           where, s->repo ? s->repo : "the repository", where);
    o.api_url = s->api_url;
    o.git_url = s->git_url;
    o.base_branch = s->base_branch;
    o.remote = s->remote;
    if (git)
        o.git = *git;
    if (rig_source_github_new(&o, out, err) < 0)
        return rig_err_prefix(err, "%s", where);
    return 0;
}
