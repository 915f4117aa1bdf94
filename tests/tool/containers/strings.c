/* strings.c: string literals (.rodata.str1.1), a local copy on the stack and
 * a table of string pointers built in code. ctx: { uint32_t pick; uint32_t salt; } */
#include <stdint.h>

struct strings_ctx {
    uint32_t pick;
    uint32_t salt;
};

static uint32_t hash(const char *s, uint32_t h)
{
    while (*s)
        h = h * 31u + (uint8_t)*s++;
    return h;
}

uint64_t entry(struct strings_ctx *ctx)
{
    const char *names[4];
    names[0] = "alpha";
    names[1] = "beta, with a comma";
    names[2] = "";
    names[3] = "delta\n";
    char local[16] = "stack copy";
    local[(ctx->salt & 7u)] = 'X';
    uint32_t h = hash(names[ctx->pick & 3u], ctx->salt);
    h ^= hash(local, 7);
    return ((uint64_t)h << 8) | (uint8_t)names[1][ctx->pick % 18u];
}
