/*
 * fuzz_container.c: libFuzzer harness for container blobs. Each input is a
 * whole blob: rbpf_load (format, then verifier with the standard and probe
 * helpers), rbpf_vm_init, and a run of every function with a small budget,
 * all under the oracle of oracle.h.
 */
#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return oracle_fuzz(data, size, rbpf_load, "rbpf_load");
}
