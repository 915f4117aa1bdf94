/* multiply.cpp: a C++ container; writes the 64-bit product of its inputs
 * to the context and returns 0. The first public function is the entry
 * point, whatever its (mangled) name. */
#include "include/container/multiply.h"

namespace
{
int func1(void* x)
{
    (void)x;
    return 100;
}

int func2(void* x)
{
    (void)x;
    return 200;
}
} // namespace

int multiply(multiply_context_t& context)
{
    context.output = int64_t(context.input1) * context.input2;
    return 0;
}
