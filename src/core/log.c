#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

#define REDACTED "[REDACTED]"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum rig_log_level log_level = RIG_LOG_INFO;
static enum rig_log_format log_format = RIG_LOG_TEXT;
static FILE *log_out;

static char **secrets;
static size_t nsecrets;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void rig_log_setup(enum rig_log_level level, enum rig_log_format fmt, FILE *out)
{
    pthread_mutex_lock(&log_lock);
    log_level = level;
    log_format = fmt;
    log_out = out;
    pthread_mutex_unlock(&log_lock);
}

enum rig_log_level rig_log_get_level(void)
{
    return log_level;
}

int rig_log_level_parse(const char *s, enum rig_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum rig_log_level)i;
            return 0;
        }
    }
    return -1;
}

int rig_log_format_parse(const char *s, enum rig_log_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = RIG_LOG_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = RIG_LOG_JSON;
    else
        return -1;
    return 0;
}

void rig_secret_add(const char *value)
{
    if (!value || !*value)
        return;
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < nsecrets; i++) {
        if (strcmp(secrets[i], value) == 0) {
            pthread_mutex_unlock(&log_lock);
            return;
        }
    }
    secrets = xreallocarray(secrets, nsecrets + 1, sizeof(*secrets));
    secrets[nsecrets++] = xstrdup(value);
    pthread_mutex_unlock(&log_lock);
}

void rig_secret_clear(void)
{
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < nsecrets; i++)
        free(secrets[i]);
    free(secrets);
    secrets = NULL;
    nsecrets = 0;
    pthread_mutex_unlock(&log_lock);
}

/* Caller holds log_lock. Longest secrets first would matter only when one
 * secret contains another; we replace at each position the longest match. */
static char *redact_locked(const char *s)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = s;

    if (nsecrets == 0)
        return xstrdup(s);
    while (*p) {
        size_t best = 0;
        for (size_t i = 0; i < nsecrets; i++) {
            size_t n = strlen(secrets[i]);
            if (n > best && strncmp(p, secrets[i], n) == 0)
                best = n;
        }
        if (best) {
            rig_buf_adds(&b, REDACTED);
            p += best;
        } else {
            rig_buf_addch(&b, *p++);
        }
    }
    return rig_buf_take(&b);
}

char *rig_redact(const char *s)
{
    char *r;

    pthread_mutex_lock(&log_lock);
    r = redact_locked(s ? s : "");
    pthread_mutex_unlock(&log_lock);
    return r;
}

static void json_escape(struct rig_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': rig_buf_adds(b, "\\\""); break;
        case '\\': rig_buf_adds(b, "\\\\"); break;
        case '\n': rig_buf_adds(b, "\\n"); break;
        case '\r': rig_buf_adds(b, "\\r"); break;
        case '\t': rig_buf_adds(b, "\\t"); break;
        default:
            if (c < 0x20)
                rig_buf_addf(b, "\\u%04x", c);
            else
                rig_buf_addch(b, (char)c);
        }
    }
}

/* Text lines: one record per line, whatever the message holds. A newline or
 * another control byte from outside (a payload field, a command's output)
 * could otherwise forge a whole log record. */
static void text_escape(struct rig_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n')
            rig_buf_adds(b, "\\n");
        else if (c == '\r')
            rig_buf_adds(b, "\\r");
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            rig_buf_addf(b, "\\x%02x", c);
        else
            rig_buf_addch(b, (char)c);
    }
}

void rig_vlog(enum rig_log_level level, const char *fmt, va_list ap)
{
    struct rig_buf line = RIG_BUF_INIT;
    struct timeval tv;
    struct tm tm;
    char ts[40];
    char *msg, *clean;

    if (level < log_level)
        return;
    msg = xvasprintf(fmt, ap);
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long)(tv.tv_usec / 1000));

    pthread_mutex_lock(&log_lock);
    clean = redact_locked(msg);
    if (log_format == RIG_LOG_JSON) {
        rig_buf_addf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
                     level_names[level]);
        json_escape(&line, clean);
        rig_buf_adds(&line, "\"}\n");
    } else {
        rig_buf_addf(&line, "%s %-5s ", ts, level_names[level]);
        text_escape(&line, clean);
        rig_buf_addch(&line, '\n');
    }
    fputs(rig_buf_str(&line), log_out ? log_out : stderr);
    fflush(log_out ? log_out : stderr);
    pthread_mutex_unlock(&log_lock);

    free(clean);
    free(msg);
    rig_buf_release(&line);
}

void rig_log(enum rig_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    rig_vlog(level, fmt, ap);
    va_end(ap);
}
