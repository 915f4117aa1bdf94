/*
 * test_engines.c: the differential test of the engines. For each seed, a
 * random verified program (progen.h) runs on the in-place interpreter and
 * on every other engine compiled in (a copy of the program prepared for
 * it), each from fresh memory (observe.h); every observable must be the
 * same: return code, r0, instruction count, error_at, call depth, and every
 * byte of the stack, context, data+bss and added region. Each case also
 * runs with budgets that stop it early: every length up to its full run
 * when that is short, else the first few, the last few and some between.
 * Usage: test_engines [SEEDS] [FIRST_SEED]; prints one summary line, and
 * for a difference the case (replayable with test_progen --show SEED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe.h"
#include "progen.h"
#include "rbpf.h"

/* Budgets tried per case, besides its own. */
#define EVERY_BUDGET_UP_TO 48u
#define BUDGETS_SAMPLED 12u

static progen_case_t the_case;
static observe_t reference, other;
/* Each engine's prepared form (a JIT's code may take more than 8 bytes per
 * instruction). */
static uint64_t buffers[RBPF_ENGINE_COUNT][4u * PROGEN_INSN_MAX];
static unsigned long runs, differences;

static uint32_t built_features(void)
{
    return (RBPF_ENABLE_ALU32 ? PROGEN_ALU32 : 0u) | (RBPF_ENABLE_JMP32 ? PROGEN_JMP32 : 0u) |
           (RBPF_ENABLE_ATOMIC ? PROGEN_ATOMIC : 0u) |
           (RBPF_ENABLE_LOCAL_CALLS ? PROGEN_LOCAL_CALLS : 0u);
}

static void print_line(void *user, const char *text)
{
    fprintf(user, "%s\n", text);
}

/* Runs the case with `budget` (0: its own) on the interpreter and on each
 * prepared engine; 0 when all agree. */
static int compare_engines(const rbpf_program_t *prog, const rbpf_program_t *prepared,
                           int engines, uint32_t budget)
{
    int e;
    observe_run(&reference, prog, &the_case, budget);
    runs++;
    for (e = 0; e < engines; e++) {
        char why[160];
        observe_run(&other, &prepared[e], &the_case, budget);
        runs++;
        if (observe_compare(&reference, &other, why, sizeof why) != 0) {
            differences++;
            fprintf(stderr, "test_engines: seed %llu, budget %lu: engine %s differs from interp: %s\n",
                    (unsigned long long)the_case.seed,
                    (unsigned long)(budget ? budget : the_case.budget),
                    rbpf_engine_name(prepared[e].engine), why);
            if (differences == 1)
                observe_print(&the_case, &reference, NULL, print_line, stderr);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const uint32_t seeds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 3000u;
    const uint64_t first = argc > 2 ? strtoull(argv[2], NULL, 0) : 1u;
    rbpf_program_t prog, prepared[RBPF_ENGINE_COUNT];
    int engines = 0, e;
    uint32_t s;

    for (e = 0; e < RBPF_ENGINE_COUNT; e++)
        if (e != RBPF_ENGINE_INTERP && rbpf_engine_available(e))
            engines++;
    if (engines == 0) {
        printf("test_engines: only the interpreter is compiled in: nothing to compare\n");
        return 0;
    }
    for (s = 0; s < seeds && differences == 0; s++) {
        uint32_t full, b;
        int n = 0;
        progen_generate(&the_case, first + s, built_features());
        if (observe_load(&prog, &the_case) != RBPF_OK) {
            fprintf(stderr, "test_engines: seed %llu: the case does not load\n",
                    (unsigned long long)(first + s));
            return 1;
        }
        for (e = 0; e < RBPF_ENGINE_COUNT; e++) {
            size_t need;
            if (e == RBPF_ENGINE_INTERP || !rbpf_engine_available(e))
                continue;
            prepared[n] = prog;
            if (rbpf_prepare_size(&prepared[n], e, &need) != RBPF_OK || need > sizeof buffers[e] ||
                rbpf_prepare(&prepared[n], e, buffers[e], sizeof buffers[e]) != RBPF_OK) {
                fprintf(stderr, "test_engines: seed %llu: cannot prepare for %s\n",
                        (unsigned long long)(first + s), rbpf_engine_name(e));
                return 1;
            }
            n++;
        }
        if (compare_engines(&prog, prepared, n, 0) != 0)
            break;
        /* budgets that stop the run at every point, or at many */
        full = (uint32_t)reference.instructions;
        if (full <= EVERY_BUDGET_UP_TO) {
            for (b = 1; b <= full + 1 && differences == 0; b++)
                compare_engines(&prog, prepared, n, b);
        } else {
            for (b = 0; b < BUDGETS_SAMPLED && differences == 0; b++) {
                const uint32_t budget = b < 4 ? b + 1
                                      : b < 8 ? full - 3 + (b - 4)
                                              : 1 + (uint32_t)((the_case.seed * 2654435761u + b) % full);
                compare_engines(&prog, prepared, n, budget);
            }
        }
    }
    printf("test_engines: %u cases, %lu runs, %d engine(s) against interp, %lu differences\n",
           s + (differences != 0), runs, engines, differences);
    return differences != 0;
}
