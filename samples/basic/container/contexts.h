/* contexts.h: the context structs of the basic sample's containers, shared
 * by the containers (clang -target bpf) and the host (main.c), so both sides
 * agree on every field. Fixed-size fields only. */
#ifndef SAMPLES_BASIC_CONTEXTS_H
#define SAMPLES_BASIC_CONTEXTS_H

#include <stdint.h>

/* increment.c: returns value + 1 */
struct increment_ctx {
    uint64_t value;
};

/* multiply.cpp: product = a * b (mod 2^64) */
struct multiply_ctx {
    uint64_t a;
    uint64_t b;
    uint64_t product;
};

/* store.c: adds id * weight to the global total; calls = runs so far */
struct store_ctx {
    uint32_t id;
    uint32_t calls;
};

#endif
