/*
 * sample_basic.c: the basic sample's three containers (samples/basic/
 * container/, built by `rbpf build` and embedded by `rbpf embed`) run on the
 * Cortex-M4 with the standard helpers: increment, multiply (C++) and store
 * (data, bss, both key-value stores and bpf_printf through the print hook).
 * Every result is checked against the same computation done natively, on
 * every engine the build has (`mcu sample basic engine=E` heads each pass).
 * Prints `mcu sample basic: N passed, M failed`; exits 1 on any failure.
 */
#include <string.h>

#include "container/contexts.h"
#include "containers.h"
#include "port.h"
#include "rbpf.h"

static unsigned printed;

/* A load or run that failed: a failed check naming the error. */
static int failure(const char *what, const char *name, int rc)
{
    port_puts(what);
    port_puts(name);
    port_puts(": ");
    port_puts(rbpf_strerror(rc));
    port_puts("\n");
    port_check(0, "load or run", (uint64_t)(int64_t)rc, 0);
    return rc;
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
/* The engine the containers run on, and the buffer of their prepared form. */
static int engine;
static uint64_t engine_buffer[16384 / 8];

static int load(const char *name)
{
    int rc = RBPF_ERR_NO_FUNCTION;
    for (size_t i = 0; i < rbpf_container_count; i++)
        if (strcmp(rbpf_containers[i].name, name) == 0)
            rc = rbpf_load(&program, rbpf_containers[i].data, rbpf_containers[i].size, &config);
    if (rc == RBPF_OK && engine != RBPF_ENGINE_INTERP)
        rc = rbpf_prepare(&program, engine, engine_buffer, sizeof engine_buffer);
    if (rc == RBPF_OK)
        rc = rbpf_vm_init(&vm, &program, &config, ram, sizeof ram);
    return rc == RBPF_OK ? rc : failure("load ", name, rc);
}

static int run(const char *name, void *ctx, size_t length, uint64_t *r0)
{
    int index = rbpf_function_find(&program, name);
    int rc = index < 0 ? index : rbpf_vm_run(&vm, (uint32_t)index, ctx, length, r0);
    return rc == RBPF_OK ? rc : failure("run ", name, rc);
}

static void sample(void)
{
    uint64_t r0 = 0;
    rbpf_store_reset();
    printed = 0;

    if (load("increment") == RBPF_OK) {
        struct increment_ctx inc = {41};
        if (run("increment", &inc, sizeof inc, &r0) == RBPF_OK)
            port_check(r0 == 42, "increment(41)", r0, 42);
        rbpf_vm_deinit(&vm);
    }

    if (load("multiply") == RBPF_OK) {
        struct multiply_ctx mul = {123456789u, 987654321u, 0};
        if (run("multiply", &mul, sizeof mul, &r0) == RBPF_OK)
            port_check(mul.product == mul.a * mul.b, "multiply product", mul.product, mul.a * mul.b);
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
            port_check(st.calls == i, "store calls", st.calls, i);
            port_check(r0 == total, "store total", r0, total);
        }
        port_check(printed == 3, "store lines printed", printed, 3);
        port_check(rbpf_store_fetch(rbpf_store_global(), 1, &global) == 1 && global == total,
              "global store key 1", global, total);
        port_check(rbpf_store_fetch(&vm.local_store, 2, &local) == 1 && local == 3,
              "local store key 2", local, 3);
        rbpf_vm_deinit(&vm);
        port_check(rbpf_store_free_count() == free_before - 1, "store entries after teardown",
              rbpf_store_free_count(), free_before - 1);
    }
}

int main(void)
{
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
        if (!rbpf_engine_available(engine))
            continue;
        port_puts("mcu sample basic engine=");
        port_puts(rbpf_engine_name(engine));
        port_puts("\n");
        sample();
    }
    return port_summary("mcu sample basic");
}
