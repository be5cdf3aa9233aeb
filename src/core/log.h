#ifndef RIG_CORE_LOG_H
#define RIG_CORE_LOG_H

#include <stdarg.h>
#include <stdio.h>

/*
 * Process-wide logging. Human text ("2026-11-22T11:12:58Z info  message") or
 * JSON lines ({"ts":..,"level":..,"msg":..}) on stderr by default.
 *
 * Every registered secret value is replaced by "[REDACTED]" in everything that
 * goes through here, and callers can use rig_redact() for text headed anywhere
 * else a person may read (stored logs, API responses). Thread-safe.
 */
enum rig_log_level { RIG_LOG_DEBUG, RIG_LOG_INFO, RIG_LOG_WARN, RIG_LOG_ERROR };
enum rig_log_format { RIG_LOG_TEXT, RIG_LOG_JSON };

void rig_log_setup(enum rig_log_level level, enum rig_log_format fmt, FILE *out);
enum rig_log_level rig_log_get_level(void);

/* Parse "debug|info|warn|error" and "text|json"; -1 when unknown. */
int rig_log_level_parse(const char *s, enum rig_log_level *out);
int rig_log_format_parse(const char *s, enum rig_log_format *out);

void rig_log(enum rig_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rig_vlog(enum rig_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_debug(...) rig_log(RIG_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  rig_log(RIG_LOG_INFO, __VA_ARGS__)
#define log_warn(...)  rig_log(RIG_LOG_WARN, __VA_ARGS__)
#define log_error(...) rig_log(RIG_LOG_ERROR, __VA_ARGS__)

/* Register a secret; empty or NULL values are ignored. The value is copied. */
void rig_secret_add(const char *value);
void rig_secret_clear(void);

/* A copy of s with every registered secret replaced (caller frees). Never NULL. */
char *rig_redact(const char *s);

#endif
