#ifndef RIG_GATE_RADAR_INT_H
#define RIG_GATE_RADAR_INT_H

/* Private to radar*.c: the wording tables and markdown helpers. */

#include <stddef.h>

#include "core/buf.h"
#include "gate/radar.h"

struct radar_text {
    const char *title;
    const char *overall;
    const char *badge[3];        /* by status PASS, WARN, FAIL */
    const char *threshold_fmt;   /* {1} fail threshold */
    const char *status_msg[3];
    const char *previous_fmt;    /* {1} before, {2} now, {3} change */
    const char *incomplete;
    const char *by_area;
    const char *table_head;
    const char *area[5];         /* by enum sg_area */
    const char *area_status[3];  /* good, caution, danger */
    const char *count_fmt;       /* {1} title, {2} count */
    const char *more_rules_fmt;  /* {1} count */
    const char *violations;
    const char *no_violations;
    const char *card_fmt;        /* {1} n, {2} rule id, {3} priority */
    const char *file;
    const char *problem;
    const char *detected;
    const char *fix;
    const char *example;
    const char *points;
    const char *no_location;
    const char *cut_fmt;         /* {1} cards not shown */
    const char *suggestions;
    const char *expected;
    const char *expected_shown;
    const char *status_word[3];
    const char *priorities;
    const char *area_rules_fmt;  /* {1} area name */
    const char *review;
    const char *review_unmapped_fmt;
    const char *review_errors_fmt; /* {1} errors, {2} fatal */
    const char *review_not_scored;   /* {1} count */
    const char *review_tail;
    const char *review_none;
    const char *congrats;
    const char *footer_fmt;      /* {1} fail, {2} warn, {3} scored */
};

const struct radar_text *radar_text_for(enum sg_lang lang);

/* Append tmpl with "{1}".."{3}" replaced by the arguments (NULL = ""). The
 * wording tables use this instead of printf formats so a translation can
 * never mismatch argument types. */
void radar_tpl(struct rig_buf *b, const char *tmpl, const char *a1, const char *a2,
               const char *a3);
size_t radar_utf8_cut(const char *s, size_t max);
/* Append s as inline markdown text (escaped, one line, at most max bytes of s). */
void radar_md_inline(struct rig_buf *b, const char *s, size_t max);
/* Append rule-authored text (card title, summary, fix guidance from the rules
 * file): markdown such as `code` stays, but it is kept on one line, raw HTML
 * is neutralised and '@' cannot mention anyone. */
void radar_md_authored(struct rig_buf *b, const char *s, size_t max);
/* Append a fenced code block, every line prefixed with indent. */
void radar_code_block(struct rig_buf *b, const char *indent, const char *lang, const char *code,
                      size_t max);

#endif
