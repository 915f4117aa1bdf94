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

int unit_run(const uint8_t *code, size_t size, void *context, size_t length, uint64_t *r0)
{
    int rc;
    if (unit_config.stack == NULL)
        unit_reset();
    ran = 0;
    rc = rbpf_load_raw(&unit_prog, code, size, &unit_config);
    if (rc != RBPF_OK)
        return rc;
    rc = rbpf_vm_init(&unit_vm, &unit_prog, &unit_config, NULL, 0);
    if (rc != RBPF_OK)
        return rc;
    ran = 1;
    return rbpf_vm_run(&unit_vm, 0, context, length, r0);
}

int unit_error_at(void)
{
    return ran ? unit_vm.error_at : unit_prog.error_at;
}
