/*
 * alu.h: the pure eBPF arithmetic every engine shares (and a JIT's slow
 * paths call): sign extension, byte swaps, division and modulo with RFC
 * 9669's results, arithmetic shifts, and sized loads and stores through
 * memcpy. No state, no checks: callers have checked the memory.
 */
#ifndef RBPF_ALU_H
#define RBPF_ALU_H

#include <stdint.h>
#include <string.h>

#include "isa.h"

/* Sign-extends the low `bits` bits of x (1 <= bits <= 64). */
static inline uint64_t rbpf_sext_(uint64_t x, unsigned bits)
{
    const uint64_t m = (uint64_t)1 << (bits - 1);
    x &= (m << 1) - 1;
    return (x ^ m) - m;
}

static inline int rbpf_host_big_endian_(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

/* The low `bits` bits (16, 32 or 64) of x, byte-swapped when `swap`. */
static inline uint64_t rbpf_byteswap_(uint64_t x, unsigned bits, int swap)
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
static inline uint64_t rbpf_divide_(uint64_t a, uint64_t b, int is_signed, int modulo,
                                    uint64_t sign, uint64_t mask)
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
static inline uint64_t rbpf_arsh_(uint64_t a, unsigned s, unsigned bits)
{
    uint64_t r = a >> s;
    if ((a >> (bits - 1)) & 1u)
        r |= ~(uint64_t)0 << (bits - 1 - s);
    return r;
}

/* A little-endian-agnostic load or store of 1, 2, 4 or 8 bytes at any
 * alignment. */
static inline uint64_t rbpf_load_(const void *p, unsigned size)
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

static inline void rbpf_store_(void *p, uint64_t v, unsigned size)
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

/* An atomic instruction's operation (its immediate) on the `size` bytes
 * (4 or 8) at p, which the caller has checked, with `value` (src); a
 * cmpxchg compares with *r0 and sets it to the old value. Returns the old
 * value, which a fetch (but not cmpxchg) writes to src. */
static inline uint64_t rbpf_atomic_(void *p, unsigned size, int32_t operation, uint64_t value,
                                    uint64_t *r0)
{
    const uint64_t mask = size == 4 ? 0xffffffffu : ~(uint64_t)0;
    const uint64_t old = rbpf_load_(p, size);
    uint64_t now;
    switch (operation & ~RBPF_ATOMIC_FETCH) {
    case RBPF_ATOMIC_OR: now = old | value; break;
    case RBPF_ATOMIC_AND: now = old & value; break;
    case RBPF_ATOMIC_XOR: now = old ^ value; break;
    case RBPF_ATOMIC_XCHG & ~RBPF_ATOMIC_FETCH: now = value; break;
    case RBPF_ATOMIC_CMPXCHG & ~RBPF_ATOMIC_FETCH:
        now = old == (*r0 & mask) ? value : old;
        *r0 = old;
        break;
    default: now = old + value; break;
    }
    rbpf_store_(p, now, size);
    return old;
}

#endif /* RBPF_ALU_H */
