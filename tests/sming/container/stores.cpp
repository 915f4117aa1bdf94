/* stores.cpp: a C++ container using rBPF::GlobalStore and rBPF::LocalStore
 * (<rbpf/Store.h>): counts its runs in local key 1, adds the context's value
 * to global key 5, and reports a failed update in the result's top bit. */
#include <rbpf/Store.h>
#include <test_context.h>

RBPF_EXPORT int64_t stores(test_context_t* ctx)
{
    rBPF::GlobalStore globals;
    rBPF::LocalStore locals;
    uint64_t failed = 0;
    if(!(locals[1] = locals[1] + 1)) {
        failed = 1;
    }
    auto total = globals[5];
    total = uint32_t(total) + uint32_t(ctx->value);
    if(!total) {
        failed = 1;
    }
    ctx->output = globals.get(5);
    return int64_t((failed << 63) | (uint64_t(locals.get(1)) << 32) | uint32_t(ctx->output));
}
