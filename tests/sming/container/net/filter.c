/* net/filter.c: two public functions; execute() runs the first in source
 * order (pass), never the second (drop). Named rBPF::Container::net_filter. */
#include <bpf/bpfapi/helpers.h>
#include <test_context.h>

static uint64_t twice(uint64_t x)
{
    return 2 * x;
}

int64_t pass(test_context_t* ctx)
{
    ctx->output = twice(ctx->value) + 1;
    return 7;
}

int64_t drop(test_context_t* ctx)
{
    ctx->output = 0;
    return 99;
}
