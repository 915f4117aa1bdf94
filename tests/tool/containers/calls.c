/* calls.c: several functions calling each other: a global function called
 * through a relocation, static helpers, recursion and mutual recursion
 * (kept within the default call depth of 8). ctx: { uint32_t a; uint32_t b; } */
#include <stdint.h>

struct calls_ctx {
    uint32_t a;
    uint32_t b;
};

__attribute__((noinline)) static uint64_t fact(uint32_t n)
{
    return n <= 1 ? 1 : n * fact(n - 1);
}

__attribute__((noinline)) static int is_odd(uint32_t n);

__attribute__((noinline)) static int is_even(uint32_t n)
{
    return n == 0 ? 1 : is_odd(n - 1);
}

__attribute__((noinline)) static int is_odd(uint32_t n)
{
    return n == 0 ? 0 : is_even(n - 1);
}

uint64_t mix(uint64_t x, uint64_t y, uint64_t z, uint64_t w, uint64_t v);

uint64_t entry(struct calls_ctx *ctx)
{
    uint32_t a = ctx->a % 7u, b = ctx->b % 6u;
    uint64_t f = fact(a);
    int parity = is_even(b);
    return mix(f, (uint64_t)parity, a, b, ctx->a) + fact(b);
}

uint64_t second(struct calls_ctx *ctx)
{
    return mix(ctx->a, ctx->b, 1, 2, 3);
}

__attribute__((noinline)) uint64_t mix(uint64_t x, uint64_t y, uint64_t z, uint64_t w, uint64_t v)
{
    return (x * 7 + y) ^ (z << 3) ^ (w >> 1) ^ (v * 0x9e3779b97f4a7c15ull);
}
