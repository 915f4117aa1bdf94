/*
 * test_progen.c: checks the program generator the differential tests rely
 * on (progen.c) and the observer (observe.c):
 *   - every case it writes loads and verifies;
 *   - the same seed gives the same bytes, other seeds other programs;
 *   - over the seeds, every ISA row the build has is used, every kind of
 *     edge is generated, and runs end in every run-time outcome (success,
 *     memory fault, budget, call depth, stack overflow, helper failure);
 *   - a run's observables do not depend on where the buffers are (the
 *     generator keeps host addresses out of them), and repeat exactly;
 *   - a case with features removed uses none of their rows.
 * Usage: test_progen [SEEDS] [FIRST_SEED]; prints one summary line.
 *        test_progen --show SEED: prints that case, its listing and its run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "observe.h"
#include "progen.h"
#include "tool/tool.h"

static int failures;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "test_progen: %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
            if (++failures > 20)                                          \
                exit(1);                                                  \
        }                                                                 \
    } while (0)

/* The ISA rows: opcode, form, selector, feature. */
typedef struct row {
    uint8_t opcode, form;
    int32_t sel;
    uint32_t feature;
    const char *name;
} row_t;

#define PROGEN_FEATURE_CORE 0u
#define PROGEN_FEATURE_ALU32 PROGEN_ALU32
#define PROGEN_FEATURE_JMP32 PROGEN_JMP32
#define PROGEN_FEATURE_ATOMIC PROGEN_ATOMIC
#define PROGEN_FEATURE_LOCAL_CALLS PROGEN_LOCAL_CALLS
static const row_t rows[] = {
#define ROW_(name, opcode, form, sel, once, feature, mnemonic) \
    {(opcode), RBPF_FORM_##form, (sel), PROGEN_FEATURE_##feature, #name},
    RBPF_ISA(ROW_)
#undef ROW_
};
#define ROW_COUNT (sizeof rows / sizeof rows[0])

static const uint8_t selects[RBPF_FORM_COUNT] = {
#define FORM_(form, uses, sel) (sel),
    RBPF_FORMS(FORM_)
#undef FORM_
};

/* The row of the instruction at p, or ROW_COUNT. */
static size_t row_of(const uint8_t *p)
{
    size_t i;
    for (i = 0; i < ROW_COUNT; i++) {
        int32_t value;
        if (rows[i].opcode != p[0])
            continue;
        switch (selects[rows[i].form]) {
        case RBPF_SELECTS_OFF: value = RBPF_INSN_OFF(p); break;
        case RBPF_SELECTS_IMM: value = RBPF_INSN_IMM(p); break;
        case RBPF_SELECTS_SRC: value = RBPF_INSN_SRC(p); break;
        default: value = rows[i].sel; break;
        }
        if (value == rows[i].sel)
            return i;
    }
    return ROW_COUNT;
}

/* The features this build of the library has. */
static uint32_t built_features(void)
{
    return (RBPF_ENABLE_ALU32 ? PROGEN_ALU32 : 0u) | (RBPF_ENABLE_JMP32 ? PROGEN_JMP32 : 0u) |
           (RBPF_ENABLE_ATOMIC ? PROGEN_ATOMIC : 0u) |
           (RBPF_ENABLE_LOCAL_CALLS ? PROGEN_LOCAL_CALLS : 0u);
}

static progen_case_t cases[2];
static observe_t seen[2];

static void print_line(void *user, const char *text)
{
    fprintf(user, "%s\n", text);
}

/* Prints case `seed` (all features of the build), its listing and its run. */
static int show(uint64_t seed)
{
    rbpf_program_t prog;
    int rc;
    progen_generate(&cases[0], seed, built_features());
    rc = observe_load(&prog, &cases[0]);
    if (rc == RBPF_OK)
        observe_run(&seen[0], &prog, &cases[0], 0);
    else
        printf("refused: %s at %ld\n", rbpf_error_name(rc), (long)prog.error_at);
    observe_print(&cases[0], rc == RBPF_OK ? &seen[0] : NULL, rbpf_tool_disasm_insn, print_line,
                  stdout);
    return rc != RBPF_OK;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--show") == 0)
        return show(strtoull(argv[2], NULL, 0));
    const uint32_t seeds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1500u;
    const uint64_t first = argc > 2 ? strtoull(argv[2], NULL, 0) : 1u;
    const uint32_t features = built_features();
    static uint32_t row_hits[ROW_COUNT], kind_hits[PROGEN_KIND_COUNT], outcome_hits[32];
    uint64_t insns = 0, executed = 0;
    uint32_t s, i, missing = 0;
    char why[160];

    for (s = 0; s < seeds; s++) {
        const uint64_t seed = first + s;
        progen_case_t *c = &cases[0];
        rbpf_program_t prog;
        int rc;

        progen_generate(c, seed, features);
        progen_generate(&cases[1], seed, features);
        CHECK(memcmp(c, &cases[1], sizeof *c) == 0, "seed %llu: two different cases",
              (unsigned long long)seed);
        CHECK(c->blob_len <= PROGEN_BLOB_MAX, "seed %llu: blob of %u bytes",
              (unsigned long long)seed, (unsigned)c->blob_len);
        rc = observe_load(&prog, c);
        CHECK(rc == RBPF_OK, "seed %llu: refused: %s at %ld", (unsigned long long)seed,
              rbpf_error_name(rc), (long)prog.error_at);
        if (rc != RBPF_OK)
            continue;
        for (i = 0; i < prog.text_len / RBPF_INSN_SIZE; i++) {
            const uint8_t *p = prog.text + (size_t)i * RBPF_INSN_SIZE;
            const size_t r = row_of(p);
            CHECK(r < ROW_COUNT, "seed %llu: instruction %u has no row", (unsigned long long)seed,
                  (unsigned)i);
            if (r == ROW_COUNT)
                continue;
            CHECK((rows[r].feature & ~features) == 0, "seed %llu: %s outside the features",
                  (unsigned long long)seed, rows[r].name);
            row_hits[r]++;
            if (rbpf_two_slot_(p[0]))
                i++;
        }
        insns += prog.text_len / RBPF_INSN_SIZE;
        for (i = 0; i < PROGEN_KIND_COUNT; i++)
            kind_hits[i] += c->kinds[i] != 0;

        /* The run repeats exactly, wherever the buffers are. */
        observe_shift(0);
        observe_run(&seen[0], &prog, c, 0);
        observe_shift(8 * (1 + (uint32_t)(seed % (OBSERVE_SHIFT_MAX / 8))));
        rc = observe_load(&prog, c);
        CHECK(rc == RBPF_OK, "seed %llu: refused after the shift", (unsigned long long)seed);
        observe_run(&seen[1], &prog, c, 0);
        observe_shift(0);
        if (observe_compare_portable(&seen[0], &seen[1], why, sizeof why) != 0) {
            CHECK(0, "seed %llu: the observables depend on addresses: %s",
                  (unsigned long long)seed, why);
        } else {
            CHECK(observe_digest(&seen[0]) == observe_digest(&seen[1]),
                  "seed %llu: equal runs, different digests", (unsigned long long)seed);
        }
        CHECK(seen[0].rc != RBPF_ERR_BUDGET || seen[0].instructions == c->budget,
              "seed %llu: budget %u spent after %llu instructions", (unsigned long long)seed,
              (unsigned)c->budget, (unsigned long long)seen[0].instructions);
        CHECK(seen[0].rc == RBPF_OK ? seen[0].error_at == -1 : seen[0].error_at >= 0,
              "seed %llu: %s with error_at %ld", (unsigned long long)seed,
              rbpf_error_name(seen[0].rc), (long)seen[0].error_at);
        if (seen[0].rc <= 0 && seen[0].rc > -32)
            outcome_hits[-seen[0].rc]++;
        executed += seen[0].instructions;
    }

    /* Coverage over all seeds. */
    for (i = 0; i < ROW_COUNT; i++)
        if ((rows[i].feature & ~features) == 0 && row_hits[i] == 0) {
            CHECK(seeds < 500, "no case uses %s", rows[i].name);
            missing++;
        }
    for (i = 0; i < PROGEN_KIND_COUNT; i++)
        CHECK(seeds < 500 || kind_hits[i] > 0 ||
                  (i == PROGEN_KIND_RECURSION && !(features & PROGEN_LOCAL_CALLS)),
              "no case generates %s", progen_kind_name((int)i));
    {
        static const int outcomes[] = {RBPF_OK, RBPF_ERR_MEMORY, RBPF_ERR_BUDGET,
                                       RBPF_ERR_CALL_DEPTH, RBPF_ERR_STACK_OVERFLOW,
                                       RBPF_ERR_HELPER};
        for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
            CHECK(seeds < 500 || outcome_hits[-outcomes[i]] > 0 ||
                      (!(features & PROGEN_LOCAL_CALLS) && (outcomes[i] == RBPF_ERR_CALL_DEPTH ||
                                                           outcomes[i] == RBPF_ERR_STACK_OVERFLOW)),
                  "no run ends with %s", rbpf_error_name(outcomes[i]));
    }

    /* Without the optional features, none of their rows. */
    for (s = 0; s < 50; s++) {
        rbpf_program_t prog;
        progen_generate(&cases[0], first + s, 0);
        if (observe_load(&prog, &cases[0]) != RBPF_OK) {
            CHECK(0, "seed %llu without features: refused", (unsigned long long)(first + s));
            continue;
        }
        for (i = 0; i < prog.text_len / RBPF_INSN_SIZE; i++) {
            const size_t r = row_of(prog.text + (size_t)i * RBPF_INSN_SIZE);
            CHECK(r < ROW_COUNT && rows[r].feature == 0, "seed %llu without features: %s",
                  (unsigned long long)(first + s), r < ROW_COUNT ? rows[r].name : "no row");
            if (rbpf_two_slot_(prog.text[(size_t)i * RBPF_INSN_SIZE]))
                i++;
        }
    }

    printf("test_progen: %u cases, %llu instructions, %llu executed; outcomes ok=%u memory=%u "
           "budget=%u call_depth=%u stack_overflow=%u helper=%u; rows unused=%u; %s\n",
           (unsigned)seeds, (unsigned long long)insns, (unsigned long long)executed,
           (unsigned)outcome_hits[0], (unsigned)outcome_hits[-RBPF_ERR_MEMORY],
           (unsigned)outcome_hits[-RBPF_ERR_BUDGET], (unsigned)outcome_hits[-RBPF_ERR_CALL_DEPTH],
           (unsigned)outcome_hits[-RBPF_ERR_STACK_OVERFLOW],
           (unsigned)outcome_hits[-RBPF_ERR_HELPER], (unsigned)missing,
           failures ? "FAILED" : "ok");
    return failures != 0;
}
