/* increment.c: returns the context's value plus one. */
#include "include/container/increment.h"

int increment(increment_context_t* context)
{
    return context->value + 1;
}
