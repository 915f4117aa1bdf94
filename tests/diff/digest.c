/*
 * digest.c: the cross-build differential test. For each seed it prints one
 * line, "SEED DIGEST", where DIGEST covers everything observable (observe.h,
 * without the saved call records, which hold host addresses) of the case's
 * run and of runs with budgets that stop it early. Built as 64- and 32-bit,
 * -O2 and -Os, computed goto and switch, every build must print the same
 * lines (make test-builds compares them). Every engine the build has must
 * agree with the interpreter before a line is printed.
 *
 * It also checks that budgets are self-consistent: a run with budget k < n
 * (n: what the full run executed) ends with RBPF_ERR_BUDGET after exactly k
 * instructions, at an instruction the one before it can lead to (its
 * successor, a jump or call target, or a return site), the instruction
 * where the full run fails being where the budget n-1 run stops; budgets of
 * n or more give the full run itself.
 *
 * Usage: digest [SEEDS [FIRST_SEED]]; the lines on stdout, a summary and
 * any failure on stderr (exit 1). The Cortex-M image, which has no command
 * line, runs seeds 1..DIGEST_SEEDS (300). A line that differs between builds
 * replays with test_progen --show SEED in each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "observe.h"
#include "progen.h"

#define EVERY_BUDGET_UP_TO 64u
#define BUDGETS_SAMPLED 24u

static progen_case_t the_case;
static rbpf_program_t prog, prepared[RBPF_ENGINE_COUNT];
static int engines; /* prepared engines besides the interpreter */
static observe_t full, run, before, other;
static unsigned long runs, failures;

static void fail(const char *what, uint32_t budget, const char *detail)
{
    failures++;
    fprintf(stderr, "digest: seed %llu, budget %lu: %s%s%s\n", (unsigned long long)the_case.seed,
            (unsigned long)budget, what, detail ? ": " : "", detail ? detail : "");
}

/* Runs the case with `budget` (0: its own) on the interpreter into *o and
 * on every other engine, which must agree with it. */
static void run_all(observe_t *o, uint32_t budget)
{
    int e;
    observe_run(o, &prog, &the_case, budget);
    runs++;
    for (e = 0; e < engines; e++) {
        char why[160];
        observe_run(&other, &prepared[e], &the_case, budget);
        runs++;
        if (observe_compare(o, &other, why, sizeof why) != 0) {
            char what[64];
            snprintf(what, sizeof what, "engine %s differs from interp",
                     rbpf_engine_name(prepared[e].engine));
            fail(what, budget, why);
        }
    }
}

/* The budgets tried besides the case's own: every one up to n + 1 for a
 * short run, else the first, the last and some between. */
static uint32_t budget_at(uint32_t i, uint32_t n, uint32_t *count)
{
    if (n + 1 <= EVERY_BUDGET_UP_TO) {
        *count = n + 1;
        return i + 1;
    }
    *count = BUDGETS_SAMPLED;
    if (i < 8)
        return i + 1;
    if (i < 16)
        return n - 7 + (i - 8); /* n - 7 .. n */
    return 9 + (uint32_t)((the_case.seed * 2654435761u + i * 40503u) % (n - 16));
}

/* One case: the full run, the budget runs and their checks; returns the
 * digest of all of them. */
static uint64_t one_case(void)
{
    uint64_t h;
    uint32_t n, i, count = 0, last = 0;
    char why[160];

    run_all(&full, 0);
    h = observe_digest(&full);
    n = (uint32_t)full.instructions;
    if (full.rc == RBPF_ERR_BUDGET && n != the_case.budget)
        fail("the budget ran out after another number of instructions", the_case.budget, NULL);
    if (n == 0)
        return h;
    for (i = 0; i == 0 || i < count; i++) {
        const uint32_t k = budget_at(i, n, &count);
        run_all(&run, k);
        h = (h ^ observe_digest(&run)) * 0x100000001b3u + k;
        if (k < n || (k == n && full.rc == RBPF_ERR_BUDGET)) {
            if (run.rc != RBPF_ERR_BUDGET || run.instructions != k || run.error_at < 0) {
                fail("a shorter budget did not stop the run after exactly that many instructions",
                     k, rbpf_error_name(run.rc));
                continue;
            }
            /* consecutive budgets: the stop moves to an instruction that
             * can follow the last one */
            if (k == last + 1 && last != 0 && !observe_follows(&prog, (uint32_t)before.error_at, (uint32_t)run.error_at))
                fail("the run with one more instruction stops where the one before cannot lead",
                     k, NULL);
            if (k + 1 == n && full.rc != RBPF_OK && full.rc != RBPF_ERR_BUDGET &&
                run.error_at != full.error_at)
                fail("the last budget stop is not where the full run fails", k, NULL);
            if (k + 1 == n && full.rc == RBPF_OK &&
                prog.text[(size_t)run.error_at * RBPF_INSN_SIZE] != RBPF_OPC_EXIT)
                fail("the full run's last instruction is not an exit", k, NULL);
            before = run;
            last = k;
        } else if (full.rc != RBPF_ERR_BUDGET && observe_compare(&full, &run, why, sizeof why) != 0) {
            fail("a budget of at least the full run gives another run", k, why);
        }
    }
    return h;
}

static int digest_main(uint32_t seeds, uint64_t first)
{
    uint32_t s;
    int e;

    for (s = 0; s < seeds; s++) {
        progen_generate(&the_case, first + s, PROGEN_ALL);
        if (observe_load(&prog, &the_case) != RBPF_OK) {
            fail("the case does not load", 0, NULL);
            break;
        }
        engines = 0;
        for (e = 0; e < RBPF_ENGINE_COUNT; e++)
            if (e != RBPF_ENGINE_INTERP && rbpf_engine_available(e)) {
                if (observe_prepare(&prepared[engines], &prog, e) != RBPF_OK)
                    fail("cannot prepare the program for an engine", 0, rbpf_engine_name(e));
                else
                    engines++;
            }
        printf("%llu %016llx\n", (unsigned long long)the_case.seed,
               (unsigned long long)one_case());
        if (failures > 20)
            break;
    }
    fprintf(stderr, "digest: %lu cases, %lu runs, %d engine(s) besides interp, %lu failures\n",
            (unsigned long)s, runs, engines, failures);
    return failures != 0;
}

#if defined(__arm__) && !defined(__linux__) && !defined(DIGEST_SEEDS)
#define DIGEST_SEEDS 300u
#endif
#ifdef DIGEST_SEEDS
/* An image without a command line (the Cortex-M): seeds 1..DIGEST_SEEDS. */
int main(void)
{
    return digest_main(DIGEST_SEEDS, 1);
}
#else
int main(int argc, char **argv)
{
    return digest_main(argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000u,
                       argc > 2 ? strtoull(argv[2], NULL, 0) : 1u);
}
#endif
