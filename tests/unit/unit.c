/*
 * unit.c: the shared test configuration, its helpers and the runner.
 */
#include "unit.h"

#include <string.h>

uint64_t unit_stack[UNIT_STACK / 8];
rbpf_program_t unit_prog;
rbpf_vm_t unit_vm;
static int ran;

static int helper_add(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = args[0] + args[1];
    return 0;
}

static int helper_fail(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = 0;
    return (int)(int64_t)args[0];
}

static int helper_check(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    *result = 0;
    return rbpf_vm_check(vm, args[0], args[1], (uint32_t)args[2]);
}

static const rbpf_helper_t unit_helpers[] = {
    {1, "add", helper_add},
    {2, "fail", helper_fail},
    {3, "check", helper_check},
};

rbpf_config_t unit_config;

void unit_reset(void)
{
    memset(&unit_config, 0, sizeof(unit_config));
    unit_config.stack = unit_stack;
    unit_config.stack_size = sizeof(unit_stack);
    unit_config.helpers = unit_helpers;
    unit_config.helper_count = sizeof(unit_helpers) / sizeof(unit_helpers[0]);
}

/* The observables of one run, compared across engines. */
typedef struct observed {
    int rc;
    uint64_t r0;
    uint64_t instructions;
    int32_t error_at;
    rbpf_fault_t fault;
    uint8_t context[256];
    uint64_t stack[UNIT_STACK / 8];
} observed_t;

static uint64_t engine_buffer[4096];
static observed_t seen_engine[RBPF_ENGINE_COUNT], seen_interp;
static uint8_t context_before[sizeof(seen_interp.context)];

static int run_once(rbpf_program_t *prog, void *context, size_t length, observed_t *seen)
{
    int rc = rbpf_vm_init(&unit_vm, prog, &unit_config, NULL, 0);
    if (rc != RBPF_OK)
        return rc;
    ran = 1;
    if (length != 0 && length <= sizeof(context_before))
        memcpy(context, context_before, length);
    seen->r0 = 0;
    seen->rc = rbpf_vm_run(&unit_vm, 0, context, length, &seen->r0);
    seen->instructions = unit_vm.instructions;
    seen->error_at = unit_vm.error_at;
    memset(&seen->fault, 0, sizeof(seen->fault));
    seen->fault.address = unit_vm.fault.address;
    seen->fault.size = unit_vm.fault.size;
    seen->fault.access = unit_vm.fault.access;
    memset(seen->context, 0, sizeof(seen->context));
    if (length != 0 && length <= sizeof(seen->context))
        memcpy(seen->context, context, length);
    memcpy(seen->stack, unit_stack, sizeof(unit_stack));
    return RBPF_OK;
}

/* Runs the program on every other engine compiled in, then once on the
 * in-place interpreter, whose run is the one the caller sees; every engine must
 * match it in r0, error code, error_at, the refused access, instruction
 * count, context and stack. */
int unit_run(const uint8_t *code, size_t size, void *context, size_t length, uint64_t *r0)
{
    int rc, engine;
    if (unit_config.stack == NULL)
        unit_reset();
    ran = 0;
    rc = rbpf_load_raw(&unit_prog, code, size, &unit_config);
    if (rc != RBPF_OK)
        return rc;
    if (length != 0 && length <= sizeof(context_before))
        memcpy(context_before, context, length);
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
        rbpf_program_t copy = unit_prog;
        size_t need;
        if (engine == RBPF_ENGINE_INTERP || !rbpf_engine_available(engine))
            continue;
        assert_int_equal(rbpf_prepare_size(&copy, engine, &need), RBPF_OK);
        assert_true(need <= sizeof(engine_buffer));
        assert_int_equal(rbpf_prepare(&copy, engine, engine_buffer, sizeof(engine_buffer)), RBPF_OK);
        assert_int_equal(run_once(&copy, context, length, &seen_engine[engine]), RBPF_OK);
    }
    /* the interpreter's run last, as the caller sees it */
    rc = run_once(&unit_prog, context, length, &seen_interp);
    if (rc != RBPF_OK)
        return rc;
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
        const observed_t *seen = &seen_engine[engine];
        if (engine == RBPF_ENGINE_INTERP || !rbpf_engine_available(engine))
            continue;
        if (seen->rc != seen_interp.rc || seen->r0 != seen_interp.r0 ||
            seen->instructions != seen_interp.instructions ||
            seen->error_at != seen_interp.error_at ||
            memcmp(&seen->fault, &seen_interp.fault, sizeof(seen->fault)) != 0 ||
            memcmp(seen->context, seen_interp.context, sizeof(seen->context)) != 0 ||
            memcmp(seen->stack, seen_interp.stack, sizeof(seen->stack)) != 0)
            fail_msg("engine %s differs from the interpreter: rc %d/%d r0 0x%llx/0x%llx "
                     "instructions %llu/%llu error_at %d/%d",
                     rbpf_engine_name(engine), seen->rc, seen_interp.rc,
                     (unsigned long long)seen->r0, (unsigned long long)seen_interp.r0,
                     (unsigned long long)seen->instructions,
                     (unsigned long long)seen_interp.instructions, seen->error_at,
                     seen_interp.error_at);
    }
    if (r0 != NULL && seen_interp.rc == RBPF_OK)
        *r0 = seen_interp.r0;
    return seen_interp.rc;
}

int unit_error_at(void)
{
    return ran ? unit_vm.error_at : unit_prog.error_at;
}
