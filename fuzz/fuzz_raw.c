/*
 * fuzz_raw.c: libFuzzer harness for bare instruction streams. Each input is
 * the text itself: rbpf_load_raw (the verifier with the standard and probe
 * helpers), then a run of function 0 with a small budget under the oracle
 * of oracle.h.
 */
#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return oracle_fuzz(data, size, rbpf_load_raw, "rbpf_load_raw");
}
