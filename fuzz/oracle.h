/*
 * oracle.h: what the container and raw-bytecode fuzzers check after every
 * run (sandbox hardening, issue 8). Any violation aborts, which libFuzzer
 * records as a finding:
 *   - every return code is RBPF_OK or one of RBPF_ERRORS, and a run ends
 *     with RBPF_OK or a run-time fault (memory, budget, call depth, stack
 *     overflow, helper) at a valid instruction index, never with an error
 *     only the loader or verifier should give;
 *   - the fences around the context, stack, RAM, blob and added regions are
 *     unchanged (and, under ASan, never even read);
 *   - the read-only region, the blob (rodata and text are used in place) and
 *     the helper table are unchanged;
 *   - the run executed at most its budget, exactly all of it when it ended
 *     with RBPF_ERR_BUDGET (docs/isa.md), and unwound every local call.
 * Every function runs twice: with a roomy configuration and a context, and
 * with a tight one (small stack, depth 2, short budget) and no context.
 */
#ifndef FUZZ_ORACLE_H
#define FUZZ_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "rbpf.h"

#define ORACLE_BUDGET 20000u
#define ORACLE_STACK 4096u
#define ORACLE_TIGHT_STACK 256u
#define ORACLE_CONTEXT 64u
#define ORACLE_REGION 64u
#define ORACLE_MAX_FUNCTIONS 16u
#define ORACLE_MAX_INPUT 65536u

/* rbpf_load or rbpf_load_raw. */
typedef int (*oracle_loader_fn)(rbpf_program_t *prog, const void *blob, size_t size,
                                const rbpf_config_t *config);

/* One fuzz input: a fenced copy of it is loaded with `load` (sandbox
 * helpers, a fenced stack, ORACLE_BUDGET); when accepted, a VM is set up
 * over it and every function (function 0 alone for bare bytecode) runs
 * under the checks above. Returns 0; aborts on a violation. */
int oracle_fuzz(const uint8_t *input, size_t size, oracle_loader_fn load, const char *name);

/* For the tool harnesses: prints "HARNESS: WHAT: DETAIL" on one line (bytes
 * of DETAIL that are not printable as \xNN) and aborts. */
void oracle_abort(const char *harness, const char *what, const char *detail);

#endif /* FUZZ_ORACLE_H */
