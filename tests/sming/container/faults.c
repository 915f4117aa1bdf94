/* faults.c: the first function reads the address in the context (outside
 * the container's memory unless the host granted it); spin() never ends. */
#include <bpf/bpfapi/helpers.h>
#include <test_context.h>

int64_t peek(test_context_t* ctx)
{
    return *(volatile uint64_t*)(uintptr_t)ctx->value;
}

int64_t spin(test_context_t* ctx)
{
    volatile uint64_t n = ctx->value;
    while(n != 1) {
        n = n + 2;
    }
    return (int64_t)n;
}
