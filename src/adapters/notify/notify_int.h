#ifndef RIG_ADAPTERS_NOTIFY_NOTIFY_INT_H
#define RIG_ADAPTERS_NOTIFY_NOTIFY_INT_H

#include <stddef.h>

#include "config/config.h"
#include "engine/engine.h"
#include "store/store.h"

/* Size limits of the message bodies (documented by the services). */
#define NOTIFY_DISCORD_MAX 2000 /* content, in UTF-16 code units */
#define NOTIFY_SLACK_DETAIL_MAX 3000
#define NOTIFY_COMMENT_DETAIL_MAX 6000

/*
 * The body to send for one event: Slack and Discord get the whole JSON
 * request body, a comment gets its Markdown text. Untrusted text (issue
 * title, detail) is redacted, cleaned to valid UTF-8 and escaped for the
 * target. Malloc'd, never NULL.
 */
char *notify_format(enum rig_notify_type type, const struct rig_task *task, enum rig_event ev,
                    const char *detail);

/* "scheme://host[:port]" of a URL (no user info, path or query): the part
 * of a webhook URL that is safe to log. Malloc'd. */
char *notify_url_origin(const char *url);

/* s with invalid UTF-8 replaced by U+FFFD and control characters other than
 * newline and tab removed. Malloc'd. */
char *notify_utf8_clean(const char *s);

/* Length in UTF-16 code units (how Discord counts) of valid UTF-8. */
size_t notify_utf16_len(const char *s);

#endif
