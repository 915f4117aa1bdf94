/*
 * main.c (samples/basic): a host application that runs the three containers
 * of container/ from the table that mk/rbpf.mk embeds:
 *   increment  returns ctx->value + 1
 *   multiply   (C++) writes a * b into its context
 *   store      keeps state in data, bss and the key-value stores, and prints
 * Usage: basic [VALUE A B RUNS]  (defaults 41 123456789 987654321 3)
 * RBPF_ENGINE=interp|threaded picks the engine (default: the translated
 * engine when the library has it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/contexts.h"
#include "containers.h"
#include "rbpf.h"

static uint64_t stack[512 / 8];

static void print_hook(void *user, const char *text, size_t length)
{
    (void)user;
    fwrite(text, 1, length, stdout);
}

static const rbpf_helper_t helpers[] = {RBPF_STANDARD_HELPERS};
static const rbpf_config_t config = {
    stack, sizeof(stack), 0, 0, helpers, sizeof(helpers) / sizeof(helpers[0]), print_hook, NULL, NULL,
};

/* One loaded container: its program, VM, RAM for its data and bss, and
 * RAM for its translated form (8 bytes per instruction). */
typedef struct sample {
    rbpf_program_t program;
    rbpf_vm_t vm;
    uint64_t ram[32];
    uint64_t translated[256];
} sample_t;

/* Prepares a loaded program for the engine RBPF_ENGINE names, or for the
 * translated engine when the library has it. */
static int prepare(rbpf_program_t *program, void *buffer, size_t size)
{
    const char *name = getenv("RBPF_ENGINE");
    int engine = name != NULL                                  ? rbpf_engine_find(name)
                 : rbpf_engine_available(RBPF_ENGINE_THREADED) ? RBPF_ENGINE_THREADED
                                                               : RBPF_ENGINE_INTERP;
    return engine < 0 ? engine : rbpf_prepare(program, engine, buffer, size);
}

static void die(const char *what, const char *name, int rc)
{
    fprintf(stderr, "basic: %s %s: %s\n", what, name, rbpf_strerror(rc));
    exit(1);
}

static void load(sample_t *s, const char *name)
{
    size_t i;
    int rc = RBPF_ERR_NO_FUNCTION;
    for (i = 0; i < rbpf_container_count; i++) {
        if (strcmp(rbpf_containers[i].name, name) == 0) {
            rc = rbpf_load(&s->program, rbpf_containers[i].data, rbpf_containers[i].size, &config);
            break;
        }
    }
    if (rc == RBPF_OK) {
        rc = prepare(&s->program, s->translated, sizeof(s->translated));
    }
    if (rc == RBPF_OK) {
        rc = rbpf_vm_init(&s->vm, &s->program, &config, s->ram, sizeof(s->ram));
    }
    if (rc != RBPF_OK) {
        die("cannot load", name, rc);
    }
}

/* Runs the container's function `name` (its first, here) on ctx. */
static uint64_t run(sample_t *s, const char *name, void *ctx, size_t length)
{
    uint64_t r0 = 0;
    int index = rbpf_function_find(&s->program, name);
    int rc = index < 0 ? index : rbpf_vm_run(&s->vm, (uint32_t)index, ctx, length, &r0);
    if (rc != RBPF_OK) {
        die("cannot run", name, rc);
    }
    return r0;
}

static uint64_t arg(int argc, char **argv, int i, uint64_t fallback)
{
    return i < argc ? strtoull(argv[i], NULL, 0) : fallback;
}

int main(int argc, char **argv)
{
    static sample_t s;
    struct increment_ctx inc;
    struct multiply_ctx mul;
    struct store_ctx st;
    uint32_t runs = (uint32_t)arg(argc, argv, 4, 3);
    uint32_t global = 0;
    uint32_t local = 0;
    uint32_t i;
    uint64_t r0;

    rbpf_store_reset();

    load(&s, "increment");
    inc.value = arg(argc, argv, 1, 41);
    r0 = run(&s, "increment", &inc, sizeof(inc));
    printf("increment(%" PRIu64 ") = %" PRIu64 "\n", inc.value, r0);
    rbpf_vm_deinit(&s.vm);

    load(&s, "multiply");
    mul.a = arg(argc, argv, 2, 123456789);
    mul.b = arg(argc, argv, 3, 987654321);
    mul.product = 0;
    run(&s, "multiply", &mul, sizeof(mul));
    printf("multiply(%" PRIu64 ", %" PRIu64 ") = %" PRIu64 "\n", mul.a, mul.b, mul.product);
    rbpf_vm_deinit(&s.vm);

    load(&s, "store");
    for (i = 1; i <= runs; i++) {
        st.id = i;
        st.calls = 0;
        r0 = run(&s, "store", &st, sizeof(st));
        if (st.calls != i) {
            fprintf(stderr, "basic: store wrote calls = %" PRIu32 ", expected %" PRIu32 "\n", st.calls, i);
            return 1;
        }
    }
    rbpf_store_fetch(rbpf_store_global(), 1, &global);
    rbpf_store_fetch(&s.vm.local_store, 2, &local);
    printf("store: returned %" PRIu64 ", global[1] = %" PRIu32 ", local[2] = %" PRIu32
           ", free store entries %" PRIu32 " of %d\n",
           r0, global, local, rbpf_store_free_count(), RBPF_STORE_NUM_VALUES);
    rbpf_vm_deinit(&s.vm);
    printf("store: after teardown, free store entries %" PRIu32 " of %d\n", rbpf_store_free_count(),
           RBPF_STORE_NUM_VALUES);
    return 0;
}
