/*
 * fuzz_engines.c: libFuzzer harness comparing the engines. Each input is
 * used twice:
 *   - as bare bytecode: when the verifier (sandbox helpers) accepts it,
 *     function 0 runs on the in-place interpreter and on every other
 *     engine compiled in, each from the same fresh stack and context, with
 *     a short budget;
 *   - its first 8 bytes as the seed of a generated program (progen.h),
 *     byte 8 as a budget choice, run the same way through observe.h.
 * Any difference in return code, r0, instruction count, error_at, call
 * depth, stack or context bytes aborts with what differed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe.h"
#include "progen.h"
#include "rbpf.h"
#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAW_BUDGET 4000u
#define RAW_STACK 1024u
#define RAW_CONTEXT 64u
#define RAW_MAX (8u * 4096u)

typedef struct raw_seen {
    int rc;
    uint64_t r0, instructions;
    int32_t error_at;
    uint32_t call_depth;
    uint8_t stack[RAW_STACK];
    uint8_t context[RAW_CONTEXT];
} raw_seen_t;

static uint64_t buffers[RBPF_ENGINE_COUNT][RAW_MAX / 2];
static raw_seen_t raw_seen[2];
static progen_case_t the_case;
static observe_t seen[2];

static void differ(const char *what, int engine, const char *detail)
{
    fprintf(stderr, "fuzz_engines: %s: engine %s differs from interp: %s\n", what,
            rbpf_engine_name(engine), detail);
    abort();
}

/* A copy of prog prepared for engine e in its own buffer. */
static int prepare(rbpf_program_t *copy, const rbpf_program_t *prog, int e)
{
    size_t need;
    *copy = *prog;
    return rbpf_prepare_size(copy, e, &need) == RBPF_OK && need <= sizeof buffers[e] &&
           rbpf_prepare(copy, e, buffers[e], sizeof buffers[e]) == RBPF_OK;
}

static void raw_run(raw_seen_t *s, const rbpf_program_t *prog, const rbpf_config_t *config,
                    uint8_t *context)
{
    rbpf_vm_t vm;
    unsigned i;
    for (i = 0; i < RAW_CONTEXT; i++)
        context[i] = (uint8_t)(i * 37u + 1u);
    memset(s, 0, sizeof *s);
    s->rc = rbpf_vm_init(&vm, prog, config, NULL, 0);
    if (s->rc == RBPF_OK)
        s->rc = rbpf_vm_run(&vm, 0, context, RAW_CONTEXT, &s->r0);
    s->instructions = vm.instructions;
    s->error_at = vm.error_at;
    s->call_depth = vm.call_depth;
    memcpy(s->stack, config->stack, RAW_STACK);
    memcpy(s->context, context, RAW_CONTEXT);
}

static void raw_input(const uint8_t *data, size_t size)
{
    rbpf_config_t config;
    rbpf_program_t prog, copy;
    uint8_t *code, *context;
    int e;

    if (size == 0 || size > RAW_MAX)
        return;
    sandbox_reset();
    rbpf_store_reset();
    code = sandbox_alloc(size);
    memcpy(code, data, size);
    context = sandbox_alloc(RAW_CONTEXT);
    memset(&config, 0, sizeof config);
    config.stack = sandbox_alloc(RAW_STACK);
    config.stack_size = RAW_STACK;
    config.budget = RAW_BUDGET;
    config.max_call_depth = 3;
    config.helpers = sandbox_helpers;
    config.helper_count = sandbox_helper_count;
    if (rbpf_load_raw(&prog, code, size, &config) != RBPF_OK)
        return;
    raw_run(&raw_seen[0], &prog, &config, context);
    for (e = 0; e < RBPF_ENGINE_COUNT; e++) {
        char detail[96];
        const raw_seen_t *a = &raw_seen[0], *b = &raw_seen[1];
        if (e == RBPF_ENGINE_INTERP || !rbpf_engine_available(e))
            continue;
        if (!prepare(&copy, &prog, e))
            differ("raw", e, "cannot prepare a verified program");
        rbpf_store_reset();
        raw_run(&raw_seen[1], &copy, &config, context);
        snprintf(detail, sizeof detail, "rc %d/%d r0 0x%llx/0x%llx insns %llu/%llu at %d/%d",
                 b->rc, a->rc, (unsigned long long)b->r0, (unsigned long long)a->r0,
                 (unsigned long long)b->instructions, (unsigned long long)a->instructions,
                 (int)b->error_at, (int)a->error_at);
        if (a->rc != b->rc || a->r0 != b->r0 || a->instructions != b->instructions ||
            a->error_at != b->error_at || a->call_depth != b->call_depth)
            differ("raw", e, detail);
        if (memcmp(a->stack, b->stack, RAW_STACK) != 0)
            differ("raw", e, "stack bytes");
        if (memcmp(a->context, b->context, RAW_CONTEXT) != 0)
            differ("raw", e, "context bytes");
    }
    if (!sandbox_fences_intact())
        differ("raw", RBPF_ENGINE_INTERP, "a fence around the VM's memory changed");
}

static void generated_input(const uint8_t *data, size_t size)
{
    uint64_t seed = 0;
    uint32_t budget = 0;
    rbpf_program_t prog, copy;
    size_t i;
    int e;

    if (size < 8)
        return;
    for (i = 0; i < 8; i++)
        seed |= (uint64_t)data[i] << (8 * i);
    progen_generate(&the_case, seed,
                    (RBPF_ENABLE_ALU32 ? PROGEN_ALU32 : 0u) | (RBPF_ENABLE_JMP32 ? PROGEN_JMP32 : 0u) |
                        (RBPF_ENABLE_ATOMIC ? PROGEN_ATOMIC : 0u) |
                        (RBPF_ENABLE_LOCAL_CALLS ? PROGEN_LOCAL_CALLS : 0u));
    if (observe_load(&prog, &the_case) != RBPF_OK)
        differ("generated", RBPF_ENGINE_INTERP, "a generated case does not load");
    observe_run(&seen[0], &prog, &the_case, 0);
    /* byte 8: stop the run early, at a point of the run's own length */
    if (size > 8 && seen[0].instructions > 0)
        budget = 1u + (uint32_t)(data[8] % seen[0].instructions);
    if (budget != 0)
        observe_run(&seen[0], &prog, &the_case, budget);
    for (e = 0; e < RBPF_ENGINE_COUNT; e++) {
        char why[160];
        if (e == RBPF_ENGINE_INTERP || !rbpf_engine_available(e))
            continue;
        if (!prepare(&copy, &prog, e))
            differ("generated", e, "cannot prepare a verified program");
        observe_run(&seen[1], &copy, &the_case, budget);
        if (observe_compare(&seen[0], &seen[1], why, sizeof why) != 0)
            differ("generated", e, why);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    raw_input(data, size);
    generated_input(data, size);
    return 0;
}
