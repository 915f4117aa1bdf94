/* increment.c: the smallest useful container: returns its context's value
 * plus one. */
#include <rbpf/container.h>

#include "contexts.h"

uint64_t increment(struct increment_ctx *ctx)
{
    return ctx->value + 1;
}
