/*
 * conformance.c: the whole eBPF conformance suite inside a Cortex-M image.
 * Every test of assembled.json runs in the VM with its memory as context and
 * r0 is compared with the expected value; every unused-field case must be
 * refused by the verifier. Each program runs twice: in place (flash) and
 * copied to an odd RAM address, so an unaligned instruction fetch the core
 * would fault on, or a result that depends on alignment, shows up. An
 * unused-field case must be refused for that rule (RBPF_ERR_RESERVED_FIELD).
 * In a build without some features (RBPF_MINIMAL), a test that uses one is
 * skipped, after checking that the verifier refuses it.
 * The suite runs once per engine this build has (the interpreter, and the
 * translated form or the JIT when compiled in, each program prepared in a
 * RAM buffer); a refused unused-field case must also be refused by
 * rbpf_prepare() for every engine.
 * Prints `mcu conformance engine=E: N passed, M failed, K skipped` per
 * engine and the deepest host stack a run used (measured by painting);
 * exits 1 on any failure.
 */
#include <string.h>

#include "conformance.h"
#include "isa.h"
#include "port.h"
#include "rbpf.h"

/* The suite's only helper: call 5 returns its first argument. */
static int helper_5(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = args[0];
    return 0;
}

static const rbpf_helper_t helpers[] = {{5, "helper_5", helper_5}};
/* Room for the deepest local-call chain of the suite; boards with little
 * RAM may build with a smaller -DCONFORMANCE_STACK_BYTES. */
#ifndef CONFORMANCE_STACK_BYTES
#define CONFORMANCE_STACK_BYTES 8192
#endif
static uint64_t stack[CONFORMANCE_STACK_BYTES / 8];
static const rbpf_config_t config = {
    .stack = stack,
    .stack_size = sizeof stack,
    .helpers = helpers,
    .helper_count = 1,
};

static uint64_t memory[512];
static uint8_t code[1024 + 1];

/* The prepared form of one program (RAM; for the JIT also executable). */
#ifndef CONFORMANCE_ENGINE_BYTES
#if RBPF_ENABLE_JIT || RBPF_ENABLE_THREADED
#define CONFORMANCE_ENGINE_BYTES 65536
#else
#define CONFORMANCE_ENGINE_BYTES 8
#endif
#endif
static uint64_t engine_buffer[CONFORMANCE_ENGINE_BYTES / 8];

/* The host stack rbpf_vm_run uses, measured: the stack below the caller is
 * painted before each run and the deepest byte changed is found after. */
#define PAINT_BYTES 4096u
#define PAINT 0xa5u
static uint32_t stack_used;

static uintptr_t stack_pointer(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* The lowest address to paint: PAINT_BYTES below sp, but never into .bss
 * (the linker script's symbol), on boards with little RAM. */
extern uint8_t port_bss_end[];
static uintptr_t paint_floor(uintptr_t sp)
{
    uintptr_t floor = sp - PAINT_BYTES;
    return floor < (uintptr_t)port_bss_end ? (uintptr_t)port_bss_end : floor;
}

/* Fills [floor, sp - 64): the 64 bytes under sp hold this function's own
 * frame. */
static __attribute__((noinline)) void paint(uintptr_t sp)
{
    volatile uint8_t *p = (volatile uint8_t *)paint_floor(sp);
    while ((uintptr_t)p < sp - 64)
        *p++ = PAINT;
}

static __attribute__((noinline)) void measure(uintptr_t sp)
{
    const volatile uint8_t *p = (const volatile uint8_t *)paint_floor(sp);
    while ((uintptr_t)p < sp - 64 && *p == PAINT)
        p++;
    if (sp - (uintptr_t)p > stack_used)
        stack_used = (uint32_t)(sp - (uintptr_t)p);
}

/* 1 when an instruction of `program` is one this build compiled out: it
 * matches only rows of disabled features, or its opcode has no enabled row
 * at all (then the selecting field does not matter: the opcode is gone). */
static int uses_missing_feature(const uint8_t *program, uint32_t length)
{
    static const uint8_t selects[RBPF_FORM_COUNT] = {
#define SELECTS_(form, uses, sel) sel,
        RBPF_FORMS(SELECTS_)
#undef SELECTS_
    };
    for (uint32_t at = 0; at + RBPF_INSN_SIZE <= length; at += RBPF_INSN_SIZE) {
        const uint8_t *p = program + at;
        int match_on = 0, match_off = 0, opcode_on = 0, opcode_off = 0;
#define MATCH_(name, opcode, form, sel, once, feature, mnemonic)                               \
    if (RBPF_INSN_OPCODE(p) == (opcode)) {                                                      \
        int match_ = selects[RBPF_FORM_##form] == RBPF_SELECTS_OFF   ? RBPF_INSN_OFF(p) == (sel) \
                     : selects[RBPF_FORM_##form] == RBPF_SELECTS_IMM ? RBPF_INSN_IMM(p) == (sel) \
                     : selects[RBPF_FORM_##form] == RBPF_SELECTS_SRC ? RBPF_INSN_SRC(p) == (sel) \
                                                                     : 1;                        \
        int on_ = 0;                                                                            \
        RBPF_IF_FEATURE(feature, on_ = 1;)                                                      \
        if (on_) {                                                                              \
            opcode_on = 1;                                                                      \
            match_on |= match_;                                                                 \
        } else {                                                                                \
            opcode_off = 1;                                                                     \
            match_off |= match_;                                                                \
        }                                                                                       \
    }
        RBPF_ISA(MATCH_)
#undef MATCH_
        if (!match_on && (match_off || (opcode_off && !opcode_on)))
            return 1;
    }
    return 0;
}

static void report(const char *name, const char *where, const char *what)
{
    port_puts("FAIL ");
    port_puts(name);
    port_puts(where);
    port_puts(": ");
    port_puts(what);
}

/* Runs one test from `program` on `engine`; 1 when r0 is the expected
 * value. */
static int run_one(const struct conformance_test *t, const uint8_t *program, const char *where,
                   int engine)
{
    rbpf_program_t prog;
    rbpf_vm_t vm;
    uint64_t r0 = 0;
    int32_t at;
    int err = rbpf_load_raw(&prog, program, t->program_len, &config);
    at = prog.error_at;
    if (err == RBPF_OK && engine != RBPF_ENGINE_INTERP)
        err = rbpf_prepare(&prog, engine, engine_buffer, sizeof engine_buffer);
    if (err == RBPF_OK)
        err = rbpf_vm_init(&vm, &prog, &config, NULL, 0);
    if (err == RBPF_OK) {
        if (t->mem_len)
            memcpy(memory, t->mem, t->mem_len);
        uintptr_t sp = stack_pointer();
        paint(sp);
        err = rbpf_vm_run(&vm, 0, t->mem_len ? memory : NULL, t->mem_len, &r0);
        measure(sp);
        at = vm.error_at;
    }
    if (err != RBPF_OK) {
        report(t->name, where, rbpf_error_name(err));
        if (at >= 0) {
            port_puts(" at instruction ");
            port_put_dec((uint64_t)at);
        }
        port_puts("\n");
        return 0;
    }
    if (r0 != t->expected_r0) {
        report(t->name, where, "r0=");
        port_put_hex(r0);
        port_puts(" expected ");
        port_put_hex(t->expected_r0);
        port_puts("\n");
        return 0;
    }
    return 1;
}

/* The whole suite on one engine; 1 when every test passed. */
static int run_suite(int engine)
{
    unsigned passed = 0, failed = 0, skipped = 0;
    for (unsigned i = 0; i < conformance_test_count; i++) {
        const struct conformance_test *t = &conformance_tests[i];
        if (t->skip) {
            skipped++;
            continue;
        }
        if (t->mem_len > sizeof memory || t->program_len > sizeof code - 1) {
            report(t->name, "", "too large for the image's buffers\n");
            failed++;
            continue;
        }
        if (uses_missing_feature(t->program, t->program_len)) {
            rbpf_program_t prog;
            if (rbpf_load_raw(&prog, t->program, t->program_len, &config) == RBPF_OK) {
                report(t->name, "", "uses a compiled-out feature but was accepted\n");
                failed++;
            } else {
                skipped++;
            }
            continue;
        }
        memcpy(code + 1, t->program, t->program_len);
        if (run_one(t, t->program, "", engine) &&
            run_one(t, code + 1, " (at an odd address)", engine))
            passed++;
        else
            failed++;
    }
    port_puts("mcu conformance engine=");
    port_puts(rbpf_engine_name(engine));
    port_puts(": ");
    port_put_dec(passed);
    port_puts(" passed, ");
    port_put_dec(failed);
    port_puts(" failed, ");
    port_put_dec(skipped);
    port_puts(" skipped\n");
    return failed == 0;
}

int main(void)
{
    unsigned refused = 0, accepted = 0;
    int ok = 1, engine;
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++)
        if (rbpf_engine_available(engine))
            ok &= run_suite(engine);
    for (unsigned i = 0; i < conformance_negative_count; i++) {
        const struct conformance_negative *n = &conformance_negatives[i];
        rbpf_program_t prog;
        int err = rbpf_load_raw(&prog, n->program, n->program_len, &config), prepared = 0;
        /* no engine prepares what the verifier refused */
        for (engine = 1; engine < RBPF_ENGINE_COUNT; engine++)
            if (rbpf_engine_available(engine) &&
                rbpf_prepare(&prog, engine, engine_buffer, sizeof engine_buffer) != RBPF_ERR_ARGUMENT)
                prepared = 1;
        /* The field rule, unless the instruction is compiled out. */
        if (!prepared && (err == RBPF_ERR_RESERVED_FIELD ||
                          (err != RBPF_OK && uses_missing_feature(n->program, n->program_len)))) {
            refused++;
        } else {
            report(n->name, "", err == RBPF_OK ? "accepted by the verifier" : rbpf_error_name(err));
            port_puts(err == RBPF_OK  ? "\n"
                      : prepared      ? ", but an engine prepared it\n"
                                      : ", not RBPF_ERR_RESERVED_FIELD\n");
            accepted++;
        }
    }
    port_puts("mcu conformance unused fields: ");
    port_put_dec(refused);
    port_puts(" refused, ");
    port_put_dec(accepted);
    port_puts(" accepted or refused for another reason\n");
    port_puts("mcu conformance host stack: rbpf_vm_run used at most ");
    port_put_dec(stack_used);
    port_puts(" bytes\n");
    return ok && accepted == 0 ? 0 : 1;
}
