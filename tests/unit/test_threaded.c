/*
 * test_threaded.c: what the translated engine does beyond one handler per
 * instruction: `mov dst, src; dst op= x` pairs run as one fused handler.
 * unit_run() runs every program on every engine and requires the
 * interpreter's observables, so each case here checks the fused handler's
 * result against a value computed in C, and the pair's edges: a jump into
 * its second instruction, a budget that ends between the two, x being dst
 * itself (not fused), and a mov of the other width (not fused); and
 * `mov; if r ==/!= 0 goto` pairs, taken and not, on every width.
 */
#include "unit.h"

#include <string.h>

/* The fusable operations and what they compute, 64- and 32-bit. */
typedef struct fusable {
    uint8_t op64_k, op64_x, op32_k, op32_x;
    int shift;
} fusable_t;

static const fusable_t fusables[] = {
    {RBPF_OPC_ADD64_K, RBPF_OPC_ADD64_X, RBPF_OPC_ADD32_K, RBPF_OPC_ADD32_X, 0},
    {RBPF_OPC_SUB64_K, RBPF_OPC_SUB64_X, RBPF_OPC_SUB32_K, RBPF_OPC_SUB32_X, 0},
    {RBPF_OPC_MUL64_K, RBPF_OPC_MUL64_X, RBPF_OPC_MUL32_K, RBPF_OPC_MUL32_X, 0},
    {RBPF_OPC_OR64_K, RBPF_OPC_OR64_X, RBPF_OPC_OR32_K, RBPF_OPC_OR32_X, 0},
    {RBPF_OPC_AND64_K, RBPF_OPC_AND64_X, RBPF_OPC_AND32_K, RBPF_OPC_AND32_X, 0},
    {RBPF_OPC_XOR64_K, RBPF_OPC_XOR64_X, RBPF_OPC_XOR32_K, RBPF_OPC_XOR32_X, 0},
    {RBPF_OPC_LSH64_K, RBPF_OPC_LSH64_X, RBPF_OPC_LSH32_K, RBPF_OPC_LSH32_X, 1},
    {RBPF_OPC_RSH64_K, RBPF_OPC_RSH64_X, RBPF_OPC_RSH32_K, RBPF_OPC_RSH32_X, 2},
};

static uint64_t compute(unsigned index, uint64_t a, uint64_t b, int bits)
{
    const uint64_t mask = bits == 64 ? ~(uint64_t)0 : 0xffffffffu;
    const unsigned s = (unsigned)(b & (uint64_t)(bits - 1));
    a &= mask;
    b &= mask;
    switch (index) {
    case 0: return (a + b) & mask;
    case 1: return (a - b) & mask;
    case 2: return (a * b) & mask;
    case 3: return a | b;
    case 4: return a & b;
    case 5: return a ^ b;
    case 6: return (a << s) & mask;
    default: return a >> s;
    }
}

/* Writes one instruction at code + 8 * at. */
static void put(uint8_t *code, unsigned at, uint8_t op, unsigned dst, unsigned src, int16_t off,
                int32_t imm)
{
    const uint8_t insn[] = {INSN(op, dst, src, off, imm)};
    memcpy(code + 8 * at, insn, sizeof insn);
}

/* r1 = a (lddw), r2 = b (lddw), r0 = r1 (mov of `bits`), r0 op= r2 or imm, exit. */
static uint64_t run_pair(uint8_t op, int bits, int with_register, uint64_t a, uint64_t b)
{
    uint8_t code[8 * 8];
    uint64_t r0 = 0;
    put(code, 0, RBPF_OPC_LDDW, 1, 0, 0, (int32_t)(uint32_t)a);
    put(code, 1, 0, 0, 0, 0, (int32_t)(uint32_t)(a >> 32));
    put(code, 2, RBPF_OPC_LDDW, 2, 0, 0, (int32_t)(uint32_t)b);
    put(code, 3, 0, 0, 0, 0, (int32_t)(uint32_t)(b >> 32));
    put(code, 4, bits == 64 ? RBPF_OPC_MOV64_X : RBPF_OPC_MOV32_X, 0, 1, 0, 0);
    put(code, 5, op, 0, with_register ? 2 : 0, 0, with_register ? 0 : (int32_t)(uint32_t)b);
    put(code, 6, RBPF_OPC_EXIT, 0, 0, 0, 0);
    assert_int_equal(unit_run(code, 7 * 8, NULL, 0, &r0), RBPF_OK);
    assert_int_equal(unit_vm.instructions, 5);
    return r0;
}

static void fused_pairs(void **state)
{
    static const uint64_t values[][2] = {
        {7, 5}, {0xfffffffffffffff0u, 0x30}, {0x8000000000000001u, 0xffffffff}, {0x123456789, 37},
        {0xffffffff, 0xffffffff}, {3, 0x7fffffff},
    };
    unsigned i, v;
    (void)state;
    for (i = 0; i < sizeof fusables / sizeof fusables[0]; i++) {
        const fusable_t *f = &fusables[i];
        for (v = 0; v < sizeof values / sizeof values[0]; v++) {
            const uint64_t a = values[v][0];
            /* an immediate is sign-extended from 32 bits */
            const uint64_t k = (uint64_t)(int64_t)(int32_t)(uint32_t)values[v][1];
            const uint64_t b = values[v][1];
            assert_int_equal(run_pair(f->op64_x, 64, 1, a, b), compute(i, a, b, 64));
            assert_int_equal(run_pair(f->op64_k, 64, 0, a, k), compute(i, a, k, 64));
#if RBPF_ENABLE_ALU32
            assert_int_equal(run_pair(f->op32_x, 32, 1, a, b), compute(i, a, b, 32));
            assert_int_equal(run_pair(f->op32_k, 32, 0, a, k), compute(i, a, k, 32));
#endif
        }
    }
}

static void fused_pair_edges(void **state)
{
    uint64_t r0 = 0;
    (void)state;
    /* x is dst itself: r0 = r1; r0 += r0 doubles r1 */
    EXPECT_R0(14, MOV(1, 7), MOVR(0, 1), OPX(ADD64_X, 0, 0), EXIT);
    /* the second instruction's dst is another register: r0 = r1; r2 += 1 */
    EXPECT_R0(7, MOV(1, 7), MOV(2, 0), MOVR(0, 1), OPK(ADD64_K, 2, 1), EXIT);
    /* a jump to the second instruction runs it alone: r0 = 5; goto +1;
     * r0 = r1 (skipped); r0 += 3 */
    EXPECT_R0(8, MOV(1, 100), MOV(0, 5), JMP(JA, 0, 0, 1), MOVR(0, 1), OPK(ADD64_K, 0, 3), EXIT);
#if RBPF_ENABLE_ALU32
    /* widths differ: r0 = r1 (64) then w0 += 1 (32): not one operation */
    EXPECT_R0(0, LDDW(1, 0x1ffffffffu), MOVR(0, 1), OPK(ADD32_K, 0, 1), EXIT);
    /* w0 = w1 then r0 += 1 (64): the 32-bit mov zero-extends first */
    EXPECT_R0(0x100000000u, LDDW(1, 0x7ffffffff), OPX(MOV32_X, 0, 1), OPK(ADD64_K, 0, 1), EXIT);
#endif
    /* a budget that ends between the two: the mov runs, the add does not */
    {
        static const uint8_t pair[] = {MOV(1, 7), MOVR(0, 1), OPK(ADD64_K, 0, 1), EXIT};
        unit_config.budget = 2;
        assert_int_equal(unit_run(pair, sizeof pair, NULL, 0, &r0), RBPF_ERR_BUDGET);
        assert_int_equal(unit_vm.instructions, 2);
        assert_int_equal(unit_vm.error_at, 2);
        unit_config.budget = 3;
        assert_int_equal(unit_run(pair, sizeof pair, NULL, 0, &r0), RBPF_ERR_BUDGET);
        assert_int_equal(unit_vm.error_at, 3);
        unit_config.budget = 4;
        assert_int_equal(unit_run(pair, sizeof pair, NULL, 0, &r0), RBPF_OK);
        assert_int_equal(r0, 8);
        unit_reset();
    }
    /* a loop of pairs long enough to leave exact mode and come back */
    {
        static const uint8_t loop[] = {
            MOV(0, 0), MOV(2, 1000),
            MOVR(1, 0), OPK(ADD64_K, 1, 3), MOVR(0, 1), OPK(SUB64_K, 2, 1), JMP(JNE_K, 2, 0, -5),
            EXIT,
        };
        unit_config.budget = 1234;
        assert_int_equal(unit_run(loop, sizeof loop, NULL, 0, &r0), RBPF_ERR_BUDGET);
        assert_int_equal(unit_vm.instructions, 1234);
        unit_config.budget = 0;
        assert_int_equal(unit_run(loop, sizeof loop, NULL, 0, &r0), RBPF_OK);
        assert_int_equal(r0, 3000);
        unit_reset();
    }
}

/* `mov d, s; if r ==/!= 0 goto +3; r0 = 1 + d; exit; r0 = d; exit` for each mov
 * width, jump width and test, with r the mov's own dst or another register. */
static void fused_mov_jumps(void **state)
{
    static const uint8_t jumps[] = {RBPF_OPC_JEQ_K, RBPF_OPC_JNE_K
#if RBPF_ENABLE_JMP32
                                    , RBPF_OPC_JEQ32_K, RBPF_OPC_JNE32_K
#endif
    };
    static const uint64_t values[] = {0, 1, 0x100000000u, 0xffffffff00000000u};
    unsigned mov, j, v, r;
    (void)state;
    /* 32-bit movs need ALU32 */
    for (mov = 0; mov < (RBPF_ENABLE_ALU32 ? 2u : 1u); mov++)
        for (j = 0; j < sizeof jumps; j++)
            for (v = 0; v < sizeof values / sizeof values[0]; v++)
                for (r = 0; r < 2; r++) {
                    const int mov32 = mov == 1, jump32 = j >= 2, eq = j % 2 == 0;
                    /* r3 = value; r4 = 1 << 32; r5 = d = mov of r3 (or r4 when testing
                     * another register, which then holds value) */
                    const uint64_t moved = mov32 ? (uint32_t)values[v] : values[v];
                    const uint64_t tested = r == 0 ? moved : values[v];
                    const uint64_t t = jump32 ? (uint32_t)tested : tested;
                    uint8_t code[8 * 9];
                    uint64_t r0 = 0;
                    put(code, 0, RBPF_OPC_LDDW, 3, 0, 0, (int32_t)(uint32_t)values[v]);
                    put(code, 1, 0, 0, 0, 0, (int32_t)(uint32_t)(values[v] >> 32));
                    put(code, 2, mov32 ? RBPF_OPC_MOV32_X : RBPF_OPC_MOV64_X, 5, 3, 0, 0);
                    put(code, 3, jumps[j], r == 0 ? 5 : 3, 0, 3, 0);
                    put(code, 4, RBPF_OPC_MOV64_K, 0, 0, 0, 1);
                    put(code, 5, RBPF_OPC_ADD64_X, 0, 5, 0, 0);
                    put(code, 6, RBPF_OPC_EXIT, 0, 0, 0, 0);
                    put(code, 7, RBPF_OPC_MOV64_X, 0, 5, 0, 0);
                    put(code, 8, RBPF_OPC_EXIT, 0, 0, 0, 0);
                    assert_int_equal(unit_run(code, sizeof code, NULL, 0, &r0), RBPF_OK);
                    if ((t == 0) == eq) {
                        assert_int_equal(r0, moved); /* taken: r0 = d */
                        assert_int_equal(unit_vm.instructions, 5);
                    } else {
                        assert_int_equal(r0, 1 + moved);
                        assert_int_equal(unit_vm.instructions, 6);
                    }
                }
    /* a budget that ends between the mov and the jump */
    {
        static const uint8_t pair[] = {MOV(1, 7), MOVR(0, 1), JMP(JNE_K, 0, 0, 1), EXIT, EXIT};
        uint64_t r0 = 0;
        unit_config.budget = 2;
        assert_int_equal(unit_run(pair, sizeof pair, NULL, 0, &r0), RBPF_ERR_BUDGET);
        assert_int_equal(unit_vm.error_at, 2);
        unit_config.budget = 3;
        assert_int_equal(unit_run(pair, sizeof pair, NULL, 0, &r0), RBPF_ERR_BUDGET);
        assert_int_equal(unit_vm.error_at, 4);
        unit_reset();
    }
    /* A budget short enough for exact mode, which runs the pair's first
     * slot as the plain mov: its source must still be the mov's own,
     * though the jump tests another register (once, the slot kept that
     * register in the mov's source field, and exact mode read a wild
     * register index). */
    {
        static const uint8_t other[] = {MOV(1, 7), MOV(2, 5), MOVR(0, 1), JMP(JNE_K, 2, 0, 1),
                                        EXIT, EXIT};
        uint64_t r0 = 0;
        unsigned budget;
        for (budget = 5; budget <= 8; budget++) {
            unit_config.budget = budget;
            r0 = 0;
            assert_int_equal(unit_run(other, sizeof other, NULL, 0, &r0), RBPF_OK);
            assert_int_equal(r0, 7);
            assert_int_equal(unit_vm.instructions, 5);
        }
        unit_reset();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fused_pairs),
        cmocka_unit_test(fused_pair_edges),
        cmocka_unit_test(fused_mov_jumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
