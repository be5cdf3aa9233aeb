#ifndef RIG_GATE_SPEC_CHECK_H
#define RIG_GATE_SPEC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Checks on single values of a DesignRuleSpec, shared by the loader (which
 * reports them with file:line) and the generators (which re-check what they
 * paste into Java or YAML, so a ruleset built by other means cannot smuggle
 * code through). Each returns true when the value is acceptable; on false,
 * why (when not NULL) receives a sentence for the user.
 */

/* ^RULE-[A-Z]+-[0-9]+$ */
bool sg_check_rule_id(const char *s);

/* An ASCII Java identifier that is not a keyword or literal. */
bool sg_check_java_identifier(const char *s, char *why, size_t whysz);

/* A dotted Java name for an import: "a.b.C", "a.b.*", optionally "static a.b.C.m". */
bool sg_check_java_import(const char *s, char *why, size_t whysz);

/* An ArchUnit rule expression that can be pasted as a field initialiser: it
 * starts with a method call, its parentheses and brackets balance outside
 * string literals, and it contains no ';', '{', '}', comments, text blocks or
 * unicode escapes (\uNNNN is decoded by javac before parsing, so it could
 * smuggle a quote or a ';'). */
bool sg_check_archunit_expr(const char *s, char *why, size_t whysz);

/* A Semgrep rule id: [A-Za-z0-9][A-Za-z0-9._-]*, at most 128 bytes. */
bool sg_check_semgrep_id(const char *s);

/* A repository-relative glob: not empty, no leading '/', no ".." component, no
 * control characters. */
bool sg_check_glob(const char *s, char *why, size_t whysz);

/* A PCRE2 pattern that compiles (Semgrep's pattern-regex dialect). */
bool sg_check_regex(const char *s, char *why, size_t whysz);

/* ISO-8601 date-time with seconds and a zone: 2024-01-15T10:30:00Z. */
bool sg_check_datetime(const char *s);

/* Semantic version: 1.2.3, 1.2.3-rc.1, 1.2.3+build. */
bool sg_check_semver(const char *s);

/* Java package name: a.b.c (ASCII identifiers). */
bool sg_check_java_package(const char *s);

#endif
