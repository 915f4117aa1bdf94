/* The multiply container's context: two inputs, one output written back. */
#pragma once

#include <stdint.h>

typedef struct {
    const uint32_t input1;
    const uint32_t input2;
    uint64_t output;
} multiply_context_t;
