#include "cli/rig/taskfmt.h"

#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "core/banned.h"

const char *taskfmt_age(int64_t t, char *buf, size_t n)
{
    int64_t s = (rig_now_ms() - t) / 1000;

    if (t <= 0)
        snprintf(buf, n, "-");
    else if (s < 60)
        snprintf(buf, n, "%llds", (long long)(s < 0 ? 0 : s));
    else if (s < 3600)
        snprintf(buf, n, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(buf, n, "%lldh", (long long)(s / 3600));
    else
        snprintf(buf, n, "%lldd", (long long)(s / 86400));
    return buf;
}

const char *taskfmt_clock(int64_t t, char *buf, size_t n)
{
    time_t sec = (time_t)(t / 1000);
    struct tm tm;

    localtime_r(&sec, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
    return buf;
}

const char *taskfmt_step_mark(enum rig_step_status s)
{
    switch (s) {
    case RIG_STEP_OK: return "✔";
    case RIG_STEP_FAILED: return "✘";
    case RIG_STEP_SKIPPED: return "–";
    default: return "●";
    }
}

void taskfmt_log_line(FILE *out, const struct rig_log_line *l)
{
    char ts[16];

    fprintf(out, "%s %-12s %s%s\n", taskfmt_clock(l->ts, ts, sizeof(ts)), l->tag ? l->tag : "",
            l->level >= RIG_LOG_ERROR ? "error: " : l->level == RIG_LOG_WARN ? "warning: " : "",
            l->text ? l->text : "");
}

void taskfmt_tail(FILE *out, const char *text, size_t lines, const char *indent)
{
    const char *p;
    size_t seen = 0;

    if (!text || !*text)
        return;
    p = text + strlen(text);
    if (p > text && p[-1] == '\n')
        p--;
    while (p > text) {
        if (p[-1] == '\n' && ++seen == lines)
            break;
        p--;
    }
    if (p > text)
        fprintf(out, "%s[...]\n", indent);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%s%.*s\n", indent, (int)len, p);
        p += len + (nl ? 1 : 0);
    }
}
