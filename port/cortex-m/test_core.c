/*
 * test_core.c: checks of the core library that matter on a 32-bit board,
 * beside the unit tests (the unit-* images): 64-bit arithmetic edge values
 * on a 32-bit core, unaligned guest memory, every verifier rule, run-time
 * memory and budget errors, local and helper calls, regions, and a
 * container read from an odd address with data, bss and rodata. The checks
 * that run programs run once per engine this build has (`mcu core
 * engine=E` heads each pass); a build without the JIT must refuse it with
 * RBPF_ERR_UNSUPPORTED. Prints one line per failure and `mcu core: N passed,
 * M failed`; exits 1 on any failure.
 */
#include <string.h>

#include "isa.h"
#include "port.h"
#include "rbpf.h"

/* Opcode numbers by row name, from the one ISA table. */
enum {
#define OPCODE_(name, opcode, form, sel, once, feature, mnemonic) OP_##name = opcode,
    RBPF_ISA(OPCODE_)
#undef OPCODE_
};

/* One instruction as 8 little-endian bytes. */
#define B_(v, shift) ((uint8_t)(((uint32_t)(v) >> (shift)) & 0xffu))
#define INSN(op, dst, src, off, imm)                                                  \
    (uint8_t)(op), (uint8_t)((dst) | ((src) << 4)), B_(off, 0), B_(off, 8), B_(imm, 0), \
        B_(imm, 8), B_(imm, 16), B_(imm, 24)
/* A two-slot 64-bit immediate load (lddw and the Femto-Container forms). */
#define LDDW(op, dst, value)                                                           \
    INSN(op, dst, 0, 0, (uint32_t)(value)), INSN(0, 0, 0, 0, (uint32_t)((uint64_t)(value) >> 32))
#define EXIT INSN(OP_EXIT, 0, 0, 0, 0)

/* A check named by the test and what is compared ("r0", an error name). */
static void check(int ok, const char *name, const char *what, uint64_t got, uint64_t want)
{
    char label[96];
    size_t n = strlen(name), w = strlen(what);
    if (n + w + 3 > sizeof label)
        w = n = 0;
    memcpy(label, name, n);
    memcpy(label + n, ", ", 2);
    memcpy(label + n + 2, what, w + 1);
    port_check(ok, label, got, want);
}

/* Helper 5: r1 ^ (r2 << 1), all 64 bits; helper 6 always fails. */
static int helper_mix(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = args[0] ^ (args[1] << 1);
    return 0;
}

static int helper_fail(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    (void)args;
    *result = 0;
    return RBPF_ERR_TOO_SMALL;
}

static const rbpf_helper_t helpers[] = {{5, "mix", helper_mix}, {6, "fail", helper_fail}};
static uint64_t stack[512];
static const rbpf_config_t config = {
    .stack = stack,
    .stack_size = sizeof stack,
    .budget = 10000,
    .max_call_depth = 4,
    .helpers = helpers,
    .helper_count = 2,
};

/* The engine the checks run on, and the buffer of its prepared form. */
static int engine;
#ifndef CORE_ENGINE_BYTES
#if RBPF_ENABLE_JIT || RBPF_ENABLE_THREADED
#define CORE_ENGINE_BYTES 32768
#else
#define CORE_ENGINE_BYTES 8
#endif
#endif
static uint64_t engine_buffer[CORE_ENGINE_BYTES / 8];

/* Prepares a loaded program for the current engine; the error. */
static int prepare(rbpf_program_t *prog)
{
    if (engine == RBPF_ENGINE_INTERP)
        return RBPF_OK;
    return rbpf_prepare(prog, engine, engine_buffer, sizeof engine_buffer);
}

/* Room to copy a program or blob to an odd address. */
static uint8_t odd_buffer[512 + 1];

/* Loads `code` raw (copied to an odd address) and runs it with `ctx`;
 * returns the error, r0 in *r0 and the error's instruction in *at. */
static int run_raw(const uint8_t *code, size_t size, void *ctx, size_t ctx_len, uint64_t *r0,
                   int32_t *at)
{
    rbpf_program_t prog;
    rbpf_vm_t vm;
    int err;
    *r0 = 0;
    *at = -1;
    if (size > sizeof odd_buffer - 1)
        return RBPF_ERR_TOO_SMALL;
    memcpy(odd_buffer + 1, code, size);
    err = rbpf_load_raw(&prog, odd_buffer + 1, size, &config);
    if (err != RBPF_OK) {
        *at = prog.error_at;
        return err;
    }
    err = prepare(&prog);
    if (err != RBPF_OK)
        return err;
    err = rbpf_vm_init(&vm, &prog, &config, NULL, 0);
    if (err != RBPF_OK)
        return err;
    err = rbpf_vm_run(&vm, 0, ctx, ctx_len, r0);
    *at = vm.error_at;
    return err;
}

static void expect_r0(const char *name, const uint8_t *code, size_t size, uint64_t want)
{
    uint64_t r0;
    int32_t at;
    int err = run_raw(code, size, NULL, 0, &r0, &at);
    check(err == RBPF_OK, name, "error", (uint64_t)(int64_t)err, 0);
    if (err == RBPF_OK)
        check(r0 == want, name, "r0", r0, want);
}

/* For errors whose instruction index the API leaves open. */
#define ANY_AT (-2)

static void expect_error(const char *name, const uint8_t *code, size_t size, int want,
                         int32_t want_at)
{
    uint64_t r0;
    int32_t at;
    int err = run_raw(code, size, NULL, 0, &r0, &at);
    check(err == want, name, rbpf_error_name(err), (uint64_t)(int64_t)err, (uint64_t)(int64_t)want);
    if (err == want && want_at != ANY_AT)
        check(at == want_at, name, "error_at", (uint64_t)(int64_t)at, (uint64_t)(int64_t)want_at);
}

#define EXPECT_R0(name, want, ...)                                  \
    do {                                                            \
        static const uint8_t code_[] = {__VA_ARGS__};               \
        expect_r0(name, code_, sizeof code_, want);                 \
    } while (0)
#define EXPECT_ERROR(name, want, at, ...)                           \
    do {                                                            \
        static const uint8_t code_[] = {__VA_ARGS__};               \
        expect_error(name, code_, sizeof code_, want, at);          \
    } while (0)

static void test_alu64(void)
{
    EXPECT_R0("sdiv64 INT64_MIN / -1", UINT64_C(0x8000000000000000),
              LDDW(OP_LDDW, 0, UINT64_C(0x8000000000000000)), INSN(OP_MOV64_K, 1, 0, 0, -1),
              INSN(OP_SDIV64_X, 0, 1, 1, 0), EXIT);
    EXPECT_R0("smod64 INT64_MIN % -1", 0, LDDW(OP_LDDW, 0, UINT64_C(0x8000000000000000)),
              INSN(OP_SMOD64_K, 0, 0, 1, -1), EXIT);
    EXPECT_R0("div64 by zero", 0, INSN(OP_MOV64_K, 0, 0, 0, 7), INSN(OP_MOV64_K, 1, 0, 0, 0),
              INSN(OP_DIV64_X, 0, 1, 0, 0), EXIT);
    EXPECT_R0("mod64 by zero", 7, INSN(OP_MOV64_K, 0, 0, 0, 7), INSN(OP_MOV64_K, 1, 0, 0, 0),
              INSN(OP_MOD64_X, 0, 1, 0, 0), EXIT);
    EXPECT_R0("div64 full width", UINT64_C(0x0000000100000000),
              LDDW(OP_LDDW, 0, UINT64_C(0xffffffff00000000)),
              LDDW(OP_LDDW, 1, UINT64_C(0x00000000ffffffff)), INSN(OP_DIV64_X, 0, 1, 0, 0), EXIT);
    EXPECT_R0("mul64 high bits", UINT64_C(0x23456789abcdef00),
              LDDW(OP_LDDW, 0, UINT64_C(0x123456789abcdef0)), INSN(OP_MUL64_K, 0, 0, 0, 16), EXIT);
    EXPECT_R0("arsh64 by 63", UINT64_MAX, LDDW(OP_LDDW, 0, UINT64_C(0x8000000000000000)),
              INSN(OP_ARSH64_K, 0, 0, 0, 63), EXIT);
    EXPECT_R0("lsh64 count masked", 2, INSN(OP_MOV64_K, 0, 0, 0, 1), INSN(OP_MOV64_K, 1, 0, 0, 65),
              INSN(OP_LSH64_X, 0, 1, 0, 0), EXIT);
    EXPECT_R0("rsh64 across words", UINT64_C(0x0000000080000000),
              LDDW(OP_LDDW, 0, UINT64_C(0x8000000000000000)), INSN(OP_RSH64_K, 0, 0, 0, 32), EXIT);
    EXPECT_R0("be64", UINT64_C(0x0807060504030201), LDDW(OP_LDDW, 0, UINT64_C(0x0102030405060708)),
              INSN(OP_BE64, 0, 0, 0, 64), EXIT);
    EXPECT_R0("mov64 imm sign-extends", UINT64_MAX, INSN(OP_MOV64_K, 0, 0, 0, -1), EXIT);
    EXPECT_R0("neg64", UINT64_C(0xffffffff00000000), LDDW(OP_LDDW, 0, UINT64_C(0x100000000)),
              INSN(OP_NEG64, 0, 0, 0, 0), EXIT);
    /* -1 > 0 is false signed (r0 += 1 runs) and true unsigned (r0 += 4 is
     * skipped): r0 = 1 + 2. */
    EXPECT_R0("signed and unsigned jumps", 3, INSN(OP_MOV64_K, 1, 0, 0, -1),
              INSN(OP_MOV64_K, 0, 0, 0, 0), INSN(OP_JSGT_K, 1, 0, 1, 0),
              INSN(OP_ADD64_K, 0, 0, 0, 1), INSN(OP_JGT_K, 1, 0, 1, 0),
              INSN(OP_ADD64_K, 0, 0, 0, 4), INSN(OP_ADD64_K, 0, 0, 0, 2), EXIT);
#if RBPF_ENABLE_ALU32
    EXPECT_R0("add32 wraps and zero-extends", 0, INSN(OP_MOV64_K, 0, 0, 0, -1),
              INSN(OP_ADD32_K, 0, 0, 0, 1), EXIT);
    EXPECT_R0("mov32 zero-extends", UINT64_C(0xffffffff), INSN(OP_MOV32_K, 0, 0, 0, -1), EXIT);
    EXPECT_R0("sdiv32 INT32_MIN / -1", UINT64_C(0x80000000), INSN(OP_MOV32_K, 0, 0, 0, INT32_MIN),
              INSN(OP_SDIV32_K, 0, 0, 1, -1), EXIT);
#endif
}

static void test_memory(void)
{
    /* The context at an odd address: 8-byte accesses at offsets 1 and 3. */
    static uint8_t ctx[24];
    uint8_t *c = ctx + 1;
    static const uint8_t code[] = {
        LDDW(OP_LDDW, 2, UINT64_C(0x1122334455667788)),
        INSN(OP_STXDW, 1, 2, 1, 0),
        INSN(OP_LDXDW, 0, 1, 1, 0),
        INSN(OP_STXDW, 10, 0, -8, 0),
        INSN(OP_LDXW, 3, 1, 3, 0),
        INSN(OP_ADD64_X, 0, 3, 0, 0),
        EXIT,
    };
    uint64_t r0, stored;
    int32_t at;
    int err = run_raw(code, sizeof code, c, 16, &r0, &at);
    check(err == RBPF_OK, "unaligned context access", "error", (uint64_t)(int64_t)err, 0);
    check(r0 == UINT64_C(0x1122334455667788) + 0x33445566u, "unaligned context access", "r0", r0,
          UINT64_C(0x1122334455667788) + 0x33445566u);
    memcpy(&stored, c + 1, 8);
    check(stored == UINT64_C(0x1122334455667788), "unaligned context access", "stored", stored,
          UINT64_C(0x1122334455667788));

    /* One byte past the context, and above the stack top. */
    static const uint8_t past[] = {INSN(OP_LDXB, 0, 1, 16, 0), EXIT};
    err = run_raw(past, sizeof past, c, 16, &r0, &at);
    check(err == RBPF_ERR_MEMORY && at == 0, "load past the context", rbpf_error_name(err),
          (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_MEMORY);
    EXPECT_ERROR("store above the stack", RBPF_ERR_MEMORY, 1, INSN(OP_MOV64_K, 0, 0, 0, 0),
                 INSN(OP_STXB, 10, 0, 0, 0), EXIT);
    EXPECT_ERROR("load from address 0", RBPF_ERR_MEMORY, 1, INSN(OP_MOV64_K, 1, 0, 0, 0),
                 INSN(OP_LDXW, 0, 1, 0, 0), EXIT);
    /* An 8-byte load whose end wraps around the address space. */
    EXPECT_ERROR("wrapping access", RBPF_ERR_MEMORY, 1, INSN(OP_MOV64_K, 1, 0, 0, -4),
                 INSN(OP_LDXDW, 0, 1, 0, 0), EXIT);
}

static void test_regions(void)
{
    static uint32_t granted[2] = {0xcafe, 0};
    static uint64_t ctx[1];
    static const uint8_t code[] = {
        INSN(OP_LDXDW, 2, 1, 0, 0), INSN(OP_LDXW, 0, 2, 0, 0), INSN(OP_STXW, 2, 0, 4, 0), EXIT,
    };
    rbpf_program_t prog;
    rbpf_vm_t vm;
    rbpf_region_t region;
    uint64_t r0 = 0;
    int err;
    ctx[0] = (uint64_t)(uintptr_t)granted;
    granted[1] = 0;
    err = rbpf_load_raw(&prog, code, sizeof code, &config);
    if (err == RBPF_OK)
        err = prepare(&prog);
    check(err == RBPF_OK, "regions", "load", (uint64_t)(int64_t)err, 0);
    if (err != RBPF_OK)
        return;
    rbpf_vm_init(&vm, &prog, &config, NULL, 0);
    err = rbpf_vm_run(&vm, 0, ctx, sizeof ctx, &r0);
    check(err == RBPF_ERR_MEMORY, "region not granted", rbpf_error_name(err),
          (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_MEMORY);
    err = rbpf_region_add(&vm, &region, granted, sizeof granted, RBPF_READ);
    check(err == RBPF_OK, "region_add", "error", (uint64_t)(int64_t)err, 0);
    err = rbpf_vm_run(&vm, 0, ctx, sizeof ctx, &r0);
    check(err == RBPF_ERR_MEMORY && vm.error_at == 2, "write to a read-only region",
          rbpf_error_name(err), (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_MEMORY);
    check(granted[1] == 0, "write to a read-only region", "changed", granted[1], 0);
    rbpf_vm_init(&vm, &prog, &config, NULL, 0);
    rbpf_region_add(&vm, &region, granted, sizeof granted, RBPF_RW);
    err = rbpf_vm_run(&vm, 0, ctx, sizeof ctx, &r0);
    check(err == RBPF_OK && r0 == 0xcafe && granted[1] == 0xcafe, "read-write region", "r0", r0,
          0xcafe);
    check(rbpf_vm_check(&vm, (uintptr_t)granted, sizeof granted, RBPF_RW) == RBPF_OK,
          "vm_check inside", "error", 1, 0);
    check(rbpf_vm_check(&vm, (uintptr_t)granted, sizeof granted + 1, RBPF_READ) ==
              RBPF_ERR_MEMORY,
          "vm_check one past", "accepted", 0, 1);
    check(rbpf_region_add(&vm, &region, granted, 4, 0) != RBPF_OK, "region_add no flags",
          "accepted", 0, 1);
}

static void test_verifier(void)
{
    EXPECT_ERROR("unknown opcode", RBPF_ERR_ILLEGAL_INSN, 1, INSN(OP_MOV64_K, 0, 0, 0, 0),
                 INSN(0xff, 0, 0, 0, 0), EXIT);
    EXPECT_ERROR("unused field set", RBPF_ERR_RESERVED_FIELD, 0, INSN(OP_ADD64_K, 0, 1, 0, 1),
                 EXIT);
    EXPECT_ERROR("register above r10", RBPF_ERR_ILLEGAL_REGISTER, 0,
                 INSN(OP_MOV64_K, 11, 0, 0, 0), EXIT);
    EXPECT_ERROR("r10 written", RBPF_ERR_ILLEGAL_REGISTER, 1, INSN(OP_MOV64_K, 0, 0, 0, 0),
                 INSN(OP_MOV64_K, 10, 0, 0, 0), EXIT);
    EXPECT_ERROR("jump past the end", RBPF_ERR_ILLEGAL_JUMP, 0, INSN(OP_JA, 0, 0, 2, 0), EXIT);
    EXPECT_ERROR("jump into lddw", RBPF_ERR_ILLEGAL_JUMP, 0, INSN(OP_JA, 0, 0, 1, 0),
                 LDDW(OP_LDDW, 0, 1), EXIT);
    EXPECT_ERROR("unknown helper", RBPF_ERR_ILLEGAL_CALL, 0, INSN(OP_CALL, 0, 0, 0, 99), EXIT);
    EXPECT_ERROR("lddw cut off", RBPF_ERR_INCOMPLETE_LDDW, 1, EXIT, INSN(OP_LDDW, 0, 0, 0, 1));
    EXPECT_ERROR("falls off the end", RBPF_ERR_NO_EXIT, ANY_AT, INSN(OP_MOV64_K, 0, 0, 0, 0));
    uint64_t r0;
    int32_t at;
    static const uint8_t one[] = {EXIT};
    check(run_raw(one, 0, NULL, 0, &r0, &at) != RBPF_OK, "empty program", "accepted", 0, 1);
    check(run_raw(one, 4, NULL, 0, &r0, &at) != RBPF_OK, "partial instruction", "accepted", 0, 1);
}

static void test_calls(void)
{
    EXPECT_R0("helper gets 64-bit arguments", UINT64_C(0x1122334455667788) ^ UINT64_C(0x2),
              LDDW(OP_LDDW, 1, UINT64_C(0x1122334455667788)), INSN(OP_MOV64_K, 2, 0, 0, 1),
              INSN(OP_CALL, 0, 0, 0, 5), EXIT);
    EXPECT_ERROR("helper fails", RBPF_ERR_TOO_SMALL, 0, INSN(OP_CALL, 0, 0, 0, 6), EXIT);
    EXPECT_ERROR("budget", RBPF_ERR_BUDGET, ANY_AT, INSN(OP_JA, 0, 0, -1, 0), EXIT);
#if RBPF_ENABLE_LOCAL_CALLS
    /* r6 survives the call, which gets its own frame below r10. */
    EXPECT_R0("local call", 42 + 7, INSN(OP_MOV64_K, 6, 0, 0, 7), INSN(OP_STXDW, 10, 6, -8, 0),
              INSN(OP_CALL_LOCAL, 0, 1, 0, 5), INSN(OP_ADD64_X, 0, 6, 0, 0),
              INSN(OP_LDXDW, 1, 10, -8, 0), INSN(OP_JEQ_K, 1, 0, 1, 7), INSN(OP_MOV64_K, 0, 0, 0, 0),
              EXIT, INSN(OP_MOV64_K, 6, 0, 0, 1), INSN(OP_STXDW, 10, 6, -8, 0),
              INSN(OP_MOV64_K, 0, 0, 0, 42), EXIT);
    EXPECT_ERROR("unbounded recursion", RBPF_ERR_CALL_DEPTH, 0, INSN(OP_CALL_LOCAL, 0, 1, 0, -1),
                 EXIT);
#endif
}

/* A container: header, data (8), rodata (names, a u32), text, table. */
#define LE32(v) B_(v, 0), B_(v, 8), B_(v, 16), B_(v, 24)
#define LE16(v) B_(v, 0), B_(v, 8)
#define TEXT_INSNS 17
static const uint8_t container[] = {
    LE32(RBPF_MAGIC), LE32(0), LE32(0), LE32(8), LE32(8), LE32(16), LE32(TEXT_INSNS * 8), LE32(3),
    /* data: u64 42 */
    42, 0, 0, 0, 0, 0, 0, 0,
    /* rodata: the names "main", "two", "ba", then u32 1000 at 12 */
    'm', 'a', 'i', 'n', 0, 't', 'w', 'o', 0, 'b', 'a', 0, LE32(1000),
    /* main (0): r0 = data u64 + rodata u32 = 1042; bss u64 += r0; returns
     * r0 + the old bss value */
    LDDW(OP_LDDWD, 1, 0), INSN(OP_LDXDW, 0, 1, 0, 0), LDDW(OP_LDDWR, 2, 12),
    INSN(OP_LDXW, 3, 2, 0, 0), INSN(OP_ADD64_X, 0, 3, 0, 0), INSN(OP_LDXDW, 4, 1, 8, 0),
    INSN(OP_MOV64_X, 5, 4, 0, 0), INSN(OP_ADD64_X, 5, 0, 0, 0), INSN(OP_STXDW, 1, 5, 8, 0),
    INSN(OP_ADD64_X, 0, 4, 0, 0), EXIT,
    /* two (13): writes rodata, which must fail */
    LDDW(OP_LDDWR, 1, 0), INSN(OP_STB, 1, 0, 0, 1), EXIT,
    /* table: main at 0, "ba" also at 0, "two" at 13 */
    LE16(0), LE16(0), LE16(0), LE16(9), LE16(0), LE16(0), LE16(5), LE16(0), LE16(13 * 8),
};

static void test_container(void)
{
    static uint64_t ram[2];
    static uint8_t blob[sizeof container + 1];
    rbpf_program_t prog;
    rbpf_vm_t vm;
    uint64_t r0 = 0;
    int err;
    memcpy(blob + 1, container, sizeof container);
    err = rbpf_load(&prog, blob + 1, sizeof container, &config);
    if (err == RBPF_OK)
        err = prepare(&prog);
    check(err == RBPF_OK, "container load", rbpf_error_name(err), (uint64_t)(int64_t)err, 0);
    if (err != RBPF_OK) {
        port_puts("  at ");
        port_put_dec((uint64_t)(int64_t)prog.error_at);
        port_puts("\n");
        return;
    }
    check(rbpf_function_find(&prog, "two") == 2, "function_find", "index",
          (uint64_t)(int64_t)rbpf_function_find(&prog, "two"), 2);
    check(rbpf_function_find(&prog, "tw") == RBPF_ERR_NO_FUNCTION, "function_find prefix",
          "found", 0, 1);
    err = rbpf_vm_init(&vm, &prog, &config, ram, sizeof ram);
    check(err == RBPF_OK, "vm_init", "error", (uint64_t)(int64_t)err, 0);
    err = rbpf_vm_run(&vm, 0, NULL, 0, &r0);
    check(err == RBPF_OK && r0 == 1042, "data, bss and rodata", "r0", r0, 1042);
    err = rbpf_vm_run(&vm, 1, NULL, 0, &r0);
    check(err == RBPF_OK && r0 == 1042 * 2, "bss kept between runs", "r0", r0, 1042 * 2);
    err = rbpf_vm_init(&vm, &prog, &config, ram, sizeof ram);
    err |= rbpf_vm_run(&vm, 0, NULL, 0, &r0);
    check(err == RBPF_OK && r0 == 1042, "vm_init zeroes bss", "r0", r0, 1042);
    err = rbpf_vm_run(&vm, 2, NULL, 0, &r0);
    check(err == RBPF_ERR_MEMORY, "rodata is read-only", rbpf_error_name(err),
          (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_MEMORY);
    check(rbpf_vm_run(&vm, 3, NULL, 0, &r0) != RBPF_OK, "function index out of range",
          "accepted", 0, 1);
    check(blob[1 + 32] == 42, "blob untouched", "data", blob[1 + 32], 42);

    blob[1] ^= 1;
    err = rbpf_load(&prog, blob + 1, sizeof container, &config);
    check(err == RBPF_ERR_BAD_MAGIC, "bad magic", rbpf_error_name(err), (uint64_t)(int64_t)err,
          (uint64_t)(int64_t)RBPF_ERR_BAD_MAGIC);
    blob[1] ^= 1;
    err = rbpf_load(&prog, blob + 1, sizeof container - 1, &config);
    check(err != RBPF_OK, "truncated table", rbpf_error_name(err), (uint64_t)(int64_t)err, 1);
    err = rbpf_load(&prog, blob + 1, 31, &config);
    check(err == RBPF_ERR_TRUNCATED, "truncated header", rbpf_error_name(err),
          (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_TRUNCATED);
}

static void test_errors(void)
{
    check(strcmp(rbpf_error_name(RBPF_ERR_MEMORY), "RBPF_ERR_MEMORY") == 0, "error_name",
          "mismatch", 0, 1);
    check(rbpf_strerror(RBPF_ERR_BUDGET) != NULL && rbpf_strerror(-1000) != NULL, "strerror",
          "NULL", 0, 1);
}

/* The JIT is there exactly where the core has Thumb-2; elsewhere asking
 * for it is a clear error, never a crash. */
static void test_engines(void)
{
    static const uint8_t code[] = {INSN(OP_MOV64_K, 0, 0, 0, 1), EXIT};
    rbpf_program_t prog;
    size_t need = 0;
    int err;
#if (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)) && \
    !RBPF_MINIMAL
    const int thumb2 = 1; /* the JIT is on by default on Thumb-2, but not under RBPF_MINIMAL */
#else
    const int thumb2 = 0;
#endif
    check(rbpf_engine_available(RBPF_ENGINE_JIT) == thumb2, "jit available on Thumb-2 only",
          "available", (uint64_t)rbpf_engine_available(RBPF_ENGINE_JIT), (uint64_t)thumb2);
    err = rbpf_program_raw(&prog, code, sizeof code);
    check(err == RBPF_OK, "raw program", "error", (uint64_t)(int64_t)err, 0);
    err = rbpf_prepare(&prog, RBPF_ENGINE_JIT, engine_buffer, sizeof engine_buffer);
    check(err != RBPF_OK, "jit before verifying", rbpf_error_name(err), (uint64_t)(int64_t)err,
          (uint64_t)(int64_t)RBPF_ERR_ARGUMENT);
    err = rbpf_verify(&prog, &config);
    check(err == RBPF_OK, "verify", "error", (uint64_t)(int64_t)err, 0);
    err = rbpf_prepare_size(&prog, RBPF_ENGINE_JIT, &need);
    check(err == (thumb2 ? RBPF_OK : RBPF_ERR_UNSUPPORTED), "jit size", rbpf_error_name(err),
          (uint64_t)(int64_t)err, 0);
    err = rbpf_prepare(&prog, RBPF_ENGINE_JIT, engine_buffer, sizeof engine_buffer);
    check(err == (thumb2 ? RBPF_OK : RBPF_ERR_UNSUPPORTED), "jit prepare", rbpf_error_name(err),
          (uint64_t)(int64_t)err, 0);
    if (thumb2) {
        err = rbpf_prepare(&prog, RBPF_ENGINE_JIT, engine_buffer, need - 1);
        check(err == RBPF_ERR_TOO_SMALL, "jit buffer one byte short", rbpf_error_name(err),
              (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_TOO_SMALL);
        err = rbpf_prepare(&prog, RBPF_ENGINE_JIT, (uint8_t *)engine_buffer + 4, need);
        check(err == RBPF_ERR_ALIGNMENT, "jit buffer unaligned", rbpf_error_name(err),
              (uint64_t)(int64_t)err, (uint64_t)(int64_t)RBPF_ERR_ALIGNMENT);
    }
}

int main(void)
{
    test_verifier();
    test_errors();
    test_engines();
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
        if (!rbpf_engine_available(engine))
            continue;
        port_puts("mcu core engine=");
        port_puts(rbpf_engine_name(engine));
        port_puts("\n");
        test_alu64();
        test_memory();
        test_regions();
        test_calls();
        test_container();
    }
    return port_summary("mcu core");
}
