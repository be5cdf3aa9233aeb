#include "core/timeutil.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

#define DURATION_HINT "use a number with a unit, e.g. 120s, 5m, 1h30m"

#define MS_PER_S INT64_C(1000)
#define MS_PER_M (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_M)
#define MS_PER_D (24 * MS_PER_H)

struct dur_unit {
    const char *name;
    int64_t ms;
};

/* "ms" before "m" so the longest suffix wins. */
static const struct dur_unit dur_units[] = {
    {"ms", 1}, {"s", MS_PER_S}, {"m", MS_PER_M}, {"h", MS_PER_H}, {"d", MS_PER_D},
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const struct dur_unit *dur_unit_at(const char *p, size_t *len)
{
    for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++) {
        size_t n = strlen(dur_units[i].name);

        if (strncmp(p, dur_units[i].name, n) == 0) {
            *len = n;
            return &dur_units[i];
        }
    }
    return NULL;
}

/* Fraction digits ("5" of "1.5") times unit, in ms; -1 when not a whole number of ms. */
static int64_t dur_fraction_ms(const char *frac, size_t nfrac, int64_t unit_ms)
{
    /* unit_ms <= 86400000 and at most 9 significant digits keep this in range */
    int64_t num = 0, den = 1;
    size_t used = 0;

    for (size_t i = 0; i < nfrac; i++) {
        if (used < 9) {
            num = num * 10 + (frac[i] - '0');
            den *= 10;
            used++;
        } else if (frac[i] != '0') {
            return -1;
        }
    }
    if ((num * unit_ms) % den != 0)
        return -1;
    return num * unit_ms / den;
}

int rig_duration_parse(const char *s, int64_t *ms, struct rig_err *err)
{
    const char *p = s;
    int64_t total = 0;

    if (!s || !*s)
        return rig_err_set(err, RIG_EINVAL, "empty duration: " DURATION_HINT);
    if (*s == '-')
        return rig_err_set(err, RIG_EINVAL, "invalid duration \"%s\": must not be negative", s);
    while (*p) {
        const char *num = p, *frac = NULL;
        size_t nint = 0, nfrac = 0, ulen = 0;
        const struct dur_unit *u;
        int64_t whole = 0, part;

        while (is_digit(*p)) {
            p++;
            nint++;
        }
        if (*p == '.') {
            frac = ++p;
            while (is_digit(*p)) {
                p++;
                nfrac++;
            }
        }
        if (nint == 0 && nfrac == 0)
            return rig_err_set(err, RIG_EINVAL, "invalid duration \"%s\": " DURATION_HINT, s);
        if (!*p)
            return rig_err_set(err, RIG_EINVAL,
                               "invalid duration \"%s\": the unit is missing; " DURATION_HINT, s);
        u = dur_unit_at(p, &ulen);
        if (!u)
            return rig_err_set(err, RIG_EINVAL, "invalid duration \"%s\": " DURATION_HINT, s);
        p += ulen;
        for (size_t i = 0; i < nint; i++) {
            int digit = num[i] - '0';

            if (whole > (INT64_MAX - digit) / 10)
                goto too_big;
            whole = whole * 10 + digit;
        }
        if (whole > INT64_MAX / u->ms)
            goto too_big;
        part = whole * u->ms;
        if (nfrac) {
            int64_t f = dur_fraction_ms(frac, nfrac, u->ms);

            if (f < 0)
                return rig_err_set(err, RIG_EINVAL,
                                   "invalid duration \"%s\": the smallest step is 1ms", s);
            if (part > INT64_MAX - f)
                goto too_big;
            part += f;
        }
        if (total > INT64_MAX - part)
            goto too_big;
        total += part;
    }
    *ms = total;
    return 0;
too_big:
    return rig_err_set(err, RIG_EINVAL, "invalid duration \"%s\": too large", s);
}

const char *rig_duration_format(int64_t ms, char *buf, size_t n)
{
    /* uint64_t so that INT64_MIN can be negated */
    uint64_t v = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    uint64_t d = v / MS_PER_D, h = v / MS_PER_H % 24, m = v / MS_PER_M % 60;
    uint64_t sec = v / MS_PER_S % 60, frac = v % MS_PER_S;
    size_t off = 0;

    if (n == 0)
        return buf;
    buf[0] = '\0';
#define PUT(...)                                                                    \
    do {                                                                            \
        int w_ = snprintf(buf + off, n - off, __VA_ARGS__);                         \
        off = (w_ < 0 || (size_t)w_ >= n - off) ? n - 1 : off + (size_t)w_;         \
    } while (0)
    if (ms < 0)
        PUT("-");
    if (v == 0)
        PUT("0s");
    if (d)
        PUT("%" PRIu64 "d", d);
    if (h)
        PUT("%" PRIu64 "h", h);
    if (m)
        PUT("%" PRIu64 "m", m);
    if (sec && frac) {
        char f[4];

        snprintf(f, sizeof(f), "%03" PRIu64, frac);
        for (int i = 2; i > 0 && f[i] == '0'; i--)
            f[i] = '\0';
        PUT("%" PRIu64 ".%ss", sec, f);
    } else if (sec) {
        PUT("%" PRIu64 "s", sec);
    } else if (frac) {
        PUT("%" PRIu64 "ms", frac);
    }
#undef PUT
    return buf;
}

int64_t rig_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rig_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *rig_time_format(int64_t epoch_ms, int with_ms, char *buf, size_t n)
{
    /* floor division so times before 1970 still get a positive ms part */
    int64_t sec = epoch_ms / 1000, msp = epoch_ms % 1000;
    time_t t;
    struct tm tm;

    if (msp < 0) {
        msp += 1000;
        sec--;
    }
    t = (time_t)sec;
    if (n == 0)
        return buf;
    if (!gmtime_r(&t, &tm)) {
        buf[0] = '\0';
        return buf;
    }
    if (with_ms && msp)
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)msp);
    else
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

/* Exactly n digits at p into *out. */
static bool take_digits(const char **p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!is_digit((*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool take_char(const char **p, const char *set)
{
    if (**p && strchr(set, **p)) {
        (*p)++;
        return true;
    }
    return false;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : days[month - 1];
}

int rig_time_parse(const char *s, int64_t *epoch_ms, struct rig_err *err)
{
    const char *p = s;
    int year, mon, day, hour, min, sec, frac_ms = 0, off_min = 0;
    struct tm tm;
    time_t t;

    if (!s || !*s)
        return rig_err_set(err, RIG_EINVAL,
                           "empty time: use RFC 3339, e.g. 2026-11-22T11:12:58Z");
    if (!take_digits(&p, 4, &year) || !take_char(&p, "-") || !take_digits(&p, 2, &mon) ||
        !take_char(&p, "-") || !take_digits(&p, 2, &day) || !take_char(&p, "Tt") ||
        !take_digits(&p, 2, &hour) || !take_char(&p, ":") || !take_digits(&p, 2, &min) ||
        !take_char(&p, ":") || !take_digits(&p, 2, &sec))
        goto bad;
    if (*p == '.') {
        int ndig = 0;

        for (p++; is_digit(*p); p++, ndig++) {
            if (ndig < 3)
                frac_ms = frac_ms * 10 + (*p - '0');
        }
        if (ndig == 0)
            goto bad;
        for (int i = ndig; i < 3; i++)
            frac_ms *= 10;
    }
    if (take_char(&p, "Zz")) {
        off_min = 0;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;

        if (!take_digits(&p, 2, &oh) || !take_char(&p, ":") || !take_digits(&p, 2, &om) ||
            oh > 23 || om > 59)
            goto bad;
        off_min = sign * (oh * 60 + om);
    } else {
        goto bad;
    }
    if (*p)
        goto bad;
    /* sec 60 is a leap second; timegm folds it into the next minute */
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
        min > 59 || sec > 60)
        return rig_err_set(err, RIG_EINVAL, "invalid time \"%s\": a field is out of range", s);
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    t = timegm(&tm);
    *epoch_ms = ((int64_t)t - (int64_t)off_min * 60) * 1000 + frac_ms;
    return 0;
bad:
    return rig_err_set(err, RIG_EINVAL,
                       "invalid time \"%s\": use RFC 3339, e.g. 2026-11-22T11:12:58Z", s);
}
