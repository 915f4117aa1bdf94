/*
 * elf_seed.c: a container source that uses everything `rbpf gen` handles,
 * compiled by fuzz/fuzz.mk for the BPF target at several levels into the
 * ELF fuzzer's seed corpus: string literals (.rodata.str1.1), initialised
 * and zeroed globals (.data, .bss), a const table (.rodata), a switch,
 * helper calls and functions that call each other, recursion included, and
 * pointers in initialised data (a string table, a pointer global, a const
 * struct of pointers), which gen turns into the relocation table.
 */
#include <stdint.h>

struct context {
    uint32_t value;
    uint32_t count;
    uint64_t wide;
};

static int (*const bpf_printf)(const char *format, ...) = (void *)0x01;
static int (*const bpf_store_global)(uint32_t key, uint32_t value) = (void *)0x10;

int counter = 3;
uint64_t scratch[4];
static const uint16_t table[8] = {1, 1, 2, 3, 5, 8, 13, 21};

__attribute__((noinline)) static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) uint32_t classify(uint32_t v)
{
    switch (v & 7) {
    case 0: return 10;
    case 1: return 22;
    case 2: return 35;
    case 3: return 41;
    case 4: return 57;
    case 5: return 63;
    default: return table[v & 7];
    }
}

uint64_t entry(struct context *ctx)
{
    counter++;
    scratch[ctx->count & 3] = ctx->wide;
    bpf_printf("value %d count %d\n", ctx->value, counter);
    bpf_store_global(ctx->value, (uint32_t)scratch[0]);
    return fib(ctx->count & 7) + classify(ctx->value) + (int64_t)(int8_t)ctx->wide;
}

uint64_t second(struct context *ctx)
{
    return table[ctx->value & 7] * (uint64_t)counter;
}

static const char *const words[] = {"zero", "one", "two"};
uint64_t *slot = &scratch[1];
static const struct {
    const char *name;
    int *value;
} named[] = {{"counter", &counter}, {"none", 0}};

uint64_t third(struct context *ctx)
{
    *slot += ctx->value;
    return (uint8_t)words[ctx->count % 3][1] + (named[ctx->value & 1].value ? *named[0].value : 0);
}
