/*
 * escape_test.c: a container trying to get out of its sandbox (issue 8).
 *
 * Each test makes one kind of escape attempt, asserts the exact error that
 * stops it, and asserts that nothing was harmed: the fences around every
 * block of host memory the VM knows of are intact, the read-only region and
 * a host variable the container aims at are unchanged, and the budget
 * held. Each attempt sits next to a control one byte inside the boundary
 * that must succeed, so a VM that refuses everything fails these tests too.
 *
 * Programs are built instruction by instruction (sandbox.h); the memory is
 * fenced by canaries, poisoned under AddressSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox.h"

#define STACK_SIZE 512u
#define CONTEXT_SIZE 32u
#define RW_SIZE 48u
#define RO_SIZE 40u
#define BUDGET 10000u
#define FRAME_RECORD ((uint32_t)sizeof(rbpf_frame_record_t))
#define RO_SEED 0x41u
#define STORE_VALUE 0x77

/* A host variable no container is granted. */
static volatile uint64_t secret = 0x5ec2e75ec2e75ec2u;

/* A container with data, bss and rodata around one access; the tests
 * choose how much data and bss. */
static const uint8_t image_data[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t image_rodata[13] = "read-only!!!";
static uint32_t image_data_len = sizeof image_data, image_bss = 20;

/* Bytes of stack each f of emit_chain uses. */
static int16_t chain_frame;

static struct bench {
    rbpf_config_t config;
    uint8_t *stack, *context, *rw, *ro, *ram;
    size_t ram_size;
    rbpf_program_t prog;
    rbpf_vm_t vm;
    rbpf_region_t region_rw, region_ro;
    uint64_t result;
    uint8_t blob[8192];
    size_t blob_size;
    uint8_t *loaded; /* the fenced copy of blob the program was loaded from */
} b;

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 3u * i);
}

static int setup(void **state)
{
    (void)state;
    sandbox_reset();
    rbpf_store_reset();
    memset(&b, 0, sizeof b);
    b.stack = sandbox_alloc(STACK_SIZE);
    b.context = sandbox_alloc(CONTEXT_SIZE);
    b.rw = sandbox_alloc(RW_SIZE);
    b.ro = sandbox_alloc(RO_SIZE);
    fill(b.context, CONTEXT_SIZE, 0x10);
    fill(b.rw, RW_SIZE, 0x20);
    fill(b.ro, RO_SIZE, RO_SEED);
    b.config.stack = b.stack;
    b.config.stack_size = STACK_SIZE;
    b.config.budget = BUDGET;
    b.config.helpers = sandbox_helpers;
    b.config.helper_count = sandbox_helper_count;
    chain_frame = 8;
    return 0;
}

static int reset_image(void **state)
{
    image_data_len = sizeof image_data;
    image_bss = 20;
    return setup(state);
}

/* Nothing outside what the VM grants changed. */
static void assert_unharmed(void)
{
    uint8_t ro[RO_SIZE];
    fill(ro, RO_SIZE, RO_SEED);
    assert_true(sandbox_fences_intact());
    assert_memory_equal(b.ro, ro, RO_SIZE);
    assert_true(secret == 0x5ec2e75ec2e75ec2u);
}

/* The engine the tests run on (main runs them on each one compiled in),
 * and the buffer a program is prepared into for it. */
static int engine = RBPF_ENGINE_INTERP;
#ifndef ESCAPE_ENGINE_BYTES /* the JIT's code needs more (the Cortex-M build) */
#define ESCAPE_ENGINE_BYTES (2 * SANDBOX_CODE_MAX)
#endif
static uint64_t engine_buffer[ESCAPE_ENGINE_BYTES / 8];

/* Sets the VM up over the loaded program, prepared for the engine under
 * test, with the two added regions. */
static void start_vm(void)
{
    size_t need;
    assert_int_equal(rbpf_prepare_size(&b.prog, engine, &need), RBPF_OK);
    assert_true(need <= sizeof engine_buffer);
    assert_int_equal(rbpf_prepare(&b.prog, engine, engine_buffer, sizeof engine_buffer), RBPF_OK);
    assert_int_equal(rbpf_vm_init(&b.vm, &b.prog, &b.config, b.ram, b.ram_size), RBPF_OK);
    assert_int_equal(rbpf_region_add(&b.vm, &b.region_rw, b.rw, RW_SIZE, RBPF_RW), RBPF_OK);
    assert_int_equal(rbpf_region_add(&b.vm, &b.region_ro, b.ro, RO_SIZE, RBPF_READ), RBPF_OK);
}

/* Runs function `index` with the fenced context; checks the budget and the
 * fences; returns the run's error (r0 in b.result). */
static int run_function(uint32_t index)
{
    b.result = 0xdeadbeef;
    int error = rbpf_vm_run(&b.vm, index, b.context, CONTEXT_SIZE, &b.result);
    assert_true(b.vm.instructions <= (b.config.budget ? b.config.budget : RBPF_DEFAULT_BUDGET));
    if (error != RBPF_OK)
        assert_true(b.vm.error_at >= 0 && (uint32_t)b.vm.error_at < b.prog.text_len / 8);
    assert_unharmed();
    return error;
}

/* Loads bare bytecode, sets a VM up and runs it (see run_function). */
static int run_code(const sandbox_code_t *code)
{
    assert_int_equal(rbpf_load_raw(&b.prog, code->bytes, code->length, &b.config), RBPF_OK);
    b.ram = NULL;
    b.ram_size = 0;
    start_vm();
    return run_function(0);
}

/* Loads a fenced copy of the image's container and sets a VM up with
 * data_len + bss_len + `extra_ram` bytes of fenced RAM. */
static void load_image(const sandbox_image_t *image, size_t extra_ram)
{
    b.blob_size = sandbox_container(b.blob, sizeof b.blob, image);
    assert_true(b.blob_size > 0);
    b.loaded = sandbox_alloc(b.blob_size);
    memcpy(b.loaded, b.blob, b.blob_size);
    assert_int_equal(rbpf_load(&b.prog, b.loaded, b.blob_size, &b.config), RBPF_OK);
    b.ram_size = (size_t)b.prog.data_len + b.prog.bss_len + extra_ram;
    b.ram = sandbox_alloc(b.ram_size);
    start_vm();
}

/* ---- One access at base + delta --------------------------------------- */
enum base {
    BASE_CONTEXT, /* r1 */
    BASE_STACK,   /* r10, the top of the stack */
    BASE_DATA,    /* lddwd 0: data, then bss */
    BASE_RODATA,  /* lddwr 0 */
    BASE_ABSOLUTE /* lddw 0: delta is the whole address */
};

enum access { LOAD, LOAD_SIGNED, STORE, STORE_REG, ATOMIC_ADD };

/* r6 = base + delta (delta built with lddw, so any 64-bit value); then one
 * access of `size` bytes at [r6 + 0]; r0 = the loaded value, or 1. */
static void emit_access(sandbox_code_t *c, enum base base, uint64_t delta, unsigned size,
                        enum access access)
{
    static const uint8_t loads[9] = {[1] = RBPF_OPC_LDXB, [2] = RBPF_OPC_LDXH,
                                     [4] = RBPF_OPC_LDXW, [8] = RBPF_OPC_LDXDW};
    static const uint8_t loads_signed[9] = {[1] = RBPF_OPC_LDXSB, [2] = RBPF_OPC_LDXSH,
                                            [4] = RBPF_OPC_LDXSW, [8] = RBPF_OPC_LDXDW};
    static const uint8_t stores[9] = {[1] = RBPF_OPC_STB, [2] = RBPF_OPC_STH,
                                      [4] = RBPF_OPC_STW, [8] = RBPF_OPC_STDW};
    static const uint8_t stores_reg[9] = {[1] = RBPF_OPC_STXB, [2] = RBPF_OPC_STXH,
                                          [4] = RBPF_OPC_STXW, [8] = RBPF_OPC_STXDW};
    switch (base) {
    case BASE_CONTEXT: sandbox_emit(c, RBPF_OPC_MOV64_X, 6, 1, 0, 0); break;
    case BASE_STACK: sandbox_emit(c, RBPF_OPC_MOV64_X, 6, 10, 0, 0); break;
    case BASE_DATA: sandbox_emit_lddw(c, RBPF_OPC_LDDWD, 6, 0); break;
    case BASE_RODATA: sandbox_emit_lddw(c, RBPF_OPC_LDDWR, 6, 0); break;
    case BASE_ABSOLUTE: sandbox_emit(c, RBPF_OPC_MOV64_K, 6, 0, 0, 0); break;
    }
    sandbox_emit_lddw(c, RBPF_OPC_LDDW, 7, delta);
    sandbox_emit(c, RBPF_OPC_ADD64_X, 6, 7, 0, 0);
    sandbox_emit(c, RBPF_OPC_MOV64_K, 0, 0, 0, 1);
    switch (access) {
    case LOAD: sandbox_emit(c, loads[size], 0, 6, 0, 0); break;
    case LOAD_SIGNED: sandbox_emit(c, loads_signed[size], 0, 6, 0, 0); break;
    case STORE: sandbox_emit(c, stores[size], 6, 0, 0, STORE_VALUE); break;
    case STORE_REG:
        sandbox_emit(c, RBPF_OPC_MOV64_K, 8, 0, 0, STORE_VALUE);
        sandbox_emit(c, stores_reg[size], 6, 8, 0, 0);
        break;
    case ATOMIC_ADD:
        sandbox_emit(c, RBPF_OPC_MOV64_K, 8, 0, 0, STORE_VALUE);
        sandbox_emit(c, size == 4 ? RBPF_OPC_ADD32 : RBPF_OPC_ADD64, 6, 8, 0, RBPF_ATOMIC_ADD);
        break;
    }
    sandbox_emit(c, RBPF_OPC_EXIT, 0, 0, 0, 0);
}

/* Little-endian value of `size` bytes at p. */
static uint64_t host_value(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* Runs one access in bare bytecode (the context, the stack, absolute
 * addresses); returns the error. */
static int access_raw(enum base base, uint64_t delta, unsigned size, enum access access)
{
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    emit_access(&c, base, delta, size, access);
    return run_code(&c);
}

static int access_image(enum base base, uint64_t delta, unsigned size, enum access access)
{
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    emit_access(&c, base, delta, size, access);
    sandbox_function_t main_fn = {"main", 0};
    sandbox_image_t image = {image_data, image_data_len, image_bss, image_rodata,
                             sizeof image_rodata, c.bytes, c.length, &main_fn, 1};
    setup(NULL);
    load_image(&image, 0);
    return run_function(0);
}

/* Both edges of [start, start + length), for every access width (1, 2, 4,
 * 8) and kind (load, sign-extending load, store of an immediate, of a
 * register, atomic add): an access that starts one byte before the start,
 * or ends one byte past the end, fails with RBPF_ERR_MEMORY; the first and
 * the last access inside succeed (writes only when `writable`). `rel` is
 * start's distance from the base register. */
static void check_edges(int (*access)(enum base, uint64_t, unsigned, enum access),
                        enum base base, uint64_t rel, uint64_t length, int writable)
{
    static const enum access kinds[] = {LOAD, LOAD_SIGNED, STORE, STORE_REG, ATOMIC_ADD};
    const uint64_t end = rel + length;
    for (unsigned size = 1; size <= 8; size *= 2) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            const enum access kind = kinds[k];
            const int writes = kind != LOAD && kind != LOAD_SIGNED;
            const int inside = writes && !writable ? RBPF_ERR_MEMORY : RBPF_OK;
            if (kind == ATOMIC_ADD && size < 4)
                continue;
            assert_int_equal(access(base, rel - 1, size, kind), RBPF_ERR_MEMORY);
            assert_int_equal(access(base, end - size + 1, size, kind), RBPF_ERR_MEMORY);
            assert_int_equal(access(base, rel, size, kind), inside);
            assert_int_equal(access(base, end - size, size, kind), inside);
        }
    }
}

/* ---- Region edges ------------------------------------------------------- */
static void test_context_edges(void **state)
{
    (void)state;
    check_edges(access_raw, BASE_CONTEXT, 0, CONTEXT_SIZE, 1);
    /* reads give the host's bytes, sign-extended or not; writes land */
    assert_int_equal(access_raw(BASE_CONTEXT, CONTEXT_SIZE - 2, 2, LOAD), RBPF_OK);
    assert_int_equal(b.result, host_value(b.context + CONTEXT_SIZE - 2, 2));
    b.context[9] = 0x80;
    assert_int_equal(access_raw(BASE_CONTEXT, 9, 1, LOAD_SIGNED), RBPF_OK);
    assert_int_equal(b.result, UINT64_MAX - 0x7f);
    assert_int_equal(access_raw(BASE_CONTEXT, CONTEXT_SIZE - 2, 2, STORE_REG), RBPF_OK);
    assert_int_equal(b.context[CONTEXT_SIZE - 2], STORE_VALUE);
    assert_int_equal(b.context[CONTEXT_SIZE - 1], 0);
}

static void test_stack_edges(void **state)
{
    (void)state;
    /* r10 is the top: the stack is [r10 - STACK_SIZE, r10) at depth 0 */
    check_edges(access_raw, BASE_STACK, (uint64_t)0 - STACK_SIZE, STACK_SIZE, 1);
    assert_int_equal(access_raw(BASE_STACK, (uint64_t)-8, 8, LOAD), RBPF_OK);
    assert_int_equal(b.result, 0); /* the stack is cleared for each run */
}

static void test_data_bss_edges(void **state)
{
    (void)state;
    /* data then bss are one region of RAM */
    const uint64_t length = sizeof image_data + image_bss;
    check_edges(access_image, BASE_DATA, 0, length, 1);
    assert_int_equal(access_image(BASE_DATA, 4, 4, LOAD), RBPF_OK);
    assert_int_equal(b.result, 0x08070605);
    assert_int_equal(access_image(BASE_DATA, length - 4, 4, LOAD), RBPF_OK);
    assert_int_equal(b.result, 0); /* bss starts zeroed */
    /* data alone, bss alone */
    image_bss = 0;
    check_edges(access_image, BASE_DATA, 0, sizeof image_data, 1);
    image_data_len = 0;
    image_bss = 24;
    check_edges(access_image, BASE_DATA, 0, 24, 1);
}

static void test_data_bss_bigger_ram(void **state)
{
    (void)state;
    /* RAM larger than data + bss: only data + bss is granted */
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    emit_access(&c, BASE_DATA, sizeof image_data + image_bss, 1, LOAD);
    sandbox_function_t main_fn = {"main", 0};
    sandbox_image_t image = {image_data, sizeof image_data, image_bss, image_rodata,
                             sizeof image_rodata, c.bytes, c.length, &main_fn, 1};
    load_image(&image, 16);
    assert_int_equal(run_function(0), RBPF_ERR_MEMORY);
}

static void test_rodata_edges(void **state)
{
    (void)state;
    /* rodata also holds the function name "main" after image_rodata */
    const uint64_t length = sizeof image_rodata + sizeof "main";
    check_edges(access_image, BASE_RODATA, 0, length, 0);
    assert_int_equal(access_image(BASE_RODATA, 0, 4, LOAD), RBPF_OK);
    assert_int_equal(b.result, host_value(image_rodata, 4));
    /* the blob holds rodata in place: still as written */
    assert_memory_equal(b.loaded, b.blob, b.blob_size);
    assert_memory_equal(b.loaded + RBPF_HEADER_SIZE + 16, image_rodata, sizeof image_rodata);
}

static void test_added_region_edges(void **state)
{
    (void)state;
    const uint64_t rw = (uintptr_t)b.rw, ro = (uintptr_t)b.ro;
    check_edges(access_raw, BASE_ABSOLUTE, rw, RW_SIZE, 1);
    check_edges(access_raw, BASE_ABSOLUTE, ro, RO_SIZE, 0);
    assert_int_equal(access_raw(BASE_ABSOLUTE, rw + 8, 8, ATOMIC_ADD), RBPF_OK);
    assert_int_equal(access_raw(BASE_ABSOLUTE, ro + 8, 4, ATOMIC_ADD), RBPF_ERR_MEMORY);
}

/* ---- Addresses built by the container ----------------------------------- */
static void test_lddw_address(void **state)
{
    (void)state;
    const uint64_t at = (uintptr_t)&secret;
    assert_int_equal(access_raw(BASE_ABSOLUTE, at, 8, LOAD), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_ABSOLUTE, at, 8, STORE), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_ABSOLUTE, at, 1, ATOMIC_ADD), RBPF_ERR_MEMORY);
    /* the VM's own state and configuration are not granted either */
    assert_int_equal(access_raw(BASE_ABSOLUTE, (uintptr_t)&b.vm, 8, STORE), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_ABSOLUTE, (uintptr_t)&b.config, 8, LOAD), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_ABSOLUTE, 0, 1, LOAD), RBPF_ERR_MEMORY);
    /* a granted address is fine however it was built */
    assert_int_equal(access_raw(BASE_ABSOLUTE, (uintptr_t)b.context + 3, 1, LOAD), RBPF_OK);
    assert_int_equal(b.result, b.context[3]);
}

static void test_wrap_2_64(void **state)
{
    (void)state;
    /* address + size wraps past 2^64 to a small number */
    for (unsigned back = 1; back <= 8; back++)
        assert_int_equal(access_raw(BASE_ABSOLUTE, (uint64_t)0 - back, 8, LOAD), RBPF_ERR_MEMORY);
    /* base + delta wraps around to just before, or far past, the context */
    assert_int_equal(access_raw(BASE_CONTEXT, UINT64_MAX, 1, STORE), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_CONTEXT, (uint64_t)1 << 63, 1, LOAD), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_STACK, (uint64_t)0 - (uintptr_t)b.stack - STACK_SIZE, 1,
                                LOAD),
                     RBPF_ERR_MEMORY); /* address 0 */
    /* and a full turn lands where it started */
    assert_int_equal(access_raw(BASE_CONTEXT, 0, 1, LOAD), RBPF_OK);
}

static void test_wrap_2_32(void **state)
{
    (void)state;
    const uint64_t turn = (uint64_t)1 << 32;
    assert_int_equal(access_raw(BASE_CONTEXT, turn, 1, LOAD), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_CONTEXT, 0 - turn, 1, STORE), RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_CONTEXT, turn + CONTEXT_SIZE - 1, 1, LOAD),
                     RBPF_ERR_MEMORY);
    assert_int_equal(access_raw(BASE_STACK, turn - 8, 8, STORE), RBPF_ERR_MEMORY);

    /* 32-bit arithmetic on a pointer: w6 = w1 + 0xffffffff wraps to the
     * low half of ctx - 1, zero-extended: never granted */
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_MOV32_X, 6, 1, 0, 0);
    sandbox_emit(&c, RBPF_OPC_ADD32_K, 6, 0, 0, -1);
    sandbox_emit(&c, RBPF_OPC_STB, 6, 0, 0, STORE_VALUE);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    assert_int_equal(run_code(&c), RBPF_ERR_MEMORY);
    /* and no 16-bit truncation: ctx + 0x7fff + 0x7fff + 2 is 64 KiB past */
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 6, 1, 0, 0);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 6, 0, 0, 0x7fff);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 6, 0, 0, 0x7fff);
    sandbox_emit(&c, RBPF_OPC_LDXB, 0, 6, 2, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    assert_int_equal(run_code(&c), RBPF_ERR_MEMORY);
    assert_int_equal(b.vm.error_at, 3);
}

/* ---- Local calls, depth and budget -------------------------------------- */
/* main: r6 = the top of the stack, r7 = `arg`, r1 = n, call f; exit.
 * f(n): if n == 0 run `leaf` then exit; else call f(n - 1), exit. The leaf
 * runs at call depth n + 1 and sees r6 and r7 as main set them. (The top is
 * written as a constant: copying r10 would make the verifier give every
 * call a full RBPF_MAX_FRAME.) */
static void emit_chain(sandbox_code_t *c, int32_t n, uint64_t arg,
                       void (*leaf)(sandbox_code_t *c))
{
    sandbox_emit_lddw(c, RBPF_OPC_LDDW, 6, (uintptr_t)b.config.stack + b.config.stack_size);
    sandbox_emit_lddw(c, RBPF_OPC_LDDW, 7, arg);
    sandbox_emit(c, RBPF_OPC_MOV64_K, 1, 0, 0, n);
    uint32_t call = sandbox_emit(c, RBPF_OPC_CALL_LOCAL, 0, RBPF_CALL_LOCAL, 0, 0);
    sandbox_emit(c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    uint32_t f = sandbox_here(c);
    sandbox_put32(c->bytes + call * RBPF_INSN_SIZE + 4, f - call - 1);
    sandbox_emit(c, RBPF_OPC_STXDW, 10, 1, (int16_t)-chain_frame, 0); /* f's frame */
    uint32_t test = sandbox_emit(c, RBPF_OPC_JEQ_K, 1, 0, 0, 0);
    sandbox_emit(c, RBPF_OPC_ADD64_K, 1, 0, 0, -1);
    uint32_t self = sandbox_emit(c, RBPF_OPC_CALL_LOCAL, 0, RBPF_CALL_LOCAL, 0, 0);
    sandbox_put32(c->bytes + self * RBPF_INSN_SIZE + 4, f - self - 1);
    sandbox_emit(c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    sandbox_put16(c->bytes + test * RBPF_INSN_SIZE + 2, (uint16_t)(sandbox_here(c) - test - 1));
    leaf(c);
    sandbox_emit(c, RBPF_OPC_EXIT, 0, 0, 0, 0);
}

/* r0 = *(u8 *)(r6 + r7): r7 relative to the top of the stack. */
static void leaf_read_from_top(sandbox_code_t *c)
{
    sandbox_emit(c, RBPF_OPC_ADD64_X, 6, 7, 0, 0);
    sandbox_emit(c, RBPF_OPC_LDXB, 0, 6, 0, 0);
}

/* *(u8 *)r7 = 0x77 (r7 an absolute address); r0 = 1. */
static void leaf_write_absolute(sandbox_code_t *c)
{
    sandbox_emit(c, RBPF_OPC_STB, 7, 0, 0, STORE_VALUE);
    sandbox_emit(c, RBPF_OPC_MOV64_K, 0, 0, 0, 1);
}

/* probe_write(r7, 8): a helper's rbpf_vm_check() at this depth */
static void leaf_probe_absolute(sandbox_code_t *c)
{
    sandbox_emit(c, RBPF_OPC_MOV64_X, 1, 7, 0, 0);
    sandbox_emit(c, RBPF_OPC_MOV64_K, 2, 0, 0, 8);
    sandbox_emit(c, RBPF_OPC_CALL, 0, 0, 0, SANDBOX_HELPER_PROBE_WRITE);
}

/* r0 = 42 */
static void leaf_answer(sandbox_code_t *c)
{
    sandbox_emit(c, RBPF_OPC_MOV64_K, 0, 0, 0, 42);
}

static int run_chain(int32_t n, uint64_t arg, void (*leaf)(sandbox_code_t *c))
{
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    emit_chain(&c, n, arg, leaf);
    return run_code(&c);
}

static void test_stack_underflow_through_calls(void **state)
{
    (void)state;
    /* three frames down, the top of the stack is still the top */
    assert_int_equal(run_chain(3, 0, leaf_read_from_top), RBPF_ERR_MEMORY);
    assert_int_equal(run_chain(3, 7, leaf_read_from_top), RBPF_ERR_MEMORY);
    assert_int_equal(run_chain(3, (uint64_t)-1, leaf_read_from_top), RBPF_OK);
    assert_int_equal(run_chain(3, 0, leaf_answer), RBPF_OK);
    assert_int_equal(b.result, 42);
    assert_int_equal(b.vm.call_depth, 0);
}

static void test_stack_overflow_through_calls(void **state)
{
    (void)state;
    /* At depth 4 the bottom 4 frame records (saved registers and return
     * addresses) are not the container's: its last byte is refused, the
     * first byte above them is granted. */
    const uint64_t records = (uintptr_t)b.stack + 4u * FRAME_RECORD;
    for (uint64_t back = 1; back <= 4u * FRAME_RECORD; back += FRAME_RECORD / 2)
        assert_int_equal(run_chain(3, records - back, leaf_write_absolute), RBPF_ERR_MEMORY);
    assert_int_equal(run_chain(3, records, leaf_write_absolute), RBPF_OK);
    assert_int_equal(b.result, 1);
    /* nor can a helper be made to write them */
    assert_int_equal(run_chain(3, records - 8, leaf_probe_absolute), RBPF_ERR_MEMORY);
    assert_int_equal(run_chain(3, records - 1, leaf_probe_absolute), RBPF_ERR_MEMORY);
    assert_int_equal(run_chain(3, records, leaf_probe_absolute), RBPF_OK);
    assert_int_equal(b.result, 8);

    /* recursion deeper than the stack allows */
    b.config.max_call_depth = 1000;
    assert_int_equal(run_chain(900, 0, leaf_answer), RBPF_ERR_STACK_OVERFLOW);
    assert_true(b.vm.error_at >= 0);
    assert_int_equal(b.vm.call_depth, 0);
    /* every frame the VM lets a call have is usable to its last byte: deep
     * recursion with 64-byte frames ends in a stack overflow, never in a
     * refused access to the callee's own frame */
    chain_frame = 64;
    assert_int_equal(run_chain(900, 0, leaf_answer), RBPF_ERR_STACK_OVERFLOW);
    assert_int_equal(b.prog.frame_size, 64);
    chain_frame = 8;
    /* the VM is fine afterwards */
    assert_int_equal(run_chain(2, 0, leaf_answer), RBPF_OK);
    assert_int_equal(b.result, 42);
}

static void test_call_depth_limit(void **state)
{
    (void)state;
    /* chain(n) nests n + 1 calls */
    b.config.max_call_depth = 4;
    assert_int_equal(run_chain(3, 0, leaf_answer), RBPF_OK);
    assert_int_equal(b.result, 42);
    assert_int_equal(run_chain(4, 0, leaf_answer), RBPF_ERR_CALL_DEPTH);
    b.config.max_call_depth = 0; /* the default */
    assert_int_equal(run_chain(RBPF_DEFAULT_CALL_DEPTH - 1, 0, leaf_answer), RBPF_OK);
    assert_int_equal(run_chain(RBPF_DEFAULT_CALL_DEPTH, 0, leaf_answer), RBPF_ERR_CALL_DEPTH);
}

static void test_infinite_loop(void **state)
{
    (void)state;
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 0, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 0, 0, 0, 1);
    sandbox_emit(&c, RBPF_OPC_JA, 0, 0, -2, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    assert_int_equal(run_code(&c), RBPF_ERR_BUDGET);
    assert_int_equal(b.vm.instructions, BUDGET);
    b.config.budget = 7;
    assert_int_equal(run_function(0), RBPF_ERR_BUDGET);
    assert_int_equal(b.vm.instructions, 7);
}

static void test_infinite_recursion(void **state)
{
    (void)state;
    /* f: call f: with room for more calls than the budget, the budget ends it
     * (a call takes a frame record and an 8-byte frame) */
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_CALL_LOCAL, 0, RBPF_CALL_LOCAL, 0, -1);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    b.config.max_call_depth = UINT32_MAX;
    b.config.stack_size = 16384;
    b.config.stack = sandbox_alloc(b.config.stack_size);
    b.config.budget = 100;
    assert_int_equal(run_code(&c), RBPF_ERR_BUDGET);
    assert_int_equal(b.vm.instructions, b.config.budget);
    /* with a larger budget the stack runs out, with the default depth the depth */
    b.config.budget = BUDGET;
    assert_int_equal(run_function(0), RBPF_ERR_STACK_OVERFLOW);
    b.config.max_call_depth = 0;
    assert_int_equal(run_function(0), RBPF_ERR_CALL_DEPTH);
    assert_int_equal(b.vm.instructions, RBPF_DEFAULT_CALL_DEPTH + 1);
}

/* ---- Helpers handed bad pointers ---------------------------------------- */
/* r1..r3 = the three values, call helper `id`, exit. */
static int call_helper(uint32_t id, uint64_t r1, uint64_t r2, uint64_t r3)
{
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDW, 1, r1);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDW, 2, r2);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDW, 3, r3);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, (int32_t)id);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    return run_code(&c);
}

static void test_helper_memcpy_straddle(void **state)
{
    (void)state;
    const uint64_t ctx = (uintptr_t)b.context, rw = (uintptr_t)b.rw, ro = (uintptr_t)b.ro;
    uint8_t before[CONTEXT_SIZE];
    memcpy(before, b.context, CONTEXT_SIZE);
    /* destination straddles the end of the context, then its start */
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ctx + CONTEXT_SIZE - 4, rw, 8),
                     RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ctx - 1, rw, 8), RBPF_ERR_MEMORY);
    /* source straddles the end of the read-only region */
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ctx, ro + RO_SIZE - 4, 8), RBPF_ERR_MEMORY);
    /* destination read-only */
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ro, ctx, 8), RBPF_ERR_MEMORY);
    /* lengths that overflow: 2^64 - 1, and one that wraps address + length to ctx */
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ctx, rw, UINT64_MAX), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ctx + 8, rw, (uint64_t)0 - 8),
                     RBPF_ERR_MEMORY);
    assert_memory_equal(b.context, before, CONTEXT_SIZE); /* nothing was copied */
    /* control: the whole context from the read-only region */
    assert_int_equal(call_helper(RBPF_HELPER_MEMCPY, ctx, ro + RO_SIZE - CONTEXT_SIZE,
                                 CONTEXT_SIZE),
                     RBPF_OK);
    assert_memory_equal(b.context, b.ro + RO_SIZE - CONTEXT_SIZE, CONTEXT_SIZE);
}

static void test_helper_vm_check_straddle(void **state)
{
    (void)state;
    const uint64_t ctx = (uintptr_t)b.context, ro = (uintptr_t)b.ro;
    const uint64_t top = (uintptr_t)b.stack + STACK_SIZE;
    const uint32_t write = SANDBOX_HELPER_PROBE_WRITE, read = SANDBOX_HELPER_PROBE_READ;
    assert_int_equal(call_helper(write, ctx + CONTEXT_SIZE - 1, 2, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(write, ctx - 1, 2, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(write, top - 4, 5, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(write, ro, 1, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(read, ro + RO_SIZE - 1, 2, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(read, ro, UINT64_MAX, 0), RBPF_ERR_MEMORY);
    /* address + length wraps to ctx, and to 0 */
    assert_int_equal(call_helper(write, ctx + 1, UINT64_MAX, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(write, ctx, (uint64_t)0 - ctx, 0), RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(read, UINT64_MAX, 1, 0), RBPF_ERR_MEMORY);
    assert_int_equal(b.context[0], 0x10);
    /* controls: whole regions, and length 0 anywhere */
    assert_int_equal(call_helper(read, ro, RO_SIZE, 0), RBPF_OK);
    assert_int_equal(call_helper(write, top - STACK_SIZE, STACK_SIZE, 0), RBPF_OK);
    assert_int_equal(call_helper(write, UINT64_MAX, 0, 0), RBPF_OK);
    assert_int_equal(call_helper(write, ctx, CONTEXT_SIZE, 0), RBPF_OK);
    assert_int_equal(b.result, CONTEXT_SIZE);
    assert_int_equal(b.context[0], 0x5a);
    assert_int_equal(b.context[CONTEXT_SIZE - 1], 0x5a);
}

static void test_helper_strings_and_outputs(void **state)
{
    (void)state;
    const uint64_t ctx = (uintptr_t)b.context, ro = (uintptr_t)b.ro;
    /* neither the context nor the read-only region holds a NUL: a format
     * or %s string there runs into the region's end */
    assert_int_equal(call_helper(RBPF_HELPER_PRINTF, ctx + CONTEXT_SIZE - 3, 0, 0),
                     RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(RBPF_HELPER_PRINTF, ro, 0, 0), RBPF_ERR_MEMORY);
    b.context[4] = '\0'; /* "%s" with no NUL after it in ro */
    b.context[0] = '%';
    b.context[1] = 's';
    b.context[2] = '\0';
    assert_int_equal(call_helper(RBPF_HELPER_PRINTF, ctx, ro + RO_SIZE - 2, 0), RBPF_ERR_MEMORY);
    /* fetch writes a u32 through its second argument */
    assert_int_equal(call_helper(RBPF_HELPER_FETCH_GLOBAL, 7, ctx + CONTEXT_SIZE - 2, 0),
                     RBPF_ERR_MEMORY);
    assert_int_equal(call_helper(RBPF_HELPER_FETCH_LOCAL, 7, ro, 0), RBPF_ERR_MEMORY);
    /* controls: a terminated format in the context; a fetch into its end */
    assert_int_equal(call_helper(RBPF_HELPER_PRINTF, ctx + 3, 0, 0), RBPF_OK);
    assert_int_equal(call_helper(RBPF_HELPER_FETCH_GLOBAL, 7, ctx + CONTEXT_SIZE - 4, 0), RBPF_OK);
    assert_memory_equal(b.context + CONTEXT_SIZE - 4, "\0\0\0\0", 4); /* absent key: 0 */
}

static void test_store_pool_exhaustion(void **state)
{
    (void)state;
    /* store_local(key, key) for keys 0..99, more than the pool holds;
     * r0 = the last call's result */
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_MOV64_K, 6, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 1, 6, 0, 0);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 2, 6, 0, 0);
    sandbox_emit(&c, RBPF_OPC_CALL, 0, 0, 0, RBPF_HELPER_STORE_LOCAL);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 7, 0, 0, 0);
    sandbox_emit(&c, RBPF_OPC_ADD64_K, 6, 0, 0, 1);
    sandbox_emit(&c, RBPF_OPC_JLT_K, 6, 0, -6, 100);
    sandbox_emit(&c, RBPF_OPC_MOV64_X, 0, 7, 0, 0);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    assert_true(RBPF_STORE_NUM_VALUES < 100);
    assert_int_equal(run_code(&c), RBPF_OK);
    /* the container is told, the pool is full, nothing else happened */
    assert_int_equal((int64_t)b.result, RBPF_ERR_STORE_FULL);
    assert_int_equal(rbpf_store_free_count(), 0);
    uint32_t value = 0;
    assert_int_equal(rbpf_store_fetch(&b.vm.local_store, RBPF_STORE_NUM_VALUES - 1, &value), 1);
    assert_int_equal(value, RBPF_STORE_NUM_VALUES - 1);
    assert_int_equal(rbpf_store_fetch(&b.vm.local_store, RBPF_STORE_NUM_VALUES, &value), 0);
    /* the global store is refused too, and the pool comes back with the VM */
    assert_int_equal(rbpf_store_update(rbpf_store_global(), 1, 1), RBPF_ERR_STORE_FULL);
    rbpf_vm_deinit(&b.vm);
    assert_int_equal(rbpf_store_free_count(), RBPF_STORE_NUM_VALUES);
}

/* ---- Hostile containers ------------------------------------------------- */
/* A small valid container, to be damaged; its header fields by index. */
enum { H_MAGIC, H_VERSION, H_FLAGS, H_DATA, H_BSS, H_RODATA, H_TEXT, H_COUNT };

static size_t good_container(uint8_t *out, size_t capacity, uint32_t function_offset)
{
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDW, 0, 0x0000009500000000u);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    sandbox_function_t functions[2] = {{"main", 0}, {"f", function_offset}};
    sandbox_image_t image = {image_data, 8, 0, image_rodata, 8, c.bytes, c.length, functions, 2};
    return sandbox_container(out, capacity, &image);
}

/* Loads a fenced copy of blob with header field `field` set to `value`
 * (none for -1), and `field2` to `value2` (none for -1). */
static int load_patched2(const uint8_t *blob, size_t size, int field, uint32_t value, int field2,
                         uint32_t value2)
{
    uint8_t *copy = sandbox_alloc(size);
    memcpy(copy, blob, size);
    if (field >= 0)
        sandbox_put32(copy + 4 * field, value);
    if (field2 >= 0)
        sandbox_put32(copy + 4 * field2, value2);
    int error = rbpf_load(&b.prog, copy, size, &b.config);
    assert_true(sandbox_fences_intact());
    return error;
}

static int load_patched(const uint8_t *blob, size_t size, int field, uint32_t value)
{
    return load_patched2(blob, size, field, value, -1, 0);
}

static void test_header_length_overflow(void **state)
{
    (void)state;
    uint8_t blob[256];
    size_t size = good_container(blob, sizeof blob, 16);
    assert_true(size > 0);
    assert_int_equal(load_patched(blob, size, -1, 0), RBPF_OK);
    /* each of these sums wraps in 32 bits to a value that fits the blob */
    assert_int_equal(load_patched(blob, size, H_DATA, 0xfffffff8u), RBPF_ERR_TRUNCATED);
    assert_int_equal(load_patched(blob, size, H_DATA, 0xfffffff9u), RBPF_ERR_TRUNCATED);
    assert_int_equal(load_patched(blob, size, H_RODATA, 0xfffffff8u), RBPF_ERR_TRUNCATED);
    assert_int_equal(load_patched(blob, size, H_RODATA, 0xffffffffu), RBPF_ERR_TRUNCATED);
    assert_int_equal(load_patched(blob, size, H_TEXT, 0xfffffff8u), RBPF_ERR_TRUNCATED);
    assert_int_equal(load_patched(blob, size, H_TEXT, 0u - 8u * 8u), RBPF_ERR_TRUNCATED);
    /* 0x2aaaaaab entries of 6 bytes: 2^32 + 2 */
    assert_int_equal(load_patched(blob, size, H_COUNT, 0x2aaaaaabu), RBPF_ERR_TRUNCATED);
    assert_int_equal(load_patched(blob, size, H_COUNT, 0xffffffffu), RBPF_ERR_TRUNCATED);
    /* data and rodata grown by 2^31 and 2^31 + 8: the 32-bit sum of the
     * layout is exactly the real one, so only a 64-bit sum sees it */
    assert_int_equal(load_patched2(blob, size, H_DATA, 0x80000000u, H_RODATA, 0x80000018u),
                     RBPF_ERR_TRUNCATED);
    /* data + bss past 4 GiB: the VM could never be given that RAM */
    assert_int_equal(load_patched(blob, size, H_BSS, 0xfffffff9u), RBPF_ERR_BAD_LENGTH);
    /* and a text length that is not whole instructions */
    assert_int_equal(load_patched(blob, size, H_TEXT, 12), RBPF_ERR_BAD_LENGTH);
}

static void test_function_in_lddw_second_half(void **state)
{
    (void)state;
    uint8_t blob[256];
    /* text: lddw (slots 0, 1), exit (slot 2) */
    size_t size = good_container(blob, sizeof blob, 8);
    assert_int_equal(load_patched(blob, size, -1, 0), RBPF_ERR_BAD_FUNCTION);
    assert_true(b.prog.error_at > 0);
    size = good_container(blob, sizeof blob, 12);
    assert_int_equal(load_patched(blob, size, -1, 0), RBPF_ERR_BAD_FUNCTION);
    size = good_container(blob, sizeof blob, 24);
    assert_int_equal(load_patched(blob, size, -1, 0), RBPF_ERR_BAD_FUNCTION);
    size = good_container(blob, sizeof blob, 16);
    assert_int_equal(load_patched(blob, size, -1, 0), RBPF_OK);

    /* a jump or a local call into the second half is refused by the verifier */
    sandbox_code_t c;
    memset(&c, 0, sizeof c);
    sandbox_emit(&c, RBPF_OPC_JA, 0, 0, 1, 0);
    sandbox_emit_lddw(&c, RBPF_OPC_LDDW, 0, 0x0000009500000000u);
    sandbox_emit(&c, RBPF_OPC_EXIT, 0, 0, 0, 0);
    assert_int_equal(rbpf_load_raw(&b.prog, c.bytes, c.length, &b.config),
                     RBPF_ERR_ILLEGAL_JUMP);
    assert_int_equal(b.prog.error_at, 0);
    sandbox_put32(c.bytes, RBPF_OPC_CALL_LOCAL | RBPF_CALL_LOCAL << 12);
    sandbox_put32(c.bytes + 4, 1);
    assert_int_equal(rbpf_load_raw(&b.prog, c.bytes, c.length, &b.config),
                     RBPF_ERR_ILLEGAL_CALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_context_edges, setup),
        cmocka_unit_test_setup(test_stack_edges, setup),
        cmocka_unit_test_setup_teardown(test_data_bss_edges, reset_image, reset_image),
        cmocka_unit_test_setup(test_data_bss_bigger_ram, setup),
        cmocka_unit_test_setup(test_rodata_edges, setup),
        cmocka_unit_test_setup(test_added_region_edges, setup),
        cmocka_unit_test_setup(test_lddw_address, setup),
        cmocka_unit_test_setup(test_wrap_2_64, setup),
        cmocka_unit_test_setup(test_wrap_2_32, setup),
        cmocka_unit_test_setup(test_stack_underflow_through_calls, setup),
        cmocka_unit_test_setup(test_stack_overflow_through_calls, setup),
        cmocka_unit_test_setup(test_call_depth_limit, setup),
        cmocka_unit_test_setup(test_infinite_loop, setup),
        cmocka_unit_test_setup(test_infinite_recursion, setup),
        cmocka_unit_test_setup(test_helper_memcpy_straddle, setup),
        cmocka_unit_test_setup(test_helper_vm_check_straddle, setup),
        cmocka_unit_test_setup(test_helper_strings_and_outputs, setup),
        cmocka_unit_test_setup(test_store_pool_exhaustion, setup),
        cmocka_unit_test_setup(test_header_length_overflow, setup),
        cmocka_unit_test_setup(test_function_in_lddw_second_half, setup),
    };
    int failed = 0;
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
        if (!rbpf_engine_available(engine))
            continue;
        printf("escape tests on engine %s\n", rbpf_engine_name(engine));
        failed |= cmocka_run_group_tests_name(engine == RBPF_ENGINE_INTERP ? "escape engine=interp"
                                              : engine == RBPF_ENGINE_JIT ? "escape engine=jit"
                                                                          : "escape engine=threaded",
                                              tests, NULL, NULL);
    }
    return failed;
}
