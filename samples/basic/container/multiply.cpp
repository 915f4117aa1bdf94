// multiply.cpp: a C++ container (clang++ -target bpf). It writes the 64-bit
// product of two context fields back into the context; RBPF_EXPORT keeps the
// entry point's name unmangled so the host finds it as "multiply".
#include <rbpf/container.h>

#include "contexts.h"

namespace
{
template <typename T> T product(T x, T y)
{
    return x * y;
}
} // namespace

RBPF_EXPORT uint64_t multiply(multiply_ctx *ctx)
{
    ctx->product = product(ctx->a, ctx->b);
    return 0;
}
