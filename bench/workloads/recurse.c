/*
 * recurse.c: recursive Fibonacci with real calls (local calls in the
 * container: the function must stay out of line). The context holds n as a
 * u32. Returns fib(n).
 */
#include "workload.h"

static BENCH_NOINLINE uint64_t fib(uint32_t n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

WORKLOAD(recurse)
{
    if (len < sizeof(uint32_t))
        return 0;
    return fib(*(const uint32_t *)ctx);
}
