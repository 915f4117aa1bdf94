/*
 * harness.c: the benchmark driver. Every workload of bench/workloads/ is
 * linked in natively (native_<name>) and loaded as a container from a
 * directory; both run on the same deterministic input in one process.
 *
 *   rbpf-bench DIR                 time every workload, VM against native
 *   rbpf-bench DIR --check         run each workload once; VM must equal native
 *   rbpf-bench DIR --vm NAME K     run NAME K times in the VM only (for
 *                                  callgrind); prints the eBPF instructions
 *   rbpf-bench DIR --only NAME     time one workload
 *   rbpf-bench DIR --engines       list the engines this build has
 *
 * Without --engine, programs run as loaded (the in-place interpreter), and
 * timing and checking also repeat each workload on every engine compiled in
 * (lines with engine=NAME). `--engine NAME` after DIR runs that engine
 * only (the program prepared for it once, before any run is timed).
 *
 * DIR holds NAME.rbpf, a container whose function NAME is the entry. A
 * result or output buffer that differs from the native run is a failure:
 * exit status 1.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rbpf.h"
#include "workloads/inputs.h"

#define WORKLOAD_COUNT (sizeof workloads / sizeof workloads[0])

/* Everything one workload needs at run time. */
struct bench {
    const struct workload *w;
    int engine;          /* -1: as loaded, else the engine it is prepared for */
    rbpf_config_t config;
    uint8_t *blob;
    void *prepared;      /* the engine's form of the program */
    rbpf_program_t prog;
    rbpf_vm_t vm;
    uint8_t *ram;
    uint32_t index;
    uint8_t *input;      /* the pristine input */
    uint8_t *vm_ctx;     /* the VM's context */
    uint8_t *native_ctx; /* the native run's context */
};

static uint64_t stack_mem[4096 / 8];
static const rbpf_helper_t bench_helpers[] = {{0x100, "bench_mix", helper_mix}};

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *size = (size_t)n;
    }
    fclose(f);
    return buf;
}

static void *xalloc(size_t size)
{
    /* 8-aligned, as the VM wants for its RAM; contexts get the same. */
    void *p = calloc(1, size ? (size + 7) & ~(size_t)7 : 8);
    if (!p) {
        fprintf(stderr, "rbpf-bench: out of memory\n");
        exit(2);
    }
    return p;
}

static int bench_open(struct bench *b, const struct workload *w, const char *dir, int engine)
{
    char path[4096];
    size_t size = 0;
    int err;

    memset(b, 0, sizeof *b);
    b->w = w;
    b->engine = engine;
    b->config.stack = stack_mem;
    b->config.stack_size = w->stack_size <= sizeof stack_mem ? w->stack_size : sizeof stack_mem;
    b->config.budget = 100000000u;
    b->config.max_call_depth = 64;
    b->config.helpers = bench_helpers;
    b->config.helper_count = sizeof bench_helpers / sizeof bench_helpers[0];
    snprintf(path, sizeof path, "%s/%s.rbpf", dir, w->name);
    b->blob = read_file(path, &size);
    if (!b->blob) {
        fprintf(stderr, "bench %s: cannot read %s\n", w->name, path);
        return -1;
    }
    err = rbpf_load(&b->prog, b->blob, size, &b->config);
    if (err) {
        fprintf(stderr, "bench %s: %s: load failed at %d: %s\n", w->name, path,
                (int)b->prog.error_at, rbpf_strerror(err));
        return -1;
    }
    err = rbpf_function_find(&b->prog, w->name);
    if (err < 0) {
        fprintf(stderr, "bench %s: %s: no function %s\n", w->name, path, w->name);
        return -1;
    }
    b->index = (uint32_t)err;
    if (engine >= 0) {
        err = rbpf_prepare_size(&b->prog, engine, &size);
        if (err == RBPF_OK) {
            b->prepared = xalloc(size);
            err = rbpf_prepare(&b->prog, engine, b->prepared, size);
        }
        if (err) {
            fprintf(stderr, "bench %s: cannot prepare for engine %s: %s\n", w->name,
                    rbpf_engine_name(engine), rbpf_strerror(err));
            return -1;
        }
    }
    b->ram = xalloc((size_t)b->prog.data_len + b->prog.bss_len);
    err = rbpf_vm_init(&b->vm, &b->prog, &b->config, b->ram,
                       (size_t)b->prog.data_len + b->prog.bss_len);
    if (err) {
        fprintf(stderr, "bench %s: vm init failed: %s\n", w->name, rbpf_strerror(err));
        return -1;
    }
    b->input = xalloc(w->ctx_size);
    b->vm_ctx = xalloc(w->ctx_size);
    b->native_ctx = xalloc(w->ctx_size);
    bench_input(w->name, w->fill, b->input, w->ctx_size);
    memcpy(b->vm_ctx, b->input, w->ctx_size);
    memcpy(b->native_ctx, b->input, w->ctx_size);
    return 0;
}

static void bench_close(struct bench *b)
{
    free(b->prepared);
    free(b->blob);
    free(b->ram);
    free(b->input);
    free(b->vm_ctx);
    free(b->native_ctx);
}

static int vm_once(struct bench *b, uint64_t *result)
{
    int err = rbpf_vm_run(&b->vm, b->index, b->vm_ctx, b->w->ctx_size, result);
    if (err)
        fprintf(stderr, "bench %s: VM run failed at instruction %d: %s\n", b->w->name,
                (int)b->vm.error_at, rbpf_strerror(err));
    return err;
}

/* Runs both once from the pristine input; 0 when result and context agree. */
static int bench_check(struct bench *b, uint64_t *insns)
{
    uint64_t vm_result = 0, native_result;
    memcpy(b->vm_ctx, b->input, b->w->ctx_size);
    memcpy(b->native_ctx, b->input, b->w->ctx_size);
    native_result = b->w->native(b->native_ctx, b->w->ctx_size);
    if (vm_once(b, &vm_result))
        return -1;
    *insns = b->vm.instructions;
    if (vm_result != native_result) {
        fprintf(stderr, "bench %s: MISMATCH: vm=0x%llx native=0x%llx\n", b->w->name,
                (unsigned long long)vm_result, (unsigned long long)native_result);
        return -1;
    }
    if (memcmp(b->vm_ctx, b->native_ctx, b->w->ctx_size) != 0) {
        fprintf(stderr, "bench %s: MISMATCH: output in the context differs\n", b->w->name);
        return -1;
    }
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from dropping native calls whose result is unused. */
static volatile uint64_t sink;
static native_fn volatile native_call;

static double time_native(struct bench *b, unsigned reps)
{
    native_fn fn = native_call;
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < reps; i++)
        sink = fn(b->native_ctx, b->w->ctx_size);
    return (double)(now_ns() - t0) / reps;
}

static double time_vm(struct bench *b, unsigned reps)
{
    uint64_t r = 0;
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < reps; i++)
        if (rbpf_vm_run(&b->vm, b->index, b->vm_ctx, b->w->ctx_size, &r) != 0)
            return -1.0;
    sink = r;
    return (double)(now_ns() - t0) / reps;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Batches of at least this many nanoseconds, so the clock's resolution and
 * cost vanish; ROUNDS of them, VM and native alternating. */
#define BATCH_NS 500000.0
#define ROUNDS 31

static unsigned calibrate(double one_ns)
{
    double reps = BATCH_NS / (one_ns > 1.0 ? one_ns : 1.0);
    return reps < 1.0 ? 1u : reps > 1e7 ? 10000000u : (unsigned)reps;
}

static int bench_time(struct bench *b)
{
    double vm[ROUNDS], nat[ROUNDS];
    uint64_t insns;
    unsigned vm_reps, nat_reps;

    if (bench_check(b, &insns))
        return -1;
    native_call = b->w->native;
    /* Warm up and size the batches. */
    vm_reps = calibrate(time_vm(b, 3));
    nat_reps = calibrate(time_native(b, 100));
    for (int r = 0; r < ROUNDS; r++) {
        vm[r] = time_vm(b, vm_reps);
        nat[r] = time_native(b, nat_reps);
        if (vm[r] < 0) {
            fprintf(stderr, "bench %s: VM run failed\n", b->w->name);
            return -1;
        }
    }
    qsort(vm, ROUNDS, sizeof vm[0], cmp_double);
    qsort(nat, ROUNDS, sizeof nat[0], cmp_double);
    double v = vm[ROUNDS / 2], n = nat[ROUNDS / 2];
    printf("bench %s%s%s: vm_ns=%.0f native_ns=%.1f ratio=%.1f ebpf_insns=%llu ns_per_insn=%.3f\n",
           b->w->name, b->engine >= 0 ? " engine=" : "",
           b->engine >= 0 ? rbpf_engine_name(b->engine) : "", v, n, v / n,
           (unsigned long long)insns, v / (double)insns);
    fflush(stdout);
    return 0;
}

static const struct workload *find_workload(const char *name)
{
    for (size_t i = 0; i < WORKLOAD_COUNT; i++)
        if (strcmp(workloads[i].name, name) == 0)
            return &workloads[i];
    fprintf(stderr, "rbpf-bench: no workload %s\n", name);
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: rbpf-bench DIR [--engine NAME] [--check | --only NAME | --vm NAME K | "
                    "--engines]\n");
    return 2;
}

/* Times (check: checks) workload w as loaded, then on each engine compiled
 * in; with `only` >= 0, on that engine alone. 0 when all went well. */
static int bench_each_engine(const struct workload *w, const char *dir, int check, int only)
{
    int failed = 0;
    for (int e = only >= 0 ? only : -1; e < RBPF_ENGINE_COUNT; e++) {
        struct bench b;
        uint64_t insns;
        if (e >= 0 && !rbpf_engine_available(e))
            continue;
        if (bench_open(&b, w, dir, e)) {
            failed = 1;
        } else if (check) {
            if (bench_check(&b, &insns) == 0)
                printf("check %s%s%s: ok (vm == native, %llu eBPF instructions)\n", w->name,
                       e >= 0 ? " engine=" : "", e >= 0 ? rbpf_engine_name(e) : "",
                       (unsigned long long)insns);
            else
                failed = 1;
        } else if (bench_time(&b)) {
            failed = 1;
        }
        bench_close(&b);
        if (only >= 0)
            break;
    }
    return failed;
}

int main(int argc, char **argv)
{
    struct bench b;
    const char *dir;
    int failed = 0, engine = -1;

    if (argc < 2)
        return usage();
    dir = argv[1];
    if (argc >= 4 && strcmp(argv[2], "--engine") == 0) {
        engine = rbpf_engine_find(argv[3]);
        if (engine < 0 || !rbpf_engine_available(engine)) {
            fprintf(stderr, "rbpf-bench: engine %s is not in this build\n", argv[3]);
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc == 3 && strcmp(argv[2], "--engines") == 0) {
        for (int e = 0; e < RBPF_ENGINE_COUNT; e++)
            if (rbpf_engine_available(e))
                printf("%s\n", rbpf_engine_name(e));
        return 0;
    }
    if (argc == 5 && strcmp(argv[2], "--vm") == 0) {
        const struct workload *w = find_workload(argv[3]);
        long k = strtol(argv[4], NULL, 10);
        uint64_t insns, total, r;
        if (!w || k <= 0 || bench_open(&b, w, dir, engine) || bench_check(&b, &insns))
            return 1;
        /* The checking run counts too: callgrind sees every rbpf_vm_run. */
        total = insns;
        for (long i = 0; i < k; i++) {
            if (vm_once(&b, &r))
                return 1;
            total += b.vm.instructions;
        }
        printf("vm %s: runs=%ld ebpf_insns=%llu\n", w->name, k + 1, (unsigned long long)total);
        bench_close(&b);
        return 0;
    }
    if (argc == 4 && strcmp(argv[2], "--only") == 0) {
        const struct workload *w = find_workload(argv[3]);
        return !w || bench_each_engine(w, dir, 0, engine);
    }
    if (argc > 3 || (argc == 3 && strcmp(argv[2], "--check") != 0))
        return usage();
    for (size_t i = 0; i < WORKLOAD_COUNT; i++)
        failed |= bench_each_engine(&workloads[i], dir, argc == 3, engine);
    return failed;
}
