/* globals.c: initialised globals in .data, zeroed ones in .bss, a static
 * counter, and arrays indexed at run time. ctx: { uint32_t n; uint32_t seed; } */
#include <stdint.h>

struct globals_ctx {
    uint32_t n;
    uint32_t seed;
};

uint32_t counter = 41;
static uint64_t weights[4] = {3, 5, 7, 11};
uint16_t history[32];
static uint32_t calls;
uint8_t flags[5];

uint64_t entry(struct globals_ctx *ctx)
{
    uint32_t n = ctx->n & 31u;
    calls++;
    counter += ctx->seed;
    for (uint32_t i = 0; i < n; i++) {
        history[i] = (uint16_t)(counter * (i + 1));
        weights[i & 3u] += history[i];
        flags[i % 5u] ^= (uint8_t)i;
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 32; i++)
        sum += history[i];
    return sum * 1000003u + weights[0] + (weights[3] << 16) + ((uint64_t)flags[2] << 40) +
           ((uint64_t)calls << 48) + counter;
}
