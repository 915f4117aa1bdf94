/*
 * bytes.c: byte loops in the style of strlen and memcmp. The context holds
 * two buffers of equal size (half of it each): a NUL-terminated string and
 * a copy that differs near its end. Returns the string length in the high
 * half and, in the low half, the index of the first differing byte with the
 * sign of the difference in bit 31.
 */
#include "workload.h"

WORKLOAD(bytes)
{
    const uint8_t *a = (const uint8_t *)ctx;
    uint64_t half = len / 2;
    const uint8_t *b = a + half;
    uint64_t n = 0, i = 0;
    uint32_t diff = 0;

    while (n < half && a[n] != 0)
        n++;
    while (i < half && a[i] == b[i])
        i++;
    if (i < half)
        diff = (uint32_t)i | (a[i] < b[i] ? 0x80000000u : 0u);
    else
        diff = 0xffffffffu;
    return n << 32 | diff;
}
