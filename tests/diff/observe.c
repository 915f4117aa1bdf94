/*
 * observe.c: runs generated cases and captures, compares, digests and
 * prints what they did (see observe.h).
 */
#include "observe.h"

#include <stdio.h>
#include <string.h>

#include "internal.h" /* rbpf_frame_record_t: the saved records' size */

/* The arena: each buffer at a fixed place, GAP bytes of nothing between. */
#define GAP 64u
#define AT_STACK GAP
#define AT_CONTEXT (AT_STACK + PROGEN_STACK_MAX + GAP)
#define AT_RAM (AT_CONTEXT + PROGEN_CONTEXT_MAX + GAP)
#define AT_REGION (AT_RAM + PROGEN_DATA_MAX + PROGEN_BSS_MAX + GAP)
#define AT_BLOB (AT_REGION + PROGEN_REGION_MAX + GAP)
#define ARENA (AT_BLOB + PROGEN_BLOB_MAX + GAP + OBSERVE_SHIFT_MAX)

static union {
    uint64_t align;
    uint8_t bytes[ARENA];
} arena;
static uint32_t shift;

#define BUFFER(at) (arena.bytes + shift + (at))

/* What the stack holds before a run: the run must clear it. */
#define STACK_PATTERN 0xe7u

/* ---- The test helpers ------------------------------------------------------- */
static uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 29);
}

static int helper_mix(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    uint64_t h = 0x5eed;
    unsigned i;
    (void)vm;
    for (i = 0; i < 5; i++)
        h = mix64(h, args[i]);
    *result = h;
    return RBPF_OK;
}

static int helper_sum(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    const int rc = rbpf_vm_check(vm, args[0], args[1], RBPF_READ);
    uint64_t h = 0, i;
    if (rc != RBPF_OK)
        return rc;
    for (i = 0; i < args[1]; i++)
        h = h * 31u + ((const uint8_t *)(uintptr_t)args[0])[i];
    *result = h;
    return RBPF_OK;
}

static int helper_fill(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    const int rc = rbpf_vm_check(vm, args[0], args[1], RBPF_WRITE);
    if (rc != RBPF_OK)
        return rc;
    if (args[1] != 0)
        memset((void *)(uintptr_t)args[0], (int)(args[2] & 0xffu), (size_t)args[1]);
    *result = args[1];
    return RBPF_OK;
}

static int helper_fail(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    const int64_t code = (int64_t)args[0];
    (void)vm;
    if (code != 0)
        return code >= -1000 && code <= 1000 ? (int)code : 1;
    *result = args[1] ^ args[2];
    return RBPF_OK;
}

static int helper_region(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)args;
    *result = vm->regions != NULL ? (uint64_t)vm->regions->start : 0;
    return RBPF_OK;
}

const rbpf_helper_t observe_helpers[] = {
    {PROGEN_HELPER_MEMCPY, "bpf_memcpy", rbpf_helper_memcpy},
    {PROGEN_HELPER_MIX, "mix", helper_mix},
    {PROGEN_HELPER_SUM, "sum", helper_sum},
    {PROGEN_HELPER_FILL, "fill", helper_fill},
    {PROGEN_HELPER_FAIL, "fail", helper_fail},
    {PROGEN_HELPER_REGION, "region", helper_region},
};
const uint32_t observe_helper_count = sizeof observe_helpers / sizeof observe_helpers[0];

/* ---- Load and run -------------------------------------------------------------- */
void observe_shift(uint32_t bytes)
{
    shift = bytes > OBSERVE_SHIFT_MAX ? OBSERVE_SHIFT_MAX : bytes & ~7u;
}

static void config_of(rbpf_config_t *config, const progen_case_t *c, uint32_t budget)
{
    memset(config, 0, sizeof(*config));
    config->stack = BUFFER(AT_STACK);
    config->stack_size = c->stack_size;
    config->budget = budget != 0 ? budget : c->budget;
    config->max_call_depth = c->max_call_depth;
    config->helpers = observe_helpers;
    config->helper_count = observe_helper_count;
}

int observe_load(rbpf_program_t *prog, const progen_case_t *c)
{
    rbpf_config_t config;
    if (c->blob_len > PROGEN_BLOB_MAX)
        return RBPF_ERR_TOO_SMALL;
    memset(BUFFER(AT_BLOB), 0, PROGEN_BLOB_MAX);
    memcpy(BUFFER(AT_BLOB), c->blob, c->blob_len);
    config_of(&config, c, 0);
    return rbpf_load(prog, BUFFER(AT_BLOB), c->blob_len, &config);
}

int observe_run(observe_t *o, const rbpf_program_t *prog, const progen_case_t *c,
                uint32_t budget)
{
    rbpf_config_t config;
    rbpf_vm_t vm;
    rbpf_region_t region;
    uint64_t r0 = OBSERVE_NO_R0;
    uint32_t depth;

    memset(o, 0, sizeof(*o));
    o->stack_size = c->stack_size > PROGEN_STACK_MAX ? PROGEN_STACK_MAX : c->stack_size;
    o->context_len = c->context_len > PROGEN_CONTEXT_MAX ? PROGEN_CONTEXT_MAX : c->context_len;
    o->ram_size = c->ram_size > PROGEN_DATA_MAX + PROGEN_BSS_MAX ? PROGEN_DATA_MAX + PROGEN_BSS_MAX
                                                                : c->ram_size;
    o->region_len = c->region_len > PROGEN_REGION_MAX ? PROGEN_REGION_MAX : c->region_len;
    depth = c->max_call_depth ? c->max_call_depth : RBPF_DEFAULT_CALL_DEPTH;
    o->records = depth * (uint32_t)sizeof(rbpf_frame_record_t);
    if (o->records > o->stack_size)
        o->records = o->stack_size;

    config_of(&config, c, budget);
    config.stack_size = o->stack_size;
    memset(BUFFER(AT_STACK), STACK_PATTERN, PROGEN_STACK_MAX);
    memcpy(BUFFER(AT_CONTEXT), c->context, o->context_len);
    memcpy(BUFFER(AT_REGION), c->region, o->region_len);
    o->rc = rbpf_vm_init(&vm, prog, &config, BUFFER(AT_RAM), o->ram_size);
    if (o->rc == RBPF_OK)
        o->rc = rbpf_region_add(&vm, &region, BUFFER(AT_REGION), o->region_len, c->region_flags);
    if (o->rc == RBPF_OK) {
        o->rc = rbpf_vm_run(&vm, c->function, BUFFER(AT_CONTEXT), o->context_len, &r0);
        o->instructions = vm.instructions;
        o->error_at = vm.error_at;
        o->call_depth = vm.call_depth;
        rbpf_vm_deinit(&vm);
    }
    o->r0 = r0;
    memcpy(o->stack, BUFFER(AT_STACK), o->stack_size);
    memcpy(o->context, BUFFER(AT_CONTEXT), o->context_len);
    memcpy(o->ram, BUFFER(AT_RAM), o->ram_size);
    memcpy(o->region, BUFFER(AT_REGION), o->region_len);
    return o->rc;
}

/* Each engine's prepared form: 64 KiB, as the Cortex-M differential test
 * gives (the JIT's code for a generated program takes up to about 20 times
 * its instruction bytes). */
static uint64_t prepared[RBPF_ENGINE_COUNT][65536u / 8u];

int observe_prepare(rbpf_program_t *copy, const rbpf_program_t *prog, int engine)
{
    size_t need;
    int rc;
    if (engine < 0 || engine >= RBPF_ENGINE_COUNT)
        return RBPF_ERR_ARGUMENT;
    *copy = *prog;
    rc = rbpf_prepare_size(copy, engine, &need);
    if (rc != RBPF_OK)
        return rc;
    if (need > sizeof prepared[engine])
        return RBPF_ERR_TOO_SMALL;
    return rbpf_prepare(copy, engine, prepared[engine], sizeof prepared[engine]);
}

int observe_follows(const rbpf_program_t *prog, uint32_t from, uint32_t to)
{
    const uint32_t count = prog->text_len / RBPF_INSN_SIZE;
    const uint8_t *p;
    unsigned op, cls;
    uint32_t i;
    if (from >= count || to >= count)
        return 0;
    p = prog->text + (size_t)from * RBPF_INSN_SIZE;
    op = p[0];
    cls = op & 7u;
    if (op == RBPF_OPC_EXIT) { /* a return: after some local call */
        for (i = 0; i + 1 < count; i++) {
            const uint8_t *q = prog->text + (size_t)i * RBPF_INSN_SIZE;
            if (q[0] == RBPF_OPC_CALL && RBPF_INSN_SRC(q) == RBPF_CALL_LOCAL && to == i + 1)
                return 1;
        }
        return 0;
    }
    if (op == RBPF_OPC_CALL && RBPF_INSN_SRC(p) == RBPF_CALL_LOCAL)
        return (int64_t)to == (int64_t)from + 1 + RBPF_INSN_IMM(p);
    if (op == RBPF_OPC_JA32)
        return (int64_t)to == (int64_t)from + 1 + RBPF_INSN_IMM(p);
    if (op == RBPF_OPC_JA)
        return (int64_t)to == (int64_t)from + 1 + RBPF_INSN_OFF(p);
    if ((cls == RBPF_CLS_JMP || cls == RBPF_CLS_JMP32) && op != RBPF_OPC_CALL &&
        (int64_t)to == (int64_t)from + 1 + RBPF_INSN_OFF(p))
        return 1;
    return to == from + (rbpf_two_slot_(op) ? 2u : 1u);
}

/* ---- Compare, digest, print ----------------------------------------------------- */
/* Compares bytes [from, n) of a and b. */
static int differ_bytes(const char *name, const uint8_t *a, const uint8_t *b, uint32_t from,
                        uint32_t n, char *what, size_t size)
{
    uint32_t i;
    for (i = from; i < n; i++)
        if (a[i] != b[i]) {
            snprintf(what, size, "%s byte %lu: 0x%02x against 0x%02x", name, (unsigned long)i,
                     a[i], b[i]);
            return 1;
        }
    return 0;
}

static int compare(const observe_t *a, const observe_t *b, uint32_t from, char *what, size_t size)
{
    if (a->rc != b->rc) {
        snprintf(what, size, "return code: %s against %s", rbpf_error_name(a->rc),
                 rbpf_error_name(b->rc));
        return 1;
    }
    if (a->r0 != b->r0) {
        snprintf(what, size, "r0: 0x%llx against 0x%llx", (unsigned long long)a->r0,
                 (unsigned long long)b->r0);
        return 1;
    }
    if (a->instructions != b->instructions) {
        snprintf(what, size, "instructions: %llu against %llu",
                 (unsigned long long)a->instructions, (unsigned long long)b->instructions);
        return 1;
    }
    if (a->error_at != b->error_at) {
        snprintf(what, size, "error_at: %ld against %ld", (long)a->error_at, (long)b->error_at);
        return 1;
    }
    if (a->call_depth != b->call_depth) {
        snprintf(what, size, "call depth after the run: %lu against %lu",
                 (unsigned long)a->call_depth, (unsigned long)b->call_depth);
        return 1;
    }
    if (a->stack_size != b->stack_size || a->context_len != b->context_len ||
        a->ram_size != b->ram_size || a->region_len != b->region_len) {
        snprintf(what, size, "not runs of the same case");
        return 1;
    }
    return differ_bytes("stack", a->stack, b->stack, from, a->stack_size, what, size) ||
           differ_bytes("context", a->context, b->context, 0, a->context_len, what, size) ||
           differ_bytes("data+bss", a->ram, b->ram, 0, a->ram_size, what, size) ||
           differ_bytes("region", a->region, b->region, 0, a->region_len, what, size);
}

int observe_compare(const observe_t *a, const observe_t *b, char *what, size_t size)
{
    return compare(a, b, 0, what, size);
}

int observe_compare_portable(const observe_t *a, const observe_t *b, char *what, size_t size)
{
    return compare(a, b, a->records < b->records ? a->records : b->records, what, size);
}

/* FNV-1a over bytes, and over integers as 8 little-endian bytes. */
static uint64_t fnv(uint64_t h, const uint8_t *p, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static uint64_t fnv64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    unsigned i;
    for (i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fnv(h, b, 8);
}

uint64_t observe_digest(const observe_t *o)
{
    uint64_t h = 0xcbf29ce484222325u;
    h = fnv64(h, (uint64_t)(int64_t)o->rc);
    h = fnv64(h, o->r0);
    h = fnv64(h, o->instructions);
    h = fnv64(h, (uint64_t)(int64_t)o->error_at);
    h = fnv64(h, o->call_depth);
    h = fnv64(h, o->stack_size);
    h = fnv(h, o->stack + o->records, o->stack_size - o->records);
    h = fnv64(h, o->context_len);
    h = fnv(h, o->context, o->context_len);
    h = fnv64(h, o->ram_size);
    h = fnv(h, o->ram, o->ram_size);
    h = fnv64(h, o->region_len);
    return fnv(h, o->region, o->region_len);
}

/* Hex lines of at most 32 bytes, each after `prefix`. */
static void print_hex(const char *prefix, const uint8_t *p, uint32_t n,
                      void (*line)(void *user, const char *text), void *user)
{
    char text[128];
    uint32_t i, j;
    for (i = 0; i < n; i += 32) {
        size_t at = (size_t)snprintf(text, sizeof text, "%s", prefix);
        for (j = i; j < n && j < i + 32 && at + 3 < sizeof text; j++)
            at += (size_t)snprintf(text + at, sizeof text - at, "%02x", p[j]);
        line(user, text);
    }
}

void observe_print(const progen_case_t *c, const observe_t *o, observe_disasm_fn disasm,
                   void (*line)(void *user, const char *text), void *user)
{
    char text[256];
    rbpf_program_t prog;

    snprintf(text, sizeof text,
             "case seed=0x%016llx features=0x%lx function=%lu budget=%lu stack=%lu "
             "max_call_depth=%lu ram=%lu region=%lu flags=%lu",
             (unsigned long long)c->seed, (unsigned long)c->features, (unsigned long)c->function,
             (unsigned long)c->budget, (unsigned long)c->stack_size,
             (unsigned long)c->max_call_depth, (unsigned long)c->ram_size,
             (unsigned long)c->region_len, (unsigned long)c->region_flags);
    line(user, text);
    snprintf(text, sizeof text, "context (%lu bytes):", (unsigned long)c->context_len);
    line(user, text);
    print_hex("  ", c->context, c->context_len, line, user);
    snprintf(text, sizeof text, "region (%lu bytes):", (unsigned long)c->region_len);
    line(user, text);
    print_hex("  ", c->region, c->region_len, line, user);
    snprintf(text, sizeof text, "container (%lu bytes, `xxd -r -p` makes the file):",
             (unsigned long)c->blob_len);
    line(user, text);
    print_hex("  ", c->blob, c->blob_len, line, user);
    if (disasm != NULL && rbpf_container_parse(&prog, c->blob, c->blob_len) == RBPF_OK) {
        const size_t count = prog.text_len / RBPF_INSN_SIZE;
        size_t i = 0, f;
        line(user, "listing:");
        while (i < count) {
            char insn[128];
            size_t slots;
            for (f = 0; f < prog.function_count; f++) {
                const char *name;
                uint32_t offset;
                if (rbpf_function_info(&prog, (uint32_t)f, &name, &offset) == RBPF_OK &&
                    offset == i * RBPF_INSN_SIZE) {
                    snprintf(text, sizeof text, "%.16s:", name);
                    line(user, text);
                }
            }
            slots = disasm(prog.text, count, i, insn, sizeof insn);
            snprintf(text, sizeof text, "  %4lu: %s", (unsigned long)i, insn);
            line(user, text);
            i += slots ? slots : 1;
        }
    }
    if (o != NULL) {
        snprintf(text, sizeof text,
                 "observed: %s r0=0x%llx instructions=%llu error_at=%ld call_depth=%lu "
                 "digest=%016llx",
                 rbpf_error_name(o->rc), (unsigned long long)o->r0,
                 (unsigned long long)o->instructions, (long)o->error_at,
                 (unsigned long)o->call_depth, (unsigned long long)observe_digest(o));
        line(user, text);
    }
}
