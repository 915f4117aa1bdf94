/* calls.c: the application's calls with arguments at full width, pointers
 * to its own stack (granted) and to memory it was never given (refused). */
#include <bpf/bpfapi/helpers.h>
#include <test_context.h>

int64_t calls(test_context_t* ctx)
{
    uint8_t buf[16];
    uint8_t* filled = bpf_test_fill(buf, sizeof(buf), 0x5a);
    if(filled != buf) {
        return -1;
    }
    int64_t sum = bpf_test_sum(buf, sizeof(buf)); /* 16 * 0x5a */
    int64_t refused = bpf_test_sum((const uint8_t*)(uintptr_t)ctx->value, 64);
    bpf_test_none();
    ctx->output = bpf_test_wide(0x123456789abcdef0ull, -2, -3, 1, ctx->value);
    bpf_printf("calls: sum %d, refused %d\n", (int)sum, (int)refused);
    return sum + refused;
}
