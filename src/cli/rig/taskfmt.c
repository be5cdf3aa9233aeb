#include "cli/rig/taskfmt.h"

#include <string.h>
#include <time.h>

#include "core/buf.h"
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
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_add_tail_lines(&b, text, lines, indent);
    fputs(rig_buf_str(&b), out);
    rig_buf_release(&b);
}

/* Bytes of the UTF-8 character at p, never past the terminating NUL. */
static size_t utf8_step(const char *p)
{
    unsigned char c = (unsigned char)*p;
    size_t n = c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

    for (size_t i = 1; i < n; i++)
        if (!p[i])
            return i;
    return n;
}

void taskfmt_fit(FILE *out, const char *text, size_t width)
{
    size_t left = 0, n;

    for (const char *p = text; *p; p += utf8_step(p))
        left++;
    for (const char *p = text; *p && width; p += n, width--, left--) {
        n = utf8_step(p);
        if (left > width && width == 1) {
            fputs("\xe2\x80\xa6", out); /* … */
            return;
        }
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            fputc(' ', out);
        else
            fwrite(p, 1, n, out);
    }
}
