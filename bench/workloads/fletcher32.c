/*
 * fletcher32.c: the Femto-Container papers' workload. The context is
 * 360 bytes of ASCII text, read as 180 little-endian 16-bit words. Both sums
 * start at 0xffff; blocks of at most 359 words are each followed by folding
 * both sums to 16 bits plus carry, and one more fold ends the run.
 * Returns (sum2 << 16) | sum1.
 */
#include "workload.h"

WORKLOAD(fletcher32)
{
    const uint16_t *data = (const uint16_t *)ctx;
    uint32_t words = (uint32_t)(len / 2);
    uint32_t sum1 = 0xffff, sum2 = 0xffff;

    while (words) {
        uint32_t block = words > 359 ? 359 : words;
        words -= block;
        do {
            sum1 += *data++;
            sum2 += sum1;
        } while (--block);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return (sum2 << 16) | sum1;
}
