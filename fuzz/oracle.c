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

static void run_all(const rbpf_program_t *prog, const rbpf_config_t *config, const uint8_t *copy,
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

    uint32_t count = prog->function_count ? prog->function_count : 1;
    if (count > ORACLE_MAX_FUNCTIONS)
        count = ORACLE_MAX_FUNCTIONS;
    uint64_t text_insns = prog->text_len / RBPF_INSN_SIZE;
    for (uint32_t i = 0; i < count; i++) {
        check_function(prog, i);
        fill_pattern(context, ORACLE_CONTEXT, (uint8_t)i);
        uint64_t result = 0;
        error = rbpf_vm_run(&vm, i, context, ORACLE_CONTEXT, &result);
        check_error(error, "rbpf_vm_run");
        if (!sandbox_fences_intact())
            fail("function %u: a fence changed (run returned %s)", i, rbpf_error_name(error));
        if (!pattern_intact(ro, ORACLE_REGION, 0x31))
            fail("function %u: the read-only region changed", i);
        if (memcmp(copy, input, size) != 0)
            fail("function %u: the blob (rodata or text) changed", i);
        if (vm.instructions > (uint64_t)config->budget + text_insns)
            fail("function %u: %llu instructions run, budget %u", i,
                 (unsigned long long)vm.instructions, config->budget);
        if (error == RBPF_ERR_BUDGET && vm.instructions < config->budget)
            fail("function %u: budget error after %llu of %u instructions", i,
                 (unsigned long long)vm.instructions, config->budget);
    }
    rbpf_vm_deinit(&vm);
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
