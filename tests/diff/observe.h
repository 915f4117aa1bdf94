/*
 * observe.h: runs one generated case (progen.h) and captures everything a
 * run can be seen to do, so that two engines, or two builds of one, can be
 * compared: the return code, r0, vm->instructions, vm->error_at, the call
 * depth after the run, and the bytes of the stack, context, data+bss and
 * the added region afterwards.
 *
 * All memory the VM is given (stack, context, RAM, region, the container
 * blob) sits in one static arena at fixed distances, with unused gaps
 * between, so an access outside every region faults the same way in every
 * build. One case is loaded at a time: observe_load() copies its blob in.
 * Portable C99 (the library, string.h, and snprintf for messages), so it
 * runs on the emulated Cortex-M too.
 *
 * Typical use (a second engine: prepare a copy of the program struct):
 *
 *   progen_case_t c;  rbpf_program_t prog;  observe_t a, b;
 *   progen_generate(&c, seed, PROGEN_ALL);
 *   observe_load(&prog, &c);
 *   observe_run(&a, &prog, &c, 0);
 *   observe_run(&b, &other, &c, 0);
 *   if (observe_compare(&a, &b, why, sizeof why)) observe_print(&c, &a, ...);
 */
#ifndef OBSERVE_H
#define OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "progen.h"
#include "rbpf.h"

typedef struct observe {
    int rc;                 /* what rbpf_vm_run returned */
    uint64_t r0;            /* its result (OBSERVE_NO_R0 when the run did not write it) */
    uint64_t instructions;  /* vm->instructions */
    int32_t error_at;       /* vm->error_at */
    uint32_t call_depth;    /* vm->call_depth after the run */
    uint32_t stack_size, context_len, ram_size, region_len;
    uint32_t records;       /* bytes at the bottom of the stack that may hold saved call
                               records (host addresses): not in observe_digest() */
    uint8_t stack[PROGEN_STACK_MAX];
    uint8_t context[PROGEN_CONTEXT_MAX];
    uint8_t ram[PROGEN_DATA_MAX + PROGEN_BSS_MAX];
    uint8_t region[PROGEN_REGION_MAX];
} observe_t;

/* r0 as observed when the run did not write it. */
#define OBSERVE_NO_R0 0x0b5e7fed0b5e7fedu

/* The helper table generated programs are verified and run with (the
 * PROGEN_HELPER_* ids). */
extern const rbpf_helper_t observe_helpers[];
extern const uint32_t observe_helper_count;

/* Copies the case's blob into the arena and loads it into *prog with
 * rbpf_load() (parse and verify with observe_helpers). Returns its code;
 * the program stays valid until the next observe_load(). */
int observe_load(rbpf_program_t *prog, const progen_case_t *c);

/* Runs `prog` (observe_load's, or a copy of it prepared for another engine)
 * on case c from fresh memory: the context, region and RAM from the case,
 * the stack filled with a pattern the run must clear. `budget` replaces the
 * case's when not 0. Captures the outcome in *o and returns o->rc. */
int observe_run(observe_t *o, const rbpf_program_t *prog, const progen_case_t *c,
                uint32_t budget);

/* Copies `prog` (from observe_load) into *copy and prepares the copy for
 * `engine` in a buffer of observe's own (one per engine, reused by the next
 * call for that engine). RBPF_OK, or why not (RBPF_ERR_UNSUPPORTED when the
 * engine is not in this build, RBPF_ERR_TOO_SMALL beyond the buffer). */
int observe_prepare(rbpf_program_t *copy, const rbpf_program_t *prog, int engine);

/* 1 when instruction `to` of a verified program can run right after
 * instruction `from`: the next one (two slots after a lddw), a jump's or a
 * local call's target, or, after an exit, the instruction after some local
 * call. For checking where budget-stopped runs stop. */
int observe_follows(const rbpf_program_t *prog, uint32_t from, uint32_t to);

/* 0 when a and b are the same; else 1, with the first difference in `what`
 * ("r0: 0x5 against 0x7", "stack byte 4088: 0x00 against 0x2a"). */
int observe_compare(const observe_t *a, const observe_t *b, char *what, size_t size);

/* The same, but for the saved call records (host addresses, which differ
 * between builds and when the buffers move). */
int observe_compare_portable(const observe_t *a, const observe_t *b, char *what, size_t size);

/* A digest of everything observed but the saved call records (which hold
 * host addresses): equal across builds and hosts when the runs were. */
uint64_t observe_digest(const observe_t *o);

/* Moves every buffer of the arena by `bytes` (a multiple of 8, at most
 * OBSERVE_SHIFT_MAX) for the next load and runs: a run's observables must
 * not change (the generator keeps host addresses out of them). */
#define OBSERVE_SHIFT_MAX 256u
void observe_shift(uint32_t bytes);

/* Instruction formatter for the listing, e.g. rbpf_tool_disasm_insn: writes
 * instruction `index` into out, returns the slots it takes (1 or 2). */
typedef size_t (*observe_disasm_fn)(const uint8_t *code, size_t count, size_t index, char *out,
                                    size_t out_size);

/* Prints a case so it can be replayed: the seed, the configuration, the
 * context and region bytes, the container as hex (`xxd -r -p` gives the file
 * `rbpf dump` lists and, when it calls no PROGEN test helper, `rbpf run`
 * runs), the listing when `disasm` is given, and the observed outcome when
 * `o` is. One line per call of `line`. */
void observe_print(const progen_case_t *c, const observe_t *o, observe_disasm_fn disasm,
                   void (*line)(void *user, const char *text), void *user);

#endif /* OBSERVE_H */
