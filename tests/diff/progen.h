/*
 * progen.h: random verified programs for differential tests. From a 64-bit
 * seed, progen_generate() writes one test case into a caller-owned struct: a
 * container blob (data, bss, rodata, several functions), the initial bytes
 * of the context and of one added region, and the run's budget, stack size
 * and call depth. The same seed gives the same case on every host (its own
 * PRNG, no floating point, no allocation, no libc beyond string.h), so a case
 * found on the emulated Cortex-M replays on the host.
 *
 * The program passes rbpf_verify() with a helper table holding the ids
 * below (observe.c implements them), and uses every row of src/isa.h:
 * 32- and 64-bit ALU (division and modulo by 0 and -1 of INT_MIN, shifts by
 * any amount, movsx, byte swaps), lddw/lddwd/lddwr, loads, sign-extending
 * loads, stores and atomics of every size on the stack, context, data+bss,
 * rodata and the region, at and just past each edge; conditional jumps both
 * ways, loops long enough to spend the budget, nested and recursive local
 * calls near the depth limit, helper calls with full 64-bit arguments.
 *
 * Its results never depend on where the host put things: r6..r9 hold the
 * base pointers (r6 context, r7 data, r8 region, r9 rodata) and are never
 * stored, compared or returned; temporary pointers live only within one
 * straight-line stretch. Only the saved call records at the bottom of the
 * stack hold host addresses (observe.c leaves them out of digests).
 */
#ifndef PROGEN_H
#define PROGEN_H

#include <stddef.h>
#include <stdint.h>

/* Helper ids the programs call (application range). */
#define PROGEN_HELPER_MIX 0x1d0u    /* r0 = mix of r1..r5, all 64 bits of each */
#define PROGEN_HELPER_SUM 0x1d1u    /* sum(addr r1, len r2): checked read, r0 = hash of bytes */
#define PROGEN_HELPER_FILL 0x1d2u   /* fill(addr r1, len r2, byte r3): checked write */
#define PROGEN_HELPER_FAIL 0x1d3u   /* r1 != 0: the run ends with error r1 (or HELPER);
                                       else r0 = r2 ^ r3 */
#define PROGEN_HELPER_REGION 0x1d4u /* r0 = start of the VM's first added region, or 0 */
#define PROGEN_HELPER_MEMCPY 0x02u  /* the standard bpf_memcpy(dst, src, n) */

/* Limits of one case (the struct is about 9 KB). */
#define PROGEN_INSN_MAX 448u      /* instruction slots */
#define PROGEN_FUNCTIONS_MAX 6u
#define PROGEN_DATA_MAX 64u
#define PROGEN_BSS_MAX 64u
#define PROGEN_RODATA_MAX 96u     /* random bytes, then the function names */
#define PROGEN_CONTEXT_MAX 64u
#define PROGEN_REGION_MAX 64u
#define PROGEN_STACK_MAX 4096u
#define PROGEN_BLOB_MAX                                                              \
    (32u + PROGEN_DATA_MAX + PROGEN_RODATA_MAX + 8u * PROGEN_FUNCTIONS_MAX + \
     8u * PROGEN_INSN_MAX + 6u * PROGEN_FUNCTIONS_MAX)
/* The largest budget a case asks for: runs stay short. */
#define PROGEN_BUDGET_MAX 20000u

/* Instruction features a case may use (all by default); a build with a
 * feature compiled out passes a mask without it. */
#define PROGEN_ALU32 1u
#define PROGEN_JMP32 2u
#define PROGEN_ATOMIC 4u
#define PROGEN_LOCAL_CALLS 8u
#define PROGEN_ALL 15u

/* What a case exercises, counted as it is generated (for coverage tests). */
enum progen_kind {
    PROGEN_KIND_EDGE_STACK,      /* an access at or just past an edge of ... */
    PROGEN_KIND_EDGE_CONTEXT,
    PROGEN_KIND_EDGE_DATA,
    PROGEN_KIND_EDGE_RODATA,
    PROGEN_KIND_EDGE_REGION,
    PROGEN_KIND_STACK_BOTTOM,    /* a write at or below the bottom of the stack */
    PROGEN_KIND_DIV_EDGE,        /* INT_MIN / -1, x / 0 and the like */
    PROGEN_KIND_LOOP,
    PROGEN_KIND_LONG_LOOP,       /* more iterations than the budget allows */
    PROGEN_KIND_RECURSION,       /* recursion to about the depth limit */
    PROGEN_KIND_HELPER_WIDE,     /* a helper call with 64-bit arguments */
    PROGEN_KIND_HELPER_MEMORY,   /* a helper given a pointer and a length */
    PROGEN_KIND_HELPER_FAIL,
    PROGEN_KIND_SHORT_BUDGET,    /* a budget that stops the run early */
    PROGEN_KIND_COUNT
};

typedef struct progen_case {
    uint64_t seed;
    uint32_t features;        /* PROGEN_* the program may use */
    uint32_t blob_len;
    uint8_t blob[PROGEN_BLOB_MAX]; /* the container (docs/format.md) */
    uint32_t function;        /* the function to run (its index) */
    uint32_t context_len;
    uint8_t context[PROGEN_CONTEXT_MAX];
    uint32_t region_len;
    uint32_t region_flags;    /* RBPF_READ / RBPF_WRITE (1 / 2) */
    uint8_t region[PROGEN_REGION_MAX];
    uint32_t ram_size;        /* data_len + bss_len */
    uint32_t stack_size;      /* a multiple of 8, at most PROGEN_STACK_MAX */
    uint32_t max_call_depth;  /* for rbpf_config_t (0: the default) */
    uint32_t budget;          /* for rbpf_config_t, 1..PROGEN_BUDGET_MAX */
    uint32_t kinds[PROGEN_KIND_COUNT];
} progen_case_t;

/* Writes the case of `seed` into *c, using only the instruction features in
 * `features`. Deterministic: the same seed and features give the same bytes
 * everywhere. */
void progen_generate(progen_case_t *c, uint64_t seed, uint32_t features);

/* The kind's short name ("edge-stack", ...), for reports. */
const char *progen_kind_name(int kind);

#endif /* PROGEN_H */
