/*
 * cmocka.h for the Cortex-M images: the part of cmocka's API the core's unit
 * tests (tests/unit) use, implemented over setjmp/longjmp and semihosting
 * output, so that the same test sources run bare-metal (cmocka itself needs
 * a hosted C library). A failed assertion prints where and why and ends the
 * test; a group prints `mcu unit NAME: N passed, M failed, K skipped` and
 * returns the number failed, as cmocka's runner does.
 */
#ifndef PORT_CMOCKA_H
#define PORT_CMOCKA_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

typedef uintmax_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) {#f, f, NULL, NULL, NULL}
#define cmocka_unit_test_setup(f, setup) {#f, f, setup, NULL, NULL}
#define cmocka_unit_test_teardown(f, teardown) {#f, f, NULL, teardown, NULL}
#define cmocka_unit_test_setup_teardown(f, setup, teardown) {#f, f, setup, teardown, NULL}
#define cmocka_unit_test_prestate(f, state) {#f, f, NULL, NULL, state}

/* Runs the tests of one group; returns how many failed. */
int port_cmocka_run(const char *group, const struct CMUnitTest *tests, size_t count,
                    CMFixtureFunction setup, CMFixtureFunction teardown);
#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
    port_cmocka_run((name), (tests), sizeof(tests) / sizeof((tests)[0]), (setup), (teardown))
#define cmocka_run_group_tests(tests, setup, teardown) \
    cmocka_run_group_tests_name(#tests, tests, setup, teardown)

/* The checks: each returns when it holds and ends the test when not. */
void port_cmocka_integers(int equal, LargestIntegralType a, LargestIntegralType b,
                          const char *what, const char *file, int line);
void port_cmocka_strings(int equal, const char *a, const char *b, const char *what,
                         const char *file, int line);
void port_cmocka_memory(int equal, const void *a, const void *b, size_t size, const char *what,
                        const char *file, int line);
void port_cmocka_range(int inside, LargestIntegralType value, LargestIntegralType min,
                       LargestIntegralType max, const char *what, const char *file, int line);
void port_cmocka_truth(int ok, const char *what, const char *file, int line);
void port_cmocka_fail(const char *file, int line) __attribute__((noreturn));
void port_cmocka_skip(const char *file, int line) __attribute__((noreturn));
/* The message's format is printed as it is: the port has no printf. */
void port_cmocka_fail_msg(const char *file, int line, const char *format, ...)
    __attribute__((noreturn));

#define assert_int_equal(a, b)                                                   \
    port_cmocka_integers(1, (LargestIntegralType)(a), (LargestIntegralType)(b), \
                         "assert_int_equal(" #a ", " #b ")", __FILE__, __LINE__)
#define assert_int_not_equal(a, b)                                               \
    port_cmocka_integers(0, (LargestIntegralType)(a), (LargestIntegralType)(b), \
                         "assert_int_not_equal(" #a ", " #b ")", __FILE__, __LINE__)
#define assert_string_equal(a, b) \
    port_cmocka_strings(1, (a), (b), "assert_string_equal(" #a ", " #b ")", __FILE__, __LINE__)
#define assert_string_not_equal(a, b) \
    port_cmocka_strings(0, (a), (b), "assert_string_not_equal(" #a ", " #b ")", __FILE__, __LINE__)
#define assert_ptr_equal(a, b)                                                            \
    port_cmocka_integers(1, (LargestIntegralType)(uintptr_t)(a),                          \
                         (LargestIntegralType)(uintptr_t)(b), "assert_ptr_equal(" #a ", " #b ")", \
                         __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b)                                                        \
    port_cmocka_integers(0, (LargestIntegralType)(uintptr_t)(a),                          \
                         (LargestIntegralType)(uintptr_t)(b),                             \
                         "assert_ptr_not_equal(" #a ", " #b ")", __FILE__, __LINE__)
#define assert_memory_equal(a, b, size)                                                  \
    port_cmocka_memory(1, (a), (b), (size), "assert_memory_equal(" #a ", " #b ")", __FILE__, \
                       __LINE__)
#define assert_memory_not_equal(a, b, size)                                              \
    port_cmocka_memory(0, (a), (b), (size), "assert_memory_not_equal(" #a ", " #b ")",     \
                       __FILE__, __LINE__)
#define assert_in_range(v, min, max)                                                       \
    port_cmocka_range(1, (LargestIntegralType)(v), (LargestIntegralType)(min),             \
                      (LargestIntegralType)(max), "assert_in_range(" #v ")", __FILE__, __LINE__)
#define assert_not_in_range(v, min, max)                                                   \
    port_cmocka_range(0, (LargestIntegralType)(v), (LargestIntegralType)(min),             \
                      (LargestIntegralType)(max), "assert_not_in_range(" #v ")", __FILE__,   \
                      __LINE__)
#define assert_return_code(rc, error)                                                      \
    port_cmocka_truth((rc) >= 0, "assert_return_code(" #rc ")", __FILE__, __LINE__)
#define assert_true(c) port_cmocka_truth(!!(c), "assert_true(" #c ")", __FILE__, __LINE__)
#define assert_false(c) port_cmocka_truth(!(c), "assert_false(" #c ")", __FILE__, __LINE__)
#define assert_non_null(p) \
    port_cmocka_truth((p) != NULL, "assert_non_null(" #p ")", __FILE__, __LINE__)
#define assert_null(p) port_cmocka_truth((p) == NULL, "assert_null(" #p ")", __FILE__, __LINE__)
#define fail() port_cmocka_fail(__FILE__, __LINE__)
#define fail_msg(...) port_cmocka_fail_msg(__FILE__, __LINE__, __VA_ARGS__)
#define skip() port_cmocka_skip(__FILE__, __LINE__)

#endif /* PORT_CMOCKA_H */
