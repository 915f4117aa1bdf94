/*
 * conformance.h: the conformance tests as the generated conformance_data.c
 * (see conformance-gen.awk) lays them out.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

struct conformance_test {
    const char *name;
    const uint8_t *program;
    uint32_t program_len;
    const uint8_t *mem; /* NULL when the test has no memory */
    uint32_t mem_len;
    uint64_t expected_r0;
    int skip; /* 1 for tests outside RFC 9669 (callx) */
};

/* A program the verifier must refuse (an unused field is not zero). */
struct conformance_negative {
    const char *name;
    const uint8_t *program;
    uint32_t program_len;
};

extern const struct conformance_test conformance_tests[];
extern const unsigned conformance_test_count;
extern const struct conformance_negative conformance_negatives[];
extern const unsigned conformance_negative_count;

#endif /* CONFORMANCE_H */
