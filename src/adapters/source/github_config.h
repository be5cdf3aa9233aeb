#ifndef RIG_ADAPTERS_SOURCE_GITHUB_CONFIG_H
#define RIG_ADAPTERS_SOURCE_GITHUB_CONFIG_H

#include "adapters/source/source.h"
#include "config/config.h"
#include "core/err.h"

/*
 * A GitHub source from a rig.yaml source (or projects[] entry) with
 * platform github: repo, api_url, git_url, base_branch and remote as
 * configured; the token from source.token, else $GITHUB_TOKEN (read now).
 * git is copied (its strings must outlive the source). where names the
 * section in errors ("source", "projects[1] (shop)").
 */
int rig_source_github_from_config(const struct rig_source_config *s, const struct rig_git *git,
                                  const char *where, struct rig_source **out,
                                  struct rig_err *err);

#endif
