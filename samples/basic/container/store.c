/* store.c: a container with state. `calls` (bss) and `weight` (data, 3 at
 * load, 2 more after each run) live in the VM's RAM across runs; the running
 * total of id * weight goes to the global store (key 1), the number of runs
 * to this VM's local store (key 2), and each run prints a line through the
 * host's print hook. */
#include <rbpf/container.h>

#include "contexts.h"

static uint32_t calls;      /* .bss */
static uint32_t weight = 3; /* .data */

uint64_t store(struct store_ctx *ctx)
{
    uint32_t total;
    calls++;
    bpf_fetch_global(1, &total);
    total += ctx->id * weight;
    weight += 2;
    if (bpf_store_global(1, total) != 0 || bpf_store_local(2, calls) != 0) {
        bpf_printf("store: the store pool is full\n");
        return 0;
    }
    bpf_printf("store: run %u, id %u, total %u\n", calls, ctx->id, total);
    ctx->calls = calls;
    return total;
}
