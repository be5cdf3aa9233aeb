#ifndef RIG_CORE_TIMEUTIL_H
#define RIG_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Durations: "500ms", "120s", "5m", "24h", "1h30m", "1h30m15s", "2d". A bare
 * number is refused (ambiguous unit). Result in milliseconds. Like Go, parts
 * are summed in any order and may have a fraction ("1.5s", ".5h") as long as
 * the result is a whole number of ms; negative values, spaces, other units and
 * totals beyond INT64_MAX ms are refused. */
int rig_duration_parse(const char *s, int64_t *ms, struct rig_err *err);

/* Shortest exact form: 90000 -> "1m30s", 0 -> "0s", 1500 -> "1.5s". */
const char *rig_duration_format(int64_t ms, char *buf, size_t n);

int64_t rig_now_ms(void);  /* wall clock, ms since the epoch */
int64_t rig_mono_ms(void); /* monotonic */

/* RFC 3339 UTC: "2026-11-22T11:12:58Z" (or with ".123" when ms part != 0 and
 * with_ms). buf at least 32 bytes. */
const char *rig_time_format(int64_t epoch_ms, int with_ms, char *buf, size_t n);

/* Parse RFC 3339 with Z or an offset, fractions allowed. */
int rig_time_parse(const char *s, int64_t *epoch_ms, struct rig_err *err);

#endif
