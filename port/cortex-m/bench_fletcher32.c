/*
 * bench_fletcher32.c: the fletcher32 workload (bench/workloads/fletcher32.c)
 * in the VM and natively on the Cortex-M4, for bench-mcu.sh to count guest
 * instructions. It is measured built for cpu v3 (fletcher32_code) and v2
 * (fletcher32_v2_code), as loaded (the in-place interpreter) and prepared
 * for each engine the build has, and the preparation itself is measured.
 *
 * Every measurement is one operation done once, then 11 times, with
 * bench_mark() called before, between and after (three marks each): the
 * script counts the instructions QEMU traces between consecutive calls, so
 * (eleven - once) / 10 is one operation with set-up and loop cancelled out. Nothing is
 * printed until the end, where one line per measurement says what it was
 * (in the order of the marks); each VM result must equal native's.
 */
#include <string.h>

#include "port.h"
#include "rbpf.h"

#define TEXT_LEN 360

extern const uint8_t fletcher32_code[], fletcher32_v2_code[];
extern const uint32_t fletcher32_code_len, fletcher32_v2_code_len;
uint64_t native_fletcher32(void *ctx, uint64_t len);
void bench_mark(void);

/* Marks a boundary in the instruction trace; never inlined. */
__attribute__((noinline)) void bench_mark(void)
{
    __asm__ volatile("" : : : "memory");
}

static uint64_t stack[64];
static const rbpf_config_t bench_config = {.stack = stack, .stack_size = sizeof stack};
static uint8_t text[TEXT_LEN] __attribute__((aligned(8)));
/* Each engine's form of the program being measured (a JIT's code too: the
 * emulated part's RAM is executable). */
static uint64_t prepared[2048];
static volatile uint64_t sink;

/* What one measurement was, printed at the end. */
typedef struct measure {
    const char *kind;    /* "native", "vm" or "prepare" */
    const char *workload; /* "fletcher32" or "fletcher32-v2" */
    int engine;          /* -1: as loaded */
    uint64_t ebpf_insns; /* vm: of one run; prepare: instructions translated */
    uint64_t bytes;      /* prepare: bytes of the prepared form */
    int ok;
} measure_t;

static measure_t measures[16];
static unsigned measure_count;

static measure_t *measure_new(const char *kind, const char *workload, int engine)
{
    measure_t *m = &measures[measure_count < 16 ? measure_count++ : 15];
    m->kind = kind;
    m->workload = workload;
    m->engine = engine;
    m->ebpf_insns = 0;
    m->bytes = 0;
    m->ok = 1;
    return m;
}

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

/* The program `code` run as loaded (engine -1) or prepared for `engine`. */
static void measure_vm(const char *workload, const uint8_t *code, uint32_t len, int engine,
                       uint64_t expected)
{
    measure_t *m = measure_new("vm", workload, engine);
    rbpf_program_t prog;
    rbpf_vm_t vm;
    uint64_t result = 0;
    int err = rbpf_load_raw(&prog, code, len, &bench_config);
    if (err == RBPF_OK && engine >= 0)
        err = rbpf_prepare(&prog, engine, prepared, sizeof prepared);
    if (err == RBPF_OK)
        err = rbpf_vm_init(&vm, &prog, &bench_config, NULL, 0);
    bench_mark();
    if (err == RBPF_OK)
        err = run_vm(&vm, 1, &result);
    bench_mark();
    if (err == RBPF_OK)
        err = run_vm(&vm, 11, &result);
    bench_mark();
    m->ebpf_insns = err == RBPF_OK ? vm.instructions : 0;
    m->ok = err == RBPF_OK && result == expected;
}

/* The preparation of `code` for `engine` (translation or compilation). */
static void measure_prepare(const char *workload, const uint8_t *code, uint32_t len, int engine)
{
    measure_t *m = measure_new("prepare", workload, engine);
    rbpf_program_t prog, copy;
    size_t size = 0;
    int err = rbpf_load_raw(&prog, code, len, &bench_config);
    if (err == RBPF_OK)
        err = rbpf_prepare_size(&prog, engine, &size);
    bench_mark();
    copy = prog;
    if (err == RBPF_OK)
        err = rbpf_prepare(&copy, engine, prepared, sizeof prepared);
    bench_mark();
    for (unsigned i = 0; i < 11 && err == RBPF_OK; i++) {
        copy = prog;
        err = rbpf_prepare(&copy, engine, prepared, sizeof prepared);
    }
    bench_mark();
    m->ebpf_insns = prog.text_len / 8u;
    m->bytes = size;
    m->ok = err == RBPF_OK;
}

static void measure_program(const char *workload, const uint8_t *code, uint32_t len,
                            uint64_t expected)
{
    measure_vm(workload, code, len, -1, expected);
    for (int e = 0; e < RBPF_ENGINE_COUNT; e++) {
        if (!rbpf_engine_available(e))
            continue;
        measure_vm(workload, code, len, e, expected);
        if (e != RBPF_ENGINE_INTERP)
            measure_prepare(workload, code, len, e);
    }
}

int main(void)
{
    static const char lorem[] =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ";
    uint64_t native_result;
    int failed = 0;
    for (unsigned i = 0; i < TEXT_LEN; i++)
        text[i] = (uint8_t)lorem[i % (sizeof lorem - 1)];
    native_result = native_fletcher32(text, sizeof text);

    measure_new("native", "fletcher32", -1);
    bench_mark();
    run_native(1);
    bench_mark();
    run_native(11);
    bench_mark();
    measure_program("fletcher32", fletcher32_code, fletcher32_code_len, native_result);
    measure_program("fletcher32-v2", fletcher32_v2_code, fletcher32_v2_code_len, native_result);

    port_puts("bench fletcher32: native=");
    port_put_hex(native_result);
    port_puts("\n");
    for (unsigned i = 0; i < measure_count; i++) {
        const measure_t *m = &measures[i];
        port_puts("bench measure ");
        port_put_dec(i);
        port_puts(": ");
        port_puts(m->kind);
        port_puts(" ");
        port_puts(m->workload);
        port_puts(" engine=");
        port_puts(m->engine < 0 ? "-" : rbpf_engine_name(m->engine));
        port_puts(" ebpf_insns=");
        port_put_dec(m->ebpf_insns);
        port_puts(" bytes=");
        port_put_dec(m->bytes);
        port_puts(m->ok ? " ok\n" : " FAILED\n");
        failed |= !m->ok;
    }
    return failed;
}
