/*
 * test_verify.c: every verifier rule, each with the error and the
 * instruction index it must report, and the frame size it works out.
 */
#include "unit.h"

/* Verifies the instructions with the test configuration. */
#define VERIFY(error, at, ...)                                                           \
    do {                                                                                 \
        static const uint8_t code_[] = {__VA_ARGS__};                                    \
        assert_int_equal(rbpf_load_raw(&unit_prog, code_, sizeof(code_), &unit_config), \
                         (error));                                                       \
        assert_int_equal(unit_prog.error_at, (at));                                      \
    } while (0)
#define ACCEPT(...) VERIFY(RBPF_OK, -1, __VA_ARGS__)

static void empty(void **state)
{
    static const uint8_t one[8] = {0};
    (void)state;
    assert_int_equal(rbpf_load_raw(&unit_prog, one, 0, &unit_config), RBPF_ERR_EMPTY);
    unit_prog.text_len = 0;
    assert_int_equal(rbpf_verify(&unit_prog, &unit_config), RBPF_ERR_EMPTY);
    assert_int_equal(unit_prog.error_at, 0);
    assert_int_equal(rbpf_load_raw(&unit_prog, one, 7, &unit_config), RBPF_ERR_BAD_LENGTH);
    assert_int_equal(rbpf_load_raw(&unit_prog, NULL, 8, &unit_config), RBPF_ERR_ARGUMENT);
    assert_int_equal(rbpf_verify(NULL, &unit_config), RBPF_ERR_ARGUMENT);
}

static void opcodes(void **state)
{
    unsigned op, known = 0;
    (void)state;
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0x00, 0, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 1, MOV(0, 0), INSN(0x8d, 0, 1, 0, 0), EXIT); /* callx */
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 1, MOV(0, 0), INSN(0xff, 0, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0x20, 0, 0, 0, 0), EXIT); /* legacy ld abs */
    /* selecting fields: an unknown selection */
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_SDIV64_K, 0, 0, 2, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_MOVSX8_64, 0, 1, 7, 0), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_MOV64_K, 0, 0, 8, 0), EXIT); /* no movsx imm */
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(RBPF_OPC_BE16, 0, 0, 0, 17), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(RBPF_OPC_BSWAP16, 0, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(RBPF_OPC_CALL, 0, 2, 0, 1), EXIT);
#if RBPF_ENABLE_ATOMIC
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(RBPF_OPC_ADD64, 10, 1, -8, 0x02), EXIT);
    ACCEPT(INSN(RBPF_OPC_ADD64, 10, 1, -8, RBPF_ATOMIC_XCHG), EXIT);
    ACCEPT(INSN(RBPF_OPC_ADD32, 10, 1, -8, RBPF_ATOMIC_OR | RBPF_ATOMIC_FETCH), EXIT);
#else
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0xdb, 10, 1, -8, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0xc3, 10, 1, -8, 0), EXIT);
#endif
#if !RBPF_ENABLE_ALU32
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0x04, 0, 0, 0, 1), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0xbc, 0, 1, 0, 0), EXIT);
#endif
#if !RBPF_ENABLE_JMP32
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0x16, 0, 0, 0, 0), EXIT);
#endif
#if !RBPF_ENABLE_LOCAL_CALLS
    VERIFY(RBPF_ERR_ILLEGAL_INSN, 0, INSN(0x85, 0, 1, 0, 0), EXIT);
#endif
    /* the opcodes the table knows with every field zero (byte swaps need imm) */
    for (op = 0; op < 256; op++) {
        uint8_t code[16] = {(uint8_t)op, 0, 0, 0, 0, 0, 0, 0, RBPF_OPC_EXIT};
        int rc = rbpf_load_raw(&unit_prog, code, sizeof(code), &unit_config);
        if (rc != RBPF_ERR_ILLEGAL_INSN || unit_prog.error_at != 0)
            known++;
    }
    /* alu64, neg, lddw*, ldx, st, stx, ja, jmp64, call, exit */
    assert_int_equal(known, 12 * 2 + 1 + 3 + 7 + 4 + 4 + 1 + 11 * 2 + 1 + 1 +
                                (RBPF_ENABLE_ALU32 ? 12 * 2 + 1 : 0) +
                                (RBPF_ENABLE_JMP32 ? 11 * 2 + 1 : 0) +
                                (RBPF_ENABLE_ATOMIC ? 2 : 0));
}

static void unused_fields(void **state)
{
    (void)state;
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_ADD64_K, 0, 1, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_ADD64_K, 0, 0, 1, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_ADD64_X, 0, 1, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 1, MOV(0, 0), INSN(RBPF_OPC_EXIT, 0, 0, 0, 1));
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_EXIT, 1, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_NEG64, 0, 1, 0, 0), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_LE16, 0, 0, 1, 16), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_LDXW, 0, 1, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_STW, 1, 2, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_STXW, 1, 2, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_JA, 0, 0, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_JEQ_K, 0, 1, 0, 0), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_JEQ_X, 0, 1, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_CALL, 1, 0, 0, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_CALL, 0, 0, 1, 1), EXIT);
    VERIFY(RBPF_ERR_RESERVED_FIELD, 0, INSN(RBPF_OPC_LDDW, 0, 1, 0, 1), INSN(0, 0, 0, 0, 0),
           EXIT);
}

static void registers(void **state)
{
    (void)state;
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, MOV(11, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, MOVR(0, 11), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, LDX(LDXW, 0, 15, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 1, MOV(0, 0), MOV(10, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, OPK(ADD64_K, 10, 8), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, INSN(RBPF_OPC_NEG64, 10, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, INSN(RBPF_OPC_BE64, 10, 0, 0, 64), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, LDX(LDXDW, 10, 1, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, LDDW(10, 1), EXIT);
    ACCEPT(ST(STDW, 10, -8, 1), STX(STXDW, 10, 1, -8), LDX(LDXDW, 0, 10, -8), EXIT);
#if RBPF_ENABLE_ATOMIC
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0,
           INSN(RBPF_OPC_ADD64, 1, 10, 0, RBPF_ATOMIC_ADD | RBPF_ATOMIC_FETCH), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_REGISTER, 0, INSN(RBPF_OPC_ADD64, 1, 10, 0, RBPF_ATOMIC_XCHG), EXIT);
    ACCEPT(INSN(RBPF_OPC_ADD64, 1, 10, 0, RBPF_ATOMIC_CMPXCHG), EXIT);
    ACCEPT(INSN(RBPF_OPC_ADD64, 10, 1, -8, RBPF_ATOMIC_ADD | RBPF_ATOMIC_FETCH), EXIT);
#endif
}

static void jumps(void **state)
{
    (void)state;
    ACCEPT(JMP(JA, 0, 0, 0), EXIT);
    ACCEPT(MOV(0, 0), JMP(JEQ_K, 0, 0, -2), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 0, JMP(JA, 0, 0, 1), EXIT);          /* = end of text */
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 1, MOV(0, 0), JMP(JEQ_K, 0, 0, -3), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 0, JMP(JA, 0, 0, -32768), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 0, JMP(JNE_K, 0, 0, 1), LDDW(0, 1), EXIT); /* into lddw */
    ACCEPT(JMP(JNE_K, 0, 0, 2), LDDW(0, 1), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 3, LDDW(0, 1), EXIT, JMP(JA, 0, 0, -3));
#if RBPF_ENABLE_JMP32
    ACCEPT(INSN(RBPF_OPC_JA32, 0, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 0, INSN(RBPF_OPC_JA32, 0, 0, 0, 1), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 0, INSN(RBPF_OPC_JA32, 0, 0, 0, INT32_MIN), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_JUMP, 1, MOV(0, 0), INSN(RBPF_OPC_JA32, 0, 0, 0, INT32_MAX), EXIT);
#endif
}

static void calls(void **state)
{
    (void)state;
    ACCEPT(CALL(1), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_CALL, 1, MOV(0, 0), CALL(4), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_CALL, 0, CALL(-1), EXIT);
    {
        static const uint8_t code[] = {CALL(1), EXIT};
        assert_int_equal(rbpf_load_raw(&unit_prog, code, sizeof(code), NULL), RBPF_ERR_ILLEGAL_CALL);
        assert_int_equal(unit_prog.error_at, 0);
    }
#if RBPF_ENABLE_LOCAL_CALLS
    ACCEPT(CALL_LOCAL(1), EXIT, EXIT);
    ACCEPT(CALL_LOCAL(-1), EXIT);                                         /* itself */
    VERIFY(RBPF_ERR_ILLEGAL_CALL, 0, CALL_LOCAL(1), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_CALL, 0, CALL_LOCAL(-2), EXIT);
    VERIFY(RBPF_ERR_ILLEGAL_CALL, 0, CALL_LOCAL(2), EXIT, LDDW(0, 1), EXIT); /* into lddw */
    ACCEPT(CALL_LOCAL(1), EXIT, LDDW(0, 1), EXIT);
#endif
}

static void lddw(void **state)
{
    (void)state;
    ACCEPT(LDDW(0, 0xffffffffffffffffu), EXIT);
    ACCEPT(LDDW_(RBPF_OPC_LDDWD, 1, 8), LDDW_(RBPF_OPC_LDDWR, 1, 8), EXIT);
    VERIFY(RBPF_ERR_INCOMPLETE_LDDW, 1, EXIT, INSN(RBPF_OPC_LDDW, 0, 0, 0, 1));
    VERIFY(RBPF_ERR_INCOMPLETE_LDDW, 0, INSN(RBPF_OPC_LDDW, 0, 0, 0, 1), EXIT);
    VERIFY(RBPF_ERR_INCOMPLETE_LDDW, 0, INSN(RBPF_OPC_LDDW, 0, 0, 0, 1), INSN(0, 1, 0, 0, 0), EXIT);
    VERIFY(RBPF_ERR_INCOMPLETE_LDDW, 0, INSN(RBPF_OPC_LDDW, 0, 0, 0, 1), INSN(0, 0, 0, 1, 0), EXIT);
    VERIFY(RBPF_ERR_INCOMPLETE_LDDW, 0, INSN(RBPF_OPC_LDDWR, 0, 0, 0, 1), INSN(0, 0x10, 0, 0, 0),
           EXIT);
}

static void falls_off(void **state)
{
    (void)state;
    VERIFY(RBPF_ERR_NO_EXIT, 0, MOV(0, 0));
    VERIFY(RBPF_ERR_NO_EXIT, 1, MOV(0, 0), JMP(JEQ_K, 0, 0, -2));
    VERIFY(RBPF_ERR_NO_EXIT, 1, MOV(0, 0), CALL(1));
    VERIFY(RBPF_ERR_NO_EXIT, 1, EXIT, LDDW(0, 1));
    ACCEPT(MOV(0, 0), EXIT, JMP(JA, 0, 0, -3));
}

static void frame_size(void **state)
{
    (void)state;
    ACCEPT(MOV(0, 0), EXIT);
    assert_int_equal(unit_prog.frame_size, 0);
    ACCEPT(ST(STW, 10, -3, 1), EXIT);
    assert_int_equal(unit_prog.frame_size, 8);
    ACCEPT(ST(STDW, 10, -16, 1), LDX(LDXW, 0, 10, -12), EXIT);
    assert_int_equal(unit_prog.frame_size, 16);
    ACCEPT(MOVR(1, 10), OPK(ADD64_K, 1, -40), ST(STDW, 10, -8, 1), EXIT);
    assert_int_equal(unit_prog.frame_size, 40);
    ACCEPT(MOVR(1, 10), OPK(ADD64_K, 1, 40), EXIT);         /* not the pattern */
    assert_int_equal(unit_prog.frame_size, RBPF_MAX_FRAME);
    ACCEPT(MOVR(1, 10), EXIT);
    assert_int_equal(unit_prog.frame_size, RBPF_MAX_FRAME);
    ACCEPT(STX(STXDW, 10, 10, -8), EXIT);                    /* r10 stored as a value */
    assert_int_equal(unit_prog.frame_size, RBPF_MAX_FRAME);
    ACCEPT(JMP(JEQ_K, 10, 0, 0), EXIT);                      /* r10 compared */
    assert_int_equal(unit_prog.frame_size, RBPF_MAX_FRAME);
    ACCEPT(JMP(JEQ_K, 1, 0, 0), LDX(LDXDW, 0, 10, 8), EXIT); /* above r10: no frame */
    assert_int_equal(unit_prog.frame_size, 0);
    ACCEPT(INSN(RBPF_OPC_JEQ_X, 1, 10, 0, 0), EXIT);
    assert_int_equal(unit_prog.frame_size, RBPF_MAX_FRAME);
    ACCEPT(ST(STDW, 10, 8, 1), CALL(1), EXIT);              /* any call: at least 8 */
    assert_int_equal(unit_prog.frame_size, 8);
    ACCEPT(ST(STDW, 10, -1000, 1), EXIT);
    assert_int_equal(unit_prog.frame_size, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty),     cmocka_unit_test(opcodes),   cmocka_unit_test(unused_fields),
        cmocka_unit_test(registers), cmocka_unit_test(jumps),     cmocka_unit_test(calls),
        cmocka_unit_test(lddw),      cmocka_unit_test(falls_off), cmocka_unit_test(frame_size),
    };
    unit_reset();
    return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
