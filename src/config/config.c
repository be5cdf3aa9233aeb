/*
 * Release (driven by the schema tables, so a new key is freed without code),
 * the data directory and small accessors.
 */
#include "config/config.h"

#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "core/mem.h"
#include "core/banned.h"

static void free_section(const struct cfg_section *sec, char *base)
{
    for (const struct cfg_key *k = sec->keys; k->name; k++) {
        char *dst = base + k->off;

        switch (k->type) {
        case CT_STR:
        case CT_ENUMSTR:
            free(*(char **)dst);
            break;
        case CT_STRLIST:
            rig_strv_free(((struct rig_strlist *)dst)->v);
            break;
        case CT_MAP: {
            struct rig_strmap *m = (struct rig_strmap *)dst;

            for (size_t i = 0; i < m->n; i++) {
                free(m->v[i].name);
                free(m->v[i].value);
            }
            free(m->v);
            break;
        }
        case CT_OBJ:
            free_section(k->sub, dst);
            break;
        case CT_LIST: {
            char *items = *(char **)dst;
            size_t n = *(size_t *)(base + k->off_n);

            for (size_t i = 0; items && i < n; i++)
                free_section(k->sub, items + i * k->elem_size);
            free(items);
            break;
        }
        default:
            break;
        }
    }
}

static void free_derived(struct rig_source_config *s)
{
    free(s->owner);
    free(s->name);
    free(s->local_path);
}

static void free_policy_paths(struct rig_config *cfg)
{
    for (size_t i = 0; i < cfg->npolicies; i++)
        rig_strv_free(cfg->policies[i].paths.v);
}

void rig_config_release(struct rig_config *cfg)
{
    if (!cfg)
        return;
    free_derived(&cfg->source);
    for (size_t i = 0; cfg->projects && i < cfg->nprojects; i++)
        free_derived(&cfg->projects[i].source);
    if (cfg->policies)
        free_policy_paths(cfg);
    free_section(&cfg_root_section, (char *)cfg);
    for (size_t i = 0; i < cfg->nenv_refs; i++)
        free(cfg->env_refs[i].name);
    free(cfg->env_refs);
    free(cfg->path);
    free(cfg->dir);
    memset(cfg, 0, sizeof(*cfg));
}

int rig_config_data_dir(char **out, struct rig_err *err)
{
    const char *v = getenv("RIG_HOME");

    *out = NULL;
    if (v && *v) {
        *out = xstrdup(v);
        return 0;
    }
    v = getenv("XDG_DATA_HOME");
    /* The XDG spec says relative values are invalid and must be ignored. */
    if (v && v[0] == '/') {
        *out = xasprintf("%s/rig", v);
        return 0;
    }
    v = getenv("HOME");
    if (v && *v) {
        *out = xasprintf("%s/.local/share/rig", v);
        return 0;
    }
    return rig_err_set(err, RIG_ECONFIG, "cannot find a data directory: set RIG_HOME (or HOME)");
}

const char *rig_platform_name(enum rig_platform p)
{
    return cfg_enum_name(cfg_platform_enum, (int)p);
}

const char *rig_deploy_method_name(enum rig_deploy_method m)
{
    return m == RIG_DEPLOY_NONE ? "none" : cfg_enum_name(cfg_method_enum, (int)m);
}

const char *rig_step_name(enum rig_workflow_step s)
{
    return cfg_enum_name(cfg_step_enum, (int)s);
}

const struct rig_deploy_config *rig_config_project_deploy(const struct rig_config *cfg,
                                                          const struct rig_project_entry *p)
{
    return p && p->has_deploy ? &p->deploy : &cfg->deploy;
}

const struct rig_test_config *rig_config_project_tests(const struct rig_config *cfg,
                                                       const struct rig_project_entry *p,
                                                       size_t *n)
{
    if (p && p->has_tests) {
        *n = p->ntests;
        return p->tests;
    }
    *n = cfg->ntests;
    return cfg->tests;
}
