/*
 * fuzz_builds.c: libFuzzer harness comparing builds of the library in one
 * process. The library and the observer are linked three times: the fast
 * layout with computed goto (as the other harnesses), the compact layout
 * (-Os) and the switch dispatch, the last two with their symbols renamed
 * (compact_rbpf_vm_run, switch_observe_run, ...: fuzz/fuzz.mk). An input's
 * first 8 bytes seed a generated program (progen.h), byte 8 picks its
 * instruction features, the next bytes budgets. Each build runs the case
 * fully and with those budgets; every observable (observe.h, but the saved
 * call records, whose host addresses differ between the builds' arenas)
 * must be the same, and the fast build's budget-stopped runs must be
 * self-consistent: k instructions exactly, each stop an instruction the
 * previous stop can lead to. A difference prints the case and aborts. The
 * 32-bit builds are compared by make test-builds (one process cannot hold
 * them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe.h"
#include "progen.h"
#include "rbpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The renamed builds. */
#define BUILD_API_(prefix)                                                                      \
    int prefix##observe_load(rbpf_program_t *prog, const progen_case_t *c);                  \
    int prefix##observe_run(observe_t *o, const rbpf_program_t *prog, const progen_case_t *c, \
                            uint32_t budget);
BUILD_API_(compact_)
BUILD_API_(switch_)

typedef struct build {
    const char *name;
    int (*load)(rbpf_program_t *prog, const progen_case_t *c);
    int (*run)(observe_t *o, const rbpf_program_t *prog, const progen_case_t *c, uint32_t budget);
    rbpf_program_t prog;
} build_t;

static build_t builds[] = {
    {"fast", observe_load, observe_run, {0}},
    {"compact", compact_observe_load, compact_observe_run, {0}},
    {"switch", switch_observe_load, switch_observe_run, {0}},
};
#define BUILDS (sizeof builds / sizeof builds[0])
#define BUDGETS_MAX 8u

static progen_case_t the_case;
static observe_t seen[2], previous;

static void print_line(void *user, const char *text)
{
    fprintf(user, "%s\n", text);
}

static void fail(const char *what, uint32_t budget, const char *detail)
{
    fprintf(stderr, "fuzz_builds: seed %llu, budget %lu: %s%s%s\n",
            (unsigned long long)the_case.seed, (unsigned long)budget, what, detail ? ": " : "",
            detail ? detail : "");
    observe_print(&the_case, &seen[0], NULL, print_line, stderr);
    abort();
}

/* Runs the case with `budget` (0: its own) in every build into seen[0]
 * (the fast build) and compares the others with it. */
static void run_builds(uint32_t budget)
{
    size_t b;
    char why[160];
    builds[0].run(&seen[0], &builds[0].prog, &the_case, budget);
    for (b = 1; b < BUILDS; b++) {
        builds[b].run(&seen[1], &builds[b].prog, &the_case, budget);
        if (observe_compare_portable(&seen[0], &seen[1], why, sizeof why) != 0) {
            char what[64];
            snprintf(what, sizeof what, "the %s build differs from the fast one", builds[b].name);
            fail(what, budget, why);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t seed = 0;
    uint32_t n, i, features = PROGEN_ALL, last = 0;
    size_t b;

    for (i = 0; i < 8 && i < size; i++)
        seed |= (uint64_t)data[i] << (8 * i);
    if (size > 8)
        features = data[8] & PROGEN_ALL;
    progen_generate(&the_case, seed, features);
    for (b = 0; b < BUILDS; b++)
        if (builds[b].load(&builds[b].prog, &the_case) != RBPF_OK)
            fail("a generated case does not load", 0, builds[b].name);

    run_builds(0);
    n = (uint32_t)seen[0].instructions;
    if (seen[0].rc == RBPF_ERR_BUDGET && n != the_case.budget)
        fail("the budget ran out after another number of instructions", the_case.budget, NULL);
    /* Budgets from the input: byte pairs, as offsets into [1, n]; a byte
     * 0xff continues from the previous budget + 1. */
    for (i = 0; n > 1 && i < BUDGETS_MAX && 9 + 2 * (size_t)i + 1 < size; i++) {
        const uint32_t pick = data[9 + 2 * i] | (uint32_t)data[10 + 2 * i] << 8;
        const uint32_t k = data[9 + 2 * i] == 0xff && last && last + 1 < n ? last + 1
                                                                            : 1 + pick % (n - 1);
        run_builds(k);
        if (seen[0].rc != RBPF_ERR_BUDGET || seen[0].instructions != k || seen[0].error_at < 0)
            fail("a shorter budget did not stop the run after exactly that many instructions", k,
                 rbpf_error_name(seen[0].rc));
        if (k == last + 1 && last != 0 &&
            !observe_follows(&builds[0].prog, (uint32_t)previous.error_at,
                             (uint32_t)seen[0].error_at))
            fail("the run with one more instruction stops where the one before cannot lead", k,
                 NULL);
        previous = seen[0];
        last = k;
    }
    return 0;
}
