/*
 * vm.c: the VM layer every engine shares. Setting a VM up over a verified
 * program, the regions it grants and the one access check, helper calls,
 * the frames of local calls, the budget defaults, and rbpf_vm_run(), which
 * prepares a run and hands it to the program's engine (the in-place
 * interpreter, or the form rbpf_prepare() attached).
 */
#include <string.h>

#include "vm.h"

int rbpf_vm_check(const rbpf_vm_t *vm, uint64_t address, uint64_t length, uint32_t access)
{
    if (length == 0)
        return RBPF_OK;
    if (vm == NULL || vm->program == NULL || vm->config == NULL)
        return RBPF_ERR_ARGUMENT;
    return rbpf_granted_(vm, address, length, access) ? RBPF_OK : RBPF_ERR_MEMORY;
}

void (*rbpf_store_release_)(const rbpf_store_t *store);

/* Pointers in initialised data: each entry (checked by the loader: the
 * place is 8 bytes inside data, the target inside its base) writes the
 * target's host address as a u64 in the VM's byte order. */
static void apply_relocations(const rbpf_program_t *prog, uint8_t *ram)
{
    uint32_t i;
    for (i = 0; i < prog->relocation_count; i++) {
        const uint8_t *e = prog->relocations + (size_t)i * RBPF_RELOCATION_ENTRY_SIZE;
        const uint32_t target = rbpf_le32_(e + 4);
        const uint8_t *base = (target >> 24) == RBPF_RELOC_RAM ? ram : prog->rodata;
        const uint64_t address = (uintptr_t)(base + (target & 0xffffffu));
        memcpy(ram + rbpf_le32_(e), &address, sizeof(address));
    }
}

int rbpf_vm_init(rbpf_vm_t *vm, const rbpf_program_t *prog, const rbpf_config_t *config,
                 void *ram, size_t ram_size)
{
    uint64_t need;

    if (vm == NULL || prog == NULL || config == NULL || prog->text == NULL ||
        (config->stack == NULL && config->stack_size != 0) ||
        (config->helpers == NULL && config->helper_count != 0))
        return RBPF_ERR_ARGUMENT;
    if ((uintptr_t)config->stack % 8u != 0)
        return RBPF_ERR_ALIGNMENT;
    need = (uint64_t)prog->data_len + prog->bss_len;
    if (need != 0) {
        if (ram == NULL || ram_size < need)
            return RBPF_ERR_TOO_SMALL;
        if ((uintptr_t)ram % 8u != 0)
            return RBPF_ERR_ALIGNMENT;
        if (prog->data_len != 0)
            memcpy(ram, prog->data, prog->data_len);
        memset((uint8_t *)ram + prog->data_len, 0, prog->bss_len);
        apply_relocations(prog, ram);
    }
    /* entries a previous use of this VM object left in the pool */
    if (rbpf_store_release_ != NULL)
        rbpf_store_release_(&vm->local_store);
    memset(vm, 0, sizeof(*vm));
    vm->program = prog;
    vm->config = config;
    vm->ram = ram;
    vm->error_at = -1;
    vm->local_store.head = RBPF_STORE_NONE;
    return RBPF_OK;
}

int rbpf_region_add(rbpf_vm_t *vm, rbpf_region_t *region, const void *start, size_t length,
                    uint32_t flags)
{
    const rbpf_region_t *r;

    if (vm == NULL || region == NULL || flags == 0 || (flags & ~RBPF_RW) != 0 ||
        (uintptr_t)start + length < (uintptr_t)start)
        return RBPF_ERR_ARGUMENT;
    for (r = vm->regions; r != NULL; r = r->next)
        if (r == region)
            return RBPF_ERR_ARGUMENT; /* already in the list: would make a cycle */
    region->start = (uintptr_t)start;
    region->length = length;
    region->flags = flags;
    region->next = vm->regions;
    vm->regions = region;
    return RBPF_OK;
}

#if defined(__GNUC__) && defined(__OPTIMIZE_SIZE__)
/* -Os: out of line, so a run loop needs no literal for the default */
__attribute__((noinline))
#endif
uint32_t rbpf_budget_(const rbpf_config_t *config)
{
    return config->budget ? config->budget : RBPF_DEFAULT_BUDGET;
}

#if RBPF_ENABLE_LOCAL_CALLS
int rbpf_call_push_(rbpf_vm_t *vm, uint64_t *regs, uint32_t at)
{
    const rbpf_config_t *config = vm->config;
    const uint32_t frame = vm->program->frame_size, d = vm->call_depth;
    rbpf_frame_record_t *rec;

    if (d + 1 > rbpf_depth_max_(config))
        return RBPF_ERR_CALL_DEPTH;
    /* the callee's frame must stay above the saved records */
    if ((uint64_t)(regs[10] - (uintptr_t)config->stack) <
        2 * (uint64_t)frame + (uint64_t)(d + 1) * RBPF_FRAME_RECORD)
        return RBPF_ERR_STACK_OVERFLOW;
    rec = (rbpf_frame_record_t *)((uint8_t *)config->stack + (size_t)d * RBPF_FRAME_RECORD);
    memcpy(rec->saved, &regs[6], sizeof(rec->saved));
    rec->return_at = at;
    vm->call_depth = d + 1;
    regs[10] -= frame;
    return RBPF_OK;
}

uint32_t rbpf_call_pop_(rbpf_vm_t *vm, uint64_t *regs)
{
    const uint32_t d = vm->call_depth - 1;
    const rbpf_frame_record_t *rec =
        (const rbpf_frame_record_t *)((const uint8_t *)vm->config->stack +
                                      (size_t)d * RBPF_FRAME_RECORD);
    memcpy(&regs[6], rec->saved, sizeof(rec->saved));
    vm->call_depth = d;
    return (uint32_t)rec->return_at;
}
#endif

int rbpf_vm_run(rbpf_vm_t *vm, uint32_t index, void *context, size_t context_length,
                uint64_t *result)
{
    const rbpf_config_t *config;
    uint32_t offset;
    uint64_t r0 = 0;
    int rc;

    if (vm == NULL || vm->program == NULL || vm->config == NULL ||
        (context == NULL && context_length != 0))
        return RBPF_ERR_ARGUMENT;
    config = vm->config;
    vm->error_at = -1;
    vm->instructions = 0;
    vm->fault.size = 0;
    rc = rbpf_function_info(vm->program, index, NULL, &offset);
    if (rc != RBPF_OK)
        return rc;
    if (config->stack_size != 0)
        memset(config->stack, 0, config->stack_size);
    vm->context = context;
    vm->context_length = context_length;
    vm->call_depth = 0;
    switch (vm->program->engine) {
#if RBPF_ENABLE_THREADED
    case RBPF_ENGINE_THREADED: rc = rbpf_threaded_run_(vm, offset, &r0); break;
#endif
#if RBPF_ENABLE_JIT
    case RBPF_ENGINE_JIT: rc = rbpf_jit_run_(vm, offset, &r0); break;
#endif
    default: rc = rbpf_interp_run_(vm, offset, &r0); break;
    }
    vm->context = NULL;
    vm->context_length = 0;
    if (rc != RBPF_OK) {
        vm->call_depth = 0;
        return rc;
    }
    if (result != NULL)
        *result = r0;
    return RBPF_OK;
}

/* ---- Engines ------------------------------------------------------------ */
static const char *const engine_names[RBPF_ENGINE_COUNT] = {"interp", "threaded", "jit"};

const char *rbpf_engine_name(int engine)
{
    return engine >= 0 && engine < RBPF_ENGINE_COUNT ? engine_names[engine] : "unknown";
}

int rbpf_engine_find(const char *name)
{
    int e;
    for (e = 0; name != NULL && e < RBPF_ENGINE_COUNT; e++)
        if (strcmp(name, engine_names[e]) == 0)
            return e;
    return RBPF_ERR_ARGUMENT;
}

int rbpf_engine_available(int engine)
{
    return engine == RBPF_ENGINE_INTERP || (engine == RBPF_ENGINE_THREADED && RBPF_ENABLE_THREADED) ||
           (engine == RBPF_ENGINE_JIT && RBPF_ENABLE_JIT);
}

int rbpf_prepare_size(const rbpf_program_t *prog, int engine, size_t *size)
{
    size_t n = 0;
    if (prog == NULL || size == NULL || !prog->verified)
        return RBPF_ERR_ARGUMENT;
    if (!rbpf_engine_available(engine))
        return RBPF_ERR_UNSUPPORTED;
#if RBPF_ENABLE_THREADED
    if (engine == RBPF_ENGINE_THREADED)
        n = rbpf_threaded_size_(prog);
#endif
#if RBPF_ENABLE_JIT
    if (engine == RBPF_ENGINE_JIT)
        n = rbpf_jit_size_(prog);
#endif
    *size = n;
    return RBPF_OK;
}

int rbpf_prepare(rbpf_program_t *prog, int engine, void *buffer, size_t size)
{
    size_t need;
    int rc = rbpf_prepare_size(prog, engine, &need);

    if (rc != RBPF_OK)
        return rc;
    prog->engine = RBPF_ENGINE_INTERP;
    prog->prepared = NULL;
    prog->prepared_size = 0;
    if (engine == RBPF_ENGINE_INTERP)
        return RBPF_OK;
    if (buffer == NULL || size < need)
        return RBPF_ERR_TOO_SMALL;
    if ((uintptr_t)buffer % 8u != 0)
        return RBPF_ERR_ALIGNMENT;
#if RBPF_ENABLE_THREADED
    if (engine == RBPF_ENGINE_THREADED)
        rc = rbpf_threaded_translate_(prog, buffer, size);
#endif
#if RBPF_ENABLE_JIT
    if (engine == RBPF_ENGINE_JIT)
        rc = rbpf_jit_compile_(prog, buffer, size);
#endif
    if (rc != RBPF_OK)
        return rc;
    prog->engine = (uint8_t)engine;
    prog->prepared = buffer;
    prog->prepared_size = need;
    return RBPF_OK;
}
