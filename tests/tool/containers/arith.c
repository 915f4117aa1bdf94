/* arith.c: 8-, 16-, 32- and 64-bit arithmetic, signed and unsigned: wrap
 * around, sign extension, arithmetic shifts, signed comparisons, unsigned
 * division and remainder (clang's BPF target has no signed division before
 * cpu v4). ctx: { uint64_t x; uint64_t y; } */
#include <stdint.h>

struct arith_ctx {
    uint64_t x;
    uint64_t y;
};

uint64_t entry(struct arith_ctx *ctx)
{
    uint64_t x = ctx->x, y = ctx->y;
    int8_t s8 = (int8_t)(uint8_t)x;
    int16_t s16 = (int16_t)(uint16_t)(x >> 8);
    int32_t s32 = (int32_t)(uint32_t)y;
    int64_t s64 = (int64_t)(x ^ (y << 17));
    uint8_t u8 = (uint8_t)(x * 13u);
    uint16_t u16 = (uint16_t)(y * 0x1234u + x);
    uint32_t u32 = (uint32_t)(x >> 3) * (uint32_t)y;

    uint64_t r = 0;
    r += (uint64_t)(int64_t)s8 * 3u;              /* sign-extended 8 -> 64 */
    r ^= (uint64_t)(int64_t)(s16 >> 3);           /* arithmetic shift on 16 bits */
    r += (uint64_t)(s32 >> 5) << 1;
    r ^= (uint64_t)(s64 >> 13);                   /* 64-bit arithmetic shift */
    r += u8 + (uint64_t)u16 * 7u;
    r ^= (uint64_t)(u32 / (((uint32_t)y | 1u))) << 20;
    r += (uint64_t)(u32 % 1000u);
    r ^= x / (y | 1u) + x % (y | 3u);
    r += (s32 < -5) ? 0x100 : 0x200;               /* signed 32-bit compare */
    r += (s64 > (int64_t)y) ? 0x10000 : 0x30000;  /* signed 64-bit compare */
    r ^= (uint64_t)((uint8_t)(u8 + 250u)) << 56;  /* 8-bit wrap around */
    r += (uint64_t)(uint16_t)(u16 * u16);         /* 16-bit wrap around */
    r ^= (uint64_t)((uint32_t)(u32 + 0xfffffff0u)); /* 32-bit wrap around */
    r += (uint64_t)((int32_t)(uint32_t)x * (int64_t)s16); /* signed widening multiply */
    return r;
}
