/*
 * interp.c: the in-place interpreter. Runs a verified program where it lies
 * (flash, typically) and trusts what the verifier proved (known opcodes,
 * registers r0..r10, targets inside the text), so it checks only memory
 * accesses, the instruction budget and the call depth. The VM around it
 * (set-up, regions, the access check's slow path, helper calls, call
 * frames) is vm.c's; the arithmetic is alu.h's. Handlers are expanded from
 * RBPF_ISA rows to computed-goto labels or to switch cases, so a
 * compiled-out feature has no handler.
 *
 * Speed (docs/performance.md has the figures): the budget is counted per
 * block, not per instruction; the stack and the context are checked
 * inline before the general region list; in the fast layout every handler
 * decodes only the fields it uses and ends in its own indirect jump. The
 * compact layout (RBPF_COMPACT) shares bodies instead, to stay small.
 *
 * The shapes of the run loop, and the builds that run the unit tests and
 * the conformance suite in each (Makefile VARIANTS, port/cortex-m/port.mk):
 *
 *   layout   dispatch        pointers  built and tested by
 *   fast     computed goto   64-bit    host, asan (make test-unit, -conformance)
 *   fast     switch          64-bit    switch
 *   compact  switch          64-bit    compact
 *   fast     computed goto   32-bit    m32, m32-asan; Cortex-M4 -O2 under QEMU (full-o2)
 *   fast     switch          32-bit    m32-switch
 *   compact  switch          32-bit    m32-compact; Cortex-M4 and Cortex-M0 -Os under QEMU
 *
 * The compact layout always dispatches by switch: on Thumb-2 that is one
 * tbh, on Thumb-1 and RV32 about as small as a table of label offsets,
 * and it needs no label arithmetic whose width could overflow.
 */
#include <string.h>

#include "alu.h"
#include "block.h"
#include "vm.h"

/* ---- Fast paths of the run loop ------------------------------------------
 * The budget counted per block and the inline checks of the stack and the
 * context are block.h's (the translated engine's too), over the text. */

/* Exact mode: for a block that may outrun the budget window, and for every
 * instruction while a trace hook is set (RBPF_ENABLE_TRACE builds). */
#if RBPF_ENABLE_TRACE
#define EXACT_(acc) (RBPF_OUTRUNS(acc) || vm->trace != NULL)
#else
#define EXACT_(acc) RBPF_OUTRUNS(acc)
#endif

#define R(n) regs[n]
/* Two layouts of the handlers. Fast: each handler decodes the fields it
 * uses from the instruction itself (src from a 16-bit load: one shift, no
 * mask) and ends in its own indirect jump. Compact (RBPF_COMPACT): handlers
 * go to one dispatch point, the _K and _X rows share a body, all loads one
 * body, all stores one, and the conditional jumps one taken-branch tail. */
#define RBPF_COMPACT_ RBPF_COMPACT
#if RBPF_USE_COMPUTED_GOTO && !RBPF_COMPACT_
#define GOTO_ 1
#define OP(name) L_##name:
#else
#define GOTO_ 0
#define OP(name) case RBPF_OPC_##name:
#endif
#define DST regs[ip[1] & 15u]
#define SRC regs[RBPF_COMPACT_ ? ip[1] >> 4 : rbpf_le16_(ip) >> 12]
#define OFF RBPF_INSN_OFF(ip)
#define IMM RBPF_INSN_IMM(ip)
#define IMM64 ((uint64_t)(int64_t)IMM)
#if RBPF_COMPACT_
#define NEXT(n) do { ip += (n) - RBPF_INSN_SIZE; goto next; } while (0)
#else
#define NEXT(n) do { ip += (n); DISPATCH(); } while (0)
#endif
#define FAIL(code) do { rc = (code); goto fail; } while (0)
#define HOST(addr) ((void *)(uintptr_t)(addr))
/* Recomputed where needed (rarely), which saves the stack slots. */
#define BUDGET_ rbpf_budget_(config)
#define TEXT_END_ (text + prog->text_len)
#define ACCESS(addr, size, access)                                       \
    do {                                                                 \
        if (RBPF_UNLIKELY(!RBPF_IN_FAST(ctx, addr) && !RBPF_IN_FAST(stk, addr) &&       \
                     !rbpf_granted_(vm, (addr), (size), (access))))            \
            FAIL(RBPF_ERR_MEMORY);                                       \
    } while (0)

/* A taken branch, call or return ends a block: lim grows by the block's
 * length, and the new block starts at the target. */
#define TAKE(target)                                                     \
    do {                                                                 \
        const uint8_t *t_ = (target);                                    \
        acc += (uintptr_t)ip + RBPF_INSN_SIZE - (uintptr_t)t_;           \
        ip = t_;                                                         \
        if (RBPF_OUTRUNS(acc))                                                \
            goto refill;                                                 \
        DISPATCH();                                                      \
    } while (0)
/* The same for a jump by `off` instructions. Jumps are computed in
 * signed arithmetic (ptrdiff_t may be int, and 8u would make it unsigned). */
#define SLOT_ ((ptrdiff_t)RBPF_INSN_SIZE)
#define JUMP(off)                                                        \
    do {                                                                 \
        const ptrdiff_t d_ = (ptrdiff_t)(off) * SLOT_;                   \
        acc -= (uintptr_t)d_;                                            \
        ip += SLOT_ + d_;                                                \
        if (RBPF_OUTRUNS(acc))                                                \
            goto refill;                                                 \
        DISPATCH();                                                      \
    } while (0)

#if RBPF_COMPACT_
/* -Os: the jump leaves ip one slot short of the target, so that it shares
 * the handlers' tail (`next:` adds the slot, then dispatches). */
#undef JUMP
#define JUMP(off)                                                        \
    do {                                                                 \
        const ptrdiff_t d_ = (ptrdiff_t)(off) * SLOT_;                   \
        acc -= (uintptr_t)d_;                                            \
        ip += d_;                                                        \
        if (RBPF_OUTRUNS(acc))                                                \
            goto refill_next;                                            \
        goto next;                                                       \
    } while (0)
#define TAKEN_() goto taken
#else
#define TAKEN_() JUMP(OFF)
#endif

/* The _K and _X rows of one operation: BODY(second operand, P, Q). For
 * speed, two handlers; for size, one, where opcode bit 0x08 picks src over
 * the sign-extended immediate. */
#if RBPF_COMPACT_
#define KX_(K, X, BODY, P, Q) OP(K) OP(X) BODY(((ip[0] & 0x08) ? SRC : IMM64), P, Q)
#else
#define KX_ KX_SPLIT_
#endif
#define KX_SPLIT_(K, X, BODY, P, Q) OP(K) BODY(IMM64, P, Q) OP(X) BODY(SRC, P, Q)

/* Binary ALU operations: a op b on 64 bits, or on 32 bits zero-extended.
 * Q is unused. */
#define ALU64_BODY_(B, EXPR, Q) { const uint64_t a = DST, b = (B); DST = (EXPR); NEXT(8); }
#define ALU32_BODY_(B, EXPR, Q)                                            \
    {                                                                      \
        const uint32_t a = (uint32_t)DST, b = (uint32_t)(B);               \
        DST = (uint32_t)(EXPR);                                            \
        NEXT(8);                                                           \
    }
/* Operations whose low 32 bits depend only on the operands' low 32 bits:
 * a 64-bit host does them on 64 bits and truncates, which spares gcc a
 * register move per instruction; a 32-bit core keeps them 32-bit. */
#if UINTPTR_MAX > 0xffffffffu
#define ALU32_LOW_BODY_(B, EXPR, Q) { const uint64_t a = DST, b = (B); DST = (uint32_t)(EXPR); NEXT(8); }
#else
#define ALU32_LOW_BODY_ ALU32_BODY_
#endif
#define ALU64_(NAME, EXPR) KX_(NAME##64_K, NAME##64_X, ALU64_BODY_, EXPR, 0)
#if RBPF_ENABLE_ALU32
#define ALU32_(NAME, EXPR) KX_(NAME##32_K, NAME##32_X, ALU32_BODY_, EXPR, 0)
#define ALU32_LOW_(NAME, EXPR) KX_(NAME##32_K, NAME##32_X, ALU32_LOW_BODY_, EXPR, 0)
#else
#define ALU32_(NAME, EXPR)
#define ALU32_LOW_(NAME, EXPR)
#endif
#define ALU_(NAME, EXPR) ALU64_(NAME, EXPR) ALU32_(NAME, EXPR)
#define ALU_LOW_(NAME, EXPR) ALU64_(NAME, EXPR) ALU32_LOW_(NAME, EXPR)

/* Conditional jumps, signed ones (S: the sign bit) with the sign bits
 * flipped. */
#define COND64_BODY_(B, EXPR, S)                                           \
    {                                                                      \
        const uint64_t a = DST ^ (S), b = (B) ^ (S);                       \
        if (EXPR)                                                          \
            TAKEN_();                                                      \
        NEXT(8);                                                           \
    }
#define COND32_BODY_(B, EXPR, S)                                           \
    {                                                                      \
        const uint32_t a = (uint32_t)DST ^ (uint32_t)((uint64_t)(S) >> 32); \
        const uint32_t b = (uint32_t)(B) ^ (uint32_t)((uint64_t)(S) >> 32); \
        if (EXPR)                                                          \
            TAKEN_();                                                      \
        NEXT(8);                                                           \
    }
#define SIGN64_ ((uint64_t)1 << 63)
#define JMP64_(NAME, EXPR, S) KX_(NAME##_K, NAME##_X, COND64_BODY_, EXPR, S)
#if RBPF_ENABLE_JMP32
#define JMP32_(NAME, EXPR, S) KX_(NAME##32_K, NAME##32_X, COND32_BODY_, EXPR, S)
#else
#define JMP32_(NAME, EXPR, S)
#endif
#define JMP_(NAME, EXPR, S) JMP64_(NAME, EXPR, S) JMP32_(NAME, EXPR, S)

/* Pairs of rows whose opcodes differ in one bit: two operations when built
 * for speed; for size, one body where that bit decides. Bit 0x40: jne
 * (0x55) negates jeq (0x15), jsgt (0x65) flips the sign bits of jgt (0x25),
 * and so on; bit 0x80: mod (0x97) after div (0x37). */
#if RBPF_COMPACT_
#define JMP2_(NAME, NAME2, EXPR, S, EXPR2, S2, EXPR_BOTH, S_BOTH)                       \
    OP(NAME##_K) OP(NAME##_X) OP(NAME2##_K) OP(NAME2##_X)                                \
    COND64_BODY_(((ip[0] & 0x08) ? SRC : IMM64), EXPR_BOTH, S_BOTH)                     \
    RBPF_IF_FEATURE(JMP32, OP(NAME##32_K) OP(NAME##32_X) OP(NAME2##32_K) OP(NAME2##32_X) \
                    COND32_BODY_(((ip[0] & 0x08) ? SRC : IMM64), EXPR_BOTH, S_BOTH))
#define ALU2_(NAME, NAME2, BITS, EXPR, EXPR2, EXPR_BOTH)                                 \
    OP(NAME##BITS##_K) OP(NAME##BITS##_X) OP(NAME2##BITS##_K) OP(NAME2##BITS##_X)        \
    ALU##BITS##_BODY_(((ip[0] & 0x08) ? SRC : IMM64), EXPR_BOTH, 0)
#else
#define JMP2_(NAME, NAME2, EXPR, S, EXPR2, S2, EXPR_BOTH, S_BOTH) \
    JMP_(NAME, EXPR, S) JMP_(NAME2, EXPR2, S2)
#define ALU2_(NAME, NAME2, BITS, EXPR, EXPR2, EXPR_BOTH) \
    ALU##BITS##_(NAME, EXPR) ALU##BITS##_(NAME2, EXPR2)
#endif
#define NEGATED_ ((ip[0] & 0x40) != 0)
#define SIGNED_ ((ip[0] & 0x40) ? SIGN64_ : 0)
#define MODULO_ ((ip[0] & 0x80) != 0)

/* Memory access sizes by the size bits (0x18) of the opcode: W, H, B, DW. */
#define SIZE_ ((0x8124u >> (((ip[0] >> 3) & 3u) * 4)) & 15u)
#define LDX_(NAME, T, EXT)                                               \
    OP(NAME) {                                                           \
        const uint64_t addr = SRC + (uint64_t)(int64_t)OFF;              \
        T v_;                                                            \
        ACCESS(addr, sizeof(T), RBPF_READ);                              \
        memcpy(&v_, HOST(addr), sizeof(T));                              \
        DST = (EXT);                                                     \
        NEXT(8);                                                         \
    }
#define ST_(NAME, T, VALUE)                                              \
    OP(NAME) {                                                           \
        const uint64_t addr = DST + (uint64_t)(int64_t)OFF;              \
        const T v_ = (T)(VALUE);                                         \
        ACCESS(addr, sizeof(T), RBPF_WRITE);                             \
        memcpy(HOST(addr), &v_, sizeof(T));                              \
        NEXT(8);                                                         \
    }

/* The second slot does not count: one lddw is one instruction. */
#define LDDW_(NAME, BASE)                                                        \
    OP(NAME) {                                                                   \
        DST = (uint64_t)(BASE) + ((uint64_t)(uint32_t)IMM |                     \
                                  (uint64_t)rbpf_le32_(ip + RBPF_INSN_SIZE + 4) << 32); \
        acc -= RBPF_INSN_SIZE;                                                   \
        NEXT(2 * RBPF_INSN_SIZE);                                                \
    }

int rbpf_interp_run_(rbpf_vm_t *vm, uint32_t offset, uint64_t *r0)
{
#if GOTO_
    /* Every opcode the verifier refuses leads to L_illegal, which it never
     * reaches. Exact mode: on 64-bit hosts a second table sends every
     * opcode to L_exact; on 32-bit cores (where the table costs flash)
     * the opcode is masked to 0, whose entry is L_exact. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const fast_table[256] = {
        [0 ... 255] = &&L_illegal,
#if UINTPTR_MAX == 0xffffffffu
        [0] = &&L_exact,
#endif
#define DISPATCH_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_IF_FEATURE(feature, RBPF_ONCE_##once([opcode] = &&L_##name,))
        RBPF_ISA(DISPATCH_)
#undef DISPATCH_
    };
#pragma GCC diagnostic pop
#define TARGET_(op) fast_table[op]
#if UINTPTR_MAX == 0xffffffffu
    /* 32-bit cores: exact mode masks the opcode to 0, whose entry is
     * L_exact (a second table would cost a kilobyte of flash). */
    unsigned mask = 0xffu;
#define SET_EXACT(on) (mask = (on) ? 0u : 0xffu)
#define DISPATCH() goto *fast_table[ip[0] & mask]
#else
    static const void *const exact_table[256] = {[0 ... 255] = &&L_exact};
    const void *const *table = fast_table;
#define SET_EXACT(on) (table = (on) ? exact_table : fast_table)
#define DISPATCH() goto *table[ip[0]]
#endif
#else
    /* exact mode masks the opcode to 0, whose case is the check */
    unsigned mask = 0xffu, op;
#define SET_EXACT(on) (mask = (on) ? 0u : 0xffu)
#define DISPATCH() goto dispatch
#endif
    const rbpf_program_t *const prog = vm->program;
    const rbpf_config_t *const config = vm->config;
    const uint8_t *const text = prog->text;
    const uint8_t *ip = text + offset;
#if RBPF_COMPACT_
    uint64_t regs_[11], *regs = regs_;
#else
    uint64_t regs[11];
#endif
    uintptr_t acc, stk_start, stk_lim, ctx_start, ctx_lim;
    uint32_t remaining;
    uintptr_t lim0;
    int rc;

    remaining = BUDGET_;
    acc = rbpf_window_open_(&remaining, &lim0, 0, TEXT_END_, ip);
    stk_start = (uintptr_t)config->stack;
    stk_lim = rbpf_fast_lim_(config->stack_size);
    ctx_start = (uintptr_t)vm->context;
    ctx_lim = rbpf_fast_lim_(vm->context_length);
#if RBPF_COMPACT_
    memset(regs_, 0, sizeof(regs_));
#if defined(__GNUC__)
    /* Hide that the register file is on the stack, so that gcc keeps its
     * address in a register instead of recomputing it in every handler. */
    __asm__("" : "+r"(regs));
#endif
#else
    memset(regs, 0, sizeof(regs));
#endif
    R(1) = (uintptr_t)vm->context;
    R(2) = vm->context_length;
    R(10) = (uintptr_t)config->stack + config->stack_size;

    SET_EXACT(EXACT_(acc));
#if GOTO_
    DISPATCH();
#else
#if RBPF_COMPACT_
    goto dispatch;
next:
    ip += RBPF_INSN_SIZE;
#endif
dispatch:
    op = ip[0] & mask;
again:
    switch (op) {
    case 0:
#endif
#if GOTO_
L_exact:
#endif
    {
        const int state = rbpf_exact_check_(&remaining, &lim0, &acc, TEXT_END_, ip);
        if (state < 0) {
            /* the budget is spent: this instruction is not run */
            vm->instructions = BUDGET_;
            rc = RBPF_ERR_BUDGET;
            goto failed;
        }
        if (state > 0)
            SET_EXACT(EXACT_(acc));
    }
#if RBPF_ENABLE_TRACE
    if (vm->trace != NULL)
        vm->trace(vm, (uint32_t)(ip - text), regs);
#endif
#if GOTO_
    if (ip[0] == 0) /* the masked dispatch's own entry; never verified code */
        FAIL(RBPF_ERR_ILLEGAL_INSN);
    goto *TARGET_(ip[0]);
L_illegal:
    FAIL(RBPF_ERR_ILLEGAL_INSN);
#else
    op = ip[0];
    if (op == 0) /* the masked dispatch's own case; never verified code */
        FAIL(RBPF_ERR_ILLEGAL_INSN);
    goto again;
    default:
        FAIL(RBPF_ERR_ILLEGAL_INSN);
#endif
    /* add, the commonest operation, has two handlers even for size */
    KX_SPLIT_(ADD64_K, ADD64_X, ALU64_BODY_, a + b, 0)
#if RBPF_ENABLE_ALU32
    KX_SPLIT_(ADD32_K, ADD32_X, ALU32_LOW_BODY_, a + b, 0)
#endif
    ALU_LOW_(SUB, a - b)
    ALU_LOW_(MUL, a * b)
    ALU_LOW_(OR, a | b)
    ALU_LOW_(AND, a & b)
    ALU_LOW_(XOR, a ^ b)
    ALU64_(LSH, a << (b & 63))
    ALU64_(RSH, a >> (b & 63))
    ALU64_(ARSH, rbpf_arsh_(a, (unsigned)(b & 63), 64))
    ALU2_(DIV, MOD, 64, rbpf_divide_(a, b, OFF != 0, 0, SIGN64_, ~(uint64_t)0),
          rbpf_divide_(a, b, OFF != 0, 1, SIGN64_, ~(uint64_t)0),
          rbpf_divide_(a, b, OFF != 0, MODULO_, SIGN64_, ~(uint64_t)0))
    OP(MOV64_K) { DST = IMM64; NEXT(8); }
    /* offset 0, or 8/16/32 for movsx: its low byte tells */
    OP(MOV64_X) { DST = RBPF_UNLIKELY(ip[2]) ? rbpf_sext_(SRC, ip[2]) : SRC; NEXT(8); }
    OP(NEG64) { DST = 0 - DST; NEXT(8); }
#if RBPF_ENABLE_ALU32
    ALU32_LOW_(LSH, a << (b & 31))
    ALU32_(RSH, a >> (b & 31))
    ALU32_(ARSH, rbpf_arsh_(a, b & 31, 32))
    ALU2_(DIV, MOD, 32, rbpf_divide_(a, b, OFF != 0, 0, SIGN64_ >> 32, 0xffffffffu),
          rbpf_divide_(a, b, OFF != 0, 1, SIGN64_ >> 32, 0xffffffffu),
          rbpf_divide_(a, b, OFF != 0, MODULO_, SIGN64_ >> 32, 0xffffffffu))
    OP(MOV32_K) { DST = (uint32_t)IMM; NEXT(8); }
    OP(MOV32_X) { DST = (uint32_t)(RBPF_UNLIKELY(ip[2]) ? rbpf_sext_(SRC, ip[2]) : SRC); NEXT(8); }
    OP(NEG32) { DST = (uint32_t)(0 - DST); NEXT(8); }
#endif
    OP(LE16) { DST = rbpf_byteswap_(DST, (unsigned)IMM, rbpf_host_big_endian_()); NEXT(8); }
    OP(BE16) { DST = rbpf_byteswap_(DST, (unsigned)IMM, !rbpf_host_big_endian_()); NEXT(8); }
    OP(BSWAP16) { DST = rbpf_byteswap_(DST, (unsigned)IMM, 1); NEXT(8); }

    LDDW_(LDDW, 0)
    LDDW_(LDDWD, (uintptr_t)vm->ram)
    LDDW_(LDDWR, (uintptr_t)prog->rodata)

#if RBPF_COMPACT_
    /* one body for all loads, one for all stores */
    OP(LDXB) OP(LDXH) OP(LDXW) OP(LDXDW) OP(LDXSB) OP(LDXSH) OP(LDXSW) {
        const unsigned size = SIZE_;
        const uint64_t addr = SRC + (uint64_t)(int64_t)OFF;
        uint64_t v;
        ACCESS(addr, size, RBPF_READ);
        v = rbpf_load_(HOST(addr), size);
        DST = (ip[0] & 0xe0) == 0x80 ? rbpf_sext_(v, 8 * size) : v;
        NEXT(8);
    }
    OP(STB) OP(STH) OP(STW) OP(STDW) OP(STXB) OP(STXH) OP(STXW) OP(STXDW) {
        const unsigned size = SIZE_;
        const uint64_t addr = DST + (uint64_t)(int64_t)OFF;
        ACCESS(addr, size, RBPF_WRITE);
        rbpf_store_(HOST(addr), (ip[0] & 1) ? SRC : IMM64, size);
        NEXT(8);
    }
#else
    LDX_(LDXB, uint8_t, v_)
    LDX_(LDXH, uint16_t, v_)
    LDX_(LDXW, uint32_t, v_)
    LDX_(LDXDW, uint64_t, v_)
    LDX_(LDXSB, int8_t, (uint64_t)(int64_t)v_)
    LDX_(LDXSH, int16_t, (uint64_t)(int64_t)v_)
    LDX_(LDXSW, int32_t, (uint64_t)(int64_t)v_)
    ST_(STB, uint8_t, IMM)
    ST_(STH, uint16_t, IMM)
    ST_(STW, uint32_t, IMM)
    ST_(STDW, uint64_t, IMM64)
    ST_(STXB, uint8_t, SRC)
    ST_(STXH, uint16_t, SRC)
    ST_(STXW, uint32_t, SRC)
    ST_(STXDW, uint64_t, SRC)
#endif

#if RBPF_ENABLE_ATOMIC
    OP(ADD32) goto atomic;
    OP(ADD64) {
    atomic:;
        const unsigned size = ip[0] == RBPF_OPC_ADD32 ? 4u : 8u;
        const uint64_t addr = DST + (uint64_t)(int64_t)OFF;
        const int32_t operation = IMM;
        uint64_t old;
        ACCESS(addr, size, RBPF_RW);
        old = rbpf_atomic_(HOST(addr), size, operation, SRC, &R(0));
        if ((operation & RBPF_ATOMIC_FETCH) && operation != RBPF_ATOMIC_CMPXCHG)
            SRC = old;
        NEXT(8);
    }
#endif

    OP(JA) JUMP(OFF);
#if RBPF_ENABLE_JMP32
    OP(JA32) JUMP(IMM);
#endif
    JMP2_(JEQ, JNE, a == b, 0, a != b, 0, (a == b) != NEGATED_, 0)
    JMP_(JSET, (a & b) != 0, 0)
    JMP2_(JGT, JSGT, a > b, 0, a > b, SIGN64_, a > b, SIGNED_)
    JMP2_(JGE, JSGE, a >= b, 0, a >= b, SIGN64_, a >= b, SIGNED_)
    JMP2_(JLT, JSLT, a < b, 0, a < b, SIGN64_, a < b, SIGNED_)
    JMP2_(JLE, JSLE, a <= b, 0, a <= b, SIGN64_, a <= b, SIGNED_)

    OP(CALL) {
#if RBPF_ENABLE_LOCAL_CALLS
        if ((ip[1] >> 4) == RBPF_CALL_LOCAL) {
            uint32_t depth;
            rc = rbpf_call_push_(vm, regs, (uint32_t)(ip - text));
            if (rc != RBPF_OK)
                FAIL(rc);
            depth = vm->call_depth;
            stk_start = (uintptr_t)config->stack + (uintptr_t)depth * RBPF_FRAME_RECORD;
            stk_lim = rbpf_fast_lim_(config->stack_size - (uint64_t)depth * RBPF_FRAME_RECORD);
            TAKE(ip + SLOT_ + (ptrdiff_t)IMM * SLOT_);
        }
#endif
        rc = rbpf_call_helper_(vm, (uint32_t)IMM, regs);
        if (rc != RBPF_OK)
            FAIL(rc);
        NEXT(8);
    }
    OP(EXIT) {
#if RBPF_ENABLE_LOCAL_CALLS
        if (vm->call_depth != 0) {
            const uint32_t at = rbpf_call_pop_(vm, regs), depth = vm->call_depth;
            stk_start = (uintptr_t)config->stack + (uintptr_t)depth * RBPF_FRAME_RECORD;
            stk_lim = rbpf_fast_lim_(config->stack_size - (uint64_t)depth * RBPF_FRAME_RECORD);
            TAKE(text + at + RBPF_INSN_SIZE);
        }
#endif
        goto done;
    }
#if !GOTO_
    }
#endif

#if RBPF_COMPACT_
taken:
    JUMP(OFF);
#endif
#if RBPF_COMPACT_
refill_next:
    ip += SLOT_;
    goto refill; /* the only use when no call or return takes it */
#endif
refill:
    /* The block at ip may outrun the window: open a new one, exact if the
     * budget left is too short even so. */
    acc = rbpf_window_open_(&remaining, &lim0, RBPF_USED(ip), TEXT_END_, ip);
    SET_EXACT(EXACT_(acc));
    DISPATCH();

done:
    vm->instructions = (uint64_t)(BUDGET_ - remaining) + RBPF_USED(ip + RBPF_INSN_SIZE);
    *r0 = R(0);
    return RBPF_OK;

fail:
    /* the failing instruction counts as executed */
    vm->instructions = (uint64_t)(BUDGET_ - remaining) + RBPF_USED(ip + RBPF_INSN_SIZE);
failed:
    vm->error_at = (int32_t)((ip - text) / RBPF_INSN_SIZE);
    return rc;
}

/* The run loop's macros end here. */
#undef UNLIKELY
#undef R
#undef RBPF_COMPACT_
#undef GOTO_
#undef OP
#undef DST
#undef SRC
#undef OFF
#undef IMM
#undef IMM64
#undef NEXT
#undef FAIL
#undef HOST
#undef BUDGET_
#undef TEXT_END_
#undef ACCESS
#undef TAKE
#undef SLOT_
#undef JUMP
#undef TAKEN_
#undef KX_
#undef KX_SPLIT_
#undef ALU64_BODY_
#undef ALU32_BODY_
#undef ALU32_LOW_BODY_
#undef ALU64_
#undef ALU32_
#undef ALU32_LOW_
#undef ALU_
#undef ALU_LOW_
#undef COND64_BODY_
#undef COND32_BODY_
#undef SIGN64_
#undef JMP64_
#undef JMP32_
#undef JMP_
#undef JMP2_
#undef ALU2_
#undef NEGATED_
#undef SIGNED_
#undef MODULO_
#undef SIZE_
#undef LDX_
#undef ST_
#undef LDDW_
#undef TARGET_
#undef SET_EXACT
#undef DISPATCH
#undef IN_FAST
#undef WINDOW
#undef OUTRUNS
#undef EXACT_
#undef USED
