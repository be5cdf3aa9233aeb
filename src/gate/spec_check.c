#include "gate/spec_check.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/banned.h"

static void say(char *why, size_t whysz, const char *msg)
{
    if (why && whysz)
        snprintf(why, whysz, "%s", msg);
}

bool sg_check_rule_id(const char *s)
{
    const char *p;

    if (strncmp(s, "RULE-", 5) != 0)
        return false;
    p = s + 5;
    if (!(*p >= 'A' && *p <= 'Z'))
        return false;
    while (*p >= 'A' && *p <= 'Z')
        p++;
    if (*p++ != '-')
        return false;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0';
}

static const char *const java_reserved[] = {
    "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
    "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
    "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface",
    "long", "native", "new", "package", "private", "protected", "public", "return", "short",
    "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
    "transient", "try", "void", "volatile", "while", "true", "false", "null", "_", NULL,
};

static bool ident_start(int c)
{
    return isalpha(c) || c == '_' || c == '$';
}

static bool ident_part(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

bool sg_check_java_identifier(const char *s, char *why, size_t whysz)
{
    char msg[160];

    if (!*s) {
        say(why, whysz, "a Java identifier cannot be empty");
        return false;
    }
    if (!ident_start((unsigned char)*s)) {
        say(why, whysz, "a Java identifier must start with a letter, '_' or '$'");
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!ident_part((unsigned char)*p)) {
            snprintf(msg, sizeof(msg),
                     "a Java identifier may only contain ASCII letters, digits, '_' and '$' "
                     "(found '%c')",
                     isprint((unsigned char)*p) ? *p : '?');
            say(why, whysz, msg);
            return false;
        }
    }
    if (strlen(s) > 255) {
        say(why, whysz, "a Java identifier longer than 255 characters is not accepted");
        return false;
    }
    for (size_t i = 0; java_reserved[i]; i++) {
        if (strcmp(s, java_reserved[i]) == 0) {
            snprintf(msg, sizeof(msg), "'%s' is a reserved word in Java", s);
            say(why, whysz, msg);
            return false;
        }
    }
    return true;
}

/* Dotted identifiers; the last component may be '*' when star is allowed. */
static bool dotted_name(const char *s, bool star)
{
    const char *p = s;

    for (;;) {
        if (star && p[0] == '*' && p[1] == '\0' && p != s)
            return true;
        if (!ident_start((unsigned char)*p))
            return false;
        while (ident_part((unsigned char)*p))
            p++;
        if (*p == '\0')
            return true;
        if (*p++ != '.')
            return false;
    }
}

bool sg_check_java_import(const char *s, char *why, size_t whysz)
{
    const char *name = s;

    if (strncmp(s, "static ", 7) == 0)
        name = s + 7;
    if (!dotted_name(name, true) || !strchr(name, '.')) {
        say(why, whysz,
            "an import must be a fully qualified Java name such as "
            "\"com.tngtech.archunit.lang.ArchRule\" (optionally \"static a.b.C.member\")");
        return false;
    }
    return true;
}

bool sg_check_java_package(const char *s)
{
    return dotted_name(s, false);
}

/* A run of an odd number of backslashes followed by 'u' is a unicode escape. */
static bool has_unicode_escape(const char *s)
{
    for (const char *p = s; *p; p++) {
        size_t run = 0;

        while (p[run] == '\\')
            run++;
        if (run && (run % 2) == 1 && p[run] == 'u')
            return true;
        p += run ? run - 1 : 0;
    }
    return false;
}

/* Skip a string or char literal starting at *pp (the quote); false when unterminated. */
static bool skip_literal(const char **pp)
{
    const char *p = *pp;
    char q = *p++;

    for (; *p; p++) {
        if (*p == '\n')
            return false;
        if (*p == '\\') {
            if (!p[1])
                return false;
            p++;
            continue;
        }
        if (*p == q) {
            *pp = p;
            return true;
        }
    }
    return false;
}

static bool expr_fail(char *why, size_t whysz, const char *msg)
{
    say(why, whysz, msg);
    return false;
}

bool sg_check_archunit_expr(const char *s, char *why, size_t whysz)
{
    char stack[256];
    size_t depth = 0;
    const char *p = s;
    char msg[160];

    while (isspace((unsigned char)*p))
        p++;
    if (!*p)
        return expr_fail(why, whysz, "the rule definition is empty");
    if (strlen(s) > 16384)
        return expr_fail(why, whysz, "the rule definition is longer than 16384 bytes");
    if (!ident_start((unsigned char)*p))
        return expr_fail(why, whysz,
                         "the rule definition must start with an ArchUnit call such as "
                         "classes() or noClasses()");
    if (has_unicode_escape(s))
        return expr_fail(why, whysz,
                         "unicode escapes (\\uNNNN) are not allowed in a rule definition: javac "
                         "decodes them before parsing; write the character itself");
    if (strstr(s, "\"\"\""))
        return expr_fail(why, whysz, "text blocks (\"\"\") are not allowed in a rule definition");
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '"' || c == '\'') {
            if (!skip_literal(&p))
                return expr_fail(why, whysz, "unterminated string or character literal");
            continue;
        }
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
            return expr_fail(why, whysz, "control characters are not allowed");
        if (c == ';' || c == '{' || c == '}') {
            snprintf(msg, sizeof(msg),
                     "'%c' is not allowed: the rule definition must be one expression "
                     "(it becomes the initialiser of an @ArchTest field)",
                     c);
            return expr_fail(why, whysz, msg);
        }
        if (c == '\\')
            return expr_fail(why, whysz, "a backslash is only allowed inside string literals");
        if (c == '/' && (p[1] == '/' || p[1] == '*'))
            return expr_fail(why, whysz, "comments are not allowed in a rule definition");
        if (c == '(' || c == '[') {
            if (depth == sizeof(stack))
                return expr_fail(why, whysz, "parentheses are nested too deeply");
            stack[depth++] = (char)c;
        } else if (c == ')' || c == ']') {
            char open = c == ')' ? '(' : '[';

            if (!depth || stack[depth - 1] != open) {
                snprintf(msg, sizeof(msg), "unbalanced '%c' in the rule definition", c);
                return expr_fail(why, whysz, msg);
            }
            depth--;
        }
    }
    if (depth)
        return expr_fail(why, whysz, "unbalanced parentheses: a '(' or '[' is never closed");
    if (!strchr(s, '('))
        return expr_fail(why, whysz,
                         "the rule definition must be an ArchUnit call chain such as "
                         "classes().that()...should()...");
    return true;
}

bool sg_check_semgrep_id(const char *s)
{
    size_t n = strlen(s);

    if (!n || n > 128 || !isalnum((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!isalnum(c) && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

bool sg_check_glob(const char *s, char *why, size_t whysz)
{
    const char *p;

    if (!*s)
        return expr_fail(why, whysz, "a file pattern cannot be empty");
    if (s[0] == '/')
        return expr_fail(why, whysz,
                         "a file pattern is relative to the repository root: drop the leading '/'");
    for (p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return expr_fail(why, whysz, "control characters are not allowed in a file pattern");
    }
    for (p = s; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n == 2 && p[0] == '.' && p[1] == '.')
            return expr_fail(why, whysz, "a file pattern cannot contain a '..' component");
        if (!end)
            break;
        p = end + 1;
    }
    return true;
}

bool sg_check_regex(const char *s, char *why, size_t whysz)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re;
    PCRE2_UCHAR buf[160];
    char msg[256];

    re = pcre2_compile((PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode, &erroff, NULL);
    if (re) {
        pcre2_code_free(re);
        return true;
    }
    pcre2_get_error_message(errcode, buf, sizeof(buf));
    snprintf(msg, sizeof(msg), "invalid regular expression at offset %zu: %s", (size_t)erroff,
             (const char *)buf);
    say(why, whysz, msg);
    return false;
}

static bool digits(const char *p, int n)
{
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return false;
    }
    return true;
}

static int num(const char *p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

bool sg_check_datetime(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int mon, day;

    if (strlen(s) < 20 || !digits(p, 4) || p[4] != '-' || !digits(p + 5, 2) || p[7] != '-' ||
        !digits(p + 8, 2) || (p[10] != 'T' && p[10] != 't') || !digits(p + 11, 2) ||
        p[13] != ':' || !digits(p + 14, 2) || p[16] != ':' || !digits(p + 17, 2))
        return false;
    mon = num(p + 5, 2);
    day = num(p + 8, 2);
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || num(p + 11, 2) > 23 ||
        num(p + 14, 2) > 59 || num(p + 17, 2) > 60)
        return false;
    p += 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
        p[6] == '\0')
        return num(p + 1, 2) <= 23 && num(p + 4, 2) <= 59;
    return false;
}

/* Numeric identifier: "0" or no leading zero. */
static const char *semver_num(const char *p)
{
    if (!isdigit((unsigned char)*p))
        return NULL;
    if (*p == '0' && isdigit((unsigned char)p[1]))
        return NULL;
    while (isdigit((unsigned char)*p))
        p++;
    return p;
}

static const char *semver_idents(const char *p)
{
    for (;;) {
        const char *start = p;

        while (isalnum((unsigned char)*p) || *p == '-')
            p++;
        if (p == start)
            return NULL;
        if (*p != '.')
            return p;
        p++;
    }
}

bool sg_check_semver(const char *s)
{
    const char *p = s;

    for (int i = 0; i < 3; i++) {
        if (!(p = semver_num(p)))
            return false;
        if (i < 2 && *p++ != '.')
            return false;
    }
    if (*p == '-' && !(p = semver_idents(p + 1)))
        return false;
    if (*p == '+' && !(p = semver_idents(p + 1)))
        return false;
    return *p == '\0';
}
