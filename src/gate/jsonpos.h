#ifndef RIG_GATE_JSONPOS_H
#define RIG_GATE_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Source positions for JSON values, addressed by RFC 6901 pointer.
 *
 * jansson keeps no position per node, so validators report problems by JSON
 * pointer and this scanner maps the pointers back to line:col afterwards by
 * walking the text once. Only the pointers asked for are recorded, so memory
 * stays proportional to the number of questions, not to the document (a
 * hostile 8 MiB array costs nothing extra).
 *
 * Lines and columns are 1-based; a column counts Unicode code points (as
 * jansson does in its own syntax errors), so an editor shows the same place.
 */
struct sg_jsonpos_query {
    const char *pointer; /* in: "" is the root, "/rules/0/title" a member */
    int line, col;       /* out: start of the value (0 when nothing matched) */
    int key_line, key_col; /* out: start of the member name when the parent is an
                              object; equal to line/col for array elements */
    bool found;          /* out: exact match; false when only an ancestor (the
                            nearest one that exists) filled the positions */
};

/* Fill every query in one pass over text (which should be valid JSON: on
 * malformed text the scan stops where it cannot continue and the queries keep
 * what was found up to there). Returns the number of exact matches. */
size_t sg_jsonpos_resolve(const char *text, size_t len, struct sg_jsonpos_query *q, size_t n);

/* Append the pointer form of one member name or index to a pointer string:
 * "~" -> "~0", "/" -> "~1". Returns a new string (free it). */
char *sg_jsonpos_child(const char *parent, const char *token);
char *sg_jsonpos_index(const char *parent, size_t index);

#endif
