/*
 * interp.c: the interpreter. Runs a verified program and trusts what the
 * verifier proved (known opcodes, registers r0..r10, targets inside the
 * text), so it checks only memory accesses, the instruction budget and the
 * call depth. Handlers are expanded from RBPF_ISA rows to computed-goto
 * labels or to switch cases; the dispatch table is generated from
 * RBPF_ISA, so a compiled-out feature has no handler.
 *
 * Speed (docs/performance.md has the figures): the budget is counted per
 * block, not per instruction; the stack and the context are checked
 * inline before the general region list; built for speed, every handler
 * decodes only the fields it uses and ends in its own indirect jump.
 * Built with -Os, the handlers share bodies instead, to stay small.
 */
#include <string.h>

#include "internal.h"

#define FRAME_RECORD ((uint32_t)sizeof(rbpf_frame_record_t))

/* 1 when [a, a + size) lies inside [start, start + length). No region
 * wraps the address space (each is a C object, or checked so by
 * rbpf_region_add), so an `a` below start makes a - start larger than
 * length. */
static int inside(uintptr_t a, uintptr_t size, uintptr_t start, uintptr_t length)
{
    return size <= length && a - start <= length - size;
}

static int granted(const rbpf_vm_t *vm, uint64_t addr, uint64_t size, uint32_t access)
{
    const rbpf_config_t *c = vm->config;
    const rbpf_program_t *p = vm->program;
    const rbpf_region_t *r;
    const uintptr_t a = (uintptr_t)addr, n = (uintptr_t)size;
    const uint64_t records = (uint64_t)vm->call_depth * FRAME_RECORD;

    /* Beyond the host's address space (a 32-bit core): in no region. */
    if (a != addr || n != size)
        return 0;
    /* The stack above the saved call frames. */
    if (records <= c->stack_size &&
        inside(a, n, (uintptr_t)c->stack + (uintptr_t)records, c->stack_size - (uintptr_t)records))
        return 1;
    if (inside(a, n, (uintptr_t)vm->context, vm->context_length))
        return 1;
    /* data + bss fit size_t (rbpf_vm_init checked them against ram_size) */
    if (inside(a, n, (uintptr_t)vm->ram, (uintptr_t)((uint64_t)p->data_len + p->bss_len)))
        return 1;
    if (!(access & RBPF_WRITE) && inside(a, n, (uintptr_t)p->rodata, p->rodata_len))
        return 1;
    for (r = vm->regions; r != NULL; r = r->next)
        if ((r->flags & access) == access && inside(a, n, r->start, r->length))
            return 1;
    return 0;
}

int rbpf_vm_check(const rbpf_vm_t *vm, uint64_t address, uint64_t length, uint32_t access)
{
    if (length == 0)
        return RBPF_OK;
    if (vm == NULL || vm->program == NULL || vm->config == NULL)
        return RBPF_ERR_ARGUMENT;
    return granted(vm, address, length, access) ? RBPF_OK : RBPF_ERR_MEMORY;
}

int rbpf_vm_init(rbpf_vm_t *vm, const rbpf_program_t *prog, const rbpf_config_t *config,
                 void *ram, size_t ram_size)
{
    uint64_t need;

    if (vm == NULL || prog == NULL || config == NULL || prog->text == NULL ||
        (config->stack == NULL && config->stack_size != 0) ||
        (config->helpers == NULL && config->helper_count != 0))
        return RBPF_ERR_ARGUMENT;
    if ((uintptr_t)config->stack % 8u != 0)
        return RBPF_ERR_ALIGNMENT;
    need = (uint64_t)prog->data_len + prog->bss_len;
    if (need != 0) {
        if (ram == NULL || ram_size < need)
            return RBPF_ERR_TOO_SMALL;
        if ((uintptr_t)ram % 8u != 0)
            return RBPF_ERR_ALIGNMENT;
        if (prog->data_len != 0)
            memcpy(ram, prog->data, prog->data_len);
        memset((uint8_t *)ram + prog->data_len, 0, prog->bss_len);
    }
    memset(vm, 0, sizeof(*vm));
    vm->program = prog;
    vm->config = config;
    vm->ram = ram;
    vm->error_at = -1;
    vm->local_store.head = RBPF_STORE_NONE;
    return RBPF_OK;
}

int rbpf_region_add(rbpf_vm_t *vm, rbpf_region_t *region, const void *start, size_t length,
                    uint32_t flags)
{
    const rbpf_region_t *r;

    if (vm == NULL || region == NULL || flags == 0 || (flags & ~RBPF_RW) != 0 ||
        (uintptr_t)start + length < (uintptr_t)start)
        return RBPF_ERR_ARGUMENT;
    for (r = vm->regions; r != NULL; r = r->next)
        if (r == region)
            return RBPF_ERR_ARGUMENT; /* already in the list: would make a cycle */
    region->start = (uintptr_t)start;
    region->length = length;
    region->flags = flags;
    region->next = vm->regions;
    vm->regions = region;
    return RBPF_OK;
}

/* Sign-extends the low `bits` bits of x. */
static uint64_t sext(uint64_t x, unsigned bits)
{
    const uint64_t m = (uint64_t)1 << (bits - 1);
    x &= (m << 1) - 1;
    return (x ^ m) - m;
}

#if RBPF_ENABLE_ATOMIC || defined(__OPTIMIZE_SIZE__)
/* Atomics, and the shared load and store bodies of -Os builds. */
static uint64_t load(const void *p, unsigned size)
{
    uint8_t b;
    uint16_t h;
    uint32_t w;
    uint64_t d;
    switch (size) {
    case 1: memcpy(&b, p, 1); return b;
    case 2: memcpy(&h, p, 2); return h;
    case 4: memcpy(&w, p, 4); return w;
    default: memcpy(&d, p, 8); return d;
    }
}

static void store(void *p, uint64_t v, unsigned size)
{
    uint8_t b = (uint8_t)v;
    uint16_t h = (uint16_t)v;
    uint32_t w = (uint32_t)v;
    switch (size) {
    case 1: memcpy(p, &b, 1); break;
    case 2: memcpy(p, &h, 2); break;
    case 4: memcpy(p, &w, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}
#endif

static int host_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

/* The low `bits` bits of x, byte-swapped when `swap`. */
static uint64_t byteswap(uint64_t x, unsigned bits, int swap)
{
    if (swap) {
        uint64_t r = 0;
        unsigned i;
        for (i = 0; i < 8; i++, x >>= 8)
            r = (r << 8) | (x & 0xff);
        return r >> (64 - bits);
    }
    return bits == 64 ? x : x & (((uint64_t)1 << bits) - 1);
}

/* Division and modulo with RFC 9669's results for 0, -1 and INT_MIN,
 * signed ones on magnitudes so no C operation overflows. `sign` is the sign
 * bit and `mask` the width (32 or 64 bits). */
static uint64_t divide(uint64_t a, uint64_t b, int is_signed, int modulo, uint64_t sign,
                       uint64_t mask)
{
    uint64_t na = 0, nb = 0, q;
    a &= mask;
    b &= mask;
    if (b == 0)
        return modulo ? a : 0;
    if (is_signed) {
        na = a & sign;
        nb = b & sign;
        if (na)
            a = (0 - a) & mask;
        if (nb)
            b = (0 - b) & mask;
    }
    q = modulo ? a % b : a / b;
    return ((modulo ? na : na ^ nb) ? 0 - q : q) & mask;
}

/* Arithmetic right shift of the `bits`-bit value a by s < bits. */
static uint64_t arsh(uint64_t a, unsigned s, unsigned bits)
{
    uint64_t r = a >> s;
    if ((a >> (bits - 1)) & 1u)
        r |= ~(uint64_t)0 << (bits - 1 - s);
    return r;
}

/* ---- Fast paths of the run loop ------------------------------------------
 *
 * Memory: the stack and the context are checked inline, each as one
 * subtraction and one comparison against a limit that leaves room for the
 * widest access (8 bytes); an access that misses both (other regions, or
 * the last 7 bytes of one) goes through granted(), which decides exactly.
 *
 * Budget: instructions are counted per block, not one by one. A block is a
 * straight-line stretch from `block` (a jump target) to the next taken
 * branch, call or return, which adds the block's length to `lim`: the
 * instructions of the budget window used so far, written as a text address
 * (lim0 + 8 * used, with lim0 = end of text - 8 * window). A block that
 * starts at or above `lim` cannot outrun the window, however far it goes,
 * since no stretch runs past the end of the text; only one that starts
 * below `lim` runs in exact mode, which checks the count before every
 * instruction. The loop keeps just acc = lim - block. vm->instructions
 * stays exact either way, and a lddw counts once. */

/* The limit of a region checked inline: offsets below it take any access
 * of up to 8 bytes. */
static uintptr_t fast_lim(uint64_t length)
{
    return length >= 8u ? (uintptr_t)(length - 7u) : 0u;
}

#if UINTPTR_MAX == 0xffffffffu
/* 32-bit cores: 32-bit arithmetic once the high word is known to be 0. */
#define IN_FAST(r, a) ((uint32_t)((a) >> 32) == 0 && (uint32_t)(a) - r##_start < r##_lim)
#else
#define IN_FAST(r, a) ((uintptr_t)(a) - r##_start < r##_lim)
#endif

#if defined(__GNUC__) && defined(__OPTIMIZE_SIZE__)
/* -Os: out of line, so the run loop needs no literal for the default */
__attribute__((noinline))
#endif
static uint32_t budget_of(const rbpf_config_t *config)
{
    return config->budget ? config->budget : RBPF_DEFAULT_BUDGET;
}

/* Budget windows of at most this many instructions keep every distance
 * in bytes far from the sign bit of a 32-bit intptr_t. */
#define WINDOW_MAX (1u << 24)

/* The instructions of a window: `remaining` (instructions left when it
 * opened; the budget is 32 bits), at most WINDOW_MAX. */
#define WINDOW(remaining) ((remaining) > WINDOW_MAX ? WINDOW_MAX : (remaining))

/* Opens a window at ip after `used` instructions of the last one: updates
 * *remaining and *lim0 (`lim` when the window opens); returns the new
 * `acc`. */
static uintptr_t window_open(uint32_t *remaining, uintptr_t *lim0, uint32_t used,
                             const uint8_t *text_end, const uint8_t *ip)
{
    *remaining -= used;
    *lim0 = (uintptr_t)text_end - (uintptr_t)WINDOW(*remaining) * RBPF_INSN_SIZE;
    return *lim0 - (uintptr_t)ip;
}

/* acc is `lim - block`: positive when the running block started below
 * `lim` and so needs exact mode. (A distance of less than 2^31.) */
#define OUTRUNS(acc) ((intptr_t)(acc) > 0)

/* Instructions of the window executed before the one at p:
 * (lim - lim0 + p - block) / 8. */
#define USED(p) ((uint32_t)((acc + ((uintptr_t)(p) - lim0)) / RBPF_INSN_SIZE))


#define R(n) regs[n]
/* Two builds of the handlers. For speed, each handler decodes the fields
 * it uses from the instruction itself (src from a 16-bit load: one shift,
 * no mask) and ends in its own indirect jump. For size (-Os, where gcc
 * merges all indirect jumps into one anyway), handlers jump to one
 * dispatch point, the _K and _X rows share a body, all loads one body, all
 * stores one, and the conditional jumps one taken-branch tail. */
#if defined(__OPTIMIZE_SIZE__)
#define RBPF_COMPACT_ 1
#else
#define RBPF_COMPACT_ 0
#endif
/* Thumb-2 at -Os: a switch dispatches with one tbh (a halfword table in
 * the code) where a label table needs two literal loads, an add and the
 * Thumb bit set before bx. */
#if RBPF_USE_COMPUTED_GOTO && !(RBPF_COMPACT_ && defined(__thumb2__))
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
#define BUDGET_ budget_of(config)
#define TEXT_END_ (text + prog->text_len)
#define ACCESS(addr, size, access)                                       \
    do {                                                                 \
        if (UNLIKELY(!IN_FAST(ctx, addr) && !IN_FAST(stk, addr) &&       \
                     !granted(vm, (addr), (size), (access))))            \
            FAIL(RBPF_ERR_MEMORY);                                       \
    } while (0)

/* A taken branch, call or return ends a block: lim grows by the block's
 * length, and the new block starts at the target. */
#define TAKE(target)                                                     \
    do {                                                                 \
        const uint8_t *t_ = (target);                                    \
        acc += (uintptr_t)ip + RBPF_INSN_SIZE - (uintptr_t)t_;           \
        ip = t_;                                                         \
        if (OUTRUNS(acc))                                                \
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
        if (OUTRUNS(acc))                                                \
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
        if (OUTRUNS(acc))                                                \
            goto refill_next;                                            \
        goto next;                                                       \
    } while (0)
#define TAKEN_() goto taken
#else
#define TAKEN_() JUMP(OFF)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define UNLIKELY(x) (x)
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

int rbpf_vm_run(rbpf_vm_t *vm, uint32_t index, void *context, size_t context_length,
                uint64_t *result)
{
#if GOTO_
    /* Every opcode the verifier refuses leads to L_illegal, which it never
     * reaches. Exact mode: on 64-bit hosts a second table sends every
     * opcode to L_exact; on 32-bit cores (where the table costs flash)
     * the opcode is masked to 0, whose entry is L_exact. */
#if RBPF_COMPACT_
    /* -Os: offsets from L_illegal (0: an opcode the verifier refuses),
     * sized by the highest opcode; exact mode masks the opcode to 0. */
#if UINTPTR_MAX > 0xffffffffu
    typedef int32_t label_offset_t;
#else
    typedef int16_t label_offset_t;
#endif
    static const label_offset_t fast_table[] = {
        [0] = &&L_exact - &&L_illegal,
#define DISPATCH_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_IF_FEATURE(feature, RBPF_ONCE_##once([opcode] = &&L_##name - &&L_illegal,))
        RBPF_ISA(DISPATCH_)
#undef DISPATCH_
    };
    unsigned mask = 0xffu;
#define TARGET_(op) (&&L_illegal + fast_table[op])
#define SET_EXACT(on) (mask = (on) ? 0u : 0xffu)
#define DISPATCH_NOW() goto *TARGET_(ip[0] & mask)
#define DISPATCH() goto dispatch
#else
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
#define DISPATCH_NOW() goto *fast_table[ip[0] & mask]
#else
    static const void *const exact_table[256] = {[0 ... 255] = &&L_exact};
    const void *const *table = fast_table;
#define SET_EXACT(on) (table = (on) ? exact_table : fast_table)
#define DISPATCH_NOW() goto *table[ip[0]]
#endif
#define DISPATCH() DISPATCH_NOW()
#endif
#else
    /* exact mode masks the opcode to 0, whose case is the check */
    unsigned mask = 0xffu, op;
#define SET_EXACT(on) (mask = (on) ? 0u : 0xffu)
#define DISPATCH() goto dispatch
#endif
    const rbpf_program_t *prog;
    const rbpf_config_t *config;
    const uint8_t *text, *ip;
#if RBPF_COMPACT_
    uint64_t regs_[11], *regs = regs_;
#else
    uint64_t regs[11];
#endif
    uint32_t offset;
#if RBPF_ENABLE_LOCAL_CALLS && !RBPF_COMPACT_
    uint32_t depth = 0;
#define CALL_DEPTH_ depth
#define SET_CALL_DEPTH_(n) (vm->call_depth = depth = (n))
#else
    /* -Os: read from the VM where needed, one stack slot fewer */
#define CALL_DEPTH_ vm->call_depth
#define SET_CALL_DEPTH_(n) (vm->call_depth = (n))
#endif
    uintptr_t stack_top, acc, stk_start, stk_lim, ctx_start, ctx_lim;
    uint32_t remaining;
    uintptr_t lim0;
    int rc;

    if (vm == NULL || vm->program == NULL || vm->config == NULL ||
        (context == NULL && context_length != 0))
        return RBPF_ERR_ARGUMENT;
    prog = vm->program;
    config = vm->config;
    vm->error_at = -1;
    vm->instructions = 0;
    rc = rbpf_function_info(prog, index, NULL, &offset);
    if (rc != RBPF_OK)
        return rc;
    text = prog->text;
    ip = text + offset;
    remaining = BUDGET_;
    acc = window_open(&remaining, &lim0, 0, TEXT_END_, ip);
    stack_top = (uintptr_t)config->stack + config->stack_size;
    if (config->stack_size != 0)
        memset(config->stack, 0, config->stack_size);
    stk_start = (uintptr_t)config->stack;
    stk_lim = fast_lim(config->stack_size);
    ctx_start = (uintptr_t)context;
    ctx_lim = fast_lim(context_length);

    vm->context = context;
    vm->context_length = context_length;
    vm->call_depth = 0;
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
    R(1) = (uintptr_t)context;
    R(2) = context_length;
    R(10) = stack_top;

    SET_EXACT(OUTRUNS(acc));
#if GOTO_ && !RBPF_COMPACT_
    DISPATCH();
#else
#if RBPF_COMPACT_
    goto dispatch;
next:
    ip += RBPF_INSN_SIZE;
#endif
dispatch:
#if GOTO_
    DISPATCH_NOW();
#else
    op = ip[0] & mask;
again:
    switch (op) {
    case 0:
#endif
#endif
#if GOTO_
L_exact:
#endif
    {
        const uint32_t used = USED(ip);
        if (used >= WINDOW(remaining)) {
            if (remaining == used) {
                /* the budget is spent: this instruction is not run */
                vm->instructions = BUDGET_;
                rc = RBPF_ERR_BUDGET;
                goto failed;
            }
            acc = window_open(&remaining, &lim0, used, TEXT_END_, ip);
            SET_EXACT(OUTRUNS(acc));
        }
    }
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
    ALU64_(ARSH, arsh(a, (unsigned)(b & 63), 64))
    ALU2_(DIV, MOD, 64, divide(a, b, OFF != 0, 0, SIGN64_, ~(uint64_t)0),
          divide(a, b, OFF != 0, 1, SIGN64_, ~(uint64_t)0),
          divide(a, b, OFF != 0, MODULO_, SIGN64_, ~(uint64_t)0))
    OP(MOV64_K) { DST = IMM64; NEXT(8); }
    /* offset 0, or 8/16/32 for movsx: its low byte tells */
    OP(MOV64_X) { DST = UNLIKELY(ip[2]) ? sext(SRC, ip[2]) : SRC; NEXT(8); }
    OP(NEG64) { DST = 0 - DST; NEXT(8); }
#if RBPF_ENABLE_ALU32
    ALU32_LOW_(LSH, a << (b & 31))
    ALU32_(RSH, a >> (b & 31))
    ALU32_(ARSH, arsh(a, b & 31, 32))
    ALU2_(DIV, MOD, 32, divide(a, b, OFF != 0, 0, SIGN64_ >> 32, 0xffffffffu),
          divide(a, b, OFF != 0, 1, SIGN64_ >> 32, 0xffffffffu),
          divide(a, b, OFF != 0, MODULO_, SIGN64_ >> 32, 0xffffffffu))
    OP(MOV32_K) { DST = (uint32_t)IMM; NEXT(8); }
    OP(MOV32_X) { DST = (uint32_t)(UNLIKELY(ip[2]) ? sext(SRC, ip[2]) : SRC); NEXT(8); }
    OP(NEG32) { DST = (uint32_t)(0 - DST); NEXT(8); }
#endif
    OP(LE16) { DST = byteswap(DST, (unsigned)IMM, host_big_endian()); NEXT(8); }
    OP(BE16) { DST = byteswap(DST, (unsigned)IMM, !host_big_endian()); NEXT(8); }
    OP(BSWAP16) { DST = byteswap(DST, (unsigned)IMM, 1); NEXT(8); }

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
        v = load(HOST(addr), size);
        DST = (ip[0] & 0xe0) == 0x80 ? sext(v, 8 * size) : v;
        NEXT(8);
    }
    OP(STB) OP(STH) OP(STW) OP(STDW) OP(STXB) OP(STXH) OP(STXW) OP(STXDW) {
        const unsigned size = SIZE_;
        const uint64_t addr = DST + (uint64_t)(int64_t)OFF;
        ACCESS(addr, size, RBPF_WRITE);
        store(HOST(addr), (ip[0] & 1) ? SRC : IMM64, size);
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
        const uint64_t mask64 = size == 4 ? 0xffffffffu : ~(uint64_t)0;
        const uint64_t value = SRC;
        const int32_t operation = IMM;
        uint64_t old, now;
        ACCESS(addr, size, RBPF_RW);
        old = load(HOST(addr), size);
        switch (operation & ~RBPF_ATOMIC_FETCH) {
        case RBPF_ATOMIC_OR: now = old | value; break;
        case RBPF_ATOMIC_AND: now = old & value; break;
        case RBPF_ATOMIC_XOR: now = old ^ value; break;
        case RBPF_ATOMIC_XCHG & ~RBPF_ATOMIC_FETCH: now = value; break;
        case RBPF_ATOMIC_CMPXCHG & ~RBPF_ATOMIC_FETCH:
            now = old == (R(0) & mask64) ? value : old;
            R(0) = old;
            break;
        default: now = old + value; break;
        }
        store(HOST(addr), now, size);
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
            rbpf_frame_record_t *rec;
            const uint32_t frame = prog->frame_size, d = CALL_DEPTH_;
            if (d + 1 > (config->max_call_depth ? config->max_call_depth
                                                    : RBPF_DEFAULT_CALL_DEPTH))
                FAIL(RBPF_ERR_CALL_DEPTH);
            /* the callee's frame must stay above the saved records */
            if ((uint64_t)(R(10) - (uintptr_t)config->stack) <
                2 * (uint64_t)frame + (uint64_t)(d + 1) * FRAME_RECORD)
                FAIL(RBPF_ERR_STACK_OVERFLOW);
            rec = (rbpf_frame_record_t *)((uint8_t *)config->stack +
                                           (size_t)d * FRAME_RECORD);
            memcpy(rec->saved, &R(6), sizeof(rec->saved));
            rec->return_at = (uint64_t)(ip - text);
            SET_CALL_DEPTH_(d + 1);
            stk_start = (uintptr_t)config->stack + (uintptr_t)(d + 1) * FRAME_RECORD;
            stk_lim = fast_lim(config->stack_size - (uint64_t)(d + 1) * FRAME_RECORD);
            R(10) -= frame;
            TAKE(ip + SLOT_ + (ptrdiff_t)IMM * SLOT_);
        }
#endif
        {
            /* verified against a helper table, maybe not this one */
            const rbpf_helper_t *h = config->helpers;
            const rbpf_helper_t *end = h + config->helper_count;
            uint64_t value = 0;
            while (h != end && h->id != (uint32_t)IMM)
                h++;
            if (h == end || h->fn == NULL)
                FAIL(RBPF_ERR_ILLEGAL_CALL);
            rc = h->fn(vm, &R(1), &value);
            if (rc != RBPF_OK)
                FAIL(rc < 0 && rc >= RBPF_ERR_TOO_SMALL ? rc : RBPF_ERR_HELPER);
            R(0) = value;
            NEXT(8);
        }
    }
    OP(EXIT) {
#if RBPF_ENABLE_LOCAL_CALLS
        const uint32_t d = CALL_DEPTH_;
        if (d != 0) {
            const rbpf_frame_record_t *rec =
                (const rbpf_frame_record_t *)((const uint8_t *)config->stack +
                                              (size_t)(d - 1) * FRAME_RECORD);
            memcpy(&R(6), rec->saved, sizeof(rec->saved));
            SET_CALL_DEPTH_(d - 1);
            stk_start = (uintptr_t)config->stack + (uintptr_t)(d - 1) * FRAME_RECORD;
            stk_lim = fast_lim(config->stack_size - (uint64_t)(d - 1) * FRAME_RECORD);
            TAKE(text + rec->return_at + RBPF_INSN_SIZE);
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
    acc = window_open(&remaining, &lim0, USED(ip), TEXT_END_, ip);
    SET_EXACT(OUTRUNS(acc));
    DISPATCH();

done:
    vm->instructions = (uint64_t)(BUDGET_ - remaining) + USED(ip + RBPF_INSN_SIZE);
    vm->context = NULL;
    vm->context_length = 0;
    if (result != NULL)
        *result = R(0);
    return RBPF_OK;

fail:
    /* the failing instruction counts as executed */
    vm->instructions = (uint64_t)(BUDGET_ - remaining) + USED(ip + RBPF_INSN_SIZE);
failed:
    vm->error_at = (int32_t)((ip - text) / RBPF_INSN_SIZE);
    vm->context = NULL;
    vm->context_length = 0;
    vm->call_depth = 0;
    return rc;
}
