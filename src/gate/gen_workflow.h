#ifndef RIG_GATE_GEN_WORKFLOW_H
#define RIG_GATE_GEN_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "gate/spec.h"

/*
 * design-guard.yml: the GitHub Actions workflow that runs the generated
 * checks on every pull request, scores them (specgate drift score) and posts
 * the Drift Radar comment (specgate github comment). See docs/specgate.md,
 * "Workflow".
 */

enum sg_build_tool { SG_BUILD_GRADLE, SG_BUILD_MAVEN };

struct sg_workflow_opts {
    const char *rules_path;    /* rules file, relative to the repository root */
    const char *out_path;      /* where the workflow goes (added to its path filter) */
    const char *tests_dir;     /* output of `specgate tests generate` (.specgate) */
    const char *java_package;  /* package of the generated ArchUnit classes */
    enum sg_build_tool build_tool;
    const char *java_version;  /* "17" */
    const char *openapi_spec;  /* the API spec oasdiff compares; needed when a rule
                                  enables openapi_diff */
    const char *branches;      /* comma-separated base branches, NULL = every PR */
    const char *specgate_repo; /* owner/name of the Rig repository to build specgate
                                  from; NULL = the repository variable SPECGATE_REPO */
    const char *specgate_ref;  /* git ref of that repository */
    bool preinstalled;         /* specgate is already on PATH (self-hosted runner) */
};

#define SG_WORKFLOW_OUT_DEFAULT ".github/workflows/design-guard.yml"

/* Zero o, then the defaults the CLI and the MCP tool share: out_path
 * SG_WORKFLOW_OUT_DEFAULT, tests_dir .specgate, java_package com.example.arch,
 * Java 17, Gradle, specgate_ref main. */
void sg_workflow_opts_init(struct sg_workflow_opts *o);

/* Tools in the order the workflow runs them: the first appearance in the
 * rules' execution_order (in rule order), then the remaining enabled tools in
 * the order archunit, semgrep, openapi_diff. A tool is enabled when some rule
 * has its ci_info block and does not leave it out of enabled_tools. */
size_t sg_workflow_tools(const struct sg_ruleset *set, const char *out[3]);

/* Render the workflow (with its header and checksum line). */
int sg_gen_workflow(const struct sg_ruleset *set, const struct sg_workflow_opts *o, char **out,
                    struct rig_errlist *errs);

/* Write one self-checksummed generated file: created when missing, replaced
 * when its checksum line shows it is unchanged since generation, refused
 * (RIG_ECONFLICT) otherwise unless force. *changed tells whether it was
 * written. */
int sg_gen_write_checksummed(const char *path, const char *content, bool force, bool *changed,
                             struct rig_errlist *errs);

#endif
