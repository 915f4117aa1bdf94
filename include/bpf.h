/*
 * bpf.h: what a Sming host's application calls include. A call declared in
 * bpf_appcalls.h is implemented as rBPF::VM::name(bpf_t *bpf, ...); bpf is
 * the running container's VM, and every pointer argument must be checked
 * before it is used:
 *
 *     size_t bpf_user_send_packet(bpf_t *bpf, char *data, size_t len)
 *     {
 *         if (bpf_load_allowed(bpf, data, len) < 0) {
 *             return 0;                   // not the container's memory
 *         }
 *         ...
 *
 * bpf_t is librbpf's rbpf_vm_t, so the whole C API (include/rbpf.h) works
 * on it too.
 */
#ifndef RBPF_BPF_H
#define RBPF_BPF_H

/* Before rbpf.h, whose C++ part uses both. */
struct rbpf_vm;
typedef struct rbpf_vm bpf_t;

/* The error codes of Sming's rBPF component, which rBPF::VirtualMachine's
 * getLastError() returns (docs/sming.md maps every rbpf_error_t onto them;
 * getRbpfError() gives the precise one). */
typedef enum bpf_error {
    BPF_OK = 0,
    BPF_ILLEGAL_INSTRUCTION = -1,
    BPF_ILLEGAL_MEM = -2,
    BPF_ILLEGAL_JUMP = -3,
    BPF_ILLEGAL_CALL = -4,
    BPF_ILLEGAL_LEN = -5,
    BPF_ILLEGAL_REGISTER = -6,
    BPF_NO_RETURN = -7,
    BPF_OUT_OF_BRANCHES = -8, /* the instruction budget ran out */
    BPF_ILLEGAL_DIV = -9,     /* never: RFC 9669 defines division by zero */
    BPF_NO_MEMORY = -100,     /* no memory, nothing loaded, or a bad argument */
} bpf_error_t;

#include "rbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0 when the container may read [addr, addr + size) (one region the VM
 * grants it, size 0 anywhere), else a negative rbpf_error_t
 * (RBPF_ERR_MEMORY). */
static inline int bpf_load_allowed(const bpf_t *bpf, void *addr, size_t size)
{
    return rbpf_vm_check(bpf, (uint64_t)(uintptr_t)addr, (uint64_t)size, RBPF_READ);
}

/* The same for writing. */
static inline int bpf_store_allowed(const bpf_t *bpf, void *addr, size_t size)
{
    return rbpf_vm_check(bpf, (uint64_t)(uintptr_t)addr, (uint64_t)size, RBPF_WRITE);
}

#ifdef __cplusplus
}
#endif

#endif /* RBPF_BPF_H */
