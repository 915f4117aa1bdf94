/*
 * bpf/bpfapi/helpers.h: the container header of Sming's rBPF interface.
 * Declares the standard helpers under Sming's names (bpf_printf,
 * bpf_memcpy, bpf_store_global, bpf_store_local, bpf_fetch_global,
 * bpf_fetch_local, bpf_now_ms: one definition each, in
 * <rbpf/container.h>) and the application's calls of bpf_appcalls.h
 * (rbpf/common/appcalls.h), which a container calls as plain C functions:
 *
 *     #include <bpf/bpfapi/helpers.h>
 *
 *     int64_t appcall()
 *     {
 *         bpf_user_set_magic(bpf_user_get_magic() + 1);
 *         return 0;
 *     }
 */
#ifndef BPF_BPFAPI_HELPERS_H
#define BPF_BPFAPI_HELPERS_H

#include <rbpf/container.h>
#ifndef __cplusplus
#include <stdbool.h> /* for calls with bool parameters */
#endif

#include "../../../rbpf/common/appcalls.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RBPF_APPCALL_HELPER_(id, name, ret, ...) RBPF_HELPER(ret, name, id, (__VA_ARGS__));
BPF_SYSCALL_APP(RBPF_APPCALL_HELPER_)
#undef RBPF_APPCALL_HELPER_

#ifdef __cplusplus
}
#endif

#endif /* BPF_BPFAPI_HELPERS_H */
