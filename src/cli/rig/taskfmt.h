#ifndef RIG_CLI_TASKFMT_H
#define RIG_CLI_TASKFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/* Shared output helpers for status, logs and explain. */

/* "3s", "5m", "2h", "4d" since t (ms epoch). */
const char *taskfmt_age(int64_t t, char *buf, size_t n);
/* Local "HH:MM:SS". */
const char *taskfmt_clock(int64_t t, char *buf, size_t n);
/* ✔ ✘ ● ⏸ … for a step/status. */
const char *taskfmt_step_mark(enum rig_step_status s);
/* Print one stored log line as "HH:MM:SS tag text". */
void taskfmt_log_line(FILE *out, const struct rig_log_line *l);
/* Print the last `lines` lines of text, each indented. */
void taskfmt_tail(FILE *out, const char *text, size_t lines, const char *indent);
/* Print text on one line of at most width characters (UTF-8 code points):
 * control characters become spaces, a longer text ends in "…". */
void taskfmt_fit(FILE *out, const char *text, size_t width);

#endif
