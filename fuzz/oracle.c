/*
 * oracle.c: the checks the container and raw-bytecode fuzzers make after
 * every run (see oracle.h).
 */
#include "oracle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

static void fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("oracle: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    abort();
}

void oracle_abort(const char *harness, const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s: ", harness, what);
    for (const unsigned char *p = (const unsigned char *)detail; *p; p++)
        fprintf(stderr, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02x", *p);
    fputc('\n', stderr);
    abort();
}

/* The print hook reads every byte it is given, so a bad length shows. */
static volatile unsigned print_sink;

static void oracle_print(void *user, const char *text, size_t length)
{
    (void)user;
    for (size_t i = 0; i < length; i++)
        print_sink += (unsigned char)text[i];
}

static uint64_t oracle_now_ms(void *user)
{
    (void)user;
    return 1234;
}

static uint8_t *begin(rbpf_config_t *config, const uint8_t *input, size_t size)
{
    if (size > ORACLE_MAX_INPUT)
        return NULL;
    sandbox_reset();
    rbpf_store_reset();
    uint8_t *copy = sandbox_alloc(size);
    if (size)
        memcpy(copy, input, size);
    memset(config, 0, sizeof *config);
    config->stack = sandbox_alloc(ORACLE_STACK);
    config->stack_size = ORACLE_STACK;
    config->budget = ORACLE_BUDGET;
    config->helpers = sandbox_helpers;
    config->helper_count = sandbox_helper_count;
    config->print = oracle_print;
    config->now_ms = oracle_now_ms;
    return copy;
}

static void check_error(int error, const char *call)
{
    if (!sandbox_error_defined(error))
        fail("%s returned %d, which is not in RBPF_ERRORS", call, error);
}

/* What a run of a verified program may end with: a fault the interpreter
 * or a helper's rbpf_vm_check() finds. Anything else (an opcode, jump or
 * call error, a bad argument) means control went where the verifier never
 * looked, e.g. through a changed return address. */
static int run_error_expected(int error)
{
    switch (error) {
    case RBPF_OK:
    case RBPF_ERR_MEMORY:
    case RBPF_ERR_BUDGET:
    case RBPF_ERR_CALL_DEPTH:
    case RBPF_ERR_STACK_OVERFLOW:
    case RBPF_ERR_HELPER:
        return 1;
    default:
        return 0;
    }
}

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7u);
}

static int pattern_intact(const uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * 7u))
            return 0;
    return 1;
}

/* Names and offsets of the function table agree with rbpf_function_find. */
static void check_function(const rbpf_program_t *prog, uint32_t index)
{
    const char *name = NULL;
    uint32_t offset = 0;
    int error = rbpf_function_info(prog, index, &name, &offset);
    check_error(error, "rbpf_function_info");
    if (error)
        fail("rbpf_function_info(%u) of %u functions: %d", index, prog->function_count, error);
    if (!name || offset >= prog->text_len || offset % RBPF_INSN_SIZE)
        fail("function %u: no name or offset %u outside text of %u bytes", index, offset,
             prog->text_len);
    int found = rbpf_function_find(prog, name); /* strlen under ASan: name ends in the blob */
    if (found < 0 || (uint32_t)found > index)
        fail("function %u \"%s\": rbpf_function_find gives %d", index, name, found);
}

/* The roomy setup: the configuration the program was loaded with and a
 * context. The tight one: a small stack, two nested calls at most, a
 * shorter budget and no context, so call frames meet the saved records and
 * every limit is reached by short programs. */
static void tight_config(rbpf_config_t *tight, const rbpf_config_t *roomy)
{
    *tight = *roomy;
    tight->stack = sandbox_alloc(ORACLE_TIGHT_STACK);
    tight->stack_size = ORACLE_TIGHT_STACK;
    tight->max_call_depth = 2;
    tight->budget = ORACLE_BUDGET / 8;
}

static void run_all(const rbpf_program_t *prog, const rbpf_config_t *roomy, const uint8_t *copy,
                    const uint8_t *input, size_t size)
{
    uint64_t ram_size = (uint64_t)prog->data_len + prog->bss_len;
    if (ram_size > SANDBOX_ARENA / 2)
        return; /* the loader accepted it; too large for this bench */
    uint8_t *ram = sandbox_alloc((size_t)ram_size);
    uint8_t *context = sandbox_alloc(ORACLE_CONTEXT);
    uint8_t *rw = sandbox_alloc(ORACLE_REGION);
    uint8_t *ro = sandbox_alloc(ORACLE_REGION);
    fill_pattern(ro, ORACLE_REGION, 0x31);
    rbpf_config_t tight;
    tight_config(&tight, roomy);

    uint32_t count = prog->function_count ? prog->function_count : 1;
    if (count > ORACLE_MAX_FUNCTIONS)
        count = ORACLE_MAX_FUNCTIONS;
    for (uint32_t i = 0; i < count; i++)
        check_function(prog, i);

    for (int setup = 0; setup < 2; setup++) {
        const rbpf_config_t *config = setup == 0 ? roomy : &tight;
        uint8_t *ctx = setup == 0 ? context : NULL;
        size_t ctx_len = setup == 0 ? ORACLE_CONTEXT : 0;
        rbpf_vm_t vm;
        int error = rbpf_vm_init(&vm, prog, config, ram_size ? ram : NULL, (size_t)ram_size);
        check_error(error, "rbpf_vm_init");
        if (error)
            fail("rbpf_vm_init refused a verified program: %s", rbpf_strerror(error));
        rbpf_region_t region_rw, region_ro;
        error = rbpf_region_add(&vm, &region_rw, rw, ORACLE_REGION, RBPF_RW);
        if (!error)
            error = rbpf_region_add(&vm, &region_ro, ro, ORACLE_REGION, RBPF_READ);
        if (error)
            fail("rbpf_region_add: %s", rbpf_strerror(error));
        for (uint32_t i = 0; i < count; i++) {
            fill_pattern(context, ORACLE_CONTEXT, (uint8_t)i);
            uint64_t result = 0;
            error = rbpf_vm_run(&vm, i, ctx, ctx_len, &result);
            check_error(error, "rbpf_vm_run");
            if (!run_error_expected(error))
                fail("setup %d, function %u: run ended with %s at instruction %d", setup, i,
                     rbpf_error_name(error), vm.error_at);
            if (error ? vm.error_at < 0 || (uint32_t)vm.error_at >= prog->text_len / 8
                      : vm.error_at != -1)
                fail("setup %d, function %u: %s with error_at %d", setup, i,
                     rbpf_error_name(error), vm.error_at);
            if (!sandbox_fences_intact())
                fail("setup %d, function %u: a fence changed (run returned %s)", setup, i,
                     rbpf_error_name(error));
            if (!pattern_intact(ro, ORACLE_REGION, 0x31))
                fail("setup %d, function %u: the read-only region changed", setup, i);
            if (memcmp(copy, input, size) != 0)
                fail("setup %d, function %u: the blob (rodata or text) changed", setup, i);
            /* docs/isa.md: exact count, never past the budget, all of it on
             * RBPF_ERR_BUDGET */
            if (vm.instructions > config->budget ||
                (error == RBPF_ERR_BUDGET && vm.instructions != config->budget))
                fail("setup %d, function %u: %llu instructions run, budget %u, run returned %s",
                     setup, i, (unsigned long long)vm.instructions, config->budget,
                     rbpf_error_name(error));
            if (vm.call_depth != 0)
                fail("setup %d, function %u: call depth %u after the run", setup, i,
                     vm.call_depth);
        }
        rbpf_vm_deinit(&vm);
    }
}

int oracle_fuzz(const uint8_t *input, size_t size, oracle_loader_fn load, const char *name)
{
    rbpf_config_t config;
    uint8_t *copy = begin(&config, input, size);
    if (!copy)
        return 0;
    rbpf_program_t prog;
    int error = load(&prog, copy, size, &config);
    check_error(error, name);
    if (error == RBPF_OK)
        run_all(&prog, &config, copy, input, size);
    return 0;
}
