#ifndef RIG_GATE_XML_H
#define RIG_GATE_XML_H

#include <stddef.h>

#include "core/err.h"

/*
 * A small, bounded, non-validating XML reader for test reports (JUnit XML).
 * It knows elements, attributes, character data, CDATA, comments, processing
 * instructions and the predefined and numeric character references. A
 * DOCTYPE is refused: report files never carry one, and refusing it rules out
 * entity-expansion attacks. Namespaces are not interpreted (a prefixed name
 * stays "p:name").
 *
 * Deliberate differences from a conforming parser: attribute values keep
 * their literal line breaks (Surefire writes multi-line failure messages into
 * the message attribute unescaped, and the breaks separate the violations),
 * and text outside the root element is ignored. Line ends are normalised to
 * "\n" everywhere.
 */

struct sg_xml_attr {
    char *name;
    char *value;
};

struct sg_xml_node {
    char *name;
    struct sg_xml_attr *attrs;
    size_t nattrs;
    char *text;      /* character data and CDATA directly inside, concatenated; never NULL */
    size_t text_len;
    struct sg_xml_node **children;
    size_t nchildren;
    int line;        /* line of the start tag */
};

struct sg_xml_limits {
    int max_depth;    /* 0 = 64 */
    size_t max_nodes; /* 0 = 1,000,000 elements */
    size_t max_attrs; /* per element; 0 = 256 */
};

/* Parse data (len bytes). name is used in messages ("<name>:<line>:<col>: ...").
 * On error *root is NULL and err names the place. */
int sg_xml_parse(const char *name, const char *data, size_t len,
                 const struct sg_xml_limits *limits, struct sg_xml_node **root,
                 struct rig_err *err);
void sg_xml_free(struct sg_xml_node *n);

/* Attribute value or NULL. */
const char *sg_xml_attr(const struct sg_xml_node *n, const char *name);

#endif
