/*
 * inputs.h: the benchmark workloads and their inputs, shared by the host
 * harness (bench/harness.c) and the Cortex-M bench image
 * (port/cortex-m/bench_engines.c), so both measure the same runs: the
 * list, the native entries, the helper the "helpers" workload calls, and
 * the input generators. Include it once per program.
 */
#ifndef RBPF_BENCH_INPUTS_H
#define RBPF_BENCH_INPUTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rbpf.h"

/* X(name, context bytes, input generator, stack bytes): the stack is what
 * the workload needs (the usual 512 bytes, more for deep calls or a large
 * frame plus a call), as a firmware would size it; the VM clears it on
 * every run, so its size is part of the cost. */
#define WORKLOAD_LIST(X)                                                   \
    X(fletcher32, 360, fill_text, 512)                                     \
    X(crc32, 1024, fill_random, 512)                                       \
    X(bubble_sort, 2 * 64 * 4, fill_sort, 512)                             \
    X(sha256, 256 + 32, fill_sha256, 2048)                                 \
    X(matmul, 3 * 16 * 16 * 4, fill_matmul, 512)                           \
    X(bytes, 2 * 1024, fill_bytes, 512)                                    \
    X(recurse, 4, fill_recurse, 1024)                                      \
    X(helpers, 256, fill_random, 512)

/* ---- Deterministic inputs ---------------------------------------------- */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill_random(uint8_t *p, size_t size)
{
    for (size_t i = 0; i < size; i++)
        p[i] = (uint8_t)(rng_next() >> 32);
}

static void fill_text(uint8_t *p, size_t size)
{
    static const char text[] =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ";
    for (size_t i = 0; i < size; i++)
        p[i] = (uint8_t)text[i % (sizeof text - 1)];
}

static void fill_sort(uint8_t *p, size_t size)
{
    memset(p, 0, size);
    fill_random(p, size / 2);
}

static void fill_sha256(uint8_t *p, size_t size)
{
    memset(p, 0, size);
    fill_random(p, 256);
}

static void fill_matmul(uint8_t *p, size_t size)
{
    memset(p, 0, size);
    fill_random(p, size * 2 / 3);
}

/* A 1000-byte string, then its copy with one byte changed 20 bytes past the
 * terminator: strlen stops at 1000, the compare at 1020. */
static void fill_bytes(uint8_t *p, size_t size)
{
    size_t half = size / 2;
    memset(p, 0, size);
    for (size_t i = 0; i < 1000 && i < half - 1; i++)
        p[i] = (uint8_t)('a' + rng_next() % 26);
    for (size_t i = 1001; i < half; i++)
        p[i] = (uint8_t)rng_next();
    memcpy(p + half, p, half);
    p[half + 1020] ^= 0x5a;
}

static void fill_recurse(uint8_t *p, size_t size)
{
    uint32_t n = 16;
    memset(p, 0, size);
    memcpy(p, &n, sizeof n);
}

/* The input of workload `name`: its generator from a seed of the name. */
static void bench_input(const char *name, void (*fill)(uint8_t *p, size_t size), uint8_t *p,
                        size_t size)
{
    rng_state = 0x2545f4914f6cdd1du;
    for (const char *c = name; *c; c++)
        rng_state = (rng_state ^ (uint8_t)*c) * 0x100000001b3u;
    fill(p, size);
}

typedef uint64_t (*native_fn)(void *ctx, uint64_t len);

#define DECLARE_NATIVE_(name, size, fill, stack) uint64_t native_##name(void *ctx, uint64_t len);
WORKLOAD_LIST(DECLARE_NATIVE_)
#undef DECLARE_NATIVE_

uint64_t bench_mix(uint64_t acc, uint64_t value);

/* The helper the "helpers" workload calls, natively and as helper 0x100. */
__attribute__((noinline)) uint64_t bench_mix(uint64_t acc, uint64_t value)
{
    return ((acc ^ value) * 0x100000001b3u) + (acc >> 29);
}

static int helper_mix(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = bench_mix(args[0], args[1]);
    return 0;
}

/* ---- Workloads --------------------------------------------------------- */
struct workload {
    const char *name;
    native_fn native;
    size_t ctx_size;
    void (*fill)(uint8_t *p, size_t size);
    uint32_t stack_size;
};

static const struct workload workloads[] = {
#define WORKLOAD_ROW_(name, size, fill, stack) {#name, native_##name, size, fill, stack},
    WORKLOAD_LIST(WORKLOAD_ROW_)
#undef WORKLOAD_ROW_
};
#endif /* RBPF_BENCH_INPUTS_H */
