/*
 * freestanding.cpp: Sming's rBPF interface compiled with no C++ library
 * (arm-none-eabi-g++ without libstdc++, -fsyntax-only in test-sming): the
 * headers use no std:: beyond the C headers, so a bare-metal C++ firmware
 * can use them. Instantiates every template the interface has.
 */
#include <rbpf.h>
#include <bpf.h>
#include <test_context.h>

namespace rBPF
{
namespace VM
{
uint64_t bpf_test_wide(bpf_t *bpf, uint64_t a, int32_t b, int8_t c, bool d, uint64_t e)
{
    return bpf_load_allowed(bpf, nullptr, 0) + a + uint64_t(b) + uint64_t(c) + d + e;
}
int64_t bpf_test_sum(bpf_t *bpf, const uint8_t *data, size_t len)
{
    return bpf_load_allowed(bpf, const_cast<uint8_t *>(data), len);
}
void *bpf_test_fill(bpf_t *bpf, uint8_t *buffer, size_t len, uint8_t value)
{
    return bpf_store_allowed(bpf, buffer, len + value) < 0 ? nullptr : buffer;
}
void bpf_test_none(bpf_t *bpf)
{
    (void)bpf;
}
} // namespace VM
} // namespace rBPF

int64_t runAll();

int64_t runAll()
{
    rBPF::VirtualMachine vm(rBPF::Container::net_filter);
    test_context_t ctx{1, 0};
    int64_t r = vm.execute(ctx);
    vm.globals[1] = 2;
    vm.locals[2] = vm.globals[1];
    size_t count;
    r += rBPF::helperTable(count)[0].id + vm.getLastError() + vm.getRbpfError();
    rBPF::VirtualMachine other;
    other.load(rBPF::Blob(static_cast<const void *>(rBPF::Container::calls.data()),
                          rBPF::Container::calls.size()),
               64);
    return r + other.execute() + *rBPF::getErrorString(0);
}
