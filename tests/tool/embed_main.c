/*
 * embed_main.c: links the C that `rbpf embed` wrote for the tool tests and
 * checks it: the table lists every container by name in order, each blob is
 * 8-aligned with its size, and each loads and runs in librbpf. Arguments:
 * NAME SIZE CTXHEX EXPECTED_R0 for each container, in embed order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbpf.h"
#include "embedded.h"

int main(int argc, char **argv)
{
    static uint64_t stack[64], ram[64], ctx[8];
    static const rbpf_helper_t helpers[] = {RBPF_STANDARD_HELPERS};
    rbpf_config_t config = {stack, sizeof stack, 0, 0, helpers, 7, NULL, NULL, NULL};
    int failures = 0;
    if ((size_t)(argc - 1) != 4 * rbpf_container_count) {
        printf("embed: %zu containers in the table, %d expected\n", rbpf_container_count,
               (argc - 1) / 4);
        return 1;
    }
    for (size_t i = 0; i < rbpf_container_count; i++) {
        const rbpf_embedded_container_t *c = &rbpf_containers[i];
        char **a = argv + 1 + 4 * i;
        rbpf_program_t prog;
        rbpf_vm_t vm;
        uint64_t r0 = 0;
        char got[32];
        memset(ctx, 0, sizeof ctx);
        for (size_t k = 0; a[2][2 * k] && k < sizeof ctx; k++) {
            unsigned v;
            sscanf(a[2] + 2 * k, "%2x", &v);
            ((uint8_t *)ctx)[k] = (uint8_t)v;
        }
        if (strcmp(c->name, a[0]) != 0 || c->size != strtoul(a[1], NULL, 10) ||
            (uintptr_t)c->data % 8 != 0) {
            printf("embed: entry %zu is %s (%zu bytes at %p), expected %s (%s bytes, 8-aligned)\n",
                   i, c->name, c->size, (const void *)c->data, a[0], a[1]);
            failures++;
            continue;
        }
        if (rbpf_load(&prog, c->data, c->size, &config) != RBPF_OK ||
            rbpf_vm_init(&vm, &prog, &config, ram, sizeof ram) != RBPF_OK ||
            rbpf_vm_run(&vm, 0, ctx, sizeof ctx, &r0) != RBPF_OK) {
            printf("embed: %s does not load and run\n", c->name);
            failures++;
            continue;
        }
        snprintf(got, sizeof got, "0x%llx", (unsigned long long)r0);
        if (strcmp(got, a[3]) != 0) {
            printf("embed: %s returned %s, expected %s\n", c->name, got, a[3]);
            failures++;
        }
    }
    return failures != 0;
}
