/*
 * bench_engines.c: every benchmark workload (bench/workloads/, the same
 * inputs as the host harness) on every engine of the build and natively,
 * on the emulated Cortex-M4, counted in guest instructions. QEMU runs the
 * image with -icount shift=0, so its virtual clock advances one nanosecond
 * per instruction; SysTick, clocked from it, gives a count at a resolution
 * of a few dozen instructions, calibrated below against a loop of known
 * length. Each figure is the sum of BENCH_RUNS runs, each measured alone
 * (the context refilled in between, unmeasured), divided by BENCH_RUNS.
 *
 * Per workload and engine it prints (fletcher32's run lines come from
 * bench-mcu.sh's exact trace instead)
 *   mcu W engine=E: thumb_insns_per_ebpf_insn=X vm_insns=N native_insns=M ratio=R
 * and for the JIT the code it made and what compiling cost:
 *   mcu W jit: ebpf_insns=I code_bytes=B code_bytes_per_ebpf_insn=X compile_thumb_insns_per_ebpf_insn=Y
 * then the averages over the workloads. Every VM result (r0 and context)
 * must equal the native one; exits 1 otherwise.
 */
#include <string.h>

#include "../../bench/workloads/inputs.h"
#include "bench_containers.h"
#include "port.h"
#include "rbpf.h"
#include "vm.h"

#define BENCH_RUNS 4u

static const rbpf_helper_t helpers[] = {{0x100, "bench_mix", helper_mix}};
static uint64_t stack[4096 / 8];
static uint64_t ram[1024 / 8];
static uint8_t input[4096] __attribute__((aligned(8)));
static uint8_t vm_ctx[4096] __attribute__((aligned(8)));
static uint8_t native_ctx[4096] __attribute__((aligned(8)));
static uint64_t engine_buffer[131072 / 8];

/* ---- Counting guest instructions ----------------------------------------- */
#define SYST_CSR (*(volatile uint32_t *)0xe000e010u)
#define SYST_RVR (*(volatile uint32_t *)0xe000e014u)
#define SYST_CVR (*(volatile uint32_t *)0xe000e018u)

static uint32_t ticks_now(void)
{
    return SYST_CVR;
}

/* Ticks from `start` to now (the 24-bit counter counts down). */
static uint32_t ticks_since(uint32_t start)
{
    return (start - SYST_CVR) & 0xffffffu;
}

/* Guest instructions per 1000 ticks, from a loop of two instructions per
 * iteration. */
static uint32_t calibrate(void)
{
    uint32_t n = 200000u, t = ticks_now();
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
    t = ticks_since(t);
    return t ? (uint32_t)(400000000ull / t) : 0u;
}

static uint32_t per_kilotick;

static uint64_t insns(uint64_t ticks)
{
    return ticks * per_kilotick / 1000u;
}

/* ---- Printing -------------------------------------------------------------- */
static void put_fixed(uint64_t value_x100)
{
    port_put_dec(value_x100 / 100u);
    port_putc('.');
    port_putc((char)('0' + value_x100 / 10u % 10u));
    port_putc((char)('0' + value_x100 % 10u));
}

static void put_ratio(uint64_t a, uint64_t b)
{
    put_fixed(b ? (a * 100u + b / 2u) / b : 0u);
}

/* Instructions of the text, a lddw counting once. */
static uint32_t text_insns(const rbpf_program_t *prog)
{
    uint32_t i, n = 0;
    for (i = 0; i < prog->text_len / 8u; i += rbpf_two_slot_(prog->text[8u * i]) ? 2u : 1u)
        n++;
    return n;
}

static const uint8_t *container(const char *name, size_t *size)
{
    for (size_t i = 0; i < rbpf_container_count; i++)
        if (strcmp(rbpf_containers[i].name, name) == 0) {
            *size = rbpf_containers[i].size;
            return rbpf_containers[i].data;
        }
    return NULL;
}

int main(void)
{
    uint64_t code_total = 0, compile_total = 0;
    uint32_t insns_total = 0;
    int ok = 1;

    SYST_RVR = 0xffffffu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enabled, processor clock, no interrupt */
    per_kilotick = calibrate();
    port_puts("mcu bench: guest instructions per 1000 SysTick ticks: ");
    port_put_dec(per_kilotick);
    port_puts("\n");

    for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++) {
        const struct workload *w = &workloads[k];
        /* as the host harness configures it */
        const rbpf_config_t config = {.stack = stack, .stack_size = w->stack_size,
                                      .budget = 100000000u, .max_call_depth = 64,
                                      .helpers = helpers, .helper_count = 1};
        rbpf_program_t prog;
        uint64_t native_ticks = 0, native_result = 0;
        size_t size = 0;
        const uint8_t *blob = container(w->name, &size);
        int engine, rc;
        uint32_t r;

        bench_input(w->name, w->fill, input, w->ctx_size);
        for (r = 0; r < BENCH_RUNS; r++) {
            uint32_t t;
            memcpy(native_ctx, input, w->ctx_size);
            t = ticks_now();
            native_result = w->native(native_ctx, w->ctx_size);
            native_ticks += ticks_since(t);
        }
        rc = blob == NULL ? RBPF_ERR_NO_FUNCTION : rbpf_load(&prog, blob, size, &config);
        if (rc != RBPF_OK || (size_t)prog.data_len + prog.bss_len > sizeof ram) {
            port_puts("FAIL bench ");
            port_puts(w->name);
            port_puts(": ");
            port_puts(rbpf_error_name(rc));
            port_puts("\n");
            ok = 0;
            continue;
        }
        for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
            rbpf_program_t copy = prog;
            rbpf_vm_t vm;
            uint64_t vm_ticks = 0, result = 0, compile = 0;
            if (!rbpf_engine_available(engine))
                continue;
            if (engine != RBPF_ENGINE_INTERP) {
                uint32_t t = ticks_now();
                rc = rbpf_prepare(&copy, engine, engine_buffer, sizeof engine_buffer);
                compile = ticks_since(t);
                if (rc != RBPF_OK)
                    goto failed;
            }
            rc = rbpf_vm_init(&vm, &copy, &config, ram, sizeof ram);
            for (r = 0; rc == RBPF_OK && r < BENCH_RUNS; r++) {
                uint32_t t;
                memcpy(vm_ctx, input, w->ctx_size);
                t = ticks_now();
                rc = rbpf_vm_run(&vm, 0, vm_ctx, w->ctx_size, &result);
                vm_ticks += ticks_since(t);
            }
            if (rc != RBPF_OK || result != native_result ||
                memcmp(vm_ctx, native_ctx, w->ctx_size) != 0) {
            failed:
                port_puts("FAIL bench ");
                port_puts(w->name);
                port_puts(" engine=");
                port_puts(rbpf_engine_name(engine));
                port_puts(": ");
                port_puts(rc != RBPF_OK ? rbpf_error_name(rc) : "differs from native");
                port_puts("\n");
                ok = 0;
                continue;
            }
            if (strcmp(w->name, "fletcher32") == 0)
                goto code;
            port_puts("mcu ");
            port_puts(w->name);
            port_puts(" engine=");
            port_puts(rbpf_engine_name(engine));
            port_puts(": thumb_insns_per_ebpf_insn=");
            put_ratio(insns(vm_ticks), (uint64_t)vm.instructions * BENCH_RUNS);
            port_puts(" vm_insns=");
            port_put_dec(vm.instructions);
            port_puts(" native_insns=");
            port_put_dec(insns(native_ticks) / BENCH_RUNS);
            port_puts(" ratio=");
            put_ratio(insns(vm_ticks), insns(native_ticks));
            port_puts("\n");
        code:
#if RBPF_ENABLE_JIT
            if (engine == RBPF_ENGINE_JIT) {
                const uint32_t n = text_insns(&prog);
                const uint32_t code = (uint32_t)rbpf_jit_code_size_(&copy);
                code_total += code;
                compile_total += insns(compile);
                insns_total += n;
                port_puts("mcu ");
                port_puts(w->name);
                port_puts(" jit: ebpf_insns=");
                port_put_dec(n);
                port_puts(" code_bytes=");
                port_put_dec(code);
                port_puts(" code_bytes_per_ebpf_insn=");
                put_ratio(code, n);
                port_puts(" compile_thumb_insns_per_ebpf_insn=");
                put_ratio(insns(compile), n);
                port_puts(" buffer_bytes=");
                port_put_dec(copy.prepared_size);
                port_puts("\n");
            }
#else
            (void)compile;
#endif
        }
    }
    if (insns_total != 0) {
        port_puts("mcu jit, all workloads: ebpf_insns=");
        port_put_dec(insns_total);
        port_puts(" code_bytes_per_ebpf_insn=");
        put_ratio(code_total, insns_total);
        port_puts(" compile_thumb_insns_per_ebpf_insn=");
        put_ratio(compile_total, insns_total);
        port_puts("\n");
    }
    return ok ? 0 : 1;
}
