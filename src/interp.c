/*
 * interp.c: the interpreter. Runs a verified program and trusts what the
 * verifier proved (known opcodes, registers r0..r10, targets inside the
 * text), so it checks only memory accesses, the instruction budget and the
 * call depth. One handler per first row of RBPF_ISA, expanded to
 * computed-goto labels or to switch cases; the dispatch table is generated
 * from RBPF_ISA, so a compiled-out feature has no handler.
 */
#include <string.h>

#include "internal.h"

#define FRAME_RECORD ((uint32_t)sizeof(rbpf_frame_record_t))

/* 1 when [addr, addr + size) lies inside [start, start + length). */
static int inside(uint64_t addr, uint64_t size, uintptr_t start, uint64_t length)
{
    return size <= length && addr >= (uint64_t)start && addr - (uint64_t)start <= length - size;
}

static int granted(const rbpf_vm_t *vm, uint64_t addr, uint64_t size, uint32_t access)
{
    const rbpf_config_t *c = vm->config;
    const rbpf_program_t *p = vm->program;
    const rbpf_region_t *r;
    uint64_t records = (uint64_t)vm->call_depth * FRAME_RECORD;

    /* The stack above the saved call frames. */
    if (records <= c->stack_size &&
        inside(addr, size, (uintptr_t)c->stack + (uintptr_t)records, c->stack_size - records))
        return 1;
    if (inside(addr, size, (uintptr_t)vm->context, vm->context_length))
        return 1;
    if (inside(addr, size, (uintptr_t)vm->ram, (uint64_t)p->data_len + p->bss_len))
        return 1;
    if (!(access & RBPF_WRITE) && inside(addr, size, (uintptr_t)p->rodata, p->rodata_len))
        return 1;
    for (r = vm->regions; r != NULL; r = r->next)
        if ((r->flags & access) == access && inside(addr, size, r->start, r->length))
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

#if RBPF_USE_COMPUTED_GOTO
#define OP(name) L_##name:
#else
#define OP(name) case RBPF_OPC_##name:
#endif

#define R(n) regs[n]
#define DST (*dst)
#define SRC (*src)
#define OFF off
#define IMM imm
#define IMM64 ((uint64_t)(int64_t)IMM)
#define NEXT goto next
#define FAIL(code) do { rc = (code); goto fail; } while (0)
#define ACCESS(addr, size, access) \
    do { if (!granted(vm, (addr), (size), (access))) FAIL(RBPF_ERR_MEMORY); } while (0)
#define HOST(addr) ((void *)(uintptr_t)(addr))

/* The second operand of ALU and jump instructions: the source bit (0x08)
 * of the opcode picks src over the sign-extended immediate. The _K and _X
 * rows of one operation share their handler body. */
#define OPERAND ((ip[0] & 0x08) ? SRC : IMM64)

/* Moves ip by n instructions (signed arithmetic also where ptrdiff_t is int). */
#define JUMP_BY(n) (ip += (ptrdiff_t)(n) * (ptrdiff_t)RBPF_INSN_SIZE)

/* ALU operations and conditional jumps on `bits` (64 or 32) bits: a and b
 * are the operands cut to that width, mask the width, and ALU results are
 * cut to it (32-bit results zero-extended). Each body is written once and
 * compiled per width with constant bits. (Deciding the width at run time
 * instead, for one body per operation, makes the code larger, not smaller.) */
#define MASK_(bits) (~(uint64_t)0 >> (64u - (bits)))
#define ALU_BODY_(EXPR, BITS)                                           \
    {                                                                   \
        const unsigned bits = (BITS);                                   \
        const uint64_t mask = MASK_(bits), a = DST & mask, b = OPERAND & mask; \
        (void)a;                                                        \
        (void)b;                                                        \
        DST = (EXPR) & mask;                                            \
        NEXT;                                                           \
    }
/* S: non-zero when the comparison is signed: the sign bits of both sides
 * are flipped and the comparison made unsigned. */
#define JMP_BODY_(EXPR, BITS, S)                                        \
    {                                                                   \
        const unsigned bits = (BITS);                                   \
        const uint64_t mask = MASK_(bits), sign = (S) ? mask ^ (mask >> 1) : 0; \
        const uint64_t a = (DST & mask) ^ sign, b = (OPERAND & mask) ^ sign; \
        if (EXPR)                                                       \
            JUMP_BY(OFF);                                               \
        NEXT;                                                           \
    }
#if RBPF_ENABLE_ALU32
#define ALU_(NAME, EXPR)                                      \
    OP(NAME##64_K) OP(NAME##64_X) ALU_BODY_(EXPR, 64u)        \
    OP(NAME##32_K) OP(NAME##32_X) ALU_BODY_(EXPR, 32u)
#define NEG_(EXPR) OP(NEG64) ALU_BODY_(EXPR, 64u) OP(NEG32) ALU_BODY_(EXPR, 32u)
#else
#define ALU_(NAME, EXPR) OP(NAME##64_K) OP(NAME##64_X) ALU_BODY_(EXPR, 64u)
#define NEG_(EXPR) OP(NEG64) ALU_BODY_(EXPR, 64u)
#endif

#if RBPF_ENABLE_JMP32
#define JMP_(NAME, EXPR, S)                                   \
    OP(NAME##_K) OP(NAME##_X) JMP_BODY_(EXPR, 64u, S)         \
    OP(NAME##32_K) OP(NAME##32_X) JMP_BODY_(EXPR, 32u, S)
#else
#define JMP_(NAME, EXPR, S) OP(NAME##_K) OP(NAME##_X) JMP_BODY_(EXPR, 64u, S)
#endif

/* Rows that differ in one opcode bit share one body: signed and unsigned
 * ordered jumps (bit 0x40 flips the sign bits: jsgt 0x65, jgt 0x25), jeq
 * and jne (0x15, 0x55), div and mod (0x37, 0x97: bit 0x80). */
#define SIGNED_ (ip[0] & 0x40)
#define NEGATED_ ((ip[0] & 0x40) != 0)
#define MODULO_ ((ip[0] & 0x80) != 0)
#define ALU2_(NAME, NAME2, EXPR)                                                         \
    OP(NAME##64_K) OP(NAME##64_X) OP(NAME2##64_K) OP(NAME2##64_X) ALU_BODY_(EXPR, 64u) \
    RBPF_IF_FEATURE(ALU32, OP(NAME##32_K) OP(NAME##32_X) OP(NAME2##32_K)                 \
                    OP(NAME2##32_X) ALU_BODY_(EXPR, 32u))
#define JMP2_(NAME, NAME2, EXPR, S)                                                 \
    OP(NAME##_K) OP(NAME##_X) OP(NAME2##_K) OP(NAME2##_X) JMP_BODY_(EXPR, 64u, S)   \
    RBPF_IF_FEATURE(JMP32, OP(NAME##32_K) OP(NAME##32_X) OP(NAME2##32_K)            \
                    OP(NAME2##32_X) JMP_BODY_(EXPR, 32u, S))

/* Memory access sizes by the size bits (0x18) of the opcode: W, H, B, DW. */
#define SIZE_ ((0x8124u >> (((ip[0] >> 3) & 3u) * 4)) & 15u)

#define LDDW_(NAME, BASE)                                                        \
    OP(NAME) {                                                                   \
        DST = (uint64_t)(BASE) + ((uint64_t)(uint32_t)IMM |                     \
                                  (uint64_t)rbpf_le32_(ip + RBPF_INSN_SIZE + 4) << 32); \
        ip += RBPF_INSN_SIZE;                                                    \
        NEXT;                                                                    \
    }

int rbpf_vm_run(rbpf_vm_t *vm, uint32_t index, void *context, size_t context_length,
                uint64_t *result)
{
#if RBPF_USE_COMPUTED_GOTO
#if UINTPTR_MAX > 0xffffffffu
    typedef int32_t label_offset_t;
#else
    typedef int16_t label_offset_t;
#endif
    /* sized by the highest compiled-in opcode: the verifier proved ip[0] known */
    static const label_offset_t dispatch[] = {
#define DISPATCH_(name, opcode, form, sel, once, feature, mnemonic) \
    RBPF_IF_FEATURE(feature, RBPF_ONCE_##once([opcode] = &&L_##name - &&L_illegal,))
        RBPF_ISA(DISPATCH_)
#undef DISPATCH_
    };
#endif
    const rbpf_program_t *prog;
    const rbpf_config_t *config;
    const uint8_t *text, *ip;
    uint64_t regs[11];
    uint32_t offset, budget, remaining;
    uintptr_t stack_top;
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
    budget = config->budget ? config->budget : RBPF_DEFAULT_BUDGET;
    remaining = budget;
    stack_top = (uintptr_t)config->stack + config->stack_size;
    if (config->stack_size != 0)
        memset(config->stack, 0, config->stack_size);

    vm->context = context;
    vm->context_length = context_length;
    vm->call_depth = 0;
    memset(regs, 0, sizeof(regs));
    R(1) = (uintptr_t)context;
    R(2) = context_length;
    R(10) = stack_top;

    goto start;
    {
        uint64_t *dst, *src;
        int32_t off, imm;
    next:
        ip += RBPF_INSN_SIZE;
    start:
        if (remaining == 0)
            FAIL(RBPF_ERR_BUDGET);
        remaining--;
        dst = &regs[RBPF_INSN_DST(ip)];
        src = &regs[RBPF_INSN_SRC(ip)];
        off = RBPF_INSN_OFF(ip);
        imm = RBPF_INSN_IMM(ip);
#if RBPF_USE_COMPUTED_GOTO
        goto *(&&L_illegal + dispatch[ip[0]]);
    L_illegal:
        FAIL(RBPF_ERR_ILLEGAL_INSN);
#else
        switch (ip[0]) {
        default:
            FAIL(RBPF_ERR_ILLEGAL_INSN);
#endif
        ALU_(ADD, a + b)
        ALU_(SUB, a - b)
        ALU_(MUL, a * b)
        ALU_(OR, a | b)
        ALU_(AND, a & b)
        ALU_(XOR, a ^ b)
        ALU_(LSH, a << (b & (bits - 1)))
        ALU_(RSH, a >> (b & (bits - 1)))
        ALU_(ARSH, arsh(a, (unsigned)(b & (bits - 1)), bits))
        ALU2_(DIV, MOD, divide(a, b, OFF != 0, MODULO_, mask ^ (mask >> 1), mask))
        ALU_(MOV, OFF ? sext(SRC, (unsigned)OFF) : b)
        NEG_(0 - a)
        OP(LE16) { DST = byteswap(DST, (unsigned)IMM, host_big_endian()); NEXT; }
        OP(BE16) { DST = byteswap(DST, (unsigned)IMM, !host_big_endian()); NEXT; }
        OP(BSWAP16) { DST = byteswap(DST, (unsigned)IMM, 1); NEXT; }

        LDDW_(LDDW, 0)
        LDDW_(LDDWD, (uintptr_t)vm->ram)
        LDDW_(LDDWR, (uintptr_t)prog->rodata)

        /* every load shares one body; mode 0x80 sign-extends (ldxs*) */
        OP(LDXB) OP(LDXH) OP(LDXW) OP(LDXDW) OP(LDXSB) OP(LDXSH) OP(LDXSW) {
            const unsigned size = SIZE_;
            const uint64_t addr = SRC + (uint64_t)(int64_t)OFF;
            ACCESS(addr, size, RBPF_READ);
            DST = load(HOST(addr), size);
            if ((ip[0] & 0xe0) == 0x80)
                DST = sext(DST, 8 * size);
            NEXT;
        }
        /* every store shares one body; class bit 0 picks src (stx) or imm (st) */
        OP(STB) OP(STH) OP(STW) OP(STDW) OP(STXB) OP(STXH) OP(STXW) OP(STXDW) {
            const unsigned size = SIZE_;
            const uint64_t addr = DST + (uint64_t)(int64_t)OFF;
            ACCESS(addr, size, RBPF_WRITE);
            store(HOST(addr), (ip[0] & 1) ? SRC : IMM64, size);
            NEXT;
        }

#if RBPF_ENABLE_ATOMIC
        OP(ADD32) goto atomic;
        OP(ADD64) {
        atomic:;
            const unsigned size = ip[0] == RBPF_OPC_ADD32 ? 4u : 8u;
            const uint64_t addr = DST + (uint64_t)(int64_t)OFF;
            const uint64_t mask = size == 4 ? 0xffffffffu : ~(uint64_t)0;
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
                now = old == (R(0) & mask) ? value : old;
                R(0) = old;
                break;
            default: now = old + value; break;
            }
            store(HOST(addr), now, size);
            if ((operation & RBPF_ATOMIC_FETCH) && operation != RBPF_ATOMIC_CMPXCHG)
                SRC = old;
            NEXT;
        }
#endif

        OP(JA) { JUMP_BY(OFF); NEXT; }
#if RBPF_ENABLE_JMP32
        OP(JA32) { JUMP_BY(IMM); NEXT; }
#endif
        JMP2_(JEQ, JNE, (a == b) != NEGATED_, 0)
        JMP_(JSET, (a & b) != 0, 0)
        JMP2_(JGT, JSGT, a > b, SIGNED_)
        JMP2_(JGE, JSGE, a >= b, SIGNED_)
        JMP2_(JLT, JSLT, a < b, SIGNED_)
        JMP2_(JLE, JSLE, a <= b, SIGNED_)

        OP(CALL) {
#if RBPF_ENABLE_LOCAL_CALLS
            if (RBPF_INSN_SRC(ip) == RBPF_CALL_LOCAL) {
                rbpf_frame_record_t *rec;
                const uint32_t depth = vm->call_depth + 1, frame = prog->frame_size;
                if (depth > (config->max_call_depth ? config->max_call_depth
                                                    : RBPF_DEFAULT_CALL_DEPTH))
                    FAIL(RBPF_ERR_CALL_DEPTH);
                /* the callee's frame must stay above the saved records */
                if ((uint64_t)(R(10) - (uintptr_t)config->stack) <
                    2 * (uint64_t)frame + (uint64_t)depth * FRAME_RECORD)
                    FAIL(RBPF_ERR_STACK_OVERFLOW);
                rec = (rbpf_frame_record_t *)((uint8_t *)config->stack +
                                               (size_t)(depth - 1) * FRAME_RECORD);
                memcpy(rec->saved, &R(6), sizeof(rec->saved));
                rec->return_at = (uint64_t)(ip - text);
                vm->call_depth = depth;
                R(10) -= frame;
                JUMP_BY(IMM);
                NEXT;
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
                NEXT;
            }
        }
        OP(EXIT) {
#if RBPF_ENABLE_LOCAL_CALLS
            if (vm->call_depth != 0) {
                const rbpf_frame_record_t *rec =
                    (const rbpf_frame_record_t *)((const uint8_t *)config->stack +
                                                  (size_t)(vm->call_depth - 1) * FRAME_RECORD);
                memcpy(&R(6), rec->saved, sizeof(rec->saved));
                ip = text + rec->return_at;
                vm->call_depth--;
                NEXT;
            }
#endif
            goto done;
        }
#if !RBPF_USE_COMPUTED_GOTO
        }
#endif
    }

done:
    vm->instructions = budget - remaining;
    vm->context = NULL;
    vm->context_length = 0;
    if (result != NULL)
        *result = R(0);
    return RBPF_OK;

fail:
    vm->instructions = budget - remaining;
    vm->error_at = (int32_t)((ip - text) / RBPF_INSN_SIZE);
    vm->context = NULL;
    vm->context_length = 0;
    vm->call_depth = 0;
    return rc;
}
