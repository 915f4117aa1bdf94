/* scale.c: result = value * FACTOR + CONSUMER_OFFSET; FACTOR comes from the
 * build's DEFINES (else consumer.h), CONSUMER_OFFSET from the shared header. */
#include <rbpf/container.h>

#include "consumer.h"

uint64_t scale(struct consumer_ctx *ctx)
{
    ctx->result = ctx->value * FACTOR + CONSUMER_OFFSET;
    return ctx->result;
}
