/*
 * rbpf/common/appcalls.h: the application's calls, as Sming declares them:
 * BPF_SYSCALL_APP(XX) from the application's bpf_appcalls.h (in
 * $(RBPF_CONTAINER_PATH)/include, on both the host's and the containers'
 * include path), one XX(id, name, return type, typed parameters...) per
 * call, ids from 0x100 (RBPF_HELPER_APP_FIRST):
 *
 *     #define BPF_SYSCALL_APP(XX)                                   \
 *         XX(0x0100, bpf_user_get_magic, int)                       \
 *         XX(0x0101, bpf_user_set_magic, void, int value)
 *
 * Containers see each as a plain C function (<bpf/bpfapi/helpers.h>); the
 * host implements each as rBPF::VM::name(bpf_t *bpf, ...) and rbpf.h's C++
 * part registers them by id (rbpf/AppCalls.h). Without a bpf_appcalls.h
 * the list is empty. Shared by host and container code.
 */
#ifndef RBPF_COMMON_APPCALLS_H
#define RBPF_COMMON_APPCALLS_H

#if defined(__has_include)
#if __has_include(<bpf_appcalls.h>)
#include <bpf_appcalls.h>
#endif
#endif

#ifndef BPF_SYSCALL_APP
#define BPF_SYSCALL_APP(XX)
#endif

#endif /* RBPF_COMMON_APPCALLS_H */
