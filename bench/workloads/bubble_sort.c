/*
 * bubble_sort.c: sorts 64 u32 with bubble sort. The context holds the input
 * (64 u32) followed by room for the output (64 u32); the input is left
 * unchanged so every run does the same work. Returns a position-weighted
 * sum of the sorted values.
 */
#include "workload.h"

#define N 64

WORKLOAD(bubble_sort)
{
    const uint32_t *in = (const uint32_t *)ctx;
    uint32_t *out = (uint32_t *)ctx + N;
    uint64_t sum = 0;

    if (len < 2 * N * sizeof(uint32_t))
        return 0;
    for (int i = 0; i < N; i++)
        out[i] = in[N - 1 - i];
    for (int i = N - 1; i > 0; i--) {
        for (int j = 0; j < i; j++) {
            uint32_t a = out[j], b = out[j + 1];
            if (a > b) {
                out[j] = b;
                out[j + 1] = a;
            }
        }
    }
    for (int i = 0; i < N; i++)
        sum += (uint64_t)out[i] * (uint64_t)(i + 1);
    return sum;
}
