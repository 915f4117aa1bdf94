/*
 * block.h: the run-loop pieces every engine that steps through 8-byte
 * slots shares (the in-place interpreter over the text, the translated
 * engine over its slots): the budget counted per block, and the inline
 * check of the stack and the context.
 *
 * Memory: the stack and the context are checked inline, each as one
 * subtraction and one comparison against a limit that leaves room for the
 * widest access (8 bytes); an access that misses both (other regions, or
 * the last 7 bytes of one) goes through rbpf_granted_() (vm.c), which
 * decides exactly.
 *
 * Budget: instructions are counted per block, not one by one. A block is a
 * straight-line stretch from `block` (a jump target) to the next taken
 * branch, call or return, which adds the block's length to `lim`: the
 * instructions of the budget window used so far, written as a slot address
 * (lim0 + 8 * used, with lim0 = end of the slots - 8 * window). A block that
 * starts at or above `lim` cannot outrun the window, however far it goes,
 * since no stretch runs past the end of the text; only one that starts
 * below `lim` runs in exact mode, which checks the count before every
 * instruction. The loop keeps just acc = lim - block. vm->instructions
 * stays exact either way, and a lddw counts once.
 */
#ifndef RBPF_BLOCK_H
#define RBPF_BLOCK_H

#include <stdint.h>

#include "isa.h"

/* The limit of a region checked inline: offsets below it take any access
 * of up to 8 bytes. */
static inline uintptr_t rbpf_fast_lim_(uint64_t length)
{
    return length >= 8u ? (uintptr_t)(length - 7u) : 0u;
}

/* 1 when address a is in the inline-checked region r (locals r_start and
 * r_lim). 32-bit cores: 32-bit arithmetic once the high word is known to
 * be 0. */
#if UINTPTR_MAX == 0xffffffffu
#define RBPF_IN_FAST(r, a) ((uint32_t)((a) >> 32) == 0 && (uint32_t)(a) - r##_start < r##_lim)
#else
#define RBPF_IN_FAST(r, a) ((uintptr_t)(a) - r##_start < r##_lim)
#endif

/* Budget windows of at most this many instructions keep every distance
 * in bytes far from the sign bit of a 32-bit intptr_t. */
#define RBPF_WINDOW_MAX (1u << 24)

/* The instructions of a window: `remaining` (instructions left when it
 * opened; the budget is 32 bits), at most RBPF_WINDOW_MAX. */
#define RBPF_WINDOW(remaining) ((remaining) > RBPF_WINDOW_MAX ? RBPF_WINDOW_MAX : (remaining))

/* Opens a window at slot address ip after `used` instructions of the last
 * one: updates *remaining and *lim0 (`lim` when the window opens); returns
 * the new `acc`. `end` is the address just past the last slot. */
static inline uintptr_t rbpf_window_open_(uint32_t *remaining, uintptr_t *lim0, uint32_t used,
                                          const void *end, const void *ip)
{
    *remaining -= used;
    *lim0 = (uintptr_t)end - (uintptr_t)RBPF_WINDOW(*remaining) * RBPF_INSN_SIZE;
    return *lim0 - (uintptr_t)ip;
}

/* acc is `lim - block`: positive when the running block started below
 * `lim` and so needs exact mode. (A distance of less than 2^31.) */
#define RBPF_OUTRUNS(acc) ((intptr_t)(acc) > 0)

/* Instructions of the window executed before the slot at p (locals acc
 * and lim0): (lim - lim0 + p - block) / 8. */
#define RBPF_USED(p) ((uint32_t)((acc + ((uintptr_t)(p) - lim0)) / RBPF_INSN_SIZE))

/* Exact mode's check before the slot at ip, over the loop's remaining, lim0
 * and acc: -1 when the budget is spent (that instruction is not run), 1
 * when the window was used up and a new one is open (the caller sets the
 * mode again from the new acc), else 0. */
static inline int rbpf_exact_check_(uint32_t *remaining, uintptr_t *lim0, uintptr_t *acc,
                                    const void *end, const void *ip)
{
    const uint32_t used = (uint32_t)((*acc + ((uintptr_t)ip - *lim0)) / RBPF_INSN_SIZE);
    if (used < RBPF_WINDOW(*remaining))
        return 0;
    if (*remaining == used)
        return -1;
    *acc = rbpf_window_open_(remaining, lim0, used, end, ip);
    return 1;
}

#if defined(__GNUC__) || defined(__clang__)
#define RBPF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RBPF_UNLIKELY(x) (x)
#endif

#endif /* RBPF_BLOCK_H */
