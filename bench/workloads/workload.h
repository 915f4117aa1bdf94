/*
 * workload.h: what every benchmark workload includes. A workload is one C
 * file built twice: by clang for the BPF target (a container whose entry
 * function gets the context in r1 and its length in r2) and natively by the
 * host compiler into the benchmark harness, where its entry is renamed
 * native_<name>. Both builds see the same source, so the harness can check
 * the VM's result against the native one.
 */
#ifndef RBPF_BENCH_WORKLOAD_H
#define RBPF_BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __bpf__
#define WORKLOAD(name)                                                     \
    uint64_t name(void *ctx, uint64_t len);                                \
    uint64_t name(void *ctx, uint64_t len)
/* Application helper 0x100, registered by the harness. */
static uint64_t (*const bench_mix)(uint64_t acc, uint64_t value) = (void *)0x100;
#else
#define WORKLOAD(name)                                                     \
    uint64_t native_##name(void *ctx, uint64_t len);                       \
    uint64_t native_##name(void *ctx, uint64_t len)
/* The same helper, called directly by the native build. */
uint64_t bench_mix(uint64_t acc, uint64_t value);
#endif

#define BENCH_NOINLINE __attribute__((noinline))

#endif /* RBPF_BENCH_WORKLOAD_H */
