/*
 * vm.h: the VM layer every engine shares (vm.c). rbpf_vm_run() checks its
 * arguments, finds the function, zeroes the stack and grants the context,
 * then hands the run to the program's engine; engines call back here for
 * the access check's slow path, helper calls, and local-call frames, so the
 * rules of the sandbox are written once.
 */
#ifndef RBPF_VM_H
#define RBPF_VM_H

#include <string.h>

#include "internal.h"

#define RBPF_FRAME_RECORD ((uint32_t)sizeof(rbpf_frame_record_t))

/* 1 when [a, a + size) lies inside [start, start + length). No region
 * wraps the address space (each is a C object, or checked so by
 * rbpf_region_add), so an `a` below start makes a - start larger than
 * length. */
static inline int rbpf_inside_(uintptr_t a, uintptr_t size, uintptr_t start, uintptr_t length)
{
    return size <= length && a - start <= length - size;
}

/* Records a refused access in vm->fault, the detail every engine reports,
 * and returns 0. Inline, like the check: a call to another file would
 * clobber every caller-saved register under the ABI, and gcc would give
 * the engines' hot loops fewer of them (docs/performance.md, step 15).
 * (The VM is the host's writable object; only the check's callers see it
 * as const.) */
static inline int rbpf_refused_(const rbpf_vm_t *vm, uint64_t addr, uint64_t size,
                                uint32_t access)
{
    rbpf_fault_t *f = (rbpf_fault_t *)&vm->fault;
    f->address = addr;
    f->size = size;
    f->access = access;
    return 0;
}

/* 1 when [addr, addr + size) lies inside one region the VM grants with all
 * of `access`: the stack above the saved call records, the context,
 * data + bss, rodata (read only) and the added regions; else 0, with the
 * access recorded in vm->fault. */
static inline int rbpf_granted_(const rbpf_vm_t *vm, uint64_t addr, uint64_t size, uint32_t access)
{
    const rbpf_config_t *c = vm->config;
    const rbpf_program_t *p = vm->program;
    const rbpf_region_t *r;
    const uintptr_t a = (uintptr_t)addr, n = (uintptr_t)size;
    const uint64_t records = (uint64_t)vm->call_depth * RBPF_FRAME_RECORD;

    /* Beyond the host's address space (a 32-bit core): in no region. */
    if (a != addr || n != size)
        return 0;
    /* The stack above the saved call frames. */
    if (records <= c->stack_size &&
        rbpf_inside_(a, n, (uintptr_t)c->stack + (uintptr_t)records, c->stack_size - (uintptr_t)records))
        return 1;
    if (rbpf_inside_(a, n, (uintptr_t)vm->context, vm->context_length))
        return 1;
    /* data + bss fit size_t (rbpf_vm_init checked them against ram_size) */
    if (rbpf_inside_(a, n, (uintptr_t)vm->ram, (uintptr_t)((uint64_t)p->data_len + p->bss_len)))
        return 1;
    if (!(access & RBPF_WRITE) && rbpf_inside_(a, n, (uintptr_t)p->rodata, p->rodata_len))
        return 1;
    for (r = vm->regions; r != NULL; r = r->next)
        if ((r->flags & access) == access && rbpf_inside_(a, n, r->start, r->length))
            return 1;
    return rbpf_refused_(vm, addr, size, access);
}


/* Set by the stores (store.c) once an entry has been taken: gives back the
 * entries a store holds. rbpf_vm_init() calls it on the VM's local store,
 * so a VM object set up again without rbpf_vm_deinit() leaks nothing; a
 * core built without the stores leaves it NULL. */
extern void (*rbpf_store_release_)(const rbpf_store_t *store);

/* The configuration's budget and call depth, or their defaults. */
uint32_t rbpf_budget_(const rbpf_config_t *config);
static inline uint32_t rbpf_depth_max_(const rbpf_config_t *config)
{
    return config->max_call_depth ? config->max_call_depth : RBPF_DEFAULT_CALL_DEPTH;
}

/* Calls helper `id` of the VM's table with regs[1..5] and writes its result
 * to regs[0]. Returns 0 or the error that ends the run: RBPF_ERR_ILLEGAL_CALL
 * for an id this table lacks (the program may have been verified against
 * another), a helper's own core error code, else RBPF_ERR_HELPER. */
static inline int rbpf_call_helper_(rbpf_vm_t *vm, uint32_t id, uint64_t *regs)
{
    /* verified against a helper table, maybe not this one */
    const rbpf_helper_t *h = vm->config->helpers;
    const rbpf_helper_t *end = h + vm->config->helper_count;
    uint64_t value = 0;
    int rc;

    while (h != end && h->id != id)
        h++;
    if (h == end || h->fn == NULL)
        return RBPF_ERR_ILLEGAL_CALL;
    rc = h->fn(vm, &regs[1], &value);
    if (rc != RBPF_OK)
        return rc < 0 && rc >= RBPF_ERR_TOO_SMALL ? rc : RBPF_ERR_HELPER;
    regs[0] = value;
    return RBPF_OK;
}


#if RBPF_ENABLE_LOCAL_CALLS
/* A local call by the instruction at text byte offset `at`: checks the depth
 * (RBPF_ERR_CALL_DEPTH) and that the callee's frame stays above the saved
 * records (RBPF_ERR_STACK_OVERFLOW), saves r6..r10 and `at` in a record at
 * the bottom of the stack, lowers regs[10] by the frame size and counts the
 * depth in vm->call_depth. */
int rbpf_call_push_(rbpf_vm_t *vm, uint64_t *regs, uint32_t at);

/* The matching exit (vm->call_depth > 0): restores r6..r10, lowers the depth
 * and returns the text byte offset of the call; execution goes on after it. */
uint32_t rbpf_call_pop_(rbpf_vm_t *vm, uint64_t *regs);
#endif


/* An engine's run of the function at text byte offset `offset`. The VM is
 * set up as said above (call_depth 0, error_at -1, instructions 0); the
 * engine starts with r1 = context, r2 = its length, r10 = stack top and the
 * rest 0, and sets vm->instructions, vm->error_at on an error (the index of
 * the instruction), and *r0 on success. */
int rbpf_interp_run_(rbpf_vm_t *vm, uint32_t offset, uint64_t *r0);
#if RBPF_ENABLE_THREADED
int rbpf_threaded_run_(rbpf_vm_t *vm, uint32_t offset, uint64_t *r0);
size_t rbpf_threaded_size_(const rbpf_program_t *prog);
int rbpf_threaded_translate_(rbpf_program_t *prog, void *buffer, size_t size);
#endif
#if RBPF_ENABLE_JIT
int rbpf_jit_run_(rbpf_vm_t *vm, uint32_t offset, uint64_t *r0);
size_t rbpf_jit_size_(const rbpf_program_t *prog);
int rbpf_jit_compile_(rbpf_program_t *prog, void *buffer, size_t size);
/* Bytes of machine code in a program prepared for the JIT (its figures). */
size_t rbpf_jit_code_size_(const rbpf_program_t *prog);
#endif

#endif /* RBPF_VM_H */
