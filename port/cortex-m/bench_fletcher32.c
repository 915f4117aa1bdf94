/*
 * bench_fletcher32.c: the fletcher32 workload (bench/workloads/fletcher32.c)
 * in the VM and natively on the Cortex-M4, for bench-mcu.sh to count guest
 * instructions. bench_mark() is called between phases; the script counts
 * the instructions QEMU traces between its calls:
 *   phase 1: the VM runs once     phase 2: the VM runs 11 times
 *   phase 3: native runs once     phase 4: native runs 11 times
 * so (phase 2 - phase 1) / 10 is one VM run and likewise for native, with
 * set-up and printing cancelled out. The VM's result must equal native's.
 */
#include <string.h>

#include "port.h"
#include "rbpf.h"

#define TEXT_LEN 360

extern const uint8_t fletcher32_code[];
extern const uint32_t fletcher32_code_len;
uint64_t native_fletcher32(void *ctx, uint64_t len);
void bench_mark(unsigned phase);

/* Marks a phase boundary in the instruction trace; never inlined. */
__attribute__((noinline)) void bench_mark(unsigned phase)
{
    __asm__ volatile("" : : "r"(phase) : "memory");
}

static uint64_t stack[64];
static const rbpf_config_t bench_config = {.stack = stack, .stack_size = sizeof stack};
static uint8_t text[TEXT_LEN] __attribute__((aligned(8)));
static volatile uint64_t sink;

static int run_vm(rbpf_vm_t *vm, unsigned times, uint64_t *result)
{
    for (unsigned i = 0; i < times; i++) {
        int err = rbpf_vm_run(vm, 0, text, sizeof text, result);
        if (err != RBPF_OK)
            return err;
        sink ^= *result;
    }
    return RBPF_OK;
}

static void run_native(unsigned times)
{
    for (unsigned i = 0; i < times; i++)
        sink ^= native_fletcher32(text, sizeof text);
}

int main(void)
{
    static const char lorem[] =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ";
    rbpf_program_t prog;
    rbpf_vm_t vm;
    uint64_t vm_result = 0, native_result;
    int err;
    for (unsigned i = 0; i < TEXT_LEN; i++)
        text[i] = (uint8_t)lorem[i % (sizeof lorem - 1)];

    err = rbpf_load_raw(&prog, fletcher32_code, fletcher32_code_len, &bench_config);
    if (err == RBPF_OK)
        err = rbpf_vm_init(&vm, &prog, &bench_config, NULL, 0);
    bench_mark(1);
    if (err == RBPF_OK)
        err = run_vm(&vm, 1, &vm_result);
    bench_mark(2);
    if (err == RBPF_OK)
        err = run_vm(&vm, 11, &vm_result);
    bench_mark(3);
    run_native(1);
    bench_mark(4);
    run_native(11);
    bench_mark(5);
    if (err != RBPF_OK) {
        port_puts("bench fletcher32: ");
        port_puts(rbpf_error_name(err));
        port_puts("\n");
        return 1;
    }
    native_result = native_fletcher32(text, sizeof text);
    port_puts("bench fletcher32: result=");
    port_put_hex(vm_result);
    port_puts(" native=");
    port_put_hex(native_result);
    port_puts(" ebpf_insns=");
    port_put_dec(vm.instructions);
    port_puts("\n");
    return vm_result == native_result ? 0 : 1;
}
