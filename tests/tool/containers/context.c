/* context.c: a struct context with fields of every width, read and written
 * by the container; the result folds in the context after the writes.
 * ctx: struct sensor below (40 bytes). */
#include <stdint.h>

struct sensor {
    uint8_t kind;
    int8_t offset;
    uint16_t samples;
    int32_t temperature;
    uint64_t timestamp;
    int16_t history[4];
    uint32_t status;
    uint32_t out_min;
    uint64_t out_sum;
};

uint64_t entry(struct sensor *s)
{
    int32_t min = s->history[0];
    int64_t sum = 0;
    for (int i = 0; i < 4; i++) {
        int32_t v = s->history[i] + s->offset;
        if (v < min)
            min = v;
        sum += v;
    }
    s->out_min = (uint32_t)min;
    s->out_sum = (uint64_t)sum + s->timestamp;
    s->status |= s->kind == 3 ? 0x80000000u : 1u;
    s->samples++;
    s->temperature = s->temperature > 1 ? s->temperature + 1 : s->temperature - 1;
    uint64_t fold = 0;
    const uint8_t *p = (const uint8_t *)s;
    for (unsigned i = 0; i < sizeof *s; i++)
        fold = fold * 131u + p[i];
    return fold;
}
