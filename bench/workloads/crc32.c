/*
 * crc32.c: the IEEE CRC-32 (reflected, polynomial 0xedb88320) computed bit
 * by bit, without a table, over the whole context (1 KiB in the harness).
 */
#include "workload.h"

WORKLOAD(crc32)
{
    const uint8_t *p = (const uint8_t *)ctx;
    uint32_t crc = 0xffffffffu;

    for (uint64_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
