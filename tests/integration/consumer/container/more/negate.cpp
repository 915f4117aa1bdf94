// negate.cpp: a C++ container in a subdirectory; returns -value.
#include <rbpf/container.h>

#include "consumer.h"

template <typename T> static T negated(T v) { return static_cast<T>(0 - v); }

RBPF_EXPORT uint64_t negate(struct consumer_ctx *ctx)
{
    return negated<uint64_t>(ctx->value);
}
