/*
 * cmocka.c: the runner and checks behind the port's cmocka.h (see there).
 */
#include "cmocka.h"

#include <string.h>

#include "port.h"

/* What a group's summary line starts with: "mcu unit" on the Cortex-M;
 * the 32-bit host builds, which run on this cmocka too, say so. */
#ifndef PORT_CMOCKA_TITLE
#define PORT_CMOCKA_TITLE "mcu unit"
#endif

static jmp_buf test_exit;
static const char *current;

enum outcome { PASSED, FAILED, SKIPPED };

static void where(const char *file, int line, const char *what)
{
    port_puts("FAIL ");
    port_puts(current);
    port_puts(": ");
    port_puts(file);
    port_puts(":");
    port_put_dec((uint64_t)line);
    port_puts(": ");
    port_puts(what);
}

static void end_test(enum outcome outcome) __attribute__((noreturn));
static void end_test(enum outcome outcome)
{
    longjmp(test_exit, (int)outcome + 1);
}

/* Fails the test with `what: A r1 B` or, when r2 is not NULL, `what: A r1 B r2 C`. */
static void fail_numbers(const char *file, int line, const char *what, LargestIntegralType a,
                         const char *r1, LargestIntegralType b, const char *r2,
                         LargestIntegralType c) __attribute__((noreturn));
static void fail_numbers(const char *file, int line, const char *what, LargestIntegralType a,
                         const char *r1, LargestIntegralType b, const char *r2,
                         LargestIntegralType c)
{
    where(file, line, what);
    port_puts(": ");
    port_put_hex(a);
    port_puts(r1);
    port_put_hex(b);
    if (r2 != NULL) {
        port_puts(r2);
        port_put_hex(c);
    }
    port_puts("\n");
    end_test(FAILED);
}

void port_cmocka_integers(int equal, LargestIntegralType a, LargestIntegralType b,
                          const char *what, const char *file, int line)
{
    if ((a == b) != !!equal)
        fail_numbers(file, line, what, a, equal ? " != " : " == ", b, NULL, 0);
}

void port_cmocka_strings(int equal, const char *a, const char *b, const char *what,
                         const char *file, int line)
{
    if (a != NULL && b != NULL && (strcmp(a, b) == 0) == !!equal)
        return;
    where(file, line, what);
    port_puts(": \"");
    port_puts(a != NULL ? a : "(null)");
    port_puts(equal ? "\" != \"" : "\" == \"");
    port_puts(b != NULL ? b : "(null)");
    port_puts("\"\n");
    end_test(FAILED);
}

void port_cmocka_memory(int equal, const void *a, const void *b, size_t size, const char *what,
                        const char *file, int line)
{
    if (a != NULL && b != NULL && (memcmp(a, b, size) == 0) == !!equal)
        return;
    where(file, line, what);
    port_puts(equal ? ": the bytes differ\n" : ": the bytes are equal\n");
    end_test(FAILED);
}

void port_cmocka_range(int inside, LargestIntegralType value, LargestIntegralType min,
                       LargestIntegralType max, const char *what, const char *file, int line)
{
    if ((value >= min && value <= max) != !!inside)
        fail_numbers(file, line, what, value, inside ? " outside " : " inside ", min, "..", max);
}

void port_cmocka_truth(int ok, const char *what, const char *file, int line)
{
    if (ok)
        return;
    where(file, line, what);
    port_puts("\n");
    end_test(FAILED);
}

void port_cmocka_fail(const char *file, int line)
{
    where(file, line, "fail()\n");
    end_test(FAILED);
}

void port_cmocka_fail_msg(const char *file, int line, const char *format, ...)
{
    where(file, line, format);
    port_puts("\n");
    end_test(FAILED);
}

void port_cmocka_skip(const char *file, int line)
{
    (void)file;
    (void)line;
    end_test(SKIPPED);
}

/* Runs one test; its outcome. */
static enum outcome run(const struct CMUnitTest *t)
{
    void *state = t->initial_state;
    volatile enum outcome outcome = PASSED;
    int jumped;
    current = t->name;
    if (t->setup_func != NULL && t->setup_func(&state) != 0) {
        where("", 0, "setup failed\n");
        return FAILED;
    }
    jumped = setjmp(test_exit);
    if (jumped == 0)
        t->test_func(&state);
    else
        outcome = (enum outcome)(jumped - 1);
    if (t->teardown_func != NULL && t->teardown_func(&state) != 0 && outcome == PASSED) {
        where("", 0, "teardown failed\n");
        outcome = FAILED;
    }
    return outcome;
}

int port_cmocka_run(const char *group, const struct CMUnitTest *tests, size_t count,
                    CMFixtureFunction setup, CMFixtureFunction teardown)
{
    unsigned n[3] = {0, 0, 0};
    void *state = NULL;
    current = group;
    if (setup != NULL && setup(&state) != 0) {
        where("", 0, "group setup failed\n");
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        n[run(&tests[i])]++;
    current = group;
    if (teardown != NULL && teardown(&state) != 0) {
        where("", 0, "group teardown failed\n");
        n[FAILED]++;
    }
    port_puts(PORT_CMOCKA_TITLE " ");
    port_puts(group);
    port_puts(": ");
    port_put_dec(n[PASSED]);
    port_puts(" passed, ");
    port_put_dec(n[FAILED]);
    port_puts(" failed, ");
    port_put_dec(n[SKIPPED]);
    port_puts(" skipped\n");
    return (int)n[FAILED];
}
