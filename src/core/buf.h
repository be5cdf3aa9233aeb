#ifndef RIG_CORE_BUF_H
#define RIG_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A growable byte buffer, always NUL-terminated, with an optional hard cap so
 * untrusted input cannot grow it without bound (curl's "toobig" idea).
 *
 * Invariants: data is NULL only while cap == 0; otherwise data[len] == '\0'.
 * An append that would push len past max fails with -1 and leaves the buffer
 * unchanged, so a caller can report "too big" without a half-written value.
 */
struct rig_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 = no cap */
};

#define RIG_BUF_INIT {NULL, 0, 0, 0}

void rig_buf_init(struct rig_buf *b, size_t max);
void rig_buf_release(struct rig_buf *b);
void rig_buf_reset(struct rig_buf *b); /* len = 0, keeps the memory */

int rig_buf_add(struct rig_buf *b, const void *p, size_t n);
int rig_buf_adds(struct rig_buf *b, const char *s);
int rig_buf_addch(struct rig_buf *b, char c);
int rig_buf_addf(struct rig_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rig_buf_vaddf(struct rig_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Never NULL: "" for an empty buffer. Valid until the next change. */
const char *rig_buf_str(const struct rig_buf *b);

/* Hand the string to the caller (free() it) and reset the buffer to empty.
 * Never NULL. */
char *rig_buf_take(struct rig_buf *b);

/* Drop the first n bytes (used to keep only the tail of long output). */
void rig_buf_consume(struct rig_buf *b, size_t n);

/* Append code point cp (at most 0x10FFFF; the caller checks) as UTF-8. */
int rig_buf_add_utf8(struct rig_buf *b, uint32_t cp);

/* Append the last nlines lines of text (0: all of them), each as indent, the
 * line and '\n'; a "[...]" line comes first when earlier lines are left out.
 * NULL or "" adds nothing. -1 when the cap refused a line. */
int rig_buf_add_tail_lines(struct rig_buf *b, const char *text, size_t nlines,
                           const char *indent);

#endif
