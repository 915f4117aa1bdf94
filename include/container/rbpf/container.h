/*
 * rbpf/container.h: what container code includes. Containers are built by
 * `rbpf build` (clang -target bpf -ffreestanding, cpu v2 or v3), which puts
 * this directory on the include path:
 *
 *     #include <rbpf/container.h>
 *
 *     struct counter { uint64_t value; };
 *
 *     uint64_t increment(struct counter *ctx)
 *     {
 *         return ctx->value + 1;
 *     }
 *
 * Context convention: every global function of a container is an entry
 * point the host can run by name. It gets r1 = the context (a pointer to
 * the host's buffer, read-write for the run) and r2 = its length in bytes,
 * so an entry point is `uint64_t name(struct my_ctx *ctx)` or
 * `uint64_t name(void *ctx, uint64_t length)`; its return value is the
 * host's result (r0). Keep the context struct identical on both sides,
 * with fixed-size fields (uint32_t, uint64_t) only.
 *
 * Helpers: each is a pointer to a function at the address of its helper id;
 * clang turns a call through it into `call ID`. A call takes at most five
 * arguments (r1..r5). A helper given a bad pointer ends the run.
 *
 * C++ containers (clang++ -target bpf): wrap entry points in RBPF_EXPORT
 * (extern "C") so the host finds them by their plain name.
 */
#ifndef RBPF_CONTAINER_H
#define RBPF_CONTAINER_H

/* clang's own freestanding headers: no libc is involved. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define RBPF_EXPORT extern "C"
extern "C" {
#else
#define RBPF_EXPORT
#endif

/* Helper ids, as the host's include/rbpf.h numbers them (Sming numbering). */
#define RBPF_HELPER_PRINTF 0x01
#define RBPF_HELPER_MEMCPY 0x02
#define RBPF_HELPER_STORE_GLOBAL 0x10
#define RBPF_HELPER_STORE_LOCAL 0x11
#define RBPF_HELPER_FETCH_GLOBAL 0x12
#define RBPF_HELPER_FETCH_LOCAL 0x13
#define RBPF_HELPER_NOW_MS 0x20
#define RBPF_HELPER_APP_FIRST 0x100

/* Declares helper `name` with id `id`: RBPF_HELPER(long, my_call, 0x100,
 * (uint8_t *buf, uint32_t len)) for an application helper. The C-style cast
 * is valid in both C and C++. */
#define RBPF_HELPER(ret, name, id, params) \
    static ret(*const name) params = (ret(*) params)(uintptr_t)(id)

/* bpf_printf(fmt, ...): formats up to 4 arguments and hands the text to the
 * host's print hook. fmt and every %s argument must be NUL-terminated
 * strings in container memory (string literals are fine). Conversions:
 * %d %i %u %x %X %c %s %p %%, with an optional '-' or '0' flag, a width, and
 * l or ll for 64-bit integers (plain %d/%u/%x take 32 bits). The text is cut
 * at the host's RBPF_PRINTF_MAX (128 bytes by default). Returns the number
 * of bytes produced. */
RBPF_HELPER(long, bpf_printf, RBPF_HELPER_PRINTF, (const char *fmt, ...));

/* bpf_memcpy(dst, src, n): copies n bytes (the ranges may overlap); dst
 * must be writable and src readable container memory. Returns dst. */
RBPF_HELPER(void *, bpf_memcpy, RBPF_HELPER_MEMCPY, (void *dst, const void *src, uint32_t n));

/* Key-value stores: u32 keys and values. The global store is shared by
 * every container on the device, the local store belongs to this VM and
 * outlives a single run. All entries come from one small fixed pool:
 * storing a new key into a full pool returns a negative error (-21,
 * RBPF_STORE_FULL) and changes nothing; otherwise 0. */
#define RBPF_STORE_FULL (-21)
RBPF_HELPER(long, bpf_store_global, RBPF_HELPER_STORE_GLOBAL, (uint32_t key, uint32_t value));
RBPF_HELPER(long, bpf_store_local, RBPF_HELPER_STORE_LOCAL, (uint32_t key, uint32_t value));

/* Writes the value of `key` to *value (0 when the key was never stored);
 * returns 0. value must point to writable container memory (the stack, the
 * context or a global). */
RBPF_HELPER(long, bpf_fetch_global, RBPF_HELPER_FETCH_GLOBAL, (uint32_t key, uint32_t *value));
RBPF_HELPER(long, bpf_fetch_local, RBPF_HELPER_FETCH_LOCAL, (uint32_t key, uint32_t *value));

/* Milliseconds from the host's clock (0 when the host has none). */
RBPF_HELPER(uint64_t, bpf_now_ms, RBPF_HELPER_NOW_MS, (void));

#ifdef __cplusplus
}
#endif

#endif /* RBPF_CONTAINER_H */
