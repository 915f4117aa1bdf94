/*
 * names.c: helper names for listings and messages. The standard helpers
 * are named by the library's own table (RBPF_STANDARD_HELPERS); a host's
 * application helpers by names the tool is given: from a C header
 * (`#define NAME 0x100`, `RBPF_HELPER(type, name, 0x100, (...))`, Sming's
 * bpf_appcalls.h `XX(0x0100, name, ...)` rows) or from lines `ID NAME`. A name is a C identifier, so it can be printed anywhere
 * as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "rbpf.h"
#include "tool/tool.h"

static const rbpf_helper_t standard[] = {RBPF_STANDARD_HELPERS};

const char *rbpf_tool_helper_name(const rbpf_tool_names_t *names, uint32_t id)
{
    for (size_t i = 0; names && i < names->count; i++)
        if (names->items[i].id == id)
            return names->items[i].name;
    for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
        if (standard[i].id == id)
            return standard[i].name;
    return NULL;
}

static int is_identifier(const char *s, size_t n)
{
    if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* Names kept at most: a names file is small, and the lookups are linear. */
#define NAMES_MAX 1024

static int append(rbpf_tool_names_t *names, uint32_t id, const char *name, size_t length,
                  rbpf_tool_error_t *err)
{
    if (names->count >= NAMES_MAX)
        return rbpf_tool_fail(err, "more than %d helper names or #defines", NAMES_MAX);
    rbpf_tool_name_t *items = realloc(names->items, (names->count + 1) * sizeof *items);
    if (!items) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    names->items = items;
    memcpy(items[names->count].name, name, length);
    items[names->count].name[length] = '\0';
    items[names->count].id = id;
    names->count++;
    return 0;
}

int rbpf_tool_names_add(rbpf_tool_names_t *names, uint32_t id, const char *name, size_t length,
                        rbpf_tool_error_t *err)
{
    if (!is_identifier(name, length))
        return rbpf_tool_fail(err, "helper name for id 0x%x is not a C identifier of 1 to 63 "
                                   "characters",
                              (unsigned)id);
    for (size_t i = 0; i < names->count; i++)
        if (names->items[i].id == id) { /* the last name given wins */
            memcpy(names->items[i].name, name, length);
            names->items[i].name[length] = '\0';
            return 0;
        }
    return append(names, id, name, length, err);
}

/* A number as C writes it (decimal, 0x hex, optional u/l suffixes), or -1. */
static long long number(const char *s, size_t n)
{
    unsigned long long v = 0;
    size_t i = 0;
    int hex = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (hex)
        i = 2;
    while (n > i && (s[n - 1] == 'u' || s[n - 1] == 'U' || s[n - 1] == 'l' || s[n - 1] == 'L'))
        n--;
    if (i >= n)
        return -1;
    for (; i < n; i++) {
        int d = s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
                : hex && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
                : hex && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10
                                                      : -1;
        if (d < 0)
            return -1;
        v = v * (hex ? 16 : 10) + (unsigned)d;
        if (v > UINT32_MAX)
            return -1;
    }
    return (long long)v;
}

/* The next token of [*p, end): an identifier or number (letters, digits,
 * '_'), or one other character; spaces and tabs skipped. */
static size_t token(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    const char *s = *p;
    while (*p < end && ((**p >= 'a' && **p <= 'z') || (**p >= 'A' && **p <= 'Z') ||
                        (**p >= '0' && **p <= '9') || **p == '_'))
        (*p)++;
    if (*p == s && *p < end)
        (*p)++;
    return (size_t)(*p - s);
}

static int parse(rbpf_tool_names_t *names, rbpf_tool_names_t *defines, const char *text,
                 size_t length, rbpf_tool_error_t *err);

/* The value of a number, or of a name an earlier `#define NAME NUMBER` of
 * the same text gave (defines, count of them); -1 when neither. */
static long long value_of(const char *s, size_t n, const rbpf_tool_names_t *defines)
{
    long long v = number(s, n);
    for (size_t i = 0; v < 0 && i < defines->count; i++)
        if (strlen(defines->items[i].name) == n && memcmp(defines->items[i].name, s, n) == 0)
            v = defines->items[i].id;
    return v;
}

int rbpf_tool_names_parse(rbpf_tool_names_t *names, const char *text, size_t length,
                          rbpf_tool_error_t *err)
{
    rbpf_tool_names_t defines = {0};
    int result = parse(names, &defines, text, length, err);
    rbpf_tool_names_free(&defines);
    return result;
}

static int parse(rbpf_tool_names_t *names, rbpf_tool_names_t *defines, const char *text,
                 size_t length, rbpf_tool_error_t *err)
{
    const char *p = text, *end = text + length;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *t[6];
        size_t n[6], k = 0;
        const char *q = p;
        while (k < 6) {
            n[k] = token(&q, line_end);
            if (n[k] == 0)
                break;
            t[k] = q - n[k];
            k++;
        }
        long long id = -1;
        const char *name = NULL;
        size_t name_len = 0;
        if (k >= 4 && n[0] == 1 && t[0][0] == '#' && n[1] == 6 && !memcmp(t[1], "define", 6)) {
            /* #define NAME ID: application ids only (the header has others) */
            id = number(t[3], n[3]);
            name = t[2];
            name_len = n[2];
            /* every number is kept for RBPF_HELPER lines naming it */
            if (id >= 0 && is_identifier(name, name_len) &&
                append(defines, (uint32_t)id, name, name_len, err))
                return -1;
            if (id < (long long)RBPF_HELPER_APP_FIRST || !is_identifier(name, name_len))
                id = -1;
        } else if (k >= 2 && n[0] == 11 && !memcmp(t[0], "RBPF_HELPER", 11) && t[1][0] == '(') {
            /* RBPF_HELPER(ret, name, id, (params)): name and id after the
             * first comma */
            const char *r = memchr(t[1], ',', (size_t)(line_end - t[1]));
            size_t m;
            if (r) {
                r++;
                if ((m = token(&r, line_end)) && is_identifier(r - m, m)) {
                    name = r - m;
                    name_len = m;
                    if (token(&r, line_end) == 1 && r[-1] == ',' && (m = token(&r, line_end)))
                        id = value_of(r - m, m, defines);
                }
            }
        } else if (k >= 5 && n[1] == 1 && t[1][0] == '(' && n[3] == 1 && t[3][0] == ',' &&
                   (id = number(t[2], n[2])) >= (long long)RBPF_HELPER_APP_FIRST &&
                   is_identifier(t[4], n[4])) {
            /* Sming's bpf_appcalls.h: XX(0x0100, name, ret, params...) */
            name = t[4];
            name_len = n[4];
        } else if (k == 2 && (id = number(t[0], n[0])) >= 0) {
            name = t[1];
            name_len = n[1];
        }
        if (id > 0 && name && rbpf_tool_names_add(names, (uint32_t)id, name, name_len, err))
            return -1;
        p = eol ? eol + 1 : end;
    }
    return 0;
}

void rbpf_tool_names_free(rbpf_tool_names_t *names)
{
    free(names->items);
    names->items = NULL;
    names->count = 0;
}
