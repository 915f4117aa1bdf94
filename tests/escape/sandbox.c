/*
 * sandbox.c: fenced memory, probe helpers and program builders for the
 * escape tests and the fuzzers (see sandbox.h).
 */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#endif

#ifdef SANDBOX_ASAN
#include <sanitizer/asan_interface.h>
#define SANDBOX_POISON(p, n) __asan_poison_memory_region((p), (n))
#define SANDBOX_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define SANDBOX_POISON(p, n) ((void)(p), (void)(n))
#define SANDBOX_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* ---- Fenced memory ------------------------------------------------------ */
typedef struct block {
    uint8_t *start;
    size_t length;
} block_t;

static union {
    uint64_t align;
    uint8_t bytes[SANDBOX_ARENA];
} arena;
static size_t arena_used;
static block_t blocks[SANDBOX_MAX_BLOCKS];
static uint32_t block_count;

/* The canary byte at position i of the fences of block b: varies with both,
 * so a store of one repeated value cannot leave a fence as it was. */
static uint8_t canary(uint32_t b, size_t i)
{
    return (uint8_t)(0xc5u ^ (b * 0x3bu) ^ (uint32_t)(i * 0x9du) ^ (uint32_t)(i >> 3));
}

static void fence_write(uint32_t b, uint8_t *at, size_t base)
{
    for (size_t i = 0; i < SANDBOX_FENCE; i++)
        at[i] = canary(b, base + i);
}

void sandbox_reset(void)
{
    SANDBOX_UNPOISON(arena.bytes, sizeof arena.bytes);
    memset(arena.bytes, 0, arena_used);
    SANDBOX_POISON(arena.bytes, sizeof arena.bytes);
    arena_used = 0;
    block_count = 0;
}

void *sandbox_alloc(size_t length)
{
    size_t rounded = (length + 7u) & ~(size_t)7u;
    if (block_count == SANDBOX_MAX_BLOCKS || length > SANDBOX_ARENA ||
        SANDBOX_ARENA - arena_used < rounded + 2 * SANDBOX_FENCE) {
        fprintf(stderr, "sandbox: arena exhausted (%zu bytes asked)\n", length);
        abort();
    }
    uint32_t b = block_count++;
    uint8_t *before = arena.bytes + arena_used;
    uint8_t *start = before + SANDBOX_FENCE;
    uint8_t *after = start + length;
    SANDBOX_UNPOISON(before, rounded + 2 * SANDBOX_FENCE);
    fence_write(b, before, 0);
    memset(start, 0, length);
    /* The padding up to the next 8 bytes is fence too. */
    for (size_t i = 0; i < SANDBOX_FENCE + (rounded - length); i++)
        after[i] = canary(b, SANDBOX_FENCE + i);
    SANDBOX_POISON(before, SANDBOX_FENCE);
    SANDBOX_POISON(after, SANDBOX_FENCE + (rounded - length));
    blocks[b].start = start;
    blocks[b].length = length;
    arena_used += rounded + 2 * SANDBOX_FENCE;
    return start;
}

int sandbox_fences_intact(void)
{
    int intact = 1;
    for (uint32_t b = 0; b < block_count; b++) {
        size_t rounded = (blocks[b].length + 7u) & ~(size_t)7u;
        uint8_t *before = blocks[b].start - SANDBOX_FENCE;
        uint8_t *after = blocks[b].start + blocks[b].length;
        size_t after_len = SANDBOX_FENCE + (rounded - blocks[b].length);
        SANDBOX_UNPOISON(before, SANDBOX_FENCE);
        SANDBOX_UNPOISON(after, after_len);
        for (size_t i = 0; i < SANDBOX_FENCE; i++) {
            if (before[i] != canary(b, i)) {
                fprintf(stderr, "sandbox: block %u: fence byte %zu before it changed\n", (unsigned)b,
                        SANDBOX_FENCE - i);
                intact = 0;
                break;
            }
        }
        for (size_t i = 0; i < after_len; i++) {
            if (after[i] != canary(b, SANDBOX_FENCE + i)) {
                fprintf(stderr, "sandbox: block %u: fence byte %zu after it changed\n", (unsigned)b, i);
                intact = 0;
                break;
            }
        }
        SANDBOX_POISON(before, SANDBOX_FENCE);
        SANDBOX_POISON(after, after_len);
    }
    return intact;
}

/* ---- Probe helpers ------------------------------------------------------ */
static int helper_identity(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = args[0];
    return 0;
}

static int helper_probe_write(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    int error = rbpf_vm_check(vm, args[0], args[1], RBPF_WRITE);
    if (error)
        return error;
    if (args[1])
        memset((void *)(uintptr_t)args[0], 0x5a, (size_t)args[1]);
    *result = args[1];
    return 0;
}

static int helper_probe_read(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    int error = rbpf_vm_check(vm, args[0], args[1], RBPF_READ);
    if (error)
        return error;
    const uint8_t *p = (const uint8_t *)(uintptr_t)args[0];
    uint64_t sum = 0;
    for (uint64_t i = 0; i < args[1]; i++)
        sum += p[i];
    *result = sum;
    return 0;
}

const rbpf_helper_t sandbox_helpers[] = {
    RBPF_STANDARD_HELPERS,
    {SANDBOX_HELPER_IDENTITY, "identity", helper_identity},
    {SANDBOX_HELPER_PROBE_WRITE, "probe_write", helper_probe_write},
    {SANDBOX_HELPER_PROBE_READ, "probe_read", helper_probe_read},
};
const uint32_t sandbox_helper_count = sizeof sandbox_helpers / sizeof sandbox_helpers[0];

/* ---- Instruction streams ------------------------------------------------ */
void sandbox_put32(uint8_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (uint8_t)(value >> (8 * i));
}

void sandbox_put16(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)value;
    at[1] = (uint8_t)(value >> 8);
}

uint32_t sandbox_here(const sandbox_code_t *code)
{
    return code->length / RBPF_INSN_SIZE;
}

uint32_t sandbox_emit(sandbox_code_t *code, uint8_t opcode, unsigned dst, unsigned src,
                      int16_t offset, int32_t imm)
{
    if (code->length + RBPF_INSN_SIZE > SANDBOX_CODE_MAX) {
        fprintf(stderr, "sandbox: program longer than %u bytes\n", SANDBOX_CODE_MAX);
        abort();
    }
    uint8_t *p = code->bytes + code->length;
    p[0] = opcode;
    p[1] = (uint8_t)((dst & 0x0fu) | ((src & 0x0fu) << 4));
    sandbox_put16(p + 2, (uint16_t)offset);
    sandbox_put32(p + 4, (uint32_t)imm);
    code->length += RBPF_INSN_SIZE;
    return code->length / RBPF_INSN_SIZE - 1;
}

uint32_t sandbox_emit_lddw(sandbox_code_t *code, uint8_t opcode, unsigned dst, uint64_t imm)
{
    uint32_t at = sandbox_emit(code, opcode, dst, 0, 0, (int32_t)(uint32_t)imm);
    sandbox_emit(code, 0, 0, 0, 0, (int32_t)(uint32_t)(imm >> 32));
    return at;
}

/* ---- Container blobs ---------------------------------------------------- */
static uint32_t align8(uint32_t n)
{
    return (n + 7u) & ~7u;
}

size_t sandbox_container(uint8_t *out, size_t capacity, const sandbox_image_t *image)
{
    uint32_t names = 0;
    for (uint32_t i = 0; i < image->function_count; i++)
        names += (uint32_t)strlen(image->functions[i].name) + 1;
    uint32_t rodata_len = image->rodata_len + names;
    size_t data_at = RBPF_HEADER_SIZE;
    size_t rodata_at = data_at + align8(image->data_len);
    size_t text_at = rodata_at + align8(rodata_len);
    size_t table_at = text_at + image->text_len;
    size_t size = table_at + (size_t)image->function_count * RBPF_FUNCTION_ENTRY_SIZE;
    if (size > capacity)
        return 0;
    memset(out, 0, size);
    sandbox_put32(out + 0, RBPF_MAGIC);
    sandbox_put32(out + 4, RBPF_FORMAT_VERSION);
    sandbox_put32(out + 8, 0);
    sandbox_put32(out + 12, image->data_len);
    sandbox_put32(out + 16, image->bss_len);
    sandbox_put32(out + 20, rodata_len);
    sandbox_put32(out + 24, image->text_len);
    sandbox_put32(out + 28, image->function_count);
    if (image->data_len)
        memcpy(out + data_at, image->data, image->data_len);
    if (image->rodata_len)
        memcpy(out + rodata_at, image->rodata, image->rodata_len);
    uint32_t name_at = image->rodata_len;
    for (uint32_t i = 0; i < image->function_count; i++) {
        size_t n = strlen(image->functions[i].name) + 1;
        memcpy(out + rodata_at + name_at, image->functions[i].name, n);
        uint8_t *entry = out + table_at + (size_t)i * RBPF_FUNCTION_ENTRY_SIZE;
        sandbox_put16(entry + 0, (uint16_t)name_at);
        sandbox_put16(entry + 2, 0);
        sandbox_put16(entry + 4, (uint16_t)image->functions[i].offset);
        name_at += (uint32_t)n;
    }
    if (image->text_len)
        memcpy(out + text_at, image->text, image->text_len);
    return size;
}

int sandbox_error_defined(int error)
{
    switch (error) {
#define SANDBOX_ERROR_CASE_(name, value, text) case (value):
        RBPF_ERRORS(SANDBOX_ERROR_CASE_)
#undef SANDBOX_ERROR_CASE_
        return 1;
    default:
        return 0;
    }
}
