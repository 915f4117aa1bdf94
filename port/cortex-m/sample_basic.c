/*
 * sample_basic.c: the basic sample's three containers (samples/basic/
 * container/, built by `rbpf build` and embedded by `rbpf embed`) run on the
 * Cortex-M4 with the standard helpers: increment, multiply (C++) and store
 * (data, bss, both key-value stores and bpf_printf through the print hook).
 * Every result is checked against the same computation done natively.
 * Prints `mcu sample basic: N passed, M failed`; exits 1 on any failure.
 */
#include <string.h>

#include "containers.h"
#include "port.h"
#include "rbpf.h"

struct increment_ctx {
    uint64_t value;
};
struct multiply_ctx {
    uint64_t a;
    uint64_t b;
    uint64_t product;
};
struct store_ctx {
    uint32_t id;
    uint32_t calls;
};

static unsigned passed, failed, printed;

static void check(int ok, const char *what, uint64_t got, uint64_t want)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    port_puts("FAIL ");
    port_puts(what);
    port_puts(": ");
    port_put_dec(got);
    port_puts(", expected ");
    port_put_dec(want);
    port_puts("\n");
}

static void print_hook(void *user, const char *text, size_t length)
{
    char line[RBPF_PRINTF_MAX + 1];
    (void)user;
    if (length > RBPF_PRINTF_MAX)
        length = RBPF_PRINTF_MAX;
    memcpy(line, text, length);
    line[length] = '\0';
    port_puts(line);
    printed++;
}

static uint64_t stack[512 / 8];
static const rbpf_helper_t helpers[] = {RBPF_STANDARD_HELPERS};
static const rbpf_config_t config = {
    .stack = stack,
    .stack_size = sizeof stack,
    .helpers = helpers,
    .helper_count = sizeof helpers / sizeof helpers[0],
    .print = print_hook,
};

static rbpf_program_t program;
static rbpf_vm_t vm;
static uint64_t ram[32];

static int load(const char *name)
{
    int rc = RBPF_ERR_NO_FUNCTION;
    for (size_t i = 0; i < rbpf_container_count; i++)
        if (strcmp(rbpf_containers[i].name, name) == 0)
            rc = rbpf_load(&program, rbpf_containers[i].data, rbpf_containers[i].size, &config);
    if (rc == RBPF_OK)
        rc = rbpf_vm_init(&vm, &program, &config, ram, sizeof ram);
    if (rc != RBPF_OK) {
        port_puts("FAIL load ");
        port_puts(name);
        port_puts(": ");
        port_puts(rbpf_strerror(rc));
        port_puts("\n");
        failed++;
    }
    return rc;
}

static int run(const char *name, void *ctx, size_t length, uint64_t *r0)
{
    int index = rbpf_function_find(&program, name);
    int rc = index < 0 ? index : rbpf_vm_run(&vm, (uint32_t)index, ctx, length, r0);
    if (rc != RBPF_OK) {
        port_puts("FAIL run ");
        port_puts(name);
        port_puts(": ");
        port_puts(rbpf_strerror(rc));
        port_puts("\n");
        failed++;
    }
    return rc;
}

int main(void)
{
    uint64_t r0 = 0;
    rbpf_store_reset();

    if (load("increment") == RBPF_OK) {
        struct increment_ctx inc = {41};
        if (run("increment", &inc, sizeof inc, &r0) == RBPF_OK)
            check(r0 == 42, "increment(41)", r0, 42);
        rbpf_vm_deinit(&vm);
    }

    if (load("multiply") == RBPF_OK) {
        struct multiply_ctx mul = {123456789u, 987654321u, 0};
        if (run("multiply", &mul, sizeof mul, &r0) == RBPF_OK)
            check(mul.product == mul.a * mul.b, "multiply product", mul.product, mul.a * mul.b);
        rbpf_vm_deinit(&vm);
    }

    if (load("store") == RBPF_OK) {
        uint32_t total = 0, weight = 3, global = 0, local = 0;
        uint32_t free_before = rbpf_store_free_count();
        for (uint32_t i = 1; i <= 3; i++) {
            struct store_ctx st = {i, 0};
            total += i * weight;
            weight += 2;
            if (run("store", &st, sizeof st, &r0) != RBPF_OK)
                break;
            check(st.calls == i, "store calls", st.calls, i);
            check(r0 == total, "store total", r0, total);
        }
        check(printed == 3, "store lines printed", printed, 3);
        check(rbpf_store_fetch(rbpf_store_global(), 1, &global) == 1 && global == total,
              "global store key 1", global, total);
        check(rbpf_store_fetch(&vm.local_store, 2, &local) == 1 && local == 3,
              "local store key 2", local, 3);
        rbpf_vm_deinit(&vm);
        check(rbpf_store_free_count() == free_before - 1, "store entries after teardown",
              rbpf_store_free_count(), free_before - 1);
    }

    port_puts("mcu sample basic: ");
    port_put_dec(passed);
    port_puts(" passed, ");
    port_put_dec(failed);
    port_puts(" failed\n");
    return failed == 0 ? 0 : 1;
}
