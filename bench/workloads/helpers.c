/*
 * helpers.c: a loop of helper calls. For each byte of the context it calls
 * the host's bench_mix helper (id 0x100) to fold the byte into an
 * accumulator. Returns the accumulator.
 */
#include "workload.h"

WORKLOAD(helpers)
{
    const uint8_t *p = (const uint8_t *)ctx;
    uint64_t acc = 0x9e3779b97f4a7c15u;

    for (uint64_t i = 0; i < len; i++)
        acc = bench_mix(acc, p[i]);
    return acc;
}
