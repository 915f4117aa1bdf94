/*
 * thumb2.c: the JIT. Compiles a verified program into Thumb-2 machine code
 * for ARMv7-M and ARMv8-M Mainline (Cortex-M3, M4, M7, M33), in a buffer the
 * host provides, and runs it. docs/jit.md has the design and the figures.
 *
 * The generated code keeps the three eBPF registers the program uses most
 * in ARM register pairs (r6:r7, r8:r9, r10:r11) and the others in a state
 * block on the host stack addressed from r4 (eBPF register n at [r4 + 8n],
 * low word first), and does 64-bit operations as pairs of 32-bit ones. r5
 * holds the instructions left of the budget. Everything that is
 * not plain arithmetic goes to the VM layer (vm.c) or to the shared
 * arithmetic (alu.h) through calls: the access check's slow path, helper
 * calls, local-call frames, division, shifts by a register, atomics.
 *
 * Budget: the text is cut into blocks (a block starts at a jump or call
 * target, a function entry, or after a jump, call or exit). Entering a
 * block subtracts its length from r5; when that would go below zero, the
 * block's exact copy runs instead, which counts and checks one instruction
 * at a time, so the run stops before exactly the instruction the
 * interpreter stops before. A fault inside a block gives back the
 * instructions of the block after it ("refund"), so vm->instructions stays
 * exact.
 *
 * Buffer: a header, one word per instruction slot (the code offset of each
 * block's fast entry, flagged; the word after a block's first instruction
 * holds the offset of its exact copy), then the code: entry and exit
 * sequences, every block's fast code in text order, then the exact copies.
 */
#include <string.h>

#include "alu.h"
#include "vm.h"

#if RBPF_ENABLE_JIT

/* The state the generated code works on; offsets below are fixed. */
typedef struct jit_state {
    uint64_t regs[11];  /* 0: eBPF r0..r10 */
    uint32_t stk_start; /* 88: the stack above the saved records, checked inline */
    uint32_t stk_lim;   /* 92 */
    uint32_t ctx_start; /* 96: the context */
    uint32_t ctx_lim;   /* 100 */
    rbpf_vm_t *vm;      /* 104 */
    uint32_t left;      /* 108: budget left (r5 while running) */
    uint32_t sp;        /* 112: the host sp after the entry sequence */
    uint32_t index;     /* 116: instruction index of the fault */
    uint32_t refund;    /* 120: instructions charged but not run */
    uint32_t ram;       /* 124: vm->ram (lddwd) */
    uint32_t rodata;    /* 128: the program's rodata (lddwr) */
    uint32_t pad;
} jit_state_t;

#define ST_STK 88u
#define ST_CTX 96u
#define ST_VM 104u
#define ST_LEFT 108u
#define ST_SP 112u
#define ST_INDEX 116u
#define ST_RAM 124u
#define ST_RODATA 128u
typedef char jit_layout_ok_[(sizeof(void *) == 4 && offsetof(jit_state_t, stk_start) == ST_STK &&
                             offsetof(jit_state_t, vm) == ST_VM &&
                             offsetof(jit_state_t, index) == ST_INDEX &&
                             offsetof(jit_state_t, rodata) == ST_RODATA) ? 1 : -1];

#define JIT_MAGIC 0x3254494au /* "JIT2" */
typedef struct jit_header {
    uint32_t magic;
    uint32_t slots;     /* instruction slots of the text */
    uint32_t code_at;   /* byte offset of the code in the buffer */
    uint32_t code_size; /* bytes of code */
} jit_header_t;

#define LEADER 0x80000000u /* a table word: the fast entry of a block */
#define JIT_SLOTS_MAX 0xffffu /* 512 KiB of text: an index and a count fit 16 bits */

/* ARM registers. */
enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, IP, SP, LR, PC };
/* Condition codes. */
enum { EQ, NE, HS, LO, MI, PL, VS, VC, HI, LS, GE, LT, GT, LE };
/* Data-processing operations (the op field of both encodings). */
enum { AND = 0, BIC = 1, ORR = 2, ORN = 3, EOR = 4, ADD = 8, ADC = 10, SBC = 11, SUB = 13, RSB = 14 };
/* Shift types. */
enum { LSL, LSR, ASR };

typedef struct emitter {
    uint8_t *code;    /* NULL while sizing */
    uint32_t base;    /* run-time address of code[0] */
    uint32_t pos;     /* bytes emitted */
    uint32_t limit;   /* bytes of code room */
    uint32_t *table;  /* per slot; NULL for the size bound */
    const rbpf_program_t *prog;
    uint32_t exit_at; /* the exit sequence (r0 error, r1 index, r2 refund) */
    uint32_t quit_at; /* the exit with index and refund already stored (r0 error) */
    uint32_t check_at; /* the shared slow path of the access check */
    uint32_t spent_at; /* the budget stop inside an exact copy */
    uint32_t stop_at; /* the budget stop (r1 index) */
    int bound;        /* sizing an upper bound: spills count three pinned pairs */
    int error;
    uint8_t pin[11];  /* per eBPF register: 0, or 1 + the ARM pair that holds it */
} emitter_t;

/* ---- Encoder ------------------------------------------------------------- */
static void h16(emitter_t *e, uint32_t h)
{
    if (e->code != NULL) {
        if (e->pos + 2u > e->limit) { /* never: the sizing pass fixed the size */
            e->error = RBPF_ERR_TOO_SMALL;
            return;
        }
        const uint16_t half = (uint16_t)h; /* the core is little-endian */
        memcpy(e->code + e->pos, &half, 2);
    }
    e->pos += 2;
}

static void h32(emitter_t *e, uint32_t hw1, uint32_t hw2)
{
    h16(e, hw1);
    h16(e, hw2);
}

/* ThumbExpandImm's inverse: 1 and the 12-bit field when v is encodable. */
static int mod_imm(uint32_t v, uint32_t *field)
{
    uint32_t b = v & 0xffu, shift;
    if (v < 256u) {
        *field = v;
        return 1;
    }
    if (v == (b | b << 16)) {
        *field = 0x100u | b;
        return 1;
    }
    if (v == b * 0x01010101u) {
        *field = 0x300u | b;
        return 1;
    }
    b = (v >> 8) & 0xffu;
    if (v == (b << 8 | b << 24)) {
        *field = 0x200u | b;
        return 1;
    }
    /* an 8-bit value with its top bit set, shifted left by 1..24 (a
     * rotation right by 32 - shift, which never wraps) */
#if defined(__GNUC__) || defined(__clang__)
    shift = 31u - (uint32_t)__builtin_clz(v) - 7u; /* v >= 256 here */
#else
    for (shift = 24; !(v >> (shift + 7)); shift--)
        ;
#endif
    if ((v >> shift) << shift != v)
        return 0;
    *field = (32u - shift) << 7 | ((v >> shift) & 0x7fu);
    return 1;
}

/* op{S}.W rd, rn, #field (a modified immediate). */
static void dp_imm(emitter_t *e, unsigned op, unsigned s, unsigned rd, unsigned rn, uint32_t field)
{
    h32(e, 0xf000u | (field >> 11) << 10 | op << 5 | s << 4 | rn,
        ((field >> 8) & 7u) << 12 | rd << 8 | (field & 0xffu));
}

/* op{S}.W rd, rn, rm, <type> #amount. */
static void dp_reg(emitter_t *e, unsigned op, unsigned s, unsigned rd, unsigned rn, unsigned rm,
                   unsigned type, unsigned amount)
{
    h32(e, 0xea00u | op << 5 | s << 4 | rn,
        (amount >> 2) << 12 | rd << 8 | (amount & 3u) << 6 | type << 4 | rm);
}

static void mov_reg(emitter_t *e, unsigned rd, unsigned rm)
{
    h16(e, 0x4600u | (rd >> 3) << 7 | rm << 3 | (rd & 7u));
}

/* rd = rm <type> #amount, 1 <= amount <= 31. */
static void shift_imm(emitter_t *e, unsigned rd, unsigned rm, unsigned type, unsigned amount)
{
    dp_reg(e, ORR, 0, rd, PC, rm, type, amount);
}

/* rd = rn <type> rm (the register's low byte). */
static void shift_reg(emitter_t *e, unsigned type, unsigned rd, unsigned rn, unsigned rm)
{
    h32(e, 0xfa00u | type << 5 | rn, 0xf000u | rd << 8 | rm);
}

static void movw_movt(emitter_t *e, unsigned rd, uint32_t v, int both)
{
    const uint32_t lo = v & 0xffffu, hi = v >> 16;
    h32(e, 0xf240u | ((lo >> 11) & 1u) << 10 | lo >> 12, ((lo >> 8) & 7u) << 12 | rd << 8 | (lo & 0xffu));
    if (both || hi != 0)
        h32(e, 0xf2c0u | ((hi >> 11) & 1u) << 10 | hi >> 12,
            ((hi >> 8) & 7u) << 12 | rd << 8 | (hi & 0xffu));
}

/* rd = v, in as few words as the value allows (no flags changed). */
static void mov_imm(emitter_t *e, unsigned rd, uint32_t v)
{
    uint32_t f;
    if (mod_imm(v, &f))
        dp_imm(e, ORR, 0, rd, PC, f);
    else if (mod_imm(~v, &f))
        dp_imm(e, ORN, 0, rd, PC, f);
    else
        movw_movt(e, rd, v, 0);
}

/* LDR/STR family, rt at [rn, #imm] with 0 <= imm < 4096. */
enum { STRB = 0xf880u, STRH = 0xf8a0u, STR = 0xf8c0u, LDRB = 0xf890u, LDRH = 0xf8b0u,
       LDR = 0xf8d0u, LDRSB = 0xf990u, LDRSH = 0xf9b0u };
static void mem(emitter_t *e, uint32_t kind, unsigned rt, unsigned rn, uint32_t imm)
{
    h32(e, kind | rn, rt << 12 | imm);
}

/* LDRD/STRD rt, rt2, [rn, #imm], imm a multiple of 4 below 1024. */
static void ldrd(emitter_t *e, unsigned rt, unsigned rt2, unsigned rn, uint32_t imm)
{
    h32(e, 0xe9d0u | rn, rt << 12 | rt2 << 8 | imm >> 2);
}

static void strd(emitter_t *e, unsigned rt, unsigned rt2, unsigned rn, uint32_t imm)
{
    h32(e, 0xe9c0u | rn, rt << 12 | rt2 << 8 | imm >> 2);
}

/* eBPF registers: the three used most are pinned in ARM pairs (low, high
 * word) for the whole program; the others live in the state block. */
#define REG(n) (8u * (n))
#define PINS 3u
static const uint8_t pin_lo[PINS] = {R6, R8, R10}, pin_hi[PINS] = {R7, R9, R11};
#define PINNED(e, n) ((e)->pin[n] != 0)
#define PLO(e, n) ((unsigned)pin_lo[(e)->pin[n] - 1u])
#define PHI(e, n) ((unsigned)pin_hi[(e)->pin[n] - 1u])

static void mov_reg(emitter_t *e, unsigned rd, unsigned rm);

static void mov_if(emitter_t *e, unsigned rd, unsigned rm)
{
    if (rd != rm)
        mov_reg(e, rd, rm);
}

/* A result in (lo, hi) into eBPF register n. */
static void put(emitter_t *e, unsigned lo, unsigned hi, unsigned n)
{
    if (PINNED(e, n)) {
        mov_if(e, PLO(e, n), lo);
        mov_if(e, PHI(e, n), hi);
    } else {
        strd(e, lo, hi, R4, REG(n));
    }
}

/* Register n's pair for reading: its pins, or (lo, hi) loaded. */
static void read_pair(emitter_t *e, unsigned n, unsigned lo, unsigned hi, unsigned *rl, unsigned *rh)
{
    if (PINNED(e, n)) {
        *rl = PLO(e, n);
        *rh = PHI(e, n);
    } else {
        ldrd(e, lo, hi, R4, REG(n));
        *rl = lo;
        *rh = hi;
    }
}

/* Register n's low word for reading: its pin, or `lo` loaded. */
static unsigned read_lo(emitter_t *e, unsigned n, unsigned lo)
{
    if (PINNED(e, n))
        return PLO(e, n);
    h32(e, 0xf8d0u | R4, lo << 12 | REG(n)); /* ldr lo, [r4, #8n] */
    return lo;
}

/* Where a result for register n is computed: its pins, or (lo, hi), which
 * finish() then stores. */
static void dest(const emitter_t *e, unsigned n, unsigned lo, unsigned hi, unsigned *dl, unsigned *dh)
{
    *dl = PINNED(e, n) ? PLO(e, n) : lo;
    *dh = PINNED(e, n) ? PHI(e, n) : hi;
}

static void finish(emitter_t *e, unsigned n, unsigned dl, unsigned dh)
{
    if (!PINNED(e, n))
        strd(e, dl, dh, R4, REG(n));
}

/* The pinned registers to the state block (before C reads it: `out`) or
 * back (after C may have changed it). */
static void spill(emitter_t *e, int out)
{
    unsigned n;
    for (n = 0; n < 11; n++)
        if (PINNED(e, n) || (e->bound && n < PINS)) /* the size bound: as if three were */
            h32(e, (out ? 0xe9c0u : 0xe9d0u) | R4,
                (PINNED(e, n) ? PLO(e, n) << 12 | PHI(e, n) << 8 : R6 << 12 | R7 << 8) | REG(n) >> 2);
}
#define flush(e) spill((e), 1)
#define reload(e) spill((e), 0)

/* cmp rn, rm (16-bit; either encoding as the registers allow). */
static void cmp_reg(emitter_t *e, unsigned rn, unsigned rm)
{
    if (rn < 8 && rm < 8)
        h16(e, 0x4280u | rm << 3 | rn);
    else
        h16(e, 0x4500u | (rn >> 3) << 7 | rm << 3 | (rn & 7u));
}

/* b<cond>.w to code offset `to`; cond 14 is always (b.w), 15 is bl. */
#define BL 15u
static void branch(emitter_t *e, unsigned cond, uint32_t to)
{
    const int32_t off = (int32_t)(to - (e->pos + 4u));
    const uint32_t s = (uint32_t)off >> 31;
    if (cond >= 14) {
        const uint32_t i1 = ((uint32_t)off >> 23) & 1u, i2 = ((uint32_t)off >> 22) & 1u;
        const uint32_t j1 = (~i1 ^ s) & 1u, j2 = (~i2 ^ s) & 1u;
        if (off < -(1 << 24) || off >= (1 << 24))
            e->error = RBPF_ERR_UNSUPPORTED;
        h32(e, 0xf000u | s << 10 | (((uint32_t)off >> 12) & 0x3ffu),
            (cond == BL ? 0xd000u : 0x9000u) | j1 << 13 | j2 << 11 | (((uint32_t)off >> 1) & 0x7ffu));
    } else {
        if (off < -(1 << 20) || off >= (1 << 20))
            e->error = RBPF_ERR_UNSUPPORTED;
        h32(e, 0xf000u | s << 10 | cond << 6 | (((uint32_t)off >> 12) & 0x3fu),
            0x8000u | (((uint32_t)off >> 18) & 1u) << 13 | (((uint32_t)off >> 19) & 1u) << 11 |
                (((uint32_t)off >> 1) & 0x7ffu));
    }
}

/* Short forward branches inside one instruction's code: emitted with a
 * zero offset, patched once the target is known. */
static uint32_t cbz_(emitter_t *e, int nonzero, unsigned rn)
{
    const uint32_t at = e->pos;
    h16(e, (nonzero ? 0xb900u : 0xb100u) | rn);
    return at;
}

static uint32_t bcond16(emitter_t *e, unsigned cond)
{
    const uint32_t at = e->pos;
    h16(e, 0xd000u | cond << 8);
    return at;
}

static void patch(emitter_t *e, uint32_t at)
{
    const uint32_t off = e->pos - (at + 4u);
    uint32_t h;
    if (e->code == NULL)
        return;
    h = (uint32_t)e->code[at] | (uint32_t)e->code[at + 1] << 8;
    if ((h & 0xf500u) == 0xb100u) /* cbz/cbnz: 0..126 */
        h |= (off >> 6) << 9 | ((off >> 1) & 31u) << 3;
    else /* b<cond>.n */
        h |= (off >> 1) & 0xffu;
    if (off > ((h & 0xf500u) == 0xb100u ? 126u : 254u))
        e->error = RBPF_ERR_UNSUPPORTED;
    e->code[at] = (uint8_t)h;
    e->code[at + 1] = (uint8_t)(h >> 8);
}

/* Calls the C function fn (r0..r3 are its arguments). */
static void call_c(emitter_t *e, uint32_t fn)
{
    movw_movt(e, IP, fn, 1);
    h16(e, 0x4780u | IP << 3); /* blx ip */
}
#define FN(f) ((uint32_t)(uintptr_t)(f))

/* Ends the run with the error in r0 at instruction `index`, giving back
 * `refund` instructions charged but not run. */
static void fault(emitter_t *e, uint32_t index, uint32_t refund)
{
    mov_imm(e, R1, index);
    movw_movt(e, R2, refund, 0); /* one size for any refund (< 65536): an
                                  * instruction's code is the same in a
                                  * block's fast code and its exact copy */
    branch(e, 14, e->exit_at);
}

/* After a call returning 0 or an error in r0: the error ends the run. */
static void fault_unless_zero(emitter_t *e, uint32_t index, uint32_t refund)
{
    const uint32_t skip = cbz_(e, 0, R0);
    fault(e, index, refund);
    patch(e, skip);
}

/* ---- Run-time support the code calls -------------------------------------- */
static uint32_t fast_lim(uint64_t length)
{
    return length >= 8u ? (uint32_t)(length - 7u) : 0u;
}

/* The stack window checked inline: above the records of `depth` calls. */
static void stack_window(jit_state_t *st, uint32_t depth)
{
    const rbpf_config_t *c = st->vm->config;
    const uint64_t records = (uint64_t)depth * RBPF_FRAME_RECORD;
    st->stk_start = (uint32_t)(uintptr_t)c->stack + (uint32_t)records;
    st->stk_lim = records <= c->stack_size ? fast_lim(c->stack_size - records) : 0u;
}

/* The access check's slow path, called from the shared stub with the three
 * halfwords that follow the access's `bl` (address() writes them): the
 * instruction's index, its refund, and size | access << 8. A refusal
 * stores the index and refund. */
static int jit_check(jit_state_t *st, const uint8_t *data, uint64_t addr)
{
    uint16_t h[3];
    memcpy(h, data, sizeof h);
    if (rbpf_granted_(st->vm, addr, h[2] & 0xffu, (uint32_t)h[2] >> 8))
        return RBPF_OK;
    st->index = h[0];
    st->refund = h[1];
    return RBPF_ERR_MEMORY;
}

/* The budget ran out inside an exact copy, which stored its first slot and
 * the budget left on entry: the instruction not run is that many
 * instructions further (a lddw counts once). */
static int jit_spent(jit_state_t *st)
{
    const uint8_t *text = st->vm->program->text;
    uint32_t slot = st->index, n = st->refund;
    for (; n != 0; n--)
        slot += rbpf_two_slot_(text[(size_t)slot * RBPF_INSN_SIZE]) ? 2u : 1u;
    st->index = slot;
    return RBPF_ERR_BUDGET;
}

#if RBPF_ENABLE_LOCAL_CALLS
static int jit_call(jit_state_t *st, uint32_t at)
{
    const int rc = rbpf_call_push_(st->vm, st->regs, at);
    if (rc == RBPF_OK)
        stack_window(st, st->vm->call_depth);
    return rc;
}

/* An exit: 1 after returning from a local call, 0 at the end of the run. */
static int jit_return(jit_state_t *st)
{
    if (st->vm->call_depth == 0)
        return 0;
    (void)rbpf_call_pop_(st->vm, st->regs);
    stack_window(st, st->vm->call_depth);
    return 1;
}
#endif

#define DIVIDE_(name, is_signed, modulo, bits)                                              \
    static uint64_t name(uint64_t a, uint64_t b)                                            \
    {                                                                                       \
        return rbpf_divide_(a, b, is_signed, modulo, (uint64_t)1 << ((bits) - 1),           \
                            (bits) == 64 ? ~(uint64_t)0 : 0xffffffffu);                     \
    }
DIVIDE_(div64, 0, 0, 64)
DIVIDE_(sdiv64, 1, 0, 64)
DIVIDE_(mod64, 0, 1, 64)
DIVIDE_(smod64, 1, 1, 64)

static uint64_t lsh64(uint64_t a, uint64_t b)
{
    return a << (b & 63u);
}

static uint64_t rsh64(uint64_t a, uint64_t b)
{
    return a >> (b & 63u);
}

static uint64_t arsh64(uint64_t a, uint64_t b)
{
    return rbpf_arsh_(a, (unsigned)(b & 63u), 64);
}

/* An atomic instruction, decoded from the text, checked and done here. */
static int jit_atomic(jit_state_t *st, const uint8_t *ip)
{
    const unsigned size = ip[0] == RBPF_OPC_ADD32 ? 4u : 8u;
    const uint64_t addr = st->regs[RBPF_INSN_DST(ip)] + (uint64_t)(int64_t)RBPF_INSN_OFF(ip);
    const int32_t operation = RBPF_INSN_IMM(ip);
    uint64_t old;
    if (!rbpf_granted_(st->vm, addr, size, RBPF_RW))
        return RBPF_ERR_MEMORY;
    old = rbpf_atomic_((void *)(uintptr_t)addr, size, operation, st->regs[RBPF_INSN_SRC(ip)],
                       &st->regs[0]);
    if ((operation & RBPF_ATOMIC_FETCH) && operation != RBPF_ATOMIC_CMPXCHG)
        st->regs[RBPF_INSN_SRC(ip)] = old;
    return RBPF_OK;
}

/* ---- Code generation ------------------------------------------------------ */
static const uint8_t *insn_at(const emitter_t *e, uint32_t i)
{
    return e->prog->text + (size_t)i * RBPF_INSN_SIZE;
}

/* Code offset of the fast entry of the block at slot `i`. */
static uint32_t target(const emitter_t *e, uint32_t i)
{
    return e->table != NULL ? e->table[i] & ~LEADER : e->pos;
}

/* The second operand (src, or the sign-extended immediate in r2:r3) for
 * reading: its registers in *bl, *bh (*bh only for 64 bits). */
static void operand(emitter_t *e, const uint8_t *p, int is64, unsigned *bl, unsigned *bh)
{
    if (p[0] & 0x08u) {
        if (is64)
            read_pair(e, RBPF_INSN_SRC(p), R2, R3, bl, bh);
        else
            *bl = read_lo(e, RBPF_INSN_SRC(p), R2);
    } else {
        const int32_t imm = RBPF_INSN_IMM(p);
        mov_imm(e, R2, (uint32_t)imm);
        if (is64)
            mov_imm(e, R3, imm < 0 ? 0xffffffffu : 0u);
        *bl = R2;
        *bh = R3;
    }
}

/* r0:r1 <<, >> or arithmetic >> by the constant s (0 < s < 64). */
static void shift64_const(emitter_t *e, unsigned code, unsigned s)
{
    if (code == 0x60) { /* lsh */
        if (s < 32) {
            shift_imm(e, R1, R1, LSL, s);
            dp_reg(e, ORR, 0, R1, R1, R0, LSR, 32 - s);
            shift_imm(e, R0, R0, LSL, s);
        } else {
            if (s == 32)
                mov_reg(e, R1, R0);
            else
                shift_imm(e, R1, R0, LSL, s - 32);
            mov_imm(e, R0, 0);
        }
        return;
    }
    if (s < 32) {
        shift_imm(e, R0, R0, LSR, s);
        dp_reg(e, ORR, 0, R0, R0, R1, LSL, 32 - s);
        shift_imm(e, R1, R1, code == 0x70 ? LSR : ASR, s);
        return;
    }
    if (s == 32)
        mov_reg(e, R0, R1);
    else
        shift_imm(e, R0, R1, code == 0x70 ? LSR : ASR, s - 32);
    if (code == 0x70)
        mov_imm(e, R1, 0);
    else
        shift_imm(e, R1, R1, ASR, 31);
}

/* add, sub, or, and, xor by code >> 4: the low word's operation and the
 * high word's (with the carry). */
static const uint8_t lo_op[] = {ADD, SUB, 0, 0, ORR, AND, 0, 0, 0, 0, EOR};
static const uint8_t hi_op[] = {ADC, SBC, 0, 0, ORR, AND, 0, 0, 0, 0, EOR};

/* The C functions for 64-bit division and modulo, by kind and sign. */
static uint64_t (*const divide[4])(uint64_t, uint64_t) = {div64, sdiv64, mod64, smod64};

static void alu(emitter_t *e, const uint8_t *p)
{
    const unsigned op = p[0], code = op & 0xf0u, dst = RBPF_INSN_DST(p), src = RBPF_INSN_SRC(p);
    const int is64 = (op & 7u) == RBPF_CLS_ALU64, reg = (op & 0x08u) != 0;
    const int32_t imm = RBPF_INSN_IMM(p), off = RBPF_INSN_OFF(p);
    unsigned dl, dh, al, ah = R1, bl, bh = R3;
    uint32_t f;

    dest(e, dst, R0, R1, &dl, &dh);
    if (code == 0xb0) { /* mov, movsx */
        if (!reg) {
            mov_imm(e, dl, (uint32_t)imm);
            mov_imm(e, dh, is64 && imm < 0 ? 0xffffffffu : 0u);
        } else if (is64 && off == 0) {
            read_pair(e, src, R0, R1, &al, &ah);
            if (PINNED(e, dst)) {
                mov_if(e, dl, al);
                mov_if(e, dh, ah);
            } else {
                dl = al;
                dh = ah;
            }
        } else {
            al = read_lo(e, src, R0);
            if (off == 8)
                h32(e, 0xfa4fu, 0xf080u | dl << 8 | al); /* sxtb */
            else if (off == 16)
                h32(e, 0xfa0fu, 0xf080u | dl << 8 | al); /* sxth */
            else
                mov_if(e, dl, al);
            if (is64)
                shift_imm(e, dh, dl, ASR, 31);
            else
                mov_imm(e, dh, 0);
        }
        finish(e, dst, dl, dh);
        return;
    }
    if (code == 0xd0) { /* byte swaps */
        const int swap = op != RBPF_OPC_LE16;
        if (imm == 64 && !swap)
            return; /* nothing to do on a little-endian core */
        if (imm == 64) {
            read_pair(e, dst, R0, R1, &al, &ah);
            h32(e, 0xfa90u | ah, 0xf080u | R2 << 8 | ah); /* rev r2, ah */
            h32(e, 0xfa90u | al, 0xf080u | dh << 8 | al); /* rev dh, al */
            mov_reg(e, dl, R2);
        } else {
            al = read_lo(e, dst, R0);
            if (swap && imm == 16)
                h32(e, 0xfa90u | al, 0xf090u | dl << 8 | al); /* rev16 */
            else if (swap)
                h32(e, 0xfa90u | al, 0xf080u | dl << 8 | al); /* rev */
            else
                mov_if(e, dl, al);
            if (imm == 16)
                h32(e, 0xfa1fu, 0xf080u | dl << 8 | dl); /* uxth */
            mov_imm(e, dh, 0);
        }
        finish(e, dst, dl, dh);
        return;
    }
    if (is64)
        read_pair(e, dst, R0, R1, &al, &ah);
    else
        al = read_lo(e, dst, R0);
    if (code == 0x80) { /* neg */
        dp_imm(e, RSB, is64, dl, al, 0);
        if (is64) {
            mov_imm(e, IP, 0);
            dp_reg(e, SBC, 0, dh, IP, ah, LSL, 0);
        } else {
            mov_imm(e, dh, 0);
        }
        finish(e, dst, dl, dh);
        return;
    }
    /* A constant the operation takes as an immediate. */
    if (!reg && (code == 0x00 || code == 0x10 || code == 0x40 || code == 0x50 || code == 0xa0) &&
        mod_imm((uint32_t)imm, &f)) {
        dp_imm(e, lo_op[code >> 4], is64, dl, al, f);
        if (is64)
            dp_imm(e, hi_op[code >> 4], 0, dh, ah, imm < 0 ? 0x3ffu : 0u);
        else
            mov_imm(e, dh, 0);
        finish(e, dst, dl, dh);
        return;
    }
    if (!reg && (code == 0x60 || code == 0x70 || code == 0xc0)) { /* constant shifts */
        const unsigned sh = (unsigned)imm & (is64 ? 63u : 31u);
        if (is64) {
            if (sh == 0)
                return;
            mov_if(e, R0, al);
            mov_if(e, R1, ah);
            shift64_const(e, code, sh);
            put(e, R0, R1, dst);
            return;
        }
        if (sh != 0)
            shift_imm(e, dl, al, code == 0x60 ? LSL : code == 0x70 ? LSR : ASR, sh);
        else
            mov_if(e, dl, al);
        mov_imm(e, dh, 0);
        finish(e, dst, dl, dh);
        return;
    }
    operand(e, p, is64, &bl, &bh);
    switch (code) {
    case 0x00:
    case 0x10:
    case 0x40:
    case 0x50:
    case 0xa0:
        dp_reg(e, lo_op[code >> 4], is64, dl, al, bl, LSL, 0);
        if (is64)
            dp_reg(e, hi_op[code >> 4], 0, dh, ah, bh, LSL, 0);
        break;
    case 0x20:
        if (is64) {
            h32(e, 0xfba0u | al, IP << 12 | LR << 8 | bl); /* umull ip, lr, al, bl */
            h32(e, 0xfb00u | al, LR << 12 | LR << 8 | bh); /* mla lr, al, bh, lr */
            h32(e, 0xfb00u | ah, LR << 12 | LR << 8 | bl); /* mla lr, ah, bl, lr */
            mov_reg(e, dl, IP);
            mov_reg(e, dh, LR);
        } else {
            h32(e, 0xfb00u | al, 0xf000u | dl << 8 | bl); /* mul dl, al, bl */
        }
        break;
    case 0x60:
    case 0x70:
    case 0xc0:
        if (is64) {
            /* the C function takes a in r0:r1, b in r2:r3 */
            mov_if(e, R2, bl);
            mov_if(e, R3, bh);
            mov_if(e, R0, al);
            mov_if(e, R1, ah);
            call_c(e, code == 0x60 ? FN(lsh64) : code == 0x70 ? FN(rsh64) : FN(arsh64));
            mov_if(e, dl, R0);
            mov_if(e, dh, R1);
        } else {
            dp_imm(e, AND, 0, IP, bl, 31);
            shift_reg(e, code == 0x60 ? LSL : code == 0x70 ? LSR : ASR, dl, al, IP);
        }
        break;
    case 0x30:
    case 0x90:
        if (!is64) {
            /* udiv/sdiv, never run on a zero divisor (whatever CCR.DIV_0_TRP
             * says): that gives 0, or the dividend for a modulo */
            const uint32_t div = off != 0 ? 0xfb90u : 0xfbb0u;
            if (code == 0x30) {
                dp_imm(e, SUB, 1, PC, bl, 0); /* cmp bl, #0 */
                h16(e, 0xbf0cu);              /* ite eq */
                dp_imm(e, ORR, 0, dl, PC, 0); /* moveq dl, #0 */
                h32(e, div | al, 0xf0f0u | dl << 8 | bl);
            } else {
                mov_reg(e, IP, al);
                dp_imm(e, SUB, 1, PC, bl, 0);
                h16(e, 0xbf1cu); /* itt ne */
                h32(e, div | al, 0xf0f0u | IP << 8 | bl);
                h32(e, 0xfb00u | IP, al << 12 | IP << 8 | 0x10u | bl); /* mls ip, ip, bl, al */
                mov_reg(e, dl, IP);
            }
            break;
        }
        mov_if(e, R2, bl);
        mov_if(e, R3, bh);
        mov_if(e, R0, al);
        mov_if(e, R1, ah);
        call_c(e, FN(divide[(code == 0x90 ? 2 : 0) + (off != 0)]));
        mov_if(e, dl, R0);
        mov_if(e, dh, R1);
        break;
    default:
        e->error = RBPF_ERR_ILLEGAL_INSN;
        break;
    }
    if (!is64)
        mov_imm(e, dh, 0);
    finish(e, dst, dl, dh);
}

/* r0 (and r1) = base + off as 64 bits. */
static void address_of(emitter_t *e, unsigned base, int32_t off)
{
    unsigned bl, bh;
    read_pair(e, base, R0, R1, &bl, &bh);
    if (off != 0) {
        const uint32_t m = off < 0 ? (uint32_t)-off : (uint32_t)off;
        mov_imm(e, IP, m);
        dp_reg(e, off < 0 ? SUB : ADD, 1, R0, bl, IP, LSL, 0);
        dp_imm(e, off < 0 ? SBC : ADC, 0, R1, bh, 0);
    } else {
        mov_if(e, R0, bl);
        mov_if(e, R1, bh);
    }
}

/* r0 = the address of a memory access ([base + off], 64 bits), checked for
 * `size` bytes of `access`: inline against the stack and the context, else
 * by the VM's check, which ends the run when it refuses. */
static void address(emitter_t *e, unsigned base, int32_t off, unsigned size, unsigned access,
                    uint32_t index, uint32_t refund)
{
    uint32_t slow, ok1, ok2;
    address_of(e, base, off);
    slow = cbz_(e, 1, R1);
    /* the window the base most likely points into first */
    ldrd(e, R2, R3, R4, base == 10 ? ST_STK : ST_CTX);
    h16(e, 0x1a00u | R2 << 6 | R0 << 3 | R2); /* subs r2, r0, r2 */
    h16(e, 0x4280u | R3 << 3 | R2);           /* cmp r2, r3 */
    ok1 = bcond16(e, LO);
    ldrd(e, R2, R3, R4, base == 10 ? ST_CTX : ST_STK);
    h16(e, 0x1a00u | R2 << 6 | R0 << 3 | R2);
    h16(e, 0x4280u | R3 << 3 | R2);
    ok2 = bcond16(e, LO);
    patch(e, slow);
    branch(e, BL, e->check_at); /* returns past the data, r0:r1 kept */
    h16(e, index);
    h16(e, refund);
    h16(e, size | access << 8);
    patch(e, ok1);
    patch(e, ok2);
}

static void load(emitter_t *e, const uint8_t *p, uint32_t index, uint32_t refund)
{
    static const uint8_t sizes[4] = {4, 2, 1, 8};
    const unsigned size = sizes[(p[0] >> 3) & 3u], sign = (p[0] & 0xe0u) == 0x80u;
    const unsigned dst = RBPF_INSN_DST(p);
    unsigned dl, dh;
    address(e, RBPF_INSN_SRC(p), RBPF_INSN_OFF(p), size, RBPF_READ, index, refund);
    dest(e, dst, R2, R3, &dl, &dh);
    switch (size) {
    case 1: mem(e, sign ? LDRSB : LDRB, dl, R0, 0); break;
    case 2: mem(e, sign ? LDRSH : LDRH, dl, R0, 0); break;
    case 4: mem(e, LDR, dl, R0, 0); break;
    default:
        mem(e, LDR, dh, R0, 4);
        mem(e, LDR, dl, R0, 0);
        break;
    }
    if (size != 8) {
        if (sign)
            shift_imm(e, dh, dl, ASR, 31);
        else
            mov_imm(e, dh, 0);
    }
    finish(e, dst, dl, dh);
}

static void store(emitter_t *e, const uint8_t *p, uint32_t index, uint32_t refund)
{
    static const uint8_t sizes[4] = {4, 2, 1, 8};
    const unsigned size = sizes[(p[0] >> 3) & 3u];
    unsigned vl = R2, vh = R3;
    address(e, RBPF_INSN_DST(p), RBPF_INSN_OFF(p), size, RBPF_WRITE, index, refund);
    if ((p[0] & 7u) == RBPF_CLS_STX) {
        read_pair(e, RBPF_INSN_SRC(p), R2, R3, &vl, &vh);
    } else {
        mov_imm(e, R2, (uint32_t)RBPF_INSN_IMM(p));
        if (size == 8)
            mov_imm(e, R3, RBPF_INSN_IMM(p) < 0 ? 0xffffffffu : 0u);
    }
    mem(e, size == 1 ? STRB : size == 2 ? STRH : STR, vl, R0, 0);
    if (size == 8)
        mem(e, STR, vh, R0, 4);
}

/* Conditional jumps: the comparison, then b<cond>.w to the target. */
static void jump(emitter_t *e, const uint8_t *p, uint32_t to)
{
    const unsigned code = p[0] & 0xf0u;
    const int is64 = (p[0] & 7u) == RBPF_CLS_JMP;
    /* per code >> 4: the condition, and whether the operands swap (a > b
     * is b < a) for the 64-bit compare-with-borrow */
    static const uint8_t cond32[14] = {0, EQ, HI, HS, NE, NE, GT, GE, 0, 0, LO, LS, LT, LE};
    static const uint8_t cond64[14] = {0, EQ, LO, HS, NE, NE, LT, GE, 0, 0, LO, HS, LT, GE};
    static const uint8_t swap64[14] = {0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1};
    const unsigned k = code >> 4;
    const int32_t imm = RBPF_INSN_IMM(p);
    unsigned al, ah = R1, bl, bh = R3;
    uint32_t f;
    if (is64)
        read_pair(e, RBPF_INSN_DST(p), R0, R1, &al, &ah);
    else
        al = read_lo(e, RBPF_INSN_DST(p), R0);
    /* against a constant Thumb-2 encodes: cmp al, #imm (and the high word
     * against the sign) */
    if (!(p[0] & 0x08u) && code != 0x40 && mod_imm((uint32_t)imm, &f) &&
        (!is64 || !swap64[k])) {
        dp_imm(e, SUB, 1, PC, al, f); /* cmp al, #imm */
        if (is64 && (code == 0x10 || code == 0x50)) {
            h16(e, 0xbf08u); /* it eq */
            dp_imm(e, SUB, 1, PC, ah, imm < 0 ? 0x3ffu : 0u);
        } else if (is64) {
            dp_imm(e, SBC, 1, IP, ah, imm < 0 ? 0x3ffu : 0u);
        }
        branch(e, is64 ? cond64[k] : cond32[k], to);
        return;
    }
    operand(e, p, is64, &bl, &bh);
    if (code == 0x40) { /* jset */
        if (is64) {
            dp_reg(e, AND, 0, R0, al, bl, LSL, 0);
            dp_reg(e, AND, 0, R1, ah, bh, LSL, 0);
            dp_reg(e, ORR, 1, R0, R0, R1, LSL, 0);
        } else {
            dp_reg(e, AND, 1, PC, al, bl, LSL, 0); /* tst al, bl */
        }
        branch(e, NE, to);
        return;
    }
    if (!is64) {
        cmp_reg(e, al, bl);
        branch(e, cond32[k], to);
        return;
    }
    if (code == 0x10 || code == 0x50) {
        cmp_reg(e, al, bl);
        h16(e, 0xbf08u); /* it eq */
        cmp_reg(e, ah, bh);
        branch(e, cond64[k], to);
        return;
    }
    if (swap64[k]) {
        cmp_reg(e, bl, al);
        dp_reg(e, SBC, 1, IP, bh, ah, LSL, 0);
    } else {
        cmp_reg(e, al, bl);
        dp_reg(e, SBC, 1, IP, ah, bh, LSL, 0);
    }
    branch(e, cond64[k], to);
}

/* 1 when the instruction at slot i never falls through to the next. */
static int ends_flow(const uint8_t *p)
{
    return p[0] == RBPF_OPC_EXIT || p[0] == RBPF_OPC_JA
#if RBPF_ENABLE_JMP32
           || p[0] == RBPF_OPC_JA32
#endif
        ;
}

/* The code of instruction i; `refund` instructions of its block follow it. */
static void instruction(emitter_t *e, uint32_t i, uint32_t refund)
{
    const uint8_t *p = insn_at(e, i);
    const unsigned cls = p[0] & 7u;

    switch (cls) {
    case RBPF_CLS_ALU:
    case RBPF_CLS_ALU64:
        alu(e, p);
        return;
    case RBPF_CLS_LD: {
        const uint32_t hi = rbpf_le32_(p + RBPF_INSN_SIZE + 4);
        unsigned dl, dh;
        dest(e, RBPF_INSN_DST(p), R0, R1, &dl, &dh);
        mov_imm(e, dl, (uint32_t)RBPF_INSN_IMM(p));
        mov_imm(e, dh, hi);
        if (p[0] != RBPF_OPC_LDDW) {
            mem(e, LDR, R2, R4, p[0] == RBPF_OPC_LDDWD ? ST_RAM : ST_RODATA);
            dp_reg(e, ADD, 1, dl, dl, R2, LSL, 0);
            dp_imm(e, ADC, 0, dh, dh, 0);
        }
        finish(e, RBPF_INSN_DST(p), dl, dh);
        return;
    }
    case RBPF_CLS_LDX:
        load(e, p, i, refund);
        return;
    case RBPF_CLS_ST:
        store(e, p, i, refund);
        return;
    case RBPF_CLS_STX:
        if ((p[0] & 0xe0u) == 0xc0u) { /* atomic: C reads and writes registers */
            flush(e);
            mov_reg(e, R0, R4);
            movw_movt(e, R1, (uint32_t)(uintptr_t)p, 1);
            call_c(e, FN(jit_atomic));
            fault_unless_zero(e, i, refund);
            reload(e);
        } else {
            store(e, p, i, refund);
        }
        return;
    default:
        break;
    }
    /* jumps, calls, exit */
    if (p[0] == RBPF_OPC_JA) {
        branch(e, 14, target(e, (uint32_t)((int64_t)i + RBPF_INSN_OFF(p) + 1)));
        return;
    }
#if RBPF_ENABLE_JMP32
    if (p[0] == RBPF_OPC_JA32) {
        branch(e, 14, target(e, (uint32_t)((int64_t)i + RBPF_INSN_IMM(p) + 1)));
        return;
    }
#endif
    if (p[0] == RBPF_OPC_CALL) {
#if RBPF_ENABLE_LOCAL_CALLS
        if (RBPF_INSN_SRC(p) == RBPF_CALL_LOCAL) {
            flush(e); /* the frame record saves r6..r10; r10 moves */
            mov_reg(e, R0, R4);
            mov_imm(e, R1, i * RBPF_INSN_SIZE);
            call_c(e, FN(jit_call));
            fault_unless_zero(e, i, refund);
            reload(e);
            /* the return address (the next block), pushed with a pad word */
            movw_movt(e, R0, (e->base + target(e, i + 1)) | 1u, 1);
            h16(e, 0xb403u); /* push {r0, r1} */
            branch(e, 14, target(e, (uint32_t)((int64_t)i + RBPF_INSN_IMM(p) + 1)));
            return;
        }
#endif
        flush(e); /* the helper reads r1..r5 and writes r0 */
        mem(e, LDR, R0, R4, ST_VM);
        mov_imm(e, R1, (uint32_t)RBPF_INSN_IMM(p));
        mov_reg(e, R2, R4);
        call_c(e, FN(rbpf_call_helper_));
        fault_unless_zero(e, i, refund);
        reload(e);
        return;
    }
    if (p[0] == RBPF_OPC_EXIT) {
#if RBPF_ENABLE_LOCAL_CALLS
        uint32_t done;
        flush(e); /* r0 is the result; a return restores r6..r10 */
        mov_reg(e, R0, R4);
        call_c(e, FN(jit_return));
        done = cbz_(e, 0, R0);
        reload(e);
        h16(e, 0xbc03u);            /* pop {r0, r1}: the return address */
        h16(e, 0x4700u | R0 << 3); /* bx r0 */
        patch(e, done);
#else
        flush(e);
        mov_imm(e, R0, 0);
#endif
        branch(e, 14, e->exit_at); /* r0 = 0 */
        return;
    }
    jump(e, p, target(e, (uint32_t)((int64_t)i + RBPF_INSN_OFF(p) + 1)));
}

/* Instructions of the block at `start` (a lddw counts once), and its end. */
static uint32_t block_length(const emitter_t *e, uint32_t start, uint32_t slots, uint32_t *end)
{
    uint32_t i = start, n = 0;
    do {
        i += rbpf_two_slot_(insn_at(e, i)[0]) ? 2u : 1u;
        n++;
    } while (i < slots && !(e->table[i] & LEADER));
    *end = i;
    return n;
}

/* r5 -= n, setting the flags (carry clear when it went below zero). */
static void budget_sub(emitter_t *e, unsigned add, uint32_t n)
{
    uint32_t f;
    if (n < 256u)
        h16(e, (add ? 0x3000u : 0x3800u) | R5 << 8 | n);
    else if (mod_imm(n, &f))
        dp_imm(e, add ? ADD : SUB, 1, R5, R5, f);
    else {
        movw_movt(e, IP, n, 0);
        dp_reg(e, add ? ADD : SUB, 1, R5, R5, IP, LSL, 0);
    }
}

/* One instruction counted and checked on its own: stops the run before
 * it when the budget is spent. */
static void budget_one(emitter_t *e, uint32_t i)
{
    uint32_t skip;
    h16(e, 0x3800u | R5 << 8 | 1u); /* subs r5, #1 */
    skip = bcond16(e, HS);
    mov_imm(e, R1, i);
    branch(e, 14, e->stop_at);
    patch(e, skip);
}

/* An exact copy's entry: the block's length given back, and where the
 * copy starts and the budget it has stored for jit_spent(). */
#define COPY_ENTRY 14u /* bytes, whatever the block (n, start < 65536) */
static void copy_entry(emitter_t *e, uint32_t start, uint32_t n)
{
    movw_movt(e, R1, n, 0);
    h16(e, 0x1800u | R1 << 6 | R5 << 3 | R5); /* adds r5, r5, r1 */
    movw_movt(e, R1, start, 0);
    strd(e, R1, R5, R4, ST_INDEX);
}

/* A block's fast code (exact = 0) or its exact copy. The sizing pass
 * emits no exact copy: it is the block's instructions again, each after a
 * 6-byte check, so its size is reckoned from the fast code's and kept in
 * the table word of the block's second slot until generate() lays the
 * copies out; the writing pass checks each copy starts where reckoned. */

static void block(emitter_t *e, uint32_t start, uint32_t slots, int exact)
{
    uint32_t end, i, last = start, n = block_length(e, start, slots, &end), k = 0, body;
    if (!exact) {
        e->table[start] = LEADER | e->pos;
        if (n == 1) {
            budget_one(e, start);
        } else {
            budget_sub(e, 0, n);
            branch(e, LO, e->table[start + 1]);
        }
    } else {
        if (e->table[start + 1] != e->pos)
            e->error = RBPF_ERR_ARGUMENT; /* never: the sizes agree */
        copy_entry(e, start, n);
    }
    body = e->pos;
    for (i = start; i < end; i += rbpf_two_slot_(insn_at(e, i)[0]) ? 2u : 1u) {
        k++;
        last = i;
        if (exact) {
            h16(e, 0x3800u | R5 << 8 | 1u); /* subs r5, #1 */
            branch(e, LO, e->spent_at);
        }
        instruction(e, i, exact ? 0 : n - k);
    }
    /* the exact copy sits apart: it goes on at the next block's fast code */
    if (exact && !ends_flow(insn_at(e, last)))
        branch(e, 14, target(e, end));
    if (!exact && n > 1 && e->code == NULL)
        e->table[start + 1] =
            e->pos - body + COPY_ENTRY + 6u * n + (ends_flow(insn_at(e, last)) ? 0u : 4u);
}

/* The entry and exit sequences, at the start of the code. The entry is
 * called as int code(jit_state_t *st, uint32_t entry_address). */
static void frame(emitter_t *e)
{
    uint32_t slow;
    h32(e, 0xe92du, 0x4ff8u); /* push {r3-r11, lr} */
    mov_reg(e, R4, R0);
    mem(e, LDR, R5, R4, ST_LEFT);
    mov_reg(e, R0, SP);
    mem(e, STR, R0, R4, ST_SP);
    reload(e);
    h16(e, 0x4700u | R1 << 3); /* bx r1 */
    e->stop_at = e->pos;       /* r1: the instruction not run */
    mov_imm(e, R0, (uint32_t)RBPF_ERR_BUDGET);
    e->exit_at = e->pos; /* r0: error or 0, r1: index, r2: refund */
    strd(e, R1, R2, R4, ST_INDEX);
    e->quit_at = e->pos; /* r0: error or 0, index and refund stored */
    mem(e, STR, R5, R4, ST_LEFT);
    mem(e, LDR, R3, R4, ST_SP);
    mov_reg(e, SP, R3);
    h32(e, 0xe8bdu, 0x8ff8u); /* pop {r3-r11, pc} */
    /* The access check's slow path, shared: called with the address in
     * r0:r1 and lr past the bl, where three halfwords describe the access;
     * returns past them with r0:r1 kept, or ends the run. */
    e->check_at = e->pos;
    h16(e, 0xb507u);       /* push {r0, r1, r2, lr} (sp stays 8-aligned) */
    mov_reg(e, R3, R1);
    mov_reg(e, R2, R0);
    dp_imm(e, SUB, 0, R1, LR, 1); /* the data, without the Thumb bit */
    mov_reg(e, R0, R4);
    call_c(e, FN(jit_check));
    slow = cbz_(e, 1, R0);
    h32(e, 0xe8bdu, 0x4007u); /* pop {r0, r1, r2, lr} */
    dp_imm(e, ADD, 0, LR, LR, 6);
    h16(e, 0x4700u | LR << 3); /* bx lr */
    patch(e, slow);
    branch(e, 14, e->quit_at);
    /* The budget spent inside an exact copy: jit_spent() finds the index. */
    e->spent_at = e->pos;
    mov_reg(e, R0, R4);
    call_c(e, FN(jit_spent)); /* r0 = RBPF_ERR_BUDGET */
    branch(e, 14, e->quit_at);
}

static void mark(uint32_t *table, uint32_t slots, int64_t i)
{
    if (i >= 0 && i < (int64_t)slots)
        table[i] |= LEADER;
}

/* Marks the first instruction of every block. */
static void find_blocks(const rbpf_program_t *prog, uint32_t *table, uint32_t slots)
{
    uint32_t i, f, offset;
    for (f = 0; rbpf_function_info(prog, f, NULL, &offset) == RBPF_OK; f++)
        mark(table, slots, offset / RBPF_INSN_SIZE);
    for (i = 0; i < slots; i += rbpf_two_slot_(prog->text[(size_t)i * RBPF_INSN_SIZE]) ? 2u : 1u) {
        const uint8_t *p = prog->text + (size_t)i * RBPF_INSN_SIZE;
        const unsigned cls = p[0] & 7u;
        if (cls != RBPF_CLS_JMP && cls != RBPF_CLS_JMP32)
            continue;
        mark(table, slots, (int64_t)i + 1);
        if (p[0] == RBPF_OPC_CALL) {
            if (RBPF_INSN_SRC(p) == RBPF_CALL_LOCAL)
                mark(table, slots, (int64_t)i + RBPF_INSN_IMM(p) + 1);
        } else if (p[0] == RBPF_OPC_JA32 && cls == RBPF_CLS_JMP32) {
            mark(table, slots, (int64_t)i + RBPF_INSN_IMM(p) + 1);
        } else if (p[0] != RBPF_OPC_EXIT) {
            mark(table, slots, (int64_t)i + RBPF_INSN_OFF(p) + 1);
        }
    }
}

/* Pins the eBPF registers the text names most (reads and writes alike). */
static void choose_pins(emitter_t *e, uint32_t slots, uint32_t *scratch)
{
    uint32_t uses[11] = {0}, i, depth = 0;
    unsigned k, n;
    /* an instruction inside a backward jump's range (a loop) weighs 16 */
    memset(scratch, 0, (size_t)slots * sizeof *scratch);
    for (i = 0; i < slots; i += rbpf_two_slot_(insn_at(e, i)[0]) ? 2u : 1u) {
        const uint8_t *p = insn_at(e, i);
        const unsigned cls = p[0] & 7u;
        int64_t t = (int64_t)i + 1 + (p[0] == RBPF_OPC_JA32 ? RBPF_INSN_IMM(p) : RBPF_INSN_OFF(p));
        if ((cls == RBPF_CLS_JMP || cls == RBPF_CLS_JMP32) && p[0] != RBPF_OPC_CALL &&
            p[0] != RBPF_OPC_EXIT && t <= (int64_t)i && t >= 0) {
            scratch[t]++;
            if (i + 1 < slots)
                scratch[i + 1]--;
        }
    }
    for (i = 0; i < slots; i += rbpf_two_slot_(insn_at(e, i)[0]) ? 2u : 1u) {
        const uint8_t *p = insn_at(e, i);
        const uint32_t w = (depth += scratch[i]) != 0 ? 16u : 1u;
        if (rbpf_two_slot_(p[0]) && i + 1 < slots)
            depth += scratch[i + 1];
        uses[RBPF_INSN_DST(p)] += w;
        uses[RBPF_INSN_SRC(p)] += w;
    }
    memset(e->pin, 0, sizeof e->pin);
    for (k = 0; k < PINS; k++) {
        unsigned best = 11;
        for (n = 0; n < 11; n++)
            if (!e->pin[n] && uses[n] != 0 && (best == 11 || uses[n] > uses[best]))
                best = n;
        if (best == 11)
            break;
        e->pin[best] = (uint8_t)(k + 1);
    }
}

/* Every block, fast code in text order, then the exact copies. */
static void generate(emitter_t *e, uint32_t slots)
{
    uint32_t i, end;
    frame(e);
    for (i = 0; i < slots; i = end) {
        block_length(e, i, slots, &end);
        block(e, i, slots, 0);
    }
    for (i = 0; i < slots; i = end)
        if (block_length(e, i, slots, &end) > 1) {
            if (e->code != NULL) {
                block(e, i, slots, 1);
            } else { /* the sizing pass: where each exact copy goes */
                const uint32_t copy = e->table[i + 1];
                e->table[i + 1] = e->pos;
                e->pos += copy;
            }
        }
}

static uint32_t table_bytes(uint32_t slots)
{
    return (uint32_t)sizeof(jit_header_t) + 4u * slots;
}

size_t rbpf_jit_size_(const rbpf_program_t *prog)
{
    /* An upper bound with no memory: each instruction's code as if no
     * register were pinned (the longest; spills count three pinned pairs)
     * and its refund the largest, twice (fast code and exact copy), plus
     * its share of the budget code: in a block of its own, at most 16
     * bytes and no copy; else 6 bytes of check in the copy, and per block
     * of two or more at most 30 (the entry's subs and blo, COPY_ENTRY,
     * the copy's closing branch). */
    const uint32_t slots = prog->text_len / RBPF_INSN_SIZE;
    emitter_t e;
    uint32_t i;
    size_t total;
    if (slots > JIT_SLOTS_MAX)
        return table_bytes(JIT_SLOTS_MAX); /* rbpf_jit_compile_ refuses it */
    memset(&e, 0, sizeof e);
    e.prog = prog;
    e.bound = 1;
    frame(&e);
    total = e.pos;
    for (i = 0; i < slots; i += rbpf_two_slot_(insn_at(&e, i)[0]) ? 2u : 1u) {
        e.pos = 0;
        instruction(&e, i, JIT_SLOTS_MAX);
        total += 2u * e.pos + 6u + 15u;
    }
    return table_bytes(slots) + total;
}

int rbpf_jit_compile_(rbpf_program_t *prog, void *buffer, size_t size)
{
    const uint32_t slots = prog->text_len / RBPF_INSN_SIZE;
    jit_header_t *h = buffer;
    emitter_t e;
    uint32_t sized;

    /* Larger code would not fit the branches' reach (and keeps every size
     * far from 32-bit overflow). */
    if (slots > JIT_SLOTS_MAX)
        return RBPF_ERR_UNSUPPORTED;
    if (size < table_bytes(slots))
        return RBPF_ERR_TOO_SMALL;
    memset(buffer, 0, table_bytes(slots));
    memset(&e, 0, sizeof e);
    e.prog = prog;
    e.table = (uint32_t *)(h + 1);
    choose_pins(&e, slots, e.table);
    memset(e.table, 0, 4u * (size_t)slots);
    find_blocks(prog, e.table, slots);
    /* sizing pass: fixes every block's offset */
    generate(&e, slots);
    if (e.error != RBPF_OK)
        return e.error;
    sized = e.pos;
    if (sized > size - table_bytes(slots))
        return RBPF_ERR_TOO_SMALL;
    e.code = (uint8_t *)buffer + table_bytes(slots);
    e.base = (uint32_t)(uintptr_t)e.code;
    e.limit = sized;
    e.pos = 0;
    generate(&e, slots);
    if (e.error != RBPF_OK || e.pos != sized)
        return e.error != RBPF_OK ? e.error : RBPF_ERR_ARGUMENT;
    h->magic = JIT_MAGIC;
    h->slots = slots;
    h->code_at = table_bytes(slots);
    h->code_size = sized;
    /* the code is data until the barriers complete */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    return RBPF_OK;
}

size_t rbpf_jit_code_size_(const rbpf_program_t *prog)
{
    const jit_header_t *h = prog->prepared;
    return prog->engine == RBPF_ENGINE_JIT && h->magic == JIT_MAGIC ? h->code_size : 0;
}

int rbpf_jit_run_(rbpf_vm_t *vm, uint32_t offset, uint64_t *r0)
{
    const rbpf_program_t *prog = vm->program;
    const rbpf_config_t *config = vm->config;
    const jit_header_t *h = prog->prepared;
    const uint32_t *table = (const uint32_t *)(h + 1);
    const uint32_t budget = rbpf_budget_(config), slot = offset / RBPF_INSN_SIZE;
    const uint8_t *code = (const uint8_t *)prog->prepared + h->code_at;
    int (*run)(jit_state_t *, uint32_t);
    jit_state_t st;
    int rc;

    if (h->magic != JIT_MAGIC || slot >= h->slots || !(table[slot] & LEADER))
        return RBPF_ERR_ARGUMENT;
    memset(&st, 0, sizeof st);
    st.regs[1] = (uintptr_t)vm->context;
    st.regs[2] = vm->context_length;
    st.regs[10] = (uintptr_t)config->stack + config->stack_size;
    st.vm = vm;
    st.left = budget;
    st.ctx_start = (uint32_t)(uintptr_t)vm->context;
    st.ctx_lim = fast_lim(vm->context_length);
    st.ram = (uint32_t)(uintptr_t)vm->ram;
    st.rodata = (uint32_t)(uintptr_t)prog->rodata;
    stack_window(&st, 0);
    run = (int (*)(jit_state_t *, uint32_t))((uintptr_t)code | 1u);
    rc = run(&st, ((uint32_t)(uintptr_t)code + (table[slot] & ~LEADER)) | 1u);
    if (rc == RBPF_ERR_BUDGET) {
        vm->instructions = budget;
        vm->error_at = (int32_t)st.index;
        return rc;
    }
    vm->instructions = (uint64_t)(budget - st.left);
    if (rc != RBPF_OK) {
        vm->instructions -= st.refund;
        vm->error_at = (int32_t)st.index;
        return rc;
    }
    *r0 = st.regs[0];
    return RBPF_OK;
}

#else /* !RBPF_ENABLE_JIT */
/* ISO C wants a declaration in every translation unit. */
typedef int rbpf_jit_not_built_;
#endif
