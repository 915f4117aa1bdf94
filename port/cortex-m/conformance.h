/*
 * conformance.h: one conformance test as the generated conformance_data.c
 * (from assembled.json, see conformance-gen.awk) lays it out.
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

extern const struct conformance_test conformance_tests[];
extern const unsigned conformance_test_count;

#endif /* CONFORMANCE_H */
