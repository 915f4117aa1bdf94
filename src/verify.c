/*
 * verify.c: the verifier (docs/verifier.md). One pass over the text, driven
 * by a row table generated from RBPF_ISA: each instruction must match an
 * enabled row, leave the fields its form does not use at zero, name
 * registers r0..r10 and never write r10, jump and call inside the text but
 * never into a lddw's second slot, call only known helpers, and never fall
 * off the end. It also works out the stack frame one call needs.
 */
#include "internal.h"

/* The selector values rows use; a row stores the value's place here. */
#define SELS_(X, a)                                                                        \
    X(0, 0, a) X(1, 1, a) X(2, 8, a) X(3, 16, a) X(4, 32, a) X(5, 64, a)                   \
    X(6, RBPF_ATOMIC_FETCH, a) X(7, RBPF_ATOMIC_OR, a)                                     \
    X(8, RBPF_ATOMIC_OR | RBPF_ATOMIC_FETCH, a) X(9, RBPF_ATOMIC_AND, a)                   \
    X(10, RBPF_ATOMIC_AND | RBPF_ATOMIC_FETCH, a) X(11, RBPF_ATOMIC_XOR, a)                \
    X(12, RBPF_ATOMIC_XOR | RBPF_ATOMIC_FETCH, a) X(13, RBPF_ATOMIC_XCHG, a)               \
    X(14, RBPF_ATOMIC_CMPXCHG, a)
#define SEL_VALUE_(i, v, a) [i] = (v),
static const uint8_t sels[] = {SELS_(SEL_VALUE_, 0)};
#undef SEL_VALUE_
/* The place of selector value s, 16 when it is not in the list. */
#define SEL_TEST_(i, v, s) (s) == (v) ? (i) :
#define SEL_PLACE_(s) (SELS_(SEL_TEST_, s) 16)

/* Every row's selector is in the list (sels[SEL_PLACE_(s)] == s then
 * holds, both coming from the one list). */
#define SEL_KNOWN_(name, opcode, form, sel, once, feature, mnemonic) \
    typedef char rbpf_sel_known_##name[SEL_PLACE_(sel) < 16 ? 1 : -1];
RBPF_ISA(SEL_KNOWN_)
#undef SEL_KNOWN_
typedef char rbpf_forms_fit_[RBPF_FORM_COUNT <= 16 ? 1 : -1];

/* Every compiled-in row: opcode, then form | place of the selector << 4. */
static const uint8_t rows[][2] = {
#define ROW_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_IF_FEATURE(feature, {(opcode), RBPF_FORM_##form | (SEL_PLACE_(sel) << 4)},)
    RBPF_ISA(ROW_)
#undef ROW_
};

/* Per form: USES bits in the low nibble, SELECTS in the high one. */
static const uint8_t forms[RBPF_FORM_COUNT] = {
#define FORM_(form, uses, selects) (uint8_t)((uses) | ((selects) << 4)),
    RBPF_FORMS(FORM_)
#undef FORM_
};

static int fail(rbpf_program_t *prog, int error, uint32_t pc)
{
    prog->error_at = (int32_t)pc;
    return error;
}

/* 1 when instruction index `target` is outside the text or a second slot. */
static int bad_target(const rbpf_program_t *prog, int64_t target, uint32_t count)
{
    return target < 0 || target >= (int64_t)count ||
           (target > 0 && rbpf_two_slot_(prog->text[(size_t)(target - 1) * RBPF_INSN_SIZE]));
}

static int helper_known(const rbpf_config_t *config, uint32_t id)
{
    uint32_t i;
    if (config == NULL || config->helpers == NULL)
        return 0;
    for (i = 0; i < config->helper_count; i++)
        if (config->helpers[i].id == id && config->helpers[i].fn != NULL)
            return 1;
    return 0;
}

int rbpf_verify(rbpf_program_t *prog, const rbpf_config_t *config)
{
    uint32_t count, pc, last_form = RBPF_FORM_EXIT;
    uint64_t frame = 0;
    int r10_escapes = 0, calls = 0;

    if (prog == NULL || (prog->text == NULL && prog->text_len != 0))
        return RBPF_ERR_ARGUMENT;
    prog->error_at = -1;
    prog->frame_size = 0;
    prog->verified = 0;
    prog->engine = RBPF_ENGINE_INTERP;
    prog->prepared = NULL;
    prog->prepared_size = 0;
    count = prog->text_len / RBPF_INSN_SIZE;
    if (count == 0)
        return fail(prog, RBPF_ERR_EMPTY, 0);

    for (pc = 0; pc < count; pc++) {
        const uint8_t *p = prog->text + (size_t)pc * RBPF_INSN_SIZE;
        const unsigned op = p[0], dst = RBPF_INSN_DST(p), src = RBPF_INSN_SRC(p);
        const int32_t off = RBPF_INSN_OFF(p), imm = RBPF_INSN_IMM(p);
        unsigned uses = 0, selects = 0, form = RBPF_FORM_COUNT, i, seen = 0, jumps = 0;
        int64_t target = 0;

        /* The row: same opcode and, for a selecting form, same selector. */
        for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
            const unsigned row_form = rows[i][1] & 15u, sel = sels[rows[i][1] >> 4];
            uint32_t value;
            if (rows[i][0] != op)
                continue;
            seen = 1;
            uses = forms[row_form] & 15u;
            selects = forms[row_form] >> 4;
            value = selects == RBPF_SELECTS_OFF   ? (uint32_t)off
                    : selects == RBPF_SELECTS_IMM ? (uint32_t)imm
                    : selects == RBPF_SELECTS_SRC ? src
                                                  : sel;
            if (value == sel) {
                form = row_form;
                break;
            }
        }
        if (!seen)
            return fail(prog, RBPF_ERR_ILLEGAL_INSN, pc);
        if (form == RBPF_FORM_COUNT)
            return fail(prog, selects == RBPF_SELECTS_OFF ? RBPF_ERR_RESERVED_FIELD
                                                          : RBPF_ERR_ILLEGAL_INSN, pc);
        if ((!(uses & RBPF_USES_D) && dst != 0) ||
            (!(uses & RBPF_USES_S) && selects != RBPF_SELECTS_SRC && src != 0) ||
            (!(uses & RBPF_USES_O) && selects != RBPF_SELECTS_OFF && off != 0) ||
            (!(uses & RBPF_USES_I) && selects != RBPF_SELECTS_IMM && imm != 0))
            return fail(prog, RBPF_ERR_RESERVED_FIELD, pc);
        if (dst > 10 || src > 10)
            return fail(prog, RBPF_ERR_ILLEGAL_REGISTER, pc);

        /* Rules by form; r10 reads other than as a base feed frame_size. */
        switch (form) {
        case RBPF_FORM_ALU_X:
            if (src == 10) {
                const uint8_t *n = p + RBPF_INSN_SIZE;
                /* clang's `rX = r10; rX += -N` takes a local's address. */
                if (op == RBPF_OPC_MOV64_X && off == 0 && pc + 1 < count &&
                    n[0] == RBPF_OPC_ADD64_K && n[1] == dst && RBPF_INSN_OFF(n) == 0 &&
                    RBPF_INSN_IMM(n) < 0) {
                    if ((uint64_t)-(int64_t)RBPF_INSN_IMM(n) > frame)
                        frame = (uint64_t)-(int64_t)RBPF_INSN_IMM(n);
                } else {
                    r10_escapes = 1;
                }
            }
            /* fall through */
        case RBPF_FORM_ALU_K:
        case RBPF_FORM_NEG:
        case RBPF_FORM_END:
            if (dst == 10)
                return fail(prog, RBPF_ERR_ILLEGAL_REGISTER, pc);
            break;
        case RBPF_FORM_LDDW: {
            const uint8_t *n = p + RBPF_INSN_SIZE;
            if (dst == 10)
                return fail(prog, RBPF_ERR_ILLEGAL_REGISTER, pc);
            if (pc + 1 >= count || n[0] != 0 || n[1] != 0 || n[2] != 0 || n[3] != 0)
                return fail(prog, RBPF_ERR_INCOMPLETE_LDDW, pc);
            pc++;
            break;
        }
        case RBPF_FORM_LDX:
            if (dst == 10)
                return fail(prog, RBPF_ERR_ILLEGAL_REGISTER, pc);
            if (src == 10 && off < 0 && (uint64_t)-off > frame)
                frame = (uint64_t)-off;
            break;
        case RBPF_FORM_ATOMIC:
            /* fetch and xchg write src; cmpxchg writes r0 */
            if (src == 10 && (imm & RBPF_ATOMIC_FETCH) && imm != RBPF_ATOMIC_CMPXCHG)
                return fail(prog, RBPF_ERR_ILLEGAL_REGISTER, pc);
            /* fall through */
        case RBPF_FORM_STX:
            if (src == 10)
                r10_escapes = 1;
            /* fall through */
        case RBPF_FORM_ST:
            if (dst == 10 && off < 0 && (uint64_t)-off > frame)
                frame = (uint64_t)-off;
            break;
        case RBPF_FORM_JMP_X:
        case RBPF_FORM_JMP_K:
            if (dst == 10 || src == 10)
                r10_escapes = 1;
            /* fall through */
        case RBPF_FORM_JA:
            target = (int64_t)pc + off + 1;
            jumps = 1;
            break;
        case RBPF_FORM_JA32:
            target = (int64_t)pc + imm + 1;
            jumps = 1;
            break;
        case RBPF_FORM_CALL:
            calls = 1;
            if (!helper_known(config, (uint32_t)imm))
                return fail(prog, RBPF_ERR_ILLEGAL_CALL, pc);
            break;
        case RBPF_FORM_CALL_LOCAL:
            calls = 1;
            if (bad_target(prog, (int64_t)pc + imm + 1, count))
                return fail(prog, RBPF_ERR_ILLEGAL_CALL, pc);
            break;
        default:
            break;
        }
        if (jumps && bad_target(prog, target, count))
            return fail(prog, RBPF_ERR_ILLEGAL_JUMP, pc);
        last_form = form;
    }
    /* Only exit and unconditional jumps may end the text. */
    if (last_form != RBPF_FORM_EXIT && last_form != RBPF_FORM_JA && last_form != RBPF_FORM_JA32)
        return fail(prog, RBPF_ERR_NO_EXIT,
                    last_form == RBPF_FORM_LDDW ? count - 2u : count - 1u);

    if (r10_escapes && frame < RBPF_MAX_FRAME)
        frame = RBPF_MAX_FRAME;
    frame = (frame + 7u) & ~(uint64_t)7u;
    if (calls && frame < 8)
        frame = 8;
    prog->frame_size = (uint32_t)frame; /* at most 2^31 + 8 */
    prog->verified = 1;
    return RBPF_OK;
}
