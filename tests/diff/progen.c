/*
 * progen.c: the random program generator of the differential tests (see
 * progen.h). A program is a prologue that loads the base pointers, then
 * snippets: each a short straight-line piece (an ALU operation, a memory
 * access, a helper or local call) or a loop of snippets. Every boundary
 * between snippets is a valid jump target: no temporary pointer lives
 * across one, so a forward jump may land on any boundary of its function.
 *
 * Every random draw is its own statement or declaration, never two in one
 * expression or argument list, whose order C leaves to the compiler: gcc
 * for x86 and for Arm once made different programs from one seed.
 */
#include <string.h>

#include "internal.h"
#include "progen.h"

/* Registers: r0..r5 hold scalars, r6..r9 the base pointers. */
#define R_CTX 6u
#define R_DATA 7u
#define R_REGION 8u
#define R_RODATA 9u
#define SCALARS 6u

/* Where memory accesses go. */
enum area { AREA_STACK, AREA_CONTEXT, AREA_DATA, AREA_RODATA, AREA_REGION, AREA_COUNT };

#define PENDING_MAX 32u
#define CALLS_MAX 48u

typedef struct gen {
    uint64_t state;
    progen_case_t *c;
    uint8_t *text;               /* inside c->blob */
    uint32_t count;              /* instruction slots written */
    uint32_t limit;              /* slots this function may still use up to */
    uint32_t functions;
    uint32_t function;           /* the one being written */
    uint32_t start[PROGEN_FUNCTIONS_MAX];
    uint32_t recursive;          /* index of the recursive function, 0 for none */
    uint32_t reserved;           /* registers snippets must not write (bit per register) */
    uint32_t loops;              /* loop nesting */
    uint32_t length[AREA_COUNT]; /* bytes of each area (the stack: the frame extent) */
    int32_t base[AREA_COUNT];    /* offset of the area's base register from its start */
    uint32_t frame;              /* bytes below r10 the program's direct accesses reach */
    int escapes;                 /* r10 may be copied (frame 512 then) */
    uint32_t pending[PENDING_MAX];   /* forward jumps waiting for their target */
    uint32_t pending_left[PENDING_MAX]; /* boundaries still to pass */
    uint32_t pending_count;
    uint32_t call_at[CALLS_MAX], call_to[CALLS_MAX];
    uint32_t calls;
} gen_t;

/* ---- Randomness (splitmix64: fixed, portable, fast) ----------------------- */
static uint64_t next(gen_t *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for n > 0. */
static uint32_t below(gen_t *g, uint32_t n)
{
    return (uint32_t)((next(g) >> 32) % n);
}

/* 1 with probability percent / 100. */
static int chance(gen_t *g, uint32_t percent)
{
    return below(g, 100) < percent;
}

/* A value worth computing with: small, powers of two and their
 * neighbours, the 32- and 64-bit extremes, or random bits. */
static uint64_t value(gen_t *g)
{
    switch (below(g, 9)) {
    case 0: return (uint64_t)(int64_t)((int32_t)below(g, 33) - 16);
    case 1: {
        const uint64_t power = (uint64_t)1 << below(g, 64);
        return power + (uint64_t)(int64_t)((int32_t)below(g, 3) - 1);
    }
    case 2: {
        static const uint64_t edges[] = {0x80000000u, 0x7fffffffu, 0xffffffffu,
                                         0xffffffff80000000u, 0x8000000000000000u,
                                         0x7fffffffffffffffu, ~(uint64_t)0, 0x100000000u};
        return edges[below(g, sizeof edges / sizeof edges[0])];
    }
    case 3: return next(g) & 0xffffffffu;
    case 4: return (uint64_t)(int64_t)(int32_t)next(g);
    case 5: return below(g, 256);
    default: return next(g);
    }
}

/* ---- Emitting ---------------------------------------------------------------- */
static uint32_t emit(gen_t *g, unsigned op, unsigned dst, unsigned src, int32_t off, int32_t imm)
{
    uint8_t *p = g->text + (size_t)g->count * RBPF_INSN_SIZE;
    p[0] = (uint8_t)op;
    p[1] = (uint8_t)(dst | (src << 4));
    p[2] = (uint8_t)((uint32_t)off & 0xffu);
    p[3] = (uint8_t)(((uint32_t)off >> 8) & 0xffu);
    p[4] = (uint8_t)((uint32_t)imm & 0xffu);
    p[5] = (uint8_t)(((uint32_t)imm >> 8) & 0xffu);
    p[6] = (uint8_t)(((uint32_t)imm >> 16) & 0xffu);
    p[7] = (uint8_t)(((uint32_t)imm >> 24) & 0xffu);
    return g->count++;
}

static void emit_lddw(gen_t *g, unsigned op, unsigned dst, uint64_t v)
{
    emit(g, op, dst, 0, 0, (int32_t)(uint32_t)v);
    emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* dst = v, in one mov when the immediate sign-extends to it. */
static void set(gen_t *g, unsigned dst, uint64_t v)
{
    if ((uint64_t)(int64_t)(int32_t)(uint32_t)v == v && chance(g, 80))
        emit(g, RBPF_OPC_MOV64_K, dst, 0, 0, (int32_t)(uint32_t)v);
    else
        emit_lddw(g, RBPF_OPC_LDDW, dst, v);
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffffu);
    put16(p + 2, v >> 16);
}

static int feature(const gen_t *g, uint32_t f)
{
    return (g->c->features & f) != 0;
}

/* A scalar register other than `not` that snippets may write, or any
 * scalar when `read`. */
static unsigned scalar_but(gen_t *g, int read, unsigned not)
{
    unsigned r;
    uint32_t tries;
    for (tries = 0; tries < 16; tries++) {
        r = below(g, SCALARS);
        if (r != not && (read || !(g->reserved & (1u << r))))
            return r;
    }
    return 0; /* r0 is never reserved, nor a temporary */
}

static unsigned scalar(gen_t *g, int read)
{
    return scalar_but(g, read, SCALARS);
}

/* A free temporary among r1..r3 (for a pointer that lives within a
 * snippet), or 0 when all are reserved. */
static unsigned temporary(gen_t *g)
{
    unsigned r = 1 + below(g, 3), i;
    for (i = 0; i < 3; i++, r = r % 3 + 1)
        if (!(g->reserved & (1u << r)))
            return r;
    return 0;
}

/* Room for one more snippet of this function (the largest takes about 40
 * slots with a nested body checked on its own). */
static int room(const gen_t *g, uint32_t need)
{
    return g->count + need <= g->limit;
}

/* ---- Boundaries and forward jumps ----------------------------------------------- */
/* A snippet ended: jumps whose target is this boundary get their offset. */
static void boundary(gen_t *g)
{
    uint32_t i = 0;
    while (i < g->pending_count) {
        if (g->pending_left[i] == 0) {
            const uint32_t at = g->pending[i];
            uint8_t *p = g->text + (size_t)at * RBPF_INSN_SIZE;
            const int32_t off = (int32_t)g->count - (int32_t)at - 1;
            if (p[0] == RBPF_OPC_JA32)
                put32(p + 4, (uint32_t)off);
            else
                put16(p + 2, (uint32_t)off & 0xffffu);
            g->pending_count--;
            g->pending[i] = g->pending[g->pending_count];
            g->pending_left[i] = g->pending_left[g->pending_count];
        } else {
            g->pending_left[i]--;
            i++;
        }
    }
}

/* Every waiting jump lands here (the end of a function). */
static void land_all(gen_t *g)
{
    uint32_t i;
    for (i = 0; i < g->pending_count; i++)
        g->pending_left[i] = 0;
    boundary(g);
}

/* ---- Snippets ----------------------------------------------------------------- */
static const uint8_t alu_ops[] = {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60,
                                  0x70, 0x90, 0xa0, 0xb0, 0xc0, 0x80};

static void snippet_alu(gen_t *g)
{
    const int wide = !feature(g, PROGEN_ALU32) || chance(g, 55);
    const unsigned dst = scalar(g, 0), src = scalar(g, 1);
    const unsigned op = alu_ops[below(g, sizeof alu_ops)];
    const unsigned cls = wide ? 0x07u : 0x04u;
    unsigned pick = below(g, 10);
    int32_t off = 0;

    if (pick == 0) { /* byte swap */
        static const uint8_t swaps[] = {RBPF_OPC_LE16, RBPF_OPC_BE16, RBPF_OPC_BSWAP16};
        static const uint8_t widths[] = {16, 32, 64};
        const uint8_t swap = swaps[below(g, 3)];
        emit(g, swap, dst, 0, 0, widths[below(g, 3)]);
        return;
    }
    if (pick == 1) {
        set(g, dst, value(g));
        return;
    }
    if (op == 0x80) { /* neg */
        emit(g, 0x80u | cls, dst, 0, 0, 0);
        return;
    }
    if ((op == 0x30 || op == 0x90) && chance(g, 50))
        off = 1; /* sdiv, smod */
    if (chance(g, 50)) {
        emit(g, op | cls, dst, 0, off, (int32_t)(uint32_t)value(g));
    } else {
        if (op == 0xb0 && chance(g, 40)) { /* movsx */
            static const uint8_t bits[] = {8, 16, 32};
            off = bits[below(g, wide ? 3u : 2u)];
        }
        emit(g, op | cls | 0x08u, dst, src, off, 0);
    }
}

/* Division and modulo at their edges: INT_MIN by -1, anything by 0. */
static void snippet_div_edge(gen_t *g)
{
    const int wide = !feature(g, PROGEN_ALU32) || chance(g, 50);
    const unsigned a = scalar(g, 0), op = chance(g, 50) ? 0x30u : 0x90u;
    const unsigned cls = wide ? 0x07u : 0x04u;
    unsigned b;
    const int32_t divisor = chance(g, 50) ? -1 : (chance(g, 50) ? 0 : 1);
    const int32_t off = chance(g, 70) ? 1 : 0;

    set(g, a, wide ? 0x8000000000000000u : (chance(g, 50) ? 0x80000000u : 0xffffffff80000000u));
    if (chance(g, 50)) {
        emit(g, op | cls, a, 0, off, divisor);
    } else {
        b = scalar(g, 0);
        if (b == a) {
            emit(g, op | cls | 0x08u, a, a, off, 0); /* INT_MIN / INT_MIN */
        } else {
            set(g, b, (uint64_t)(int64_t)divisor);
            emit(g, op | cls | 0x08u, a, b, off, 0);
        }
    }
    g->c->kinds[PROGEN_KIND_DIV_EDGE]++;
}

/* An offset into an area of `length` bytes for a `size`-byte access: inside,
 * or at an edge (the last fitting place, straddling the end, just past it,
 * just before the start). Sets *edge when it is at an edge. */
static int32_t place(gen_t *g, uint32_t length, uint32_t size, int *edge)
{
    *edge = chance(g, 6);
    if (!*edge && length >= size)
        return (int32_t)below(g, length - size + 1);
    *edge = 1;
    switch (below(g, 5)) {
    case 0: return (int32_t)length - (int32_t)size;
    case 1: return (int32_t)length - (int32_t)size + 1 + (int32_t)below(g, size);
    case 2: return (int32_t)length;
    case 3: return -(int32_t)(1 + below(g, size));
    default: return 0;
    }
}

static const uint8_t load_ops[] = {RBPF_OPC_LDXB, RBPF_OPC_LDXH, 0, RBPF_OPC_LDXW, 0, 0, 0,
                                   RBPF_OPC_LDXDW};
static const uint8_t sload_ops[] = {RBPF_OPC_LDXSB, RBPF_OPC_LDXSH, 0, RBPF_OPC_LDXSW};
static const uint8_t store_ops[] = {RBPF_OPC_STB, RBPF_OPC_STH, 0, RBPF_OPC_STW, 0, 0, 0,
                                    RBPF_OPC_STDW};
static const uint8_t storex_ops[] = {RBPF_OPC_STXB, RBPF_OPC_STXH, 0, RBPF_OPC_STXW, 0, 0, 0,
                                     RBPF_OPC_STXDW};
static const uint8_t atomic_ops[] = {RBPF_ATOMIC_ADD, RBPF_ATOMIC_OR, RBPF_ATOMIC_AND,
                                     RBPF_ATOMIC_XOR, RBPF_ATOMIC_XCHG, RBPF_ATOMIC_CMPXCHG};

/* What an access may do. */
enum mode { ANY, LOADS, STORES };

/* One access of `size` bytes at [base + off]: a load, a store of an
 * immediate or a register (never the base: it may be a temporary
 * pointer), or an atomic. STORES where a read could see saved host
 * addresses, LOADS (mostly) for read-only memory. */
static void access(gen_t *g, unsigned base, int32_t off, unsigned size, enum mode mode)
{
    unsigned what = mode == LOADS ? 0u : mode == STORES ? 1u + below(g, 2) : below(g, 4);
    if (what == 3 && (!feature(g, PROGEN_ATOMIC) || size < 4))
        what = 0;
    switch (what) {
    case 0: { /* load, maybe sign-extending */
        const unsigned dst = scalar(g, 0);
        if (size < 8 && chance(g, 35))
            emit(g, sload_ops[size - 1], dst, base, off, 0);
        else
            emit(g, load_ops[size - 1], dst, base, off, 0);
        break;
    }
    case 1:
        emit(g, store_ops[size - 1], base, 0, off, (int32_t)(uint32_t)value(g));
        break;
    case 2:
        emit(g, storex_ops[size - 1], base, scalar_but(g, 1, base), off, 0);
        break;
    default: { /* atomic: fetch forms write src, cmpxchg writes r0 */
        int32_t op = atomic_ops[below(g, sizeof atomic_ops)];
        unsigned src;
        if (op != RBPF_ATOMIC_XCHG && op != RBPF_ATOMIC_CMPXCHG && chance(g, 50))
            op |= RBPF_ATOMIC_FETCH;
        src = scalar_but(g, !(op & RBPF_ATOMIC_FETCH) || op == RBPF_ATOMIC_CMPXCHG, base);
        emit(g, size == 8 ? RBPF_OPC_ADD64 : RBPF_OPC_ADD32, base, src, off, op);
        break;
    }
    }
}

static const unsigned area_register[AREA_COUNT] = {10, R_CTX, R_DATA, R_RODATA, R_REGION};

static void snippet_memory(gen_t *g)
{
    const unsigned size = 1u << below(g, 4);
    const unsigned area = below(g, AREA_COUNT);
    enum mode mode;
    int edge;
    int32_t off;

    if (area == AREA_STACK) {
        /* [r10 - frame, r10): the own frame, above every saved record;
         * r10 + 0..7 is past the top at depth 0, the caller's frame deeper. */
        if (chance(g, 92)) {
            off = -(int32_t)(size + below(g, g->frame - size + 1));
            edge = off == -(int32_t)g->frame || off == -(int32_t)size;
        } else {
            off = (int32_t)below(g, 8) - (int32_t)size + 1;
            edge = 1;
        }
        if (edge)
            g->c->kinds[PROGEN_KIND_EDGE_STACK]++;
        access(g, 10, off, size, ANY);
        return;
    }
    mode = area == AREA_RODATA && chance(g, 90) ? LOADS : ANY;
    off = place(g, g->length[area], size, &edge);
    if (edge)
        g->c->kinds[PROGEN_KIND_EDGE_STACK + area]++;
    off -= g->base[area];
    if (chance(g, 30)) {
        /* through a temporary: rT = base + k, then [rT + off - k] */
        const unsigned t = temporary(g);
        if (t != 0) {
            const int32_t k = (int32_t)below(g, 16) - 4;
            if (area == AREA_DATA && chance(g, 50)) {
                emit_lddw(g, RBPF_OPC_LDDWD, t, (uint64_t)(int64_t)(k + g->base[area]));
            } else if (area == AREA_RODATA && chance(g, 50)) {
                emit_lddw(g, RBPF_OPC_LDDWR, t, (uint64_t)(int64_t)(k + g->base[area]));
            } else {
                emit(g, RBPF_OPC_MOV64_X, t, area_register[area], 0, 0);
                emit(g, RBPF_OPC_ADD64_K, t, 0, 0, k);
            }
            access(g, t, off - k, size, mode);
            set(g, t, value(g)); /* the pointer dies here */
            return;
        }
    }
    access(g, area_register[area], off, size, mode);
}

/* A write at or just below the bottom of the stack (only main at depth 0
 * gets there; deeper, it is below the stack). Never a read: the bottom
 * holds the saved records of local calls, host addresses among them. */
static void snippet_stack_bottom(gen_t *g)
{
    const unsigned t = temporary(g), size = 1u << below(g, 4);
    if (t == 0 || !g->escapes)
        return;
    emit(g, RBPF_OPC_MOV64_X, t, 10, 0, 0);
    emit(g, RBPF_OPC_SUB64_K, t, 0, 0, (int32_t)g->c->stack_size);
    access(g, t, (int32_t)below(g, 12) - 4 - (int32_t)size, size, STORES);
    set(g, t, value(g));
    g->c->kinds[PROGEN_KIND_STACK_BOTTOM]++;
}

static const uint8_t jump_ops[] = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60,
                                   0x70, 0xa0, 0xb0, 0xc0, 0xd0};

/* A conditional jump (or an unconditional one) over the next few snippets. */
static void snippet_jump(gen_t *g)
{
    uint32_t at;
    if (g->pending_count == PENDING_MAX)
        return;
    if (chance(g, 12)) {
        if (feature(g, PROGEN_JMP32) && chance(g, 50))
            at = emit(g, RBPF_OPC_JA32, 0, 0, 0, 0);
        else
            at = emit(g, RBPF_OPC_JA, 0, 0, 0, 0);
    } else {
        const unsigned cls = feature(g, PROGEN_JMP32) && chance(g, 40) ? 0x06u : 0x05u;
        const unsigned op = jump_ops[below(g, sizeof jump_ops)];
        const unsigned dst = scalar(g, 1);
        if (chance(g, 50)) {
            const int32_t imm = (int32_t)(uint32_t)value(g);
            at = emit(g, op | cls, dst, 0, 0, imm);
        } else {
            at = emit(g, op | cls | 0x08u, dst, scalar(g, 1), 0, 0);
        }
    }
    g->pending[g->pending_count] = at;
    g->pending_left[g->pending_count] = below(g, 4);
    g->pending_count++;
}

static void snippets(gen_t *g, uint32_t n);

/* counter = n; do { body } while (--counter) */
static void snippet_loop(gen_t *g)
{
    unsigned counter = !(g->reserved & (1u << 5)) ? 5u : !(g->reserved & (1u << 4)) ? 4u : 0u;
    uint32_t n, top;
    if (counter == 0 || g->loops >= 2 || !room(g, 60))
        return;
    if (chance(g, 12)) {
        n = 2000 + below(g, 20000);
        g->c->kinds[PROGEN_KIND_LONG_LOOP]++;
    } else {
        n = 1 + below(g, 8);
    }
    g->c->kinds[PROGEN_KIND_LOOP]++;
    set(g, counter, n);
    boundary(g);
    top = g->count;
    g->reserved |= 1u << counter;
    g->loops++;
    snippets(g, 1 + below(g, 3));
    g->loops--;
    g->reserved &= ~(1u << counter);
    if (feature(g, PROGEN_ALU32) && chance(g, 30))
        emit(g, RBPF_OPC_SUB32_K, counter, 0, 0, 1);
    else
        emit(g, RBPF_OPC_ADD64_K, counter, 0, 0, -1);
    {
        static const uint8_t back[] = {RBPF_OPC_JNE_K, RBPF_OPC_JSGT_K, RBPF_OPC_JGT_K};
        unsigned op = back[below(g, 3)];
        if (feature(g, PROGEN_JMP32) && chance(g, 30))
            op = (op & 0xf0u) | 0x06u;
        emit(g, op, counter, 0, (int32_t)top - (int32_t)g->count - 1, 0);
    }
}

/* A pointer into an area (at or near an edge) into register r, for a
 * helper; returns the area's length left from there (0 when outside). */
static uint32_t helper_pointer(gen_t *g, unsigned r, unsigned area)
{
    int edge;
    const int32_t off = place(g, g->length[area], 1u + below(g, 8), &edge);
    if (area == AREA_STACK) {
        emit(g, RBPF_OPC_MOV64_X, r, 10, 0, 0);
        emit(g, RBPF_OPC_ADD64_K, r, 0, 0, -(int32_t)g->frame + off);
        return (uint32_t)((int32_t)g->frame - off);
    }
    emit(g, RBPF_OPC_MOV64_X, r, area_register[area], 0, 0);
    emit(g, RBPF_OPC_ADD64_K, r, 0, 0, off - g->base[area]);
    return off >= 0 && (uint32_t)off <= g->length[area] ? g->length[area] - (uint32_t)off : 0;
}

static void snippet_helper(gen_t *g)
{
    const unsigned pick = below(g, 8);
    unsigned r;
    if (pick < 3) { /* full 64-bit arguments */
        for (r = 1; r <= 5; r++)
            if (!(g->reserved & (1u << r)) && chance(g, 70))
                emit_lddw(g, RBPF_OPC_LDDW, r, value(g));
        emit(g, RBPF_OPC_CALL, 0, 0, 0, (int32_t)PROGEN_HELPER_MIX);
        g->c->kinds[PROGEN_KIND_HELPER_WIDE]++;
        return;
    }
    if (pick == 3) {
        if (g->reserved & 0xeu)
            return;
        set(g, 1, chance(g, 75) ? 0 : (chance(g, 50) ? (uint64_t)(int64_t)RBPF_ERR_MEMORY
                                                     : value(g)));
        emit(g, RBPF_OPC_CALL, 0, 0, 0, (int32_t)PROGEN_HELPER_FAIL);
        g->c->kinds[PROGEN_KIND_HELPER_FAIL]++;
        return;
    }
    if (g->reserved & 0xeu)
        return;
    {
        /* a helper given memory: r1 (and r2 for memcpy) die after the call;
         * mostly inside writable memory, sometimes not, or too long */
        const int writes = pick >= 6;
        unsigned area = below(g, AREA_COUNT);
        uint32_t left, n;
        if (writes && area == AREA_RODATA && chance(g, 90))
            area = AREA_DATA;
        left = helper_pointer(g, 1, area);
        n = chance(g, 15) ? left + below(g, 2) : below(g, (left < 12 ? left : 12) + 1);
        if (pick == 7) {
            left = helper_pointer(g, 2, below(g, AREA_COUNT));
            if (n > left && chance(g, 80))
                n = left;
            set(g, 3, n);
            emit(g, RBPF_OPC_CALL, 0, 0, 0, (int32_t)PROGEN_HELPER_MEMCPY);
            set(g, 0, value(g)); /* bpf_memcpy returns dst */
            set(g, 2, value(g));
        } else {
            set(g, 2, n);
            set(g, 3, value(g));
            emit(g, RBPF_OPC_CALL, 0, 0, 0,
                 (int32_t)(writes ? PROGEN_HELPER_FILL : PROGEN_HELPER_SUM));
        }
        set(g, 1, value(g));
        g->c->kinds[PROGEN_KIND_HELPER_MEMORY]++;
    }
}

static void call_local(gen_t *g, uint32_t target)
{
    if (g->calls == CALLS_MAX)
        return;
    g->call_at[g->calls] = emit(g, RBPF_OPC_CALL, 0, RBPF_CALL_LOCAL, 0, 0);
    g->call_to[g->calls] = target;
    g->calls++;
}

/* Maximum call depth in force. */
static uint32_t depth_max(const gen_t *g)
{
    return g->c->max_call_depth ? g->c->max_call_depth : RBPF_DEFAULT_CALL_DEPTH;
}

static void snippet_call(gen_t *g)
{
    uint32_t target;
    if (!feature(g, PROGEN_LOCAL_CALLS) || g->functions < 2)
        return;
    if (g->recursive != 0 && g->function == 0 && !(g->reserved & 2u) && chance(g, 40)) {
        /* recursion to about the depth limit */
        set(g, 1, depth_max(g) - 2 + below(g, 4));
        call_local(g, g->recursive);
        g->c->kinds[PROGEN_KIND_RECURSION]++;
        return;
    }
    if (chance(g, 6))
        target = below(g, g->functions); /* anything, itself included */
    else if (g->function + 1 < g->functions)
        target = g->function + 1 + below(g, g->functions - g->function - 1);
    else
        return;
    if (!(g->reserved & 2u) && chance(g, 50))
        set(g, 1, value(g));
    call_local(g, target);
}

/* A callee clobbers a callee-saved register with a scalar (restored on
 * return; no address: the high word is set, and the value is not
 * canonical on 64-bit hosts). */
static void snippet_clobber(gen_t *g)
{
    if (g->function == 0)
        return;
    const unsigned r = 6 + below(g, 4);
    emit_lddw(g, RBPF_OPC_LDDW, r, 0xa5a5000000000000u | below(g, 0x10000));
}

static void snippet(gen_t *g)
{
    const uint32_t pick = below(g, 100);
    if (pick < 30)
        snippet_alu(g);
    else if (pick < 33)
        snippet_div_edge(g);
    else if (pick < 60)
        snippet_memory(g);
    else if (pick < 62)
        snippet_stack_bottom(g);
    else if (pick < 74)
        snippet_jump(g);
    else if (pick < 80)
        snippet_loop(g);
    else if (pick < 88)
        snippet_helper(g);
    else if (pick < 97)
        snippet_call(g);
    else
        snippet_clobber(g);
    boundary(g);
}

static void snippets(gen_t *g, uint32_t n)
{
    while (n-- > 0 && room(g, 40))
        snippet(g);
}

/* ---- Functions and the container -------------------------------------------------- */
static void prologue(gen_t *g)
{
    unsigned r;
    emit(g, RBPF_OPC_MOV64_X, R_CTX, 1, 0, 0);
    emit_lddw(g, RBPF_OPC_LDDWD, R_DATA, (uint64_t)(int64_t)g->base[AREA_DATA]);
    emit_lddw(g, RBPF_OPC_LDDWR, R_RODATA, (uint64_t)(int64_t)g->base[AREA_RODATA]);
    emit(g, RBPF_OPC_CALL, 0, 0, 0, (int32_t)PROGEN_HELPER_REGION);
    emit(g, RBPF_OPC_MOV64_X, R_REGION, 0, 0, 0);
    for (r = 0; r < SCALARS; r++)
        if (r != 2 || chance(g, 50)) /* r2 may keep the context length */
            set(g, r, value(g));
    boundary(g);
}

static void function_body(gen_t *g, uint32_t f, uint32_t slots)
{
    g->function = f;
    g->start[f] = g->count;
    g->limit = g->count + slots;
    g->reserved = 0;
    g->pending_count = 0;
    if (f == 0) {
        prologue(g);
        snippets(g, 6 + below(g, 24));
    } else if (f == g->recursive) {
        /* if (r1 <= 0) return; r1 -= 1; ...; call self; ... */
        const uint32_t test = emit(g, RBPF_OPC_JSLE_K, 1, 0, 0, 0);
        g->pending[0] = test;
        g->pending_left[0] = 1000;
        g->pending_count = 1;
        emit(g, RBPF_OPC_ADD64_K, 1, 0, 0, -1);
        g->reserved = 2u;
        boundary(g);
        snippets(g, below(g, 3));
        call_local(g, f);
        boundary(g);
        g->reserved = 0;
        snippets(g, below(g, 3));
    } else {
        snippets(g, 2 + below(g, 10));
    }
    land_all(g);
    emit(g, RBPF_OPC_EXIT, 0, 0, 0, 0);
}

static uint64_t pad8(uint64_t n)
{
    return (n + 7u) & ~(uint64_t)7u;
}

static void fill(gen_t *g, uint8_t *p, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        p[i] = chance(g, 30) ? 0 : (uint8_t)next(g);
}

void progen_generate(progen_case_t *c, uint64_t seed, uint32_t features)
{
    static const uint16_t stacks[] = {256, 512, 1024, 2048, 4096};
    static const uint16_t frames[] = {8, 16, 32, 64, 128, 256};
    gen_t g;
    uint32_t data_len, bss_len, random_len, rodata_len, text_at, i, per, slots;
    uint8_t *b = c->blob;

    memset(c, 0, sizeof(*c));
    memset(&g, 0, sizeof(g));
    g.state = seed;
    g.c = c;
    c->seed = seed;
    c->features = features & PROGEN_ALL;

    /* The areas. */
    data_len = chance(&g, 20) ? 0 : 1 + below(&g, PROGEN_DATA_MAX);
    bss_len = chance(&g, 30) ? 0 : 1 + below(&g, PROGEN_BSS_MAX);
    random_len = chance(&g, 20) ? 0 : 1 + below(&g, PROGEN_RODATA_MAX - 3 * PROGEN_FUNCTIONS_MAX);
    g.functions = feature(&g, PROGEN_LOCAL_CALLS) ? 1 + below(&g, PROGEN_FUNCTIONS_MAX) : 1;
    rodata_len = random_len + 3 * g.functions; /* names "f0" .. "f5" */
    c->context_len = chance(&g, 5) ? 0 : 1 + below(&g, PROGEN_CONTEXT_MAX);
    c->region_len = chance(&g, 5) ? 0 : 1 + below(&g, PROGEN_REGION_MAX);
    c->region_flags = chance(&g, 85) ? 3u : 1u + below(&g, 2);
    c->ram_size = data_len + bss_len;
    c->stack_size = stacks[below(&g, sizeof stacks / sizeof stacks[0])];
    c->max_call_depth = chance(&g, 30) ? 0 : 1 + below(&g, 10);
    g.frame = frames[below(&g, sizeof frames / sizeof frames[0])];
    g.escapes = chance(&g, 25);
    g.length[AREA_STACK] = g.frame;
    g.length[AREA_CONTEXT] = c->context_len;
    g.length[AREA_DATA] = c->ram_size;
    g.length[AREA_RODATA] = rodata_len;
    g.length[AREA_REGION] = c->region_len;
    g.base[AREA_DATA] = chance(&g, 70) ? 0 : (int32_t)below(&g, c->ram_size + 1);
    g.base[AREA_RODATA] = chance(&g, 70) ? 0 : (int32_t)below(&g, rodata_len + 1);
    g.recursive = g.functions > 1 && chance(&g, 50) ? g.functions - 1 : 0;
    if (chance(&g, 25)) {
        c->budget = 1 + below(&g, 300);
        c->kinds[PROGEN_KIND_SHORT_BUDGET]++;
    } else {
        c->budget = chance(&g, 70) ? PROGEN_BUDGET_MAX : 1 + below(&g, PROGEN_BUDGET_MAX);
    }
    fill(&g, c->context, c->context_len);
    fill(&g, c->region, c->region_len);

    /* The header and sections before the text. */
    text_at = (uint32_t)(32u + pad8(data_len) + pad8(rodata_len));
    put32(b, RBPF_MAGIC);
    put32(b + 12, data_len);
    put32(b + 16, bss_len);
    put32(b + 20, rodata_len);
    put32(b + 28, g.functions);
    fill(&g, b + 32, data_len);
    fill(&g, b + 32 + pad8(data_len), random_len);
    for (i = 0; i < g.functions; i++) {
        uint8_t *name = b + 32 + pad8(data_len) + random_len + 3 * i;
        name[0] = 'f';
        name[1] = (uint8_t)('0' + i);
        name[2] = 0;
    }

    /* The text: main takes about half the room, the others share the rest. */
    g.text = b + text_at;
    per = PROGEN_INSN_MAX / (g.functions + 1);
    for (i = 0; i < g.functions; i++) {
        slots = i == 0 ? PROGEN_INSN_MAX - per * (g.functions - 1) : per;
        function_body(&g, i, slots - 2); /* land_all and exit need no room check */
    }
    for (i = 0; i < g.calls; i++) {
        uint8_t *p = g.text + (size_t)g.call_at[i] * RBPF_INSN_SIZE;
        put32(p + 4, (uint32_t)((int32_t)g.start[g.call_to[i]] - (int32_t)g.call_at[i] - 1));
    }
    put32(b + 24, g.count * RBPF_INSN_SIZE);

    /* The function table: name offset, flags, text offset. */
    for (i = 0; i < g.functions; i++) {
        uint8_t *e = g.text + (size_t)g.count * RBPF_INSN_SIZE + 6u * i;
        put16(e, random_len + 3 * i);
        put16(e + 2, 0);
        put16(e + 4, g.start[i] * RBPF_INSN_SIZE);
    }
    c->blob_len = text_at + g.count * RBPF_INSN_SIZE + 6u * g.functions;
    c->function = 0;
}

const char *progen_kind_name(int kind)
{
    static const char *const names[PROGEN_KIND_COUNT] = {
        "edge-stack",   "edge-context",  "edge-data",     "edge-rodata",
        "edge-region",  "stack-bottom",  "div-edge",      "loop",
        "long-loop",    "recursion",     "helper-wide",   "helper-memory",
        "helper-fail",  "short-budget"};
    return kind >= 0 && kind < PROGEN_KIND_COUNT ? names[kind] : "unknown";
}
