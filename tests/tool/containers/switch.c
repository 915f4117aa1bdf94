/* switch.c: a dense switch of 16 cases with different work in each, which
 * clang 20 and later at --cpu v4 would lower to a jump table (gotox) unless
 * told -fno-jump-tables (rbpf build does). ctx: { uint64_t op; uint64_t x; } */
#include <stdint.h>

struct switch_ctx {
    uint64_t op;
    uint64_t x;
};

static __attribute__((noinline)) uint64_t step(uint64_t op, uint64_t x)
{
    switch (op) {
    case 0: x += 3; break;
    case 1: x *= 7; break;
    case 2: x ^= 0x5555; break;
    case 3: x -= 9; break;
    case 4: x <<= 3; break;
    case 5: x = x * x + 1; break;
    case 6: x |= 0x100; break;
    case 7: x >>= 1; break;
    case 8: x = ~x; break;
    case 9: x = x * 31 + 17; break;
    case 10: x &= 0xff00ff; break;
    case 11: x = (x << 13) | (x >> 51); break;
    case 12: x += x >> 7; break;
    case 13: x = x / 3 + 2; break;
    case 14: x = x % 1000 * 5; break;
    case 15: x = 0 - x; break;
    default: x = 5; break;
    }
    return x;
}

uint64_t entry(struct switch_ctx *ctx)
{
    uint64_t x = ctx->x;
    for (uint64_t i = 0; i < 20; i++)
        x = step((ctx->op + i * 5) % 17, x);
    return x + step(ctx->op, ctx->x);
}
