/*
 * error.c: names and texts of the error codes, from RBPF_ERRORS. Each list
 * is one string of NUL-separated entries in enum order (0, -1, -2, ...), so
 * no table of pointers is stored.
 */
#include "rbpf.h"

#define NAME_(name, value, text) "RBPF_ERR_" #name "\0"
static const char names[] = RBPF_ERRORS(NAME_);
#undef NAME_

#if RBPF_ENABLE_ERROR_TEXT
#define TEXT_(name, value, text) text "\0"
static const char texts[] = RBPF_ERRORS(TEXT_);
#undef TEXT_
#endif

/* The lists are indexed by -error: the codes must run 0, -1, -2, ... */
#define INDEX_(name, value, text) INDEX_##name,
enum { RBPF_ERRORS(INDEX_) ERROR_INDEX_END_ };
#undef INDEX_
#define CHECK_(name, value, text) typedef char check_##name[(value) == -INDEX_##name ? 1 : -1];
RBPF_ERRORS(CHECK_)
#undef CHECK_

#define COUNT_(name, value, text) +1
enum { ERROR_COUNT = 0 RBPF_ERRORS(COUNT_) };
#undef COUNT_

/* Entry -error of a NUL-separated list, or NULL when out of range. */
static const char *entry(const char *list, int error)
{
    int i;
    if (error > 0 || error <= -ERROR_COUNT)
        return 0;
    for (i = 0; i > error; i--)
        while (*list++ != '\0')
            ;
    return list;
}

const char *rbpf_error_name(int error)
{
    const char *s = entry(names, error);
    return s ? s : "RBPF_ERR_UNKNOWN";
}

const char *rbpf_strerror(int error)
{
#if RBPF_ENABLE_ERROR_TEXT
    const char *s = entry(texts, error);
    return s ? s : "unknown error";
#else
    return rbpf_error_name(error);
#endif
}
