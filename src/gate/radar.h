#ifndef RIG_GATE_RADAR_H
#define RIG_GATE_RADAR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"
#include "gate/spec.h"

/*
 * The Drift Radar: the pull-request comment rendered from drift-score.json
 * and the rules file (card texts come from each rule's ci_info.pr_comment).
 * The first line is SG_RADAR_MARKER, so a later run finds and updates the
 * same comment; the second is a hidden data line with the score, so the next
 * run can show the change.
 */

#define SG_RADAR_MARKER "<!-- specgate:drift-radar -->"
#define SG_RADAR_MAX_CHARS 65536 /* GitHub refuses longer comment bodies */

enum sg_lang { SG_LANG_EN = 0, SG_LANG_KO };

struct sg_radar_opts {
    enum sg_lang lang;
    const char *repo;       /* "owner/name"; file links need repo and sha */
    const char *sha;
    const char *server_url; /* NULL = "https://github.com" */
    size_t max_chars;       /* 0 = SG_RADAR_MAX_CHARS; counted in bytes, which never
                               undercounts characters */
    size_t max_cards;       /* 0 = as many as fit */
    int prev_score;         /* score of the previous run, -1 when unknown */
};

void sg_radar_opts_init(struct sg_radar_opts *o);
int sg_lang_parse(const char *s, enum sg_lang *out);

/* Check that score has the drift-score.json shape the radar relies on; err
 * names the first bad field. name is used in messages. */
int sg_radar_check_score(const json_t *score, const char *name, struct rig_err *err);

/* Render the markdown (caller frees *out). rules may be NULL (cards then
 * carry only what the score file says). */
int sg_radar_render(const json_t *score, const char *name, const struct sg_ruleset *rules,
                    const struct sg_radar_opts *o, char **out, struct rig_err *err);

/* The total_score stored in a previous radar body, -1 when there is none. */
int sg_radar_previous_score(const char *body);

#endif
