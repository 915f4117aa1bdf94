/*
 * test_interp.c: the interpreter, per instruction class with edge values,
 * and its run-time errors (memory, budget, call depth, stack, helpers).
 */
#include "unit.h"

#include <string.h>

#define INT64_MIN_U ((uint64_t)1 << 63)

static void alu64(void **state)
{
    (void)state;
    EXPECT_R0(3, MOV(0, 1), MOV(1, 2), OPX(ADD64_X, 0, 1), EXIT);
    EXPECT_R0(0, LDDW(0, ~(uint64_t)0), OPK(ADD64_K, 0, 1), EXIT);            /* wraps */
    EXPECT_R0(INT64_MIN_U, LDDW(0, INT64_MIN_U - 1), OPK(ADD64_K, 0, 1), EXIT);
    EXPECT_R0(~(uint64_t)0, MOV(0, 0), OPK(SUB64_K, 0, 1), EXIT);
    EXPECT_R0(0xfffffffffffffffeu, MOV(0, -1), OPK(MUL64_K, 0, 2), EXIT);     /* imm sign-extended */
    EXPECT_R0(0, LDDW(0, INT64_MIN_U), OPK(MUL64_K, 0, 2), EXIT);
    EXPECT_R0(0xf0, MOV(0, 0xf3), OPK(AND64_K, 0, 0xf0), EXIT);
    EXPECT_R0(0xff, MOV(0, 0xf0), OPK(OR64_K, 0, 0x0f), EXIT);
    EXPECT_R0(0xffffffffffffff0fu, MOV(0, 0xf0), OPK(XOR64_K, 0, -1), EXIT);
    EXPECT_R0(INT64_MIN_U, MOV(0, 1), OPK(LSH64_K, 0, 63), EXIT);
    EXPECT_R0(1, MOV(0, 1), MOV(1, 64), OPX(LSH64_X, 0, 1), EXIT);            /* 64 & 63 = 0 */
    EXPECT_R0(2, MOV(0, 1), MOV(1, 65), OPX(LSH64_X, 0, 1), EXIT);
    EXPECT_R0(1, MOV(0, -1), OPK(RSH64_K, 0, 63), EXIT);
    EXPECT_R0(~(uint64_t)0, MOV(0, -1), MOV(1, 64), OPX(RSH64_X, 0, 1), EXIT);
    EXPECT_R0(~(uint64_t)0, LDDW(0, INT64_MIN_U), OPK(ARSH64_K, 0, 63), EXIT);
    EXPECT_R0(0xc000000000000000u, LDDW(0, INT64_MIN_U), OPK(ARSH64_K, 0, 1), EXIT);
    EXPECT_R0(0x20, MOV(0, 0x40), OPK(ARSH64_K, 0, 1), EXIT);
    EXPECT_R0(INT64_MIN_U, LDDW(0, INT64_MIN_U), MOV(1, 64), OPX(ARSH64_X, 0, 1), EXIT);
    EXPECT_R0(INT64_MIN_U, LDDW(0, INT64_MIN_U), INSN(RBPF_OPC_NEG64, 0, 0, 0, 0), EXIT);
    EXPECT_R0(1, MOV(0, -1), INSN(RBPF_OPC_NEG64, 0, 0, 0, 0), EXIT);
    EXPECT_R0(0xffffffff80000000u, MOV(0, INT32_MIN), EXIT);
    EXPECT_R0(5, MOV(3, 5), MOVR(0, 3), EXIT);
}

static void divmod64(void **state)
{
    (void)state;
    EXPECT_R0(3, MOV(0, 7), OPK(DIV64_K, 0, 2), EXIT);
    EXPECT_R0(0, MOV(0, 7), OPK(DIV64_K, 0, 0), EXIT);                  /* x / 0 = 0 */
    EXPECT_R0(7, MOV(0, 7), MOV(1, 0), OPX(MOD64_X, 0, 1), EXIT);         /* x % 0 = x */
    EXPECT_R0(0, MOV(0, 7), OPK(DIV64_K, 0, -1), EXIT);                 /* unsigned: 7 / 2^64-1 */
    EXPECT_R0(1, MOV(0, 7), OPK(MOD64_K, 0, 3), EXIT);
    /* signed: offset 1 */
    EXPECT_R0((uint64_t)-3, MOV(0, -7), INSN(RBPF_OPC_SDIV64_K, 0, 0, 1, 2), EXIT);
    EXPECT_R0((uint64_t)-1, MOV(0, -7), INSN(RBPF_OPC_SMOD64_K, 0, 0, 1, 2), EXIT);
    EXPECT_R0(1, MOV(0, 7), INSN(RBPF_OPC_SMOD64_K, 0, 0, 1, -2), EXIT);
    EXPECT_R0((uint64_t)-3, MOV(0, 7), MOV(1, -2), INSN(RBPF_OPC_SDIV64_X, 0, 1, 1, 0), EXIT);
    EXPECT_R0(INT64_MIN_U, LDDW(0, INT64_MIN_U), INSN(RBPF_OPC_SDIV64_K, 0, 0, 1, -1), EXIT);
    EXPECT_R0(0, LDDW(0, INT64_MIN_U), INSN(RBPF_OPC_SMOD64_K, 0, 0, 1, -1), EXIT);
    EXPECT_R0(0, MOV(0, -7), INSN(RBPF_OPC_SDIV64_K, 0, 0, 1, 0), EXIT);
    EXPECT_R0((uint64_t)-7, MOV(0, -7), INSN(RBPF_OPC_SMOD64_K, 0, 0, 1, 0), EXIT);
}

static void alu32(void **state)
{
    (void)state;
#if RBPF_ENABLE_ALU32
    EXPECT_R0(0xffffffffu, OPK(MOV32_K, 0, -1), EXIT);                   /* zero-extended */
    EXPECT_R0(0, LDDW(0, 0x1ffffffffu), OPK(ADD32_K, 0, 1), EXIT);
    EXPECT_R0(0x80000000u, MOV(0, 1), OPK(LSH32_K, 0, 31), EXIT);
    EXPECT_R0(1, MOV(0, 1), MOV(1, 32), OPX(LSH32_X, 0, 1), EXIT);       /* 32 & 31 = 0 */
    EXPECT_R0(0xffffffffu, MOV(0, INT32_MIN), OPK(ARSH32_K, 0, 31), EXIT);
    EXPECT_R0(0x7fffffffu, LDDW(0, 0xffffffff00000000u | 0xfffffffeu), OPK(RSH32_K, 0, 1), EXIT);
    EXPECT_R0(0x80000000u, MOV(0, INT32_MIN), OPX(NEG32, 0, 0), EXIT);
    EXPECT_R0(0xfffffffeu, MOV(0, -1), OPK(MUL32_K, 0, 2), EXIT);
    EXPECT_R0(0x12345678u, LDDW(1, 0xffffffff12345678u), OPX(MOV32_X, 0, 1), EXIT);
    EXPECT_R0(0, MOV(0, 7), OPK(DIV32_K, 0, 0), EXIT);
    EXPECT_R0(5, LDDW(0, 0x100000005u), OPK(MOD32_K, 0, 0), EXIT);      /* low 32 bits */
    EXPECT_R0(0x80000000u, MOV(0, INT32_MIN), INSN(RBPF_OPC_SDIV32_K, 0, 0, 1, -1), EXIT);
    EXPECT_R0(0, MOV(0, INT32_MIN), INSN(RBPF_OPC_SMOD32_K, 0, 0, 1, -1), EXIT);
    EXPECT_R0(0xfffffffdu, MOV(0, -7), INSN(RBPF_OPC_SDIV32_K, 0, 0, 1, 2), EXIT);
    EXPECT_R0(0xffffff80u, MOV(1, 0x180), INSN(RBPF_OPC_MOVSX8_32, 0, 1, 8, 0), EXIT);
    EXPECT_R0(0xffff8000u, MOV(1, 0x18000), INSN(RBPF_OPC_MOVSX16_32, 0, 1, 16, 0), EXIT);
#else
    EXPECT_ERROR(RBPF_ERR_ILLEGAL_INSN, 0, OPK(MOV32_K, 0, -1), EXIT);
    EXPECT_ERROR(RBPF_ERR_ILLEGAL_INSN, 1, MOV(0, 1), OPK(ADD32_K, 0, 1), EXIT);
#endif
}

static void movsx_ldsx(void **state)
{
    uint8_t ctx[8] = {0x80, 0x00, 0x80, 0x00, 0x00, 0x80, 0x7f, 0x01};
    static const uint8_t loads[] = {
        LDX(LDXSB, 0, 1, 0), LDX(LDXSH, 2, 1, 4), OPX(ADD64_X, 0, 2),
        LDX(LDXSW, 2, 1, 2), OPX(ADD64_X, 0, 2), EXIT,
    };
    uint64_t r0 = 0;
    (void)state;
    EXPECT_R0((uint64_t)-128, MOV(1, 0x180), INSN(RBPF_OPC_MOVSX8_64, 0, 1, 8, 0), EXIT);
    EXPECT_R0((uint64_t)-32768, MOV(1, 0x8000), INSN(RBPF_OPC_MOVSX16_64, 0, 1, 16, 0), EXIT);
    EXPECT_R0(0xffffffff80000000u, LDDW(1, 0x180000000u), INSN(RBPF_OPC_MOVSX32_64, 0, 1, 32, 0),
              EXIT);
    EXPECT_R0(0x7f, MOV(1, 0x7f), INSN(RBPF_OPC_MOVSX8_64, 0, 1, 8, 0), EXIT);
    /* -128 + (s16)0x8000 + (s32)0x80000080 */
    assert_int_equal(unit_run(loads, sizeof(loads), ctx, sizeof(ctx), &r0), RBPF_OK);
    assert_int_equal(r0, (uint64_t)(-128 - 32768 + (int64_t)INT32_MIN + 0x80));
}

static void byteswap(void **state)
{
    (void)state;
    EXPECT_R0(0xf0de, LDDW(0, 0x123456789abcdef0u), INSN(RBPF_OPC_BE16, 0, 0, 0, 16), EXIT);
    EXPECT_R0(0xf0debc9au, LDDW(0, 0x123456789abcdef0u), INSN(RBPF_OPC_BE32, 0, 0, 0, 32), EXIT);
    EXPECT_R0(0xf0debc9a78563412u, LDDW(0, 0x123456789abcdef0u), INSN(RBPF_OPC_BE64, 0, 0, 0, 64),
              EXIT);
    EXPECT_R0(0xdef0, LDDW(0, 0x123456789abcdef0u), INSN(RBPF_OPC_LE16, 0, 0, 0, 16), EXIT);
    EXPECT_R0(0x9abcdef0u, LDDW(0, 0x123456789abcdef0u), INSN(RBPF_OPC_LE32, 0, 0, 0, 32), EXIT);
    EXPECT_R0(0x123456789abcdef0u, LDDW(0, 0x123456789abcdef0u),
              INSN(RBPF_OPC_LE64, 0, 0, 0, 64), EXIT);
    EXPECT_R0(0xf0de, LDDW(0, 0x123456789abcdef0u), INSN(RBPF_OPC_BSWAP16, 0, 0, 0, 16), EXIT);
    EXPECT_R0(0xf0debc9a78563412u, LDDW(0, 0x123456789abcdef0u),
              INSN(RBPF_OPC_BSWAP64, 0, 0, 0, 64), EXIT);
}

static void jumps(void **state)
{
    (void)state;
    /* taken jumps skip `mov r0, 9` */
    EXPECT_R0(1, MOV(0, 1), MOV(1, -1), JMP(JGT_K, 1, 5, 1), MOV(0, 9), EXIT);       /* unsigned */
    EXPECT_R0(9, MOV(0, 1), MOV(1, -1), JMP(JSGT_K, 1, 5, 1), MOV(0, 9), EXIT);      /* signed */
    EXPECT_R0(1, MOV(0, 1), MOV(1, -1), JMP(JSLT_K, 1, 0, 1), MOV(0, 9), EXIT);
    EXPECT_R0(1, MOV(0, 1), MOV(1, -1), JMP(JEQ_K, 1, -1, 1), MOV(0, 9), EXIT);
    EXPECT_R0(1, MOV(0, 1), MOV(1, 6), JMP(JSET_K, 1, 2, 1), MOV(0, 9), EXIT);
    EXPECT_R0(9, MOV(0, 1), MOV(1, 6), JMP(JSET_K, 1, 1, 1), MOV(0, 9), EXIT);
    EXPECT_R0(1, MOV(0, 1), MOV(1, 3), MOV(2, 3), INSN(RBPF_OPC_JGE_X, 1, 2, 1, 0), MOV(0, 9), EXIT);
    EXPECT_R0(1, MOV(0, 1), MOV(1, -2), MOV(2, -1), INSN(RBPF_OPC_JSLE_X, 1, 2, 1, 0), MOV(0, 9),
              EXIT);
    EXPECT_R0(1, MOV(0, 1), JMP(JA, 0, 0, 1), MOV(0, 9), EXIT);
    /* a backward loop: r0 counts to 10 */
    EXPECT_R0(10, MOV(0, 0), OPK(ADD64_K, 0, 1), JMP(JLT_K, 0, 10, -2), EXIT);
#if RBPF_ENABLE_JMP32
    EXPECT_R0(1, MOV(0, 1), LDDW(1, 0x100000000u), JMP(JEQ32_K, 1, 0, 1), MOV(0, 9), EXIT);
    EXPECT_R0(9, MOV(0, 1), LDDW(1, 0x100000000u), JMP(JEQ_K, 1, 0, 1), MOV(0, 9), EXIT);
    EXPECT_R0(1, MOV(0, 1), LDDW(1, 0x80000000u), JMP(JSLT32_K, 1, 0, 1), MOV(0, 9), EXIT);
    EXPECT_R0(1, MOV(0, 1), INSN(RBPF_OPC_JA32, 0, 0, 0, 1), MOV(0, 9), EXIT);
#else
    EXPECT_ERROR(RBPF_ERR_ILLEGAL_INSN, 1, MOV(0, 1), JMP(JEQ32_K, 1, 0, 1), MOV(0, 9), EXIT);
    EXPECT_ERROR(RBPF_ERR_ILLEGAL_INSN, 0, INSN(RBPF_OPC_JA32, 0, 0, 0, 1), MOV(0, 9), EXIT);
#endif
}

static void load_store(void **state)
{
    uint64_t ctx[2] = {0, 0};
    static const uint8_t code[] = {
        ST(STB, 1, 0, 0x1ff), ST(STH, 1, 2, 0x12345), ST(STW, 1, 4, -2),
        ST(STDW, 1, 8, -1), MOV(2, 0x44), STX(STXB, 1, 2, 9),
        LDX(LDXDW, 0, 1, 0), EXIT,
    };
    uint8_t *b = (uint8_t *)ctx;
    uint64_t r0 = 0;
    (void)state;
    assert_int_equal(unit_run(code, sizeof(code), ctx, sizeof(ctx), &r0), RBPF_OK);
    assert_int_equal(b[0], 0xff);
    assert_int_equal(b[1], 0);
    assert_int_equal(b[2] | b[3] << 8, 0x2345);
    assert_int_equal(b[4], 0xfe);
    assert_int_equal(b[7], 0xff);
    assert_int_equal(b[8], 0xff);
    assert_int_equal(b[9], 0x44);
    assert_int_equal(b[15], 0xff);
    assert_memory_equal(&r0, b, 8);
    /* the stack: store below r10 and load back */
    EXPECT_R0(0x1122334455667788u, LDDW(1, 0x1122334455667788u), STX(STXDW, 10, 1, -8),
              LDX(LDXDW, 0, 10, -8), EXIT);
    EXPECT_R0(0x7788, LDDW(1, 0x1122334455667788u), STX(STXDW, 10, 1, -8),
              LDX(LDXH, 0, 10, -8), EXIT);
}

static void lddw(void **state)
{
    (void)state;
    EXPECT_R0(0x8000000000000001u, LDDW(0, 0x8000000000000001u), EXIT);
    EXPECT_R0(0xffffffff, LDDW(0, 0xffffffffu), EXIT);
}

static void atomics(void **state)
{
    (void)state;
#if RBPF_ENABLE_ATOMIC
#define ATOM(name, dst, src, off) INSN(RBPF_OPC_##name, dst, src, off, RBPF_ATOMIC_ADD)
#define ATOMIC_OP(size, dst, src, off, op) INSN((size) == 4 ? RBPF_OPC_ADD32 : RBPF_OPC_ADD64, dst, src, off, op)
    /* [r10-8] = 0x0f; op with r1 = 0x3c; r0 = memory after, plus r1 */
    EXPECT_R0(0x4b, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_ADD),
              LDX(LDXDW, 0, 10, -8), EXIT);
    EXPECT_R0(0x3f, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_OR),
              LDX(LDXDW, 0, 10, -8), EXIT);
    EXPECT_R0(0x0c, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_AND),
              LDX(LDXDW, 0, 10, -8), EXIT);
    EXPECT_R0(0x33, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_XOR),
              LDX(LDXDW, 0, 10, -8), EXIT);
    /* without fetch, src is kept */
    EXPECT_R0(0x3c, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_ADD),
              MOVR(0, 1), EXIT);
    /* fetch: src gets the old value */
    EXPECT_R0(0x0f + 0x4b, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c),
              ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_ADD | RBPF_ATOMIC_FETCH), LDX(LDXDW, 0, 10, -8),
              OPX(ADD64_X, 0, 1), EXIT);
    EXPECT_R0(0x0f, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c),
              ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_XOR | RBPF_ATOMIC_FETCH), MOVR(0, 1), EXIT);
    /* 32-bit: the upper half of memory is untouched, fetch zero-extends */
    EXPECT_R0(0xffffffffu, ST(STDW, 10, -8, -1), MOV(1, 0),
              ATOMIC_OP(4, 10, 1, -8, RBPF_ATOMIC_AND | RBPF_ATOMIC_FETCH), MOVR(0, 1), EXIT);
    EXPECT_R0(0xffffffff00000000u, ST(STDW, 10, -8, -1), MOV(1, 0),
              ATOMIC_OP(4, 10, 1, -8, RBPF_ATOMIC_AND), LDX(LDXDW, 0, 10, -8), EXIT);
    /* xchg */
    EXPECT_R0(0x0f * 256 + 0x3c, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c),
              ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_XCHG), OPK(LSH64_K, 1, 8),
              LDX(LDXDW, 0, 10, -8), OPX(ADD64_X, 0, 1), EXIT);
    /* cmpxchg, equal: memory = src, r0 = old */
    EXPECT_R0(0x0f * 256 + 0x3c, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), MOV(0, 0x0f),
              ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_CMPXCHG), OPK(LSH64_K, 0, 8),
              LDX(LDXDW, 2, 10, -8), OPX(ADD64_X, 0, 2), EXIT);
    /* cmpxchg, different: memory kept, r0 = old */
    EXPECT_R0(0x0f * 256 + 0x0f, ST(STDW, 10, -8, 0x0f), MOV(1, 0x3c), MOV(0, 0x10),
              ATOMIC_OP(8, 10, 1, -8, RBPF_ATOMIC_CMPXCHG), OPK(LSH64_K, 0, 8),
              LDX(LDXDW, 2, 10, -8), OPX(ADD64_X, 0, 2), EXIT);
    /* cmpxchg32 compares the low 32 bits of r0 */
    EXPECT_R0(0x3c, ST(STW, 10, -8, 0x0f), LDDW(0, 0x50000000fu), MOV(1, 0x3c),
              ATOMIC_OP(4, 10, 1, -8, RBPF_ATOMIC_CMPXCHG), LDX(LDXW, 0, 10, -8), EXIT);
    /* an atomic needs read and write: a read-only region refuses it */
    {
        static uint64_t cell = 5;
        static uint8_t code[] = {LDDW(1, 0), MOV(2, 1), ATOMIC_OP(8, 1, 2, 0, RBPF_ATOMIC_ADD), EXIT};
        rbpf_region_t region;
        int j;
        for (j = 0; j < 4; j++) {
            code[4 + j] = (uint8_t)((uint64_t)(uintptr_t)&cell >> (8 * j));
            code[12 + j] = (uint8_t)((uint64_t)(uintptr_t)&cell >> (32 + 8 * j));
        }
        assert_int_equal(rbpf_load_raw(&unit_prog, code, sizeof(code), &unit_config), RBPF_OK);
        assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, NULL, 0), RBPF_OK);
        assert_int_equal(rbpf_region_add(&unit_vm, &region, &cell, 8, RBPF_READ), RBPF_OK);
        assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, NULL), RBPF_ERR_MEMORY);
        assert_int_equal(unit_vm.error_at, 3);
        assert_int_equal(cell, 5);
        region.flags = RBPF_WRITE;
        assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, NULL), RBPF_ERR_MEMORY);
        region.flags = RBPF_RW;
        assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, NULL), RBPF_OK);
        assert_int_equal(cell, 6);
    }
#else
    EXPECT_ERROR(RBPF_ERR_ILLEGAL_INSN, 1, MOV(1, 1), INSN(0xdb, 10, 1, -8, 0), EXIT);
#endif
}

static void helpers(void **state)
{
    (void)state;
    EXPECT_R0(7, MOV(1, 3), MOV(2, 4), CALL(1), EXIT);
    EXPECT_R0(0xfffffffe00000000u, LDDW(1, 0xffffffff00000000u), LDDW(2, 0xffffffff00000000u),
              CALL(1), EXIT);
    /* a helper's rbpf error ends the run with it; others become RBPF_ERR_HELPER */
    EXPECT_ERROR(RBPF_ERR_STORE_FULL, 2, MOV(0, 0), MOV(1, RBPF_ERR_STORE_FULL), CALL(2), EXIT);
    EXPECT_ERROR(RBPF_ERR_HELPER, 1, MOV(1, -1000), CALL(2), EXIT);
    EXPECT_ERROR(RBPF_ERR_HELPER, 1, MOV(1, 5), CALL(2), EXIT);
    EXPECT_R0(0, MOV(1, 0), CALL(2), EXIT);
    /* verified against one helper table, run with another without that id */
    {
        static const uint8_t code[] = {MOV(1, 3), MOV(2, 4), CALL(1), EXIT};
        rbpf_config_t none;
        assert_int_equal(unit_run(code, sizeof(code), NULL, 0, NULL), RBPF_OK);
        none = unit_config;
        none.helper_count = 0;
        assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &none, NULL, 0), RBPF_OK);
        assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, NULL), RBPF_ERR_ILLEGAL_CALL);
        assert_int_equal(unit_vm.error_at, 2);
    }
}

static void local_calls(void **state)
{
    (void)state;
#if RBPF_ENABLE_LOCAL_CALLS
    /* r6..r9 preserved; the callee sees r1..r5 and sets r0 */
    EXPECT_R0(6 + 7 + 8 + 9 + 100 + 3, MOV(6, 6), MOV(7, 7), MOV(8, 8), MOV(9, 9), MOV(1, 3),
              CALL_LOCAL(6), OPX(ADD64_X, 0, 6), OPX(ADD64_X, 0, 7), OPX(ADD64_X, 0, 8),
              OPX(ADD64_X, 0, 9), OPK(ADD64_K, 0, 100), EXIT,
              /* callee */ MOV(6, 0), MOV(7, 0), MOV(8, 0), MOV(9, 0), MOVR(0, 1), EXIT);
    /* each call gets its own frame: the callee's r10 is frame_size lower */
    {
        static const uint8_t code[] = {
            ST(STDW, 10, -8, 1), MOVR(0, 10), CALL_LOCAL(2), OPX(SUB64_X, 0, 1), EXIT,
            /* callee: r1 = r10 */ MOVR(1, 10), EXIT,
        };
        uint64_t r0 = 0;
        assert_int_equal(unit_run(code, sizeof(code), NULL, 0, &r0), RBPF_OK);
        assert_int_equal(unit_prog.frame_size, RBPF_MAX_FRAME); /* r10 copied: assumed full */
        assert_int_equal(r0, unit_prog.frame_size);
        assert_int_equal(unit_vm.instructions, 7);
    }
    /* recursion: depth limit, then the stack limit */
    {
        static const uint8_t code[] = {ST(STDW, 10, -8, 1), CALL_LOCAL(-2), EXIT};
        assert_int_equal(unit_run(code, sizeof(code), NULL, 0, NULL), RBPF_ERR_CALL_DEPTH);
        assert_int_equal(unit_error_at(), 1);
        assert_int_equal(unit_vm.instructions, 2 * (RBPF_DEFAULT_CALL_DEPTH + 1));
        unit_config.max_call_depth = 3;
        assert_int_equal(unit_run(code, sizeof(code), NULL, 0, NULL), RBPF_ERR_CALL_DEPTH);
        assert_int_equal(unit_vm.instructions, 2 * 4);
        unit_config.max_call_depth = 1000;
        /* 4096 bytes: frames of 8 plus records of 48 */
        assert_int_equal(unit_run(code, sizeof(code), NULL, 0, NULL), RBPF_ERR_STACK_OVERFLOW);
        assert_int_equal(unit_error_at(), 1);
        unit_reset();
    }
    /* the saved records are outside the stack region the program gets */
    {
        static const uint8_t code[] = {
            CALL_LOCAL(1), EXIT,
            /* callee: r1 = stack base + 8 (inside the record) */
            MOVR(1, 10), LDDW(2, UNIT_STACK - 8), OPX(SUB64_X, 1, 2), MOVR(2, 10),
            OPX(SUB64_X, 2, 1), LDX(LDXDW, 0, 1, 0), EXIT,
        };
        assert_int_equal(unit_run(code, sizeof(code), NULL, 0, NULL), RBPF_ERR_MEMORY);
        assert_int_equal(unit_error_at(), 8);
    }
    /* and a helper cannot be handed them either */
    {
        static const uint8_t code[] = {
            CALL_LOCAL(1), EXIT,
            LDDW(1, 0), MOV(2, 8), MOV(3, RBPF_READ), CALL(3), EXIT,
        };
        uint8_t patched[sizeof(code)];
        uint64_t base = (uintptr_t)unit_stack;
        memcpy(patched, code, sizeof(code));
        patched[2 * 8 + 4] = (uint8_t)base;
        patched[2 * 8 + 5] = (uint8_t)(base >> 8);
        patched[2 * 8 + 6] = (uint8_t)(base >> 16);
        patched[2 * 8 + 7] = (uint8_t)(base >> 24);
        patched[3 * 8 + 4] = (uint8_t)(base >> 32);
        patched[3 * 8 + 5] = (uint8_t)(base >> 40);
        patched[3 * 8 + 6] = (uint8_t)(base >> 48);
        patched[3 * 8 + 7] = (uint8_t)(base >> 56);
        assert_int_equal(unit_run(patched, sizeof(patched), NULL, 0, NULL), RBPF_ERR_MEMORY);
        assert_int_equal(unit_error_at(), 6);
        /* at depth 0 the same address is granted */
        assert_int_equal(unit_run(patched + 16, sizeof(patched) - 16, NULL, 0, NULL), RBPF_OK);
    }
#else
    EXPECT_ERROR(RBPF_ERR_ILLEGAL_INSN, 0, CALL_LOCAL(1), EXIT, MOV(0, 1), EXIT);
#endif
}

static void budget(void **state)
{
    uint64_t r0 = 0;
    static const uint8_t loop[] = {JMP(JA, 0, 0, -1), EXIT};
    static const uint8_t straight[] = {MOV(0, 1), LDDW(1, 2), OPX(ADD64_X, 0, 1), EXIT};
    (void)state;
    assert_int_equal(unit_run(straight, sizeof(straight), NULL, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 3);
    assert_int_equal(unit_vm.instructions, 4); /* lddw counts once */
    unit_config.budget = 4;
    assert_int_equal(unit_run(straight, sizeof(straight), NULL, 0, &r0), RBPF_OK);
    unit_config.budget = 3;
    assert_int_equal(unit_run(straight, sizeof(straight), NULL, 0, &r0), RBPF_ERR_BUDGET);
    assert_int_equal(unit_vm.error_at, 4);
    assert_int_equal(unit_vm.instructions, 3);
    unit_config.budget = 1000;
    assert_int_equal(unit_run(loop, sizeof(loop), NULL, 0, &r0), RBPF_ERR_BUDGET);
    assert_int_equal(unit_vm.instructions, 1000);
    assert_int_equal(unit_vm.error_at, 0);
    unit_config.budget = 0;
    assert_int_equal(unit_run(loop, sizeof(loop), NULL, 0, &r0), RBPF_ERR_BUDGET);
    assert_int_equal(unit_vm.instructions, RBPF_DEFAULT_BUDGET);
    unit_reset();
}

/* Load of `size` bytes at r1 + off, with r1 = context. */
static int ctx_access(void *ctx, size_t len, int16_t off, int write)
{
    uint8_t code[] = {LDX(LDXB, 0, 1, 0), EXIT};
    code[0] = write ? RBPF_OPC_STXB : RBPF_OPC_LDXB;
    code[1] = write ? (uint8_t)(1 | 0 << 4) : (uint8_t)(0 | 1 << 4);
    code[2] = (uint8_t)(uint16_t)off;
    code[3] = (uint8_t)((uint16_t)off >> 8);
    return unit_run(code, sizeof(code), ctx, len, NULL);
}

static void memory_edges(void **state)
{
    uint8_t buf[32] = {0};
    (void)state;
    /* context: [ctx, ctx + 16) of a bigger buffer */
    assert_int_equal(ctx_access(buf + 8, 16, 0, 0), RBPF_OK);
    assert_int_equal(ctx_access(buf + 8, 16, 15, 0), RBPF_OK);
    assert_int_equal(ctx_access(buf + 8, 16, 16, 0), RBPF_ERR_MEMORY);
    assert_int_equal(unit_vm.error_at, 0);
    assert_int_equal(ctx_access(buf + 8, 16, -1, 0), RBPF_ERR_MEMORY);
    assert_int_equal(ctx_access(buf + 8, 16, 15, 1), RBPF_OK);
    assert_int_equal(ctx_access(buf + 8, 16, 16, 1), RBPF_ERR_MEMORY);
    assert_int_equal(ctx_access(buf + 8, 16, -1, 1), RBPF_ERR_MEMORY);
    /* a wide access straddling the end */
    EXPECT_ERROR(RBPF_ERR_MEMORY, 0, LDX(LDXDW, 0, 10, -4), EXIT);
    /* stack: top edge and bottom edge */
    EXPECT_R0(0, LDX(LDXB, 0, 10, -1), EXIT);
    EXPECT_ERROR(RBPF_ERR_MEMORY, 0, LDX(LDXB, 0, 10, 0), EXIT);
    EXPECT_ERROR(RBPF_ERR_MEMORY, 1, MOV(0, 0), ST(STB, 10, 0, 1), EXIT);
    EXPECT_R0(0, MOVR(1, 10), OPK(ADD64_K, 1, -UNIT_STACK), LDX(LDXB, 0, 1, 0), EXIT);
    EXPECT_ERROR(RBPF_ERR_MEMORY, 2, MOVR(1, 10), OPK(ADD64_K, 1, -UNIT_STACK), LDX(LDXB, 0, 1, -1),
                 EXIT);
    /* a pointer wrapping around 2^64 and around 2^32 */
    EXPECT_R0(0, MOVR(1, 10), LDDW(2, 0xffffffffffffffffu), OPX(ADD64_X, 1, 2),
              LDX(LDXB, 0, 1, 0), EXIT); /* r10 - 1 */
    EXPECT_ERROR(RBPF_ERR_MEMORY, 2, LDDW(1, 0xffffffffffffffffu), LDX(LDXDW, 0, 1, 0), EXIT);
    EXPECT_ERROR(RBPF_ERR_MEMORY, 2, LDDW(1, 0xffffffffffffffffu), LDX(LDXB, 0, 1, 2), EXIT);
    EXPECT_ERROR(RBPF_ERR_MEMORY, 4, MOVR(1, 10), LDDW(2, 0x100000000u - 1),
                 OPX(ADD64_X, 1, 2), LDX(LDXB, 0, 1, 0), EXIT); /* r10 - 1 + 2^32 */
    EXPECT_ERROR(RBPF_ERR_MEMORY, 1, MOV(1, 0), LDX(LDXB, 0, 1, 0), EXIT);
    /* an address built with lddw */
    EXPECT_ERROR(RBPF_ERR_MEMORY, 2, LDDW(1, 0x1000), LDX(LDXW, 0, 1, 0), EXIT);
}

/* The refused access is recorded the same way whatever the engine and the
 * instruction: address, size, read or write; a successful run clears it. */
static void fault_detail(void **state)
{
    uint8_t ctx[16] = {0}; /* unit_run compares it across engines */
    static const uint8_t past_ctx[] = {LDX(LDXW, 0, 1, 14), EXIT};
    static const uint8_t write_low[] = {MOV(0, 0), ST(STH, 10, -(UNIT_STACK + 2), 1), EXIT};
    static const uint8_t helper_arg[] = {MOVR(1, 10), MOV(2, 24), MOV(3, RBPF_READ), CALL(3), EXIT};
    (void)state;
    assert_int_equal(unit_run(past_ctx, sizeof(past_ctx), ctx, sizeof(ctx), NULL),
                     RBPF_ERR_MEMORY);
    assert_int_equal(unit_vm.fault.address, (uintptr_t)ctx + 14);
    assert_int_equal(unit_vm.fault.size, 4);
    assert_int_equal(unit_vm.fault.access, RBPF_READ);
    assert_int_equal(unit_run(write_low, sizeof(write_low), NULL, 0, NULL), RBPF_ERR_MEMORY);
    assert_int_equal(unit_vm.fault.address, (uintptr_t)unit_stack - 2);
    assert_int_equal(unit_vm.fault.size, 2);
    assert_int_equal(unit_vm.fault.access, RBPF_WRITE);
    assert_int_equal(unit_vm.error_at, 1);
    /* a helper's rbpf_vm_check() of its argument: 24 bytes from the stack top */
    assert_int_equal(unit_run(helper_arg, sizeof(helper_arg), NULL, 0, NULL), RBPF_ERR_MEMORY);
    assert_int_equal(unit_vm.fault.address, (uintptr_t)unit_stack + UNIT_STACK);
    assert_int_equal(unit_vm.fault.size, 24);
    assert_int_equal(unit_vm.error_at, 3);
    /* the next run starts with no fault */
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, NULL), RBPF_ERR_MEMORY);
    assert_int_equal(unit_vm.fault.size, 24);
    {
        static const uint8_t fine[] = {MOV(0, 1), EXIT};
        assert_int_equal(unit_run(fine, sizeof(fine), NULL, 0, NULL), RBPF_OK);
        assert_int_equal(unit_vm.fault.size, 0);
    }
}

static void regions(void **state)
{
    static const uint8_t load[] = {LDX(LDXB, 0, 1, 0), EXIT};
    static uint8_t area[16];
    rbpf_region_t ro, rw, again;
    uint64_t r0;
    int i;
    (void)state;
    assert_int_equal(rbpf_load_raw(&unit_prog, load, sizeof(load), &unit_config), RBPF_OK);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, NULL, 0), RBPF_OK);
    assert_int_equal(rbpf_region_add(&unit_vm, &ro, area, 8, RBPF_READ), RBPF_OK);
    assert_int_equal(rbpf_region_add(&unit_vm, &rw, area + 8, 8, RBPF_RW), RBPF_OK);
    assert_int_equal(rbpf_region_add(&unit_vm, &ro, area, 8, RBPF_READ), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_region_add(&unit_vm, &again, area, 8, 0), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_region_add(&unit_vm, &again, area, 8, 4), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_region_add(&unit_vm, &again, (void *)(~(uintptr_t)0 - 3), 8, RBPF_READ),
                     RBPF_ERR_ARGUMENT);
    area[0] = 0x11;
    /* [area - 1] no, area..area+15 yes, area+16 no; writes only to the second half */
    {
        static uint8_t code[] = {LDDW(1, 0), LDX(LDXB, 0, 1, 0), EXIT};
        static uint8_t wcode[] = {LDDW(1, 0), ST(STB, 1, 0, 7), EXIT};
        for (i = -1; i <= 16; i++) {
            uint64_t a = (uintptr_t)area + (uint64_t)(int64_t)i;
            rbpf_region_t *keep = unit_vm.regions;
            int j, rc;
            for (j = 0; j < 4; j++) {
                code[4 + j] = wcode[4 + j] = (uint8_t)(a >> (8 * j));
                code[12 + j] = wcode[12 + j] = (uint8_t)(a >> (32 + 8 * j));
            }
            assert_int_equal(rbpf_load_raw(&unit_prog, code, sizeof(code), &unit_config), RBPF_OK);
            assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, NULL, 0), RBPF_OK);
            unit_vm.regions = keep;
            rc = rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0);
            assert_int_equal(rc, i >= 0 && i < 16 ? RBPF_OK : RBPF_ERR_MEMORY);
            assert_int_equal(rbpf_load_raw(&unit_prog, wcode, sizeof(wcode), &unit_config), RBPF_OK);
            assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, NULL, 0), RBPF_OK);
            unit_vm.regions = keep;
            rc = rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0);
            /* writes only to the read-write half */
            assert_int_equal(rc, i >= 8 && i < 16 ? RBPF_OK : RBPF_ERR_MEMORY);
            if (rc != RBPF_OK)
                assert_int_equal(unit_vm.error_at, 2);
        }
        assert_int_equal(area[0], 0x11);
        assert_int_equal(area[8], 7);
    }
}

static void vm_check(void **state)
{
    uint8_t ctx[16] = {0};
    (void)state;
    EXPECT_R0(0, MOV(0, 0), EXIT);
    assert_int_equal(rbpf_vm_check(&unit_vm, 0, 0, RBPF_RW), RBPF_OK); /* length 0 anywhere */
    assert_int_equal(rbpf_vm_check(&unit_vm, 0, 1, RBPF_READ), RBPF_ERR_MEMORY);
    assert_int_equal(rbpf_vm_check(&unit_vm, (uintptr_t)unit_stack, UNIT_STACK, RBPF_RW), RBPF_OK);
    assert_int_equal(rbpf_vm_check(&unit_vm, (uintptr_t)unit_stack, UNIT_STACK + 1, RBPF_RW),
                     RBPF_ERR_MEMORY);
    assert_int_equal(rbpf_vm_check(&unit_vm, (uintptr_t)unit_stack + 1, ~(uint64_t)0, RBPF_READ),
                     RBPF_ERR_MEMORY);
    assert_int_equal(rbpf_vm_check(&unit_vm, ~(uint64_t)0, 2, RBPF_READ), RBPF_ERR_MEMORY);
    assert_int_equal(rbpf_vm_check(NULL, 0, 1, RBPF_READ), RBPF_ERR_ARGUMENT);
    /* helper 3 checks [r1, r1 + r2) for r3 while the context is granted */
    EXPECT_R0(0, MOVR(1, 10), OPK(ADD64_K, 1, -16), MOV(2, 16), MOV(3, RBPF_RW), CALL(3), EXIT);
    EXPECT_ERROR(RBPF_ERR_MEMORY, 4, MOVR(1, 10), OPK(ADD64_K, 1, -16), MOV(2, 17),
                 MOV(3, RBPF_RW), CALL(3), EXIT);
    {
        static const uint8_t c2[] = {MOV(2, 16), MOV(3, RBPF_RW), CALL(3), EXIT};
        static const uint8_t c3[] = {MOV(2, 17), MOV(3, RBPF_RW), CALL(3), EXIT};
        assert_int_equal(unit_run(c2, sizeof(c2), ctx, sizeof(ctx), NULL), RBPF_OK);
        assert_int_equal(unit_run(c3, sizeof(c3), ctx, sizeof(ctx), NULL), RBPF_ERR_MEMORY);
        /* after the run the context is no longer granted */
        assert_int_equal(rbpf_vm_check(&unit_vm, (uintptr_t)ctx, 1, RBPF_READ), RBPF_ERR_MEMORY);
    }
}

static void vm_init_errors(void **state)
{
    static const uint8_t code[] = {EXIT};
    rbpf_config_t c;
    uint64_t ram[2];
    (void)state;
    unit_reset();
    c = unit_config;
    assert_int_equal(rbpf_load_raw(&unit_prog, code, sizeof(code), &c), RBPF_OK);
    assert_int_equal(rbpf_vm_init(NULL, &unit_prog, &c, NULL, 0), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_vm_init(&unit_vm, NULL, &c, NULL, 0), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, NULL, NULL, 0), RBPF_ERR_ARGUMENT);
    c.stack = (uint8_t *)unit_stack + 4;
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, NULL, 0), RBPF_ERR_ALIGNMENT);
    c.stack = NULL;
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, NULL, 0), RBPF_ERR_ARGUMENT);
    c = unit_config;
    unit_prog.bss_len = 16;
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, ram, 8), RBPF_ERR_TOO_SMALL);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, NULL, 0), RBPF_ERR_TOO_SMALL);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, (uint8_t *)ram + 1, 15),
                     RBPF_ERR_TOO_SMALL);
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, (uint8_t *)ram + 4, 16),
                     RBPF_ERR_ALIGNMENT);
    ram[0] = ram[1] = ~(uint64_t)0;
    assert_int_equal(rbpf_vm_init(&unit_vm, &unit_prog, &c, ram, sizeof(ram)), RBPF_OK);
    assert_int_equal(ram[0] | ram[1], 0); /* bss zeroed */
    assert_int_equal(unit_vm.error_at, -1);
    assert_int_equal(unit_vm.local_store.head, RBPF_STORE_NONE);
    assert_null(unit_vm.regions);
    assert_int_equal(rbpf_vm_run(&unit_vm, 1, NULL, 0, NULL), RBPF_ERR_NO_FUNCTION);
    assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 4, NULL), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_vm_run(NULL, 0, NULL, 0, NULL), RBPF_ERR_ARGUMENT);
}

/* The engine API: names, availability, and what rbpf_prepare refuses. */
static void engines(void **state)
{
    static const uint8_t code[] = {MOV(0, 7), EXIT};
    static uint64_t buffer[64];
    rbpf_program_t prog;
    size_t need = 1;
    int e;
    (void)state;
    unit_reset();
    assert_string_equal(rbpf_engine_name(RBPF_ENGINE_INTERP), "interp");
    assert_string_equal(rbpf_engine_name(RBPF_ENGINE_THREADED), "threaded");
    assert_string_equal(rbpf_engine_name(RBPF_ENGINE_JIT), "jit");
    assert_string_equal(rbpf_engine_name(RBPF_ENGINE_COUNT), "unknown");
    assert_string_equal(rbpf_engine_name(-1), "unknown");
    for (e = 0; e < RBPF_ENGINE_COUNT; e++)
        assert_int_equal(rbpf_engine_find(rbpf_engine_name(e)), e);
    assert_int_equal(rbpf_engine_find("fast"), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_engine_find(NULL), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_engine_available(RBPF_ENGINE_INTERP), 1);
    assert_int_equal(rbpf_engine_available(RBPF_ENGINE_THREADED), RBPF_ENABLE_THREADED);
    assert_int_equal(rbpf_engine_available(RBPF_ENGINE_JIT), RBPF_ENABLE_JIT);
#if !defined(__thumb2__)
    /* no Thumb-2 core: the JIT is never built, even when asked for */
    assert_int_equal(rbpf_engine_available(RBPF_ENGINE_JIT), 0);
#endif
    assert_int_equal(rbpf_engine_available(RBPF_ENGINE_COUNT), 0);

    /* not verified yet: refused */
    assert_int_equal(rbpf_program_raw(&prog, code, sizeof(code)), RBPF_OK);
    assert_int_equal(rbpf_prepare_size(&prog, RBPF_ENGINE_INTERP, &need), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_prepare(&prog, RBPF_ENGINE_INTERP, NULL, 0), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_verify(&prog, &unit_config), RBPF_OK);
    assert_int_equal(prog.verified, 1);
    assert_int_equal(prog.engine, RBPF_ENGINE_INTERP);
    assert_int_equal(rbpf_prepare_size(&prog, RBPF_ENGINE_INTERP, &need), RBPF_OK);
    assert_int_equal(need, 0);
    assert_int_equal(rbpf_prepare(&prog, RBPF_ENGINE_INTERP, NULL, 0), RBPF_OK);
    assert_int_equal(rbpf_prepare_size(&prog, RBPF_ENGINE_COUNT, &need), RBPF_ERR_UNSUPPORTED);
    assert_int_equal(rbpf_prepare(&prog, -1, buffer, sizeof(buffer)), RBPF_ERR_UNSUPPORTED);
    for (e = 1; e < RBPF_ENGINE_COUNT; e++) {
        rbpf_program_t copy = prog;
        uint64_t r0 = 0;
        if (!rbpf_engine_available(e)) {
            assert_int_equal(rbpf_prepare_size(&copy, e, &need), RBPF_ERR_UNSUPPORTED);
            assert_int_equal(rbpf_prepare(&copy, e, buffer, sizeof(buffer)), RBPF_ERR_UNSUPPORTED);
            assert_int_equal(copy.engine, RBPF_ENGINE_INTERP);
            continue;
        }
        assert_int_equal(rbpf_prepare_size(&copy, e, &need), RBPF_OK);
        assert_true(need > 0 && need <= sizeof(buffer));
        assert_int_equal(rbpf_prepare(&copy, e, NULL, 0), RBPF_ERR_TOO_SMALL);
        assert_int_equal(rbpf_prepare(&copy, e, buffer, need - 1), RBPF_ERR_TOO_SMALL);
        assert_int_equal(rbpf_prepare(&copy, e, (uint8_t *)buffer + 4, need), RBPF_ERR_ALIGNMENT);
        assert_int_equal(copy.engine, RBPF_ENGINE_INTERP);
        assert_int_equal(rbpf_prepare(&copy, e, buffer, need), RBPF_OK);
        assert_int_equal(copy.engine, e);
        assert_int_equal(rbpf_vm_init(&unit_vm, &copy, &unit_config, NULL, 0), RBPF_OK);
        assert_int_equal(rbpf_vm_run(&unit_vm, 0, NULL, 0, &r0), RBPF_OK);
        assert_int_equal(r0, 7);
        assert_int_equal(unit_vm.instructions, 2);
        /* back to the interpreter */
        assert_int_equal(rbpf_prepare(&copy, RBPF_ENGINE_INTERP, NULL, 0), RBPF_OK);
        assert_int_equal(copy.engine, RBPF_ENGINE_INTERP);
        assert_null(copy.prepared);
    }
}

static void errors(void **state)
{
    int e;
    (void)state;
    for (e = 0; e >= RBPF_ERR_BAD_RELOCATION; e--) {
        const char *name = rbpf_error_name(e), *text = rbpf_strerror(e);
        assert_non_null(name);
        assert_non_null(text);
        assert_int_equal(strncmp(name, "RBPF_ERR_", 9), 0);
        assert_true(strlen(text) > 1);
        if (e < 0)
            assert_string_not_equal(name, rbpf_error_name(e + 1));
    }
    assert_string_equal(rbpf_error_name(RBPF_ERR_MEMORY), "RBPF_ERR_MEMORY");
    assert_string_equal(rbpf_error_name(RBPF_ERR_TOO_SMALL), "RBPF_ERR_TOO_SMALL");
    assert_string_equal(rbpf_error_name(1), "RBPF_ERR_UNKNOWN");
    assert_string_equal(rbpf_error_name(RBPF_ERR_UNSUPPORTED), "RBPF_ERR_UNSUPPORTED");
    assert_string_equal(rbpf_error_name(RBPF_ERR_BAD_RELOCATION), "RBPF_ERR_BAD_RELOCATION");
    assert_string_equal(rbpf_error_name(RBPF_ERR_BAD_RELOCATION - 1), "RBPF_ERR_UNKNOWN");
#if RBPF_ENABLE_ERROR_TEXT
    assert_string_equal(rbpf_strerror(RBPF_ERR_BUDGET), "instruction budget exhausted");
    assert_string_equal(rbpf_strerror(-100), "unknown error");
#else
    assert_string_equal(rbpf_strerror(RBPF_ERR_BUDGET), "RBPF_ERR_BUDGET");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alu64),       cmocka_unit_test(engines),       cmocka_unit_test(divmod64),
        cmocka_unit_test(alu32),       cmocka_unit_test(movsx_ldsx),
        cmocka_unit_test(byteswap),    cmocka_unit_test(jumps),
        cmocka_unit_test(load_store),  cmocka_unit_test(lddw),
        cmocka_unit_test(atomics),     cmocka_unit_test(helpers),
        cmocka_unit_test(local_calls), cmocka_unit_test(budget),
        cmocka_unit_test(memory_edges), cmocka_unit_test(regions),
        cmocka_unit_test(fault_detail),
        cmocka_unit_test(vm_check),    cmocka_unit_test(vm_init_errors),
        cmocka_unit_test(errors),
    };
    unit_reset();
    return cmocka_run_group_tests_name("interp", tests, NULL, NULL);
}
