/* The increment container's context, shared by the container and the host. */
#pragma once

#include <stdint.h>

typedef struct {
    uint64_t value;
} increment_context_t;
