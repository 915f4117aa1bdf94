/*
 * threaded.c: the translated engine. A verified program is translated once,
 * in one linear pass, into a RAM buffer the host supplies: one 8-byte slot
 * per eBPF instruction holding the handler's number and the operands
 * already decoded (register numbers, offset, immediate; sign extension,
 * signedness, widths and byte-swap directions are chosen by the handler).
 * The run loop neither decodes nor re-checks what the verifier proved.
 *
 * Slot i is instruction i, so jump distances, error_at and the budget's
 * block accounting carry over from the interpreter (src/interp.c)
 * unchanged: the budget is counted per block (a straight-line stretch up
 * to a taken branch, call or return), and only a block that may outrun the
 * budget runs in exact mode, which checks before every instruction. Every
 * memory access is checked: the stack and the context inline, anything
 * else through rbpf_granted_().
 */
#include <string.h>

#include "alu.h"
#include "block.h"
#include "vm.h"

#if RBPF_ENABLE_THREADED

/* One translated instruction. */
typedef struct slot {
    uint8_t handler; /* H_ROW_(row) for an instruction; H_ILLEGAL for a lddw's second slot */
    uint8_t dst;     /* dst register */
    int16_t aux;     /* forms with a src register: src (atomics: src | operation << 8);
                        else the offset (st, jmp with an immediate, ja) */
    int32_t k;       /* forms with src and an offset: the offset; else the immediate
                        (a lddw's second slot: the high 32 bits) */
} slot_t;

typedef char rbpf_slot_is_8_bytes_[sizeof(slot_t) == RBPF_INSN_SIZE ? 1 : -1];

/* Pairs fused into one handler: `mov dst, src` followed by `dst op= x` of
 * the same width becomes dst = src op x (clang writes three-operand
 * arithmetic that way). The first slot gets the fused handler and the
 * second operand (k: the immediate, or the register for _X); the second
 * slot keeps its own handler, for jumps to it and for exact mode, which
 * runs the first slot as the plain mov. Neither instruction can fault. */
#define FUSABLE_(X) X(ADD) X(SUB) X(MUL) X(OR) X(AND) X(XOR) X(LSH) X(RSH)

/* Handler numbers: 0 is the exact-mode check, 1 refuses, then one per ISA
 * row, then the fused pairs (64-bit ones first). */
enum {
    H_EXACT = 0,
    H_ILLEGAL = 1,
    H_ROWS_END = RBPF_OPROW_COUNT + 2,
    H_FUSED64 = H_ROWS_END,
#define FUSED64_ENUM_(NAME) H_F_##NAME##64_K, H_F_##NAME##64_X,
#define FUSED32_ENUM_(NAME) H_F_##NAME##32_K, H_F_##NAME##32_X,
    H_FUSED64_BEFORE_ = H_FUSED64 - 1,
    FUSABLE_(FUSED64_ENUM_)
    H_FUSED32,
    H_FUSED32_BEFORE_ = H_FUSED32 - 1,
    FUSABLE_(FUSED32_ENUM_)
    /* `mov d, s` then `if r ==/!= 0 goto`, by the mov's width, then the
     * jump's: the loop branch clang often puts after a register move */
    H_FJ64,
    H_FJ_EQ_64_64 = H_FJ64, H_FJ_NE_64_64, H_FJ_EQ_64_32, H_FJ_NE_64_32,
    H_FJ32,
    H_FJ_EQ_32_64 = H_FJ32, H_FJ_NE_32_64, H_FJ_EQ_32_32, H_FJ_NE_32_32,
    H_COUNT
#undef FUSED64_ENUM_
#undef FUSED32_ENUM_
};
#define H_ROW_(name) (RBPF_OPROW_##name + 2)
typedef char rbpf_handlers_fit_byte_[H_COUNT <= 256 ? 1 : -1];

/* The handler a slot runs as in exact mode: a fused pair's is the mov. */
#define UNFUSED_(h)                                                               \
    ((h) < H_FUSED64 ? (h)                                                        \
     : (h) < H_FUSED32 || ((h) >= H_FJ64 && (h) < H_FJ32) ? (unsigned)H_ROW_(MOV64_X) \
                                                          : (unsigned)H_ROW_(MOV32_X))

/* ---- Translation --------------------------------------------------------- */

/* The handler of each opcode's first row (0: no row compiled in). */
static const uint8_t first_row[256] = {
#define FIRST_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_IF_FEATURE(feature, RBPF_ONCE_##once([opcode] = H_ROW_(name), ))
    RBPF_ISA(FIRST_)
#undef FIRST_
};

/* Per handler: the row's form and selector value. */
static const uint8_t row_form[H_ROWS_END] = {
#define FORM_OF_(name, opcode, form, sel, once, feature, mnemonic) [H_ROW_(name)] = RBPF_FORM_##form,
    RBPF_ISA(FORM_OF_)
#undef FORM_OF_
};
static const uint8_t row_sel[H_ROWS_END] = {
#define SEL_OF_(name, opcode, form, sel, once, feature, mnemonic) [H_ROW_(name)] = (uint8_t)(sel),
    RBPF_ISA(SEL_OF_)
#undef SEL_OF_
};

/* The other rows of an opcode: signed division and modulo, movsx, the
 * wider byte swaps, local calls. (Atomics keep their operation in the slot
 * and run one handler per width; their rows here are never looked at.) */
#define MORE_ONLY_FIRST(...)
#define MORE_ONLY_MORE(...) __VA_ARGS__
static const struct more_row {
    uint8_t opcode, handler;
} more[] = {
#define MORE_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_IF_FEATURE(feature, MORE_ONLY_##once({(opcode), H_ROW_(name)}, ))
    RBPF_ISA(MORE_)
#undef MORE_
};

/* Per form: the RBPF_USES_* bits. */
static const uint8_t form_uses[RBPF_FORM_COUNT] = {
#define USES_(form, uses, selects) (uint8_t)(uses),
    RBPF_FORMS(USES_)
#undef USES_
};

size_t rbpf_threaded_size_(const rbpf_program_t *prog)
{
    return prog->text_len; /* one 8-byte slot per instruction */
}

/* The handler of the instruction at p, whose first row is handler h. */
static unsigned row_of(const uint8_t *p, unsigned h)
{
    const unsigned form = row_form[h];
    uint32_t value;
    unsigned i;

    switch (form) {
    case RBPF_FORM_ALU_K:
    case RBPF_FORM_ALU_X: value = (uint32_t)(int32_t)RBPF_INSN_OFF(p); break;
    case RBPF_FORM_END: value = (uint32_t)RBPF_INSN_IMM(p); break;
    case RBPF_FORM_CALL: value = RBPF_INSN_SRC(p); break;
    default: return h; /* atomics: the operation stays in the slot */
    }
    if (value == row_sel[h])
        return h;
    for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
        if (more[i].opcode == p[0] && row_sel[more[i].handler] == value)
            return more[i].handler;
    return H_ILLEGAL; /* not verified code */
}

/* The fused handler for `mov` (handler `mov`) followed by the op of
 * handler `op`; 0 when the pair does not fuse. */
static unsigned fused_of(unsigned mov, unsigned op)
{
#define FUSED64_CASE_(NAME)                                                  \
    case H_ROW_(NAME##64_K): return mov == H_ROW_(MOV64_X) ? H_F_##NAME##64_K : 0; \
    case H_ROW_(NAME##64_X): return mov == H_ROW_(MOV64_X) ? H_F_##NAME##64_X : 0;
#define FUSED32_CASE_(NAME)                                                  \
    case H_ROW_(NAME##32_K): return mov == H_ROW_(MOV32_X) ? H_F_##NAME##32_K : 0; \
    case H_ROW_(NAME##32_X): return mov == H_ROW_(MOV32_X) ? H_F_##NAME##32_X : 0;
    switch (op) {
        FUSABLE_(FUSED64_CASE_)
#if RBPF_ENABLE_ALU32
        FUSABLE_(FUSED32_CASE_)
#endif
    default: return 0;
    }
#undef FUSED64_CASE_
#undef FUSED32_CASE_
}

int rbpf_threaded_translate_(rbpf_program_t *prog, void *buffer, size_t size)
{
    slot_t *s = (slot_t *)buffer;
    const uint32_t count = prog->text_len / RBPF_INSN_SIZE;
    uint32_t i;

    if (size < rbpf_threaded_size_(prog))
        return RBPF_ERR_TOO_SMALL;
    for (i = 0; i < count; i++, s++) {
        const uint8_t *p = prog->text + (size_t)i * RBPF_INSN_SIZE;
        const unsigned h = first_row[p[0]];
        const unsigned row = h == 0 ? H_ILLEGAL : row_of(p, h);
        const unsigned uses = form_uses[row_form[row]];
        const unsigned src = RBPF_INSN_SRC(p);
        const int32_t off = RBPF_INSN_OFF(p), imm = RBPF_INSN_IMM(p);

        s->handler = (uint8_t)row;
        s->dst = (uint8_t)RBPF_INSN_DST(p);
        if (row_form[row] == RBPF_FORM_ATOMIC)
            s->aux = (int16_t)(uint16_t)(src | ((uint32_t)imm & 0xffu) << 8);
        else
            s->aux = (int16_t)((uses & RBPF_USES_S) ? (int32_t)src : off);
        s->k = (uses & RBPF_USES_S) && (uses & RBPF_USES_O) ? off : imm;
        if (row_form[row] == RBPF_FORM_LDDW && i + 1 < count) {
            /* the second slot: never run, holds the high 32 bits */
            i++;
            s++;
            s->handler = H_ILLEGAL;
            s->dst = 0;
            s->aux = 0;
            s->k = RBPF_INSN_IMM(p + RBPF_INSN_SIZE);
        }
    }
    /* Fuse `mov d, s; d op= x` pairs (x not d itself, which the mov changes). */
    s = (slot_t *)buffer;
    for (i = 0; i + 1 < count; i++) {
        const unsigned f = fused_of(s[i].handler, s[i + 1].handler);
        const int x_is_register = f != 0 && (f - H_FUSED64) % 2 == 1;
        if (f != 0 && s[i + 1].dst == s[i].dst &&
            !(x_is_register && s[i + 1].aux == (int16_t)s[i].dst)) {
            s[i].handler = (uint8_t)f;
            s[i].k = x_is_register ? s[i + 1].aux : s[i + 1].k;
        } else if (f == 0 && s[i + 1].k == 0 && (s[i].handler == H_ROW_(MOV64_X) ||
                                                 s[i].handler == H_ROW_(MOV32_X))) {
            /* `mov d, s; if r ==/!= 0 goto +off` */
            const unsigned jump = s[i + 1].handler;
            const unsigned base = s[i].handler == H_ROW_(MOV64_X) ? H_FJ64 : H_FJ32;
            const unsigned kind = jump == H_ROW_(JEQ_K)     ? 0u
                                  : jump == H_ROW_(JNE_K)   ? 1u
#if RBPF_ENABLE_JMP32
                                  : jump == H_ROW_(JEQ32_K) ? 2u
                                  : jump == H_ROW_(JNE32_K) ? 3u
#endif
                                                            : 4u;
            /* only the handler changes: exact mode runs this slot as the
             * plain mov, and the fused handler reads the jump's register
             * and offset from the jump's own slot */
            if (kind < 4u)
                s[i].handler = (uint8_t)(base + kind);
        }
    }
    return RBPF_OK;
}

/* ---- The run loop ---------------------------------------------------------
 * The budget and the inline memory checks are block.h's, over slots. */

#if RBPF_USE_COMPUTED_GOTO
/* The dispatch table takes every first row of an opcode, and the other
 * rows by form; atomics run one handler per width. */
#define MORE_ENTRY_ALU_K(name) [H_ROW_(name)] = &&L_##name,
#define MORE_ENTRY_ALU_X MORE_ENTRY_ALU_K
#define MORE_ENTRY_END MORE_ENTRY_ALU_K
#define MORE_ENTRY_CALL_LOCAL MORE_ENTRY_ALU_K
#define MORE_ENTRY_ATOMIC(name)
#define GOTO_ 1
#define OP(name) L_##name:
#define OP_FUSED(name) L_F_##name:
#define OP_FJ(name) L_FJ_##name:
#else
#define GOTO_ 0
#define OP(name) case H_ROW_(name):
#define OP_FUSED(name) case H_F_##name:
#define OP_FJ(name) case H_FJ_##name:
#endif

#define R(n) regs[n]
#define DST regs[ip->dst]
#define SRC regs[ip->aux]
#define K ip->k
#define K64 ((uint64_t)(int64_t)ip->k)
#define HOST(addr) ((void *)(uintptr_t)(addr))
#define NEXT() do { ip++; DISPATCH(); } while (0)
#define FAIL(code) do { rc = (code); goto fail; } while (0)
#define ACCESS(addr, size, access)                                       \
    do {                                                                 \
        if (RBPF_UNLIKELY(!RBPF_IN_FAST(ctx, addr) && !RBPF_IN_FAST(stk, addr) &&       \
                     !rbpf_granted_(vm, (addr), (size), (access))))      \
            FAIL(RBPF_ERR_MEMORY);                                       \
    } while (0)
/* The inline stack check covers the stack above the saved call records. */
#define STACK_RBPF_WINDOW()                                                              \
    do {                                                                            \
        const uint64_t records_ = (uint64_t)vm->call_depth * RBPF_FRAME_RECORD;          \
        stk_start = (uintptr_t)config->stack + (uintptr_t)records_;                  \
        stk_lim = rbpf_fast_lim_(config->stack_size - records_);                          \
    } while (0)

/* A taken branch, call or return ends a block: lim grows by the block's
 * length, and the new block starts at the target. */
#define TAKE(target)                                                     \
    do {                                                                 \
        const slot_t *t_ = (target);                                     \
        acc += (uintptr_t)(ip + 1) - (uintptr_t)t_;                      \
        ip = t_;                                                         \
        if (RBPF_OUTRUNS(acc))                                                \
            goto refill;                                                 \
        DISPATCH();                                                      \
    } while (0)
/* The same for a jump by `off` slots (signed arithmetic: ptrdiff_t may be
 * int). */
#define JUMP(off)                                                        \
    do {                                                                 \
        const ptrdiff_t n_ = (ptrdiff_t)(off);                           \
        acc -= (uintptr_t)(n_ * (ptrdiff_t)RBPF_INSN_SIZE);              \
        ip += 1 + n_;                                                    \
        if (RBPF_OUTRUNS(acc))                                                \
            goto refill;                                                 \
        DISPATCH();                                                      \
    } while (0)

/* Binary ALU operations; 32-bit ones zero-extend. Operations whose low 32
 * bits depend only on the operands' low 32 bits run on 64 bits on a 64-bit
 * host and truncate (one register move fewer). */
#define A64_(NAME, B, EXPR) OP(NAME) { const uint64_t a = DST, b = (B); DST = (EXPR); NEXT(); }
#define A32_(NAME, B, EXPR)                                              \
    OP(NAME) {                                                           \
        const uint32_t a = (uint32_t)DST, b = (uint32_t)(B);             \
        DST = (uint32_t)(EXPR);                                          \
        NEXT();                                                          \
    }
#if UINTPTR_MAX > 0xffffffffu
#define A32L_(NAME, B, EXPR) OP(NAME) { const uint64_t a = DST, b = (B); DST = (uint32_t)(EXPR); NEXT(); }
#else
#define A32L_ A32_
#endif
#define ALU64_(NAME, EXPR) A64_(NAME##64_K, K64, EXPR) A64_(NAME##64_X, SRC, EXPR)
#if RBPF_ENABLE_ALU32
#define ALU32_(NAME, EXPR) A32_(NAME##32_K, K64, EXPR) A32_(NAME##32_X, SRC, EXPR)
#define ALU32L_(NAME, EXPR) A32L_(NAME##32_K, K64, EXPR) A32L_(NAME##32_X, SRC, EXPR)
#else
#define ALU32_(NAME, EXPR)
#define ALU32L_(NAME, EXPR)
#endif
#define DIV_(NAME, BITS, SIGNED, MODULO)                                  \
    ALU##BITS##_(NAME, rbpf_divide_(a, b, SIGNED, MODULO, (uint64_t)1 << (BITS - 1), \
                                    ~(uint64_t)0 >> (64 - BITS)))

/* Conditional jumps; signed ones (S: the sign bit) flip the sign bits. */
/* Built for size, the conditional jumps share two taken paths (offset in
 * aux for _K, in k for _X) instead of each having its own. */
#if defined(__OPTIMIZE_SIZE__)
#define TAKEN_(OFFSET) goto taken_##OFFSET
#else
#define TAKEN_(OFFSET) JUMP(ip->OFFSET)
#endif
#define CJ64_(NAME, B, OFFSET, EXPR, S)                                   \
    OP(NAME) {                                                           \
        const uint64_t a = DST ^ (S), b = (B) ^ (S);                     \
        if (EXPR)                                                        \
            TAKEN_(OFFSET);                                              \
        NEXT();                                                          \
    }
#define CJ32_(NAME, B, OFFSET, EXPR, S)                                   \
    OP(NAME) {                                                           \
        const uint32_t a = (uint32_t)DST ^ (uint32_t)((uint64_t)(S) >> 32); \
        const uint32_t b = (uint32_t)(B) ^ (uint32_t)((uint64_t)(S) >> 32); \
        if (EXPR)                                                        \
            TAKEN_(OFFSET);                                              \
        NEXT();                                                          \
    }
#define SIGN64_ ((uint64_t)1 << 63)
#if RBPF_ENABLE_JMP32
#define JMP32_(NAME, EXPR, S) CJ32_(NAME##32_K, K64, aux, EXPR, S) CJ32_(NAME##32_X, SRC, k, EXPR, S)
#else
#define JMP32_(NAME, EXPR, S)
#endif
#define JMP_(NAME, EXPR, S) \
    CJ64_(NAME##_K, K64, aux, EXPR, S) CJ64_(NAME##_X, SRC, k, EXPR, S) JMP32_(NAME, EXPR, S)

#define LDX_(NAME, T, EXT)                                               \
    OP(NAME) {                                                           \
        const uint64_t addr = SRC + K64;                                 \
        T v_;                                                            \
        ACCESS(addr, sizeof(T), RBPF_READ);                              \
        memcpy(&v_, HOST(addr), sizeof(T));                              \
        DST = (EXT);                                                     \
        NEXT();                                                          \
    }
#define ST_(NAME, T, OFFSET, VALUE)                                      \
    OP(NAME) {                                                           \
        const uint64_t addr = DST + (uint64_t)(int64_t)(OFFSET);         \
        const T v_ = (T)(VALUE);                                         \
        ACCESS(addr, sizeof(T), RBPF_WRITE);                             \
        memcpy(HOST(addr), &v_, sizeof(T));                              \
        NEXT();                                                          \
    }
/* A lddw counts once and moves two slots. */
#define LDDW_(NAME, BASE)                                                         \
    OP(NAME) {                                                                    \
        DST = (uint64_t)(BASE) + ((uint64_t)(uint32_t)K | (uint64_t)(uint32_t)ip[1].k << 32); \
        acc -= RBPF_INSN_SIZE;                                                    \
        ip += 2;                                                                  \
        DISPATCH();                                                               \
    }
#define SWAP_(NAME, BITS, SWAP) OP(NAME) { DST = rbpf_byteswap_(DST, BITS, SWAP); NEXT(); }

int rbpf_threaded_run_(rbpf_vm_t *vm, uint32_t offset, uint64_t *r0)
{
#if GOTO_
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
    static const void *const fast_table[H_COUNT] = {
        [0 ... H_COUNT - 1] = &&L_illegal,
        [H_EXACT] = &&L_exact,
#define TABLE_(name, opcode, form, sel, once, feature, mnemonic)       \
    RBPF_IF_FEATURE(feature, RBPF_ONCE_##once([H_ROW_(name)] = &&L_##name, ) \
                                 MORE_ONLY_##once(MORE_ENTRY_##form(name)))
        RBPF_ISA(TABLE_)
#undef TABLE_
        [H_FJ_EQ_64_64] = &&L_FJ_EQ_64_64, [H_FJ_NE_64_64] = &&L_FJ_NE_64_64,
        [H_FJ_EQ_32_64] = &&L_FJ_EQ_32_64, [H_FJ_NE_32_64] = &&L_FJ_NE_32_64,
#if RBPF_ENABLE_JMP32
        [H_FJ_EQ_64_32] = &&L_FJ_EQ_64_32, [H_FJ_NE_64_32] = &&L_FJ_NE_64_32,
        [H_FJ_EQ_32_32] = &&L_FJ_EQ_32_32, [H_FJ_NE_32_32] = &&L_FJ_NE_32_32,
#endif
#define FUSED64_TABLE_(NAME) [H_F_##NAME##64_K] = &&L_F_##NAME##64_K, [H_F_##NAME##64_X] = &&L_F_##NAME##64_X,
#define FUSED32_TABLE_(NAME) [H_F_##NAME##32_K] = &&L_F_##NAME##32_K, [H_F_##NAME##32_X] = &&L_F_##NAME##32_X,
        FUSABLE_(FUSED64_TABLE_)
#if RBPF_ENABLE_ALU32
        FUSABLE_(FUSED32_TABLE_)
#endif
#undef FUSED64_TABLE_
#undef FUSED32_TABLE_
    };
#if UINTPTR_MAX == 0xffffffffu && defined(__OPTIMIZE_SIZE__)
    /* 32-bit cores built for size: exact mode masks the handler number to
     * 0 (H_EXACT), one instruction per dispatch instead of the flash of a
     * second table */
    const void *const *table = fast_table;
    unsigned mask = 0xffu;
#define SET_EXACT(on) (mask = (on) ? 0u : 0xffu)
#define DISPATCH() goto *table[ip->handler & mask]
#else
    static const void *const exact_table[H_COUNT] = {[0 ... H_COUNT - 1] = &&L_exact};
    const void *const *table = fast_table;
#define SET_EXACT(on) (table = (on) ? exact_table : fast_table)
#define DISPATCH() goto *table[ip->handler]
#endif
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#else
    unsigned mask = 0xffu, h;
#define SET_EXACT(on) (mask = (on) ? 0u : 0xffu)
#define DISPATCH() goto dispatch
#endif
    const rbpf_program_t *prog = vm->program;
    const rbpf_config_t *config = vm->config;
    const slot_t *const base = (const slot_t *)prog->prepared;
    const slot_t *const end = base + prog->text_len / RBPF_INSN_SIZE;
    const slot_t *ip = base + offset / RBPF_INSN_SIZE;
    uint64_t regs_[11], *regs = regs_;
    uintptr_t acc, lim0, stk_start, stk_lim, ctx_start, ctx_lim;
    uint32_t remaining = rbpf_budget_(config);
    int rc;

    acc = rbpf_window_open_(&remaining, &lim0, 0, end, ip);
    STACK_RBPF_WINDOW();
    ctx_start = (uintptr_t)vm->context;
    ctx_lim = rbpf_fast_lim_(vm->context_length);
    memset(regs_, 0, sizeof(regs_));
#if defined(__GNUC__)
    /* Hide where the register file and the table are, so that gcc keeps
     * their addresses in registers instead of recomputing them in every
     * handler. */
    __asm__("" : "+r"(regs));
#if GOTO_
    __asm__("" : "+r"(table));
#endif
#endif
    R(1) = (uintptr_t)vm->context;
    R(2) = vm->context_length;
    R(10) = (uintptr_t)config->stack + config->stack_size;

    SET_EXACT(RBPF_OUTRUNS(acc));
#if GOTO_
    DISPATCH();
#else
dispatch:
    h = ip->handler & mask;
again:
    switch (h) {
    case H_EXACT:
#endif
#if GOTO_
L_exact:
#endif
    {
        const int state = rbpf_exact_check_(&remaining, &lim0, &acc, end, ip);
        if (state < 0) {
            /* the budget is spent: this instruction is not run */
            vm->instructions = rbpf_budget_(config);
            rc = RBPF_ERR_BUDGET;
            goto failed;
        }
        if (state > 0)
            SET_EXACT(RBPF_OUTRUNS(acc));
    }
    if (ip->handler == H_EXACT) /* never written by the translation */
        FAIL(RBPF_ERR_ILLEGAL_INSN);
#if GOTO_
    goto *fast_table[UNFUSED_(ip->handler)];
L_illegal:
    FAIL(RBPF_ERR_ILLEGAL_INSN);
#else
    h = UNFUSED_(ip->handler);
    goto again;
    default:
        FAIL(RBPF_ERR_ILLEGAL_INSN);
#endif

    A64_(ADD64_K, K64, a + b)
    A64_(ADD64_X, SRC, a + b)
    ALU32L_(ADD, a + b)
    ALU64_(SUB, a - b)
    ALU32L_(SUB, a - b)
    ALU64_(MUL, a * b)
    ALU32L_(MUL, a * b)
    ALU64_(OR, a | b)
    ALU32L_(OR, a | b)
    ALU64_(AND, a & b)
    ALU32L_(AND, a & b)
    ALU64_(XOR, a ^ b)
    ALU32L_(XOR, a ^ b)
    ALU64_(LSH, a << (b & 63))
    ALU32L_(LSH, a << (b & 31))
    ALU64_(RSH, a >> (b & 63))
    ALU32_(RSH, a >> (b & 31))
    ALU64_(ARSH, rbpf_arsh_(a, (unsigned)(b & 63), 64))
    ALU32_(ARSH, rbpf_arsh_(a, b & 31, 32))
    DIV_(DIV, 64, 0, 0)
    DIV_(MOD, 64, 0, 1)
    DIV_(SDIV, 64, 1, 0)
    DIV_(SMOD, 64, 1, 1)
#if RBPF_ENABLE_ALU32
    DIV_(DIV, 32, 0, 0)
    DIV_(MOD, 32, 0, 1)
    DIV_(SDIV, 32, 1, 0)
    DIV_(SMOD, 32, 1, 1)
    OP(MOV32_K) { DST = (uint32_t)K; NEXT(); }
    OP(MOV32_X) { DST = (uint32_t)SRC; NEXT(); }
    OP(MOVSX8_32) { DST = (uint32_t)rbpf_sext_(SRC, 8); NEXT(); }
    OP(MOVSX16_32) { DST = (uint32_t)rbpf_sext_(SRC, 16); NEXT(); }
    OP(NEG32) { DST = (uint32_t)(0 - DST); NEXT(); }
#endif
    OP(MOV64_K) { DST = K64; NEXT(); }
    OP(MOV64_X) { DST = SRC; NEXT(); }
    OP(MOVSX8_64) { DST = rbpf_sext_(SRC, 8); NEXT(); }
    OP(MOVSX16_64) { DST = rbpf_sext_(SRC, 16); NEXT(); }
    OP(MOVSX32_64) { DST = rbpf_sext_(SRC, 32); NEXT(); }
    OP(NEG64) { DST = 0 - DST; NEXT(); }

    /* Fused `mov dst, src; dst op= x` pairs: two instructions, two slots. */
#define F64_(NAME, B, EXPR) OP_FUSED(NAME) { const uint64_t a = SRC, b = (B); DST = (EXPR); ip += 2; DISPATCH(); }
#define F32_(NAME, B, EXPR)                                                   \
    OP_FUSED(NAME) {                                                          \
        const uint32_t a = (uint32_t)SRC, b = (uint32_t)(B);                  \
        DST = (uint32_t)(EXPR);                                               \
        ip += 2;                                                              \
        DISPATCH();                                                           \
    }
#define FUSED_(NAME, EXPR64, EXPR32)                                          \
    F64_(NAME##64_K, K64, EXPR64) F64_(NAME##64_X, R(ip->k), EXPR64)        \
    RBPF_IF_FEATURE(ALU32, F32_(NAME##32_K, K64, EXPR32) F32_(NAME##32_X, R(ip->k), EXPR32))
    FUSED_(ADD, a + b, a + b)
    FUSED_(SUB, a - b, a - b)
    FUSED_(MUL, a * b, a * b)
    FUSED_(OR, a | b, a | b)
    FUSED_(AND, a & b, a & b)
    FUSED_(XOR, a ^ b, a ^ b)
    FUSED_(LSH, a << (b & 63), a << (b & 31))
    FUSED_(RSH, a >> (b & 63), a >> (b & 31))

    /* Fused `mov d, s; if r ==/!= 0 goto +off`: the mov's slot as a plain
     * mov, then the jump's slot (r its dst, off its aux); r may be d, so
     * the mov comes first. */
#define FJ_(NAME, MOV, TEST)                                                  \
    OP_FJ(NAME) {                                                             \
        DST = MOV(SRC);                                                       \
        ip++;                                                                 \
        if (TEST(DST))                                                        \
            JUMP(ip->aux);                                                    \
        NEXT();                                                               \
    }
#define MOV64_(x) (x)
#define MOV32_(x) (uint32_t)(x)
#define EQ64_(x) ((x) == 0)
#define NE64_(x) ((x) != 0)
#define EQ32_(x) ((uint32_t)(x) == 0)
#define NE32_(x) ((uint32_t)(x) != 0)
    FJ_(EQ_64_64, MOV64_, EQ64_)
    FJ_(NE_64_64, MOV64_, NE64_)
    FJ_(EQ_32_64, MOV32_, EQ64_)
    FJ_(NE_32_64, MOV32_, NE64_)
#if RBPF_ENABLE_JMP32
    FJ_(EQ_64_32, MOV64_, EQ32_)
    FJ_(NE_64_32, MOV64_, NE32_)
    FJ_(EQ_32_32, MOV32_, EQ32_)
    FJ_(NE_32_32, MOV32_, NE32_)
#endif
    SWAP_(LE16, 16, rbpf_host_big_endian_())
    SWAP_(LE32, 32, rbpf_host_big_endian_())
    SWAP_(LE64, 64, rbpf_host_big_endian_())
    SWAP_(BE16, 16, !rbpf_host_big_endian_())
    SWAP_(BE32, 32, !rbpf_host_big_endian_())
    SWAP_(BE64, 64, !rbpf_host_big_endian_())
    SWAP_(BSWAP16, 16, 1)
    SWAP_(BSWAP32, 32, 1)
    SWAP_(BSWAP64, 64, 1)

    LDDW_(LDDW, 0)
    LDDW_(LDDWD, (uintptr_t)vm->ram)
    LDDW_(LDDWR, (uintptr_t)prog->rodata)

    LDX_(LDXB, uint8_t, v_)
    LDX_(LDXH, uint16_t, v_)
    LDX_(LDXW, uint32_t, v_)
    LDX_(LDXDW, uint64_t, v_)
    LDX_(LDXSB, int8_t, (uint64_t)(int64_t)v_)
    LDX_(LDXSH, int16_t, (uint64_t)(int64_t)v_)
    LDX_(LDXSW, int32_t, (uint64_t)(int64_t)v_)
    ST_(STB, uint8_t, ip->aux, K)
    ST_(STH, uint16_t, ip->aux, K)
    ST_(STW, uint32_t, ip->aux, K)
    ST_(STDW, uint64_t, ip->aux, K64)
    ST_(STXB, uint8_t, K, SRC)
    ST_(STXH, uint16_t, K, SRC)
    ST_(STXW, uint32_t, K, SRC)
    ST_(STXDW, uint64_t, K, SRC)

#if RBPF_ENABLE_ATOMIC
    /* Every atomic row of a width runs here; the slot holds the operation. */
    OP(ADD32) goto atomic;
    OP(ADD64) {
    atomic:;
        const unsigned size = ip->handler == H_ROW_(ADD32) ? 4u : 8u;
        const uint64_t addr = DST + K64;
        const unsigned operation = (uint16_t)ip->aux >> 8, src = (uint16_t)ip->aux & 0xffu;
        uint64_t old;
        ACCESS(addr, size, RBPF_RW);
        old = rbpf_atomic_(HOST(addr), size, (int32_t)operation, R(src), &R(0));
        if ((operation & RBPF_ATOMIC_FETCH) && operation != RBPF_ATOMIC_CMPXCHG)
            R(src) = old;
        NEXT();
    }
#endif

    OP(JA) JUMP(ip->aux);
#if RBPF_ENABLE_JMP32
    OP(JA32) JUMP(K);
#endif
    JMP_(JEQ, a == b, 0)
    JMP_(JNE, a != b, 0)
    JMP_(JSET, (a & b) != 0, 0)
    JMP_(JGT, a > b, 0)
    JMP_(JGE, a >= b, 0)
    JMP_(JLT, a < b, 0)
    JMP_(JLE, a <= b, 0)
    JMP_(JSGT, a > b, SIGN64_)
    JMP_(JSGE, a >= b, SIGN64_)
    JMP_(JSLT, a < b, SIGN64_)
    JMP_(JSLE, a <= b, SIGN64_)

    OP(CALL) {
        rc = rbpf_call_helper_(vm, (uint32_t)K, regs);
        if (rc != RBPF_OK)
            FAIL(rc);
        NEXT();
    }
#if RBPF_ENABLE_LOCAL_CALLS
    OP(CALL_LOCAL) {
        rc = rbpf_call_push_(vm, regs, (uint32_t)(ip - base) * RBPF_INSN_SIZE);
        if (rc != RBPF_OK)
            FAIL(rc);
        STACK_RBPF_WINDOW();
        TAKE(ip + 1 + (ptrdiff_t)K);
    }
#endif
    OP(EXIT) {
#if RBPF_ENABLE_LOCAL_CALLS
        if (vm->call_depth != 0) {
            const uint32_t at = rbpf_call_pop_(vm, regs);
            STACK_RBPF_WINDOW();
            TAKE(base + at / RBPF_INSN_SIZE + 1);
        }
#endif
        goto done;
    }
#if !GOTO_
    }
#endif

#if defined(__OPTIMIZE_SIZE__)
taken_aux:
    JUMP(ip->aux);
taken_k:
    JUMP(ip->k);
#endif
refill:
    /* The block at ip may outrun the window: open a new one, exact if the
     * budget left is too short even so. */
    acc = rbpf_window_open_(&remaining, &lim0, RBPF_USED(ip), end, ip);
    SET_EXACT(RBPF_OUTRUNS(acc));
    DISPATCH();

done:
    vm->instructions = (uint64_t)(rbpf_budget_(config) - remaining) + RBPF_USED(ip + 1);
    *r0 = R(0);
    return RBPF_OK;

fail:
    /* the failing instruction counts as executed */
    vm->instructions = (uint64_t)(rbpf_budget_(config) - remaining) + RBPF_USED(ip + 1);
failed:
    vm->error_at = (int32_t)(ip - base);
    return rc;
}

#endif /* RBPF_ENABLE_THREADED */
