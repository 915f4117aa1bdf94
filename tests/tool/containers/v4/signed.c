/* signed.c: signed division and remainder, sign-extending loads and moves
 * (cpu v4 only: clang 18 and later). ctx: { int64_t a; int64_t b; int32_t c;
 * int16_t d; int8_t e; } */
#include <stdint.h>

struct signed_ctx {
    int64_t a;
    int64_t b;
    int32_t c;
    int16_t d;
    int8_t e;
};

uint64_t entry(struct signed_ctx *ctx)
{
    int64_t a = ctx->a, b = ctx->b ? ctx->b : 7;
    int32_t c = ctx->c, d = ctx->d ? ctx->d : -3;
    if (b == -1)
        b = 2;
    if (d == -1)
        d = 5;
    int64_t q = a / b, r = a % b;
    int32_t q32 = c / d, r32 = c % d;
    int64_t e = ctx->e;
    return (uint64_t)(q * 1000003 + r * 101 + (int64_t)q32 * 17 + r32 + e * 65537);
}
