/* pointers.c: pointers in initialised data, which the VM sets when it is set
 * up (the container's relocation table): a string table, pointer globals
 * into data and bss, a const struct of pointers (read-only data holding
 * pointers goes to data), a pointer one past an array, and writes through
 * them. ctx: { uint32_t pick; uint32_t value; } */
#include <stdint.h>

struct pointers_ctx {
    uint32_t pick;
    uint32_t value;
};

static const char *const names[] = {"alpha", "beta", "gamma", "", "epsilon"};
static uint32_t table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static uint64_t counters[4];
uint32_t *cursor = &table[2];
uint32_t *const table_end = &table[8];
static const char *greeting = "hello";

struct op {
    const char *name;
    uint32_t *slot;
    uint64_t *counter;
};
static const struct op ops[] = {
    {"add", &table[0], &counters[1]},
    {"sub", &table[7], &counters[3]},
    {"mul", &table[4], &counters[0]},
};

static uint32_t length(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}

uint64_t entry(struct pointers_ctx *ctx)
{
    const struct op *op = &ops[ctx->pick % 3];
    const char *name = names[ctx->pick % 5];
    uint64_t h = length(name) * 1000003u + (uint8_t)name[0];
    *op->slot += ctx->value;
    *op->counter += 1;
    cursor += 1;
    if (cursor >= table_end)
        cursor = &table[0];
    h = h * 31 + *cursor + *op->slot + (uint8_t)op->name[1] + (uint8_t)greeting[ctx->pick % 5];
    h = h * 31 + (uint64_t)(table_end - cursor) + counters[0] + counters[1] * 7 + counters[3] * 11;
    return h;
}
