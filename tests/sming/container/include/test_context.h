/* Contexts shared by the test containers and tests/sming/test_sming.cpp. */
#pragma once

#include <stdint.h>

typedef struct {
    uint64_t value;
    uint64_t output;
} test_context_t;
