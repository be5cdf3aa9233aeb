#include "adapters/source/source.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

#define ISSUE_TITLE_MAX 256

void rig_source_free(struct rig_source *src)
{
    if (!src)
        return;
    if (src->ops && src->ops->destroy)
        src->ops->destroy(src);
    free(src->repo_owner);
    free(src->repo_name);
    free(src);
}

void rig_issue_release(struct rig_issue *issue)
{
    if (!issue)
        return;
    free(issue->id);
    free(issue->title);
    free(issue->body);
    free(issue->url);
    free(issue->author);
    memset(issue, 0, sizeof(*issue));
}

void rig_pr_release(struct rig_pr *pr)
{
    if (!pr)
        return;
    free(pr->url);
    free(pr->branch);
    free(pr->base);
    free(pr->title);
    free(pr->body);
    free(pr->remote);
    memset(pr, 0, sizeof(*pr));
}

static bool is_fence(const char *line, size_t len)
{
    while (len && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    return len >= 3 && (strncmp(line, "```", 3) == 0 || strncmp(line, "~~~", 3) == 0);
}

int rig_issue_parse_markdown(const char *text, const char *name, char **title, char **body,
                             struct rig_err *err)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = text;
    bool fenced = false, found = false;
    int line = 0, title_line = 0;
    char *t = NULL;

    *title = *body = NULL;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t full = len + (nl ? 1 : 0);

        line++;
        if (is_fence(p, len))
            fenced = !fenced;
        if (!found && !fenced && len >= 2 && p[0] == '#' && (p[1] == ' ' || p[1] == '\t')) {
            t = xstrndup(p + 2, len - 2);
            found = true;
            title_line = line;
        } else {
            rig_buf_add(&b, p, full);
        }
        p += full;
    }
    if (!found) {
        rig_buf_release(&b);
        return rig_err_at(err, RIG_EINVAL, name, 0, 0,
                          "no title: the issue file needs a first-level heading line "
                          "\"# <title>\"");
    }
    rig_str_trim(t);
    if (!*t || strlen(t) > ISSUE_TITLE_MAX) {
        free(t);
        rig_buf_release(&b);
        return rig_err_at(err, RIG_EINVAL, name, title_line, 1,
                          "the \"# \" title heading is empty or longer than %d bytes",
                          ISSUE_TITLE_MAX);
    }
    *title = xstrdup(t);
    free(t);
    t = rig_buf_take(&b);
    *body = xstrdup(rig_str_trim(t));
    free(t);
    return 0;
}
