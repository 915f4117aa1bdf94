/*
 * matmul.c: C = A x B for 16x16 matrices of u32 (arithmetic mod 2^32).
 * The context holds A, B and room for C, one after the other. Returns a
 * position-weighted sum of C.
 */
#include "workload.h"

#define N 16

WORKLOAD(matmul)
{
    const uint32_t *a = (const uint32_t *)ctx;
    const uint32_t *b = a + N * N;
    uint32_t *c = (uint32_t *)ctx + 2 * N * N;
    uint64_t sum = 0;

    if (len < 3 * N * N * sizeof(uint32_t))
        return 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            uint32_t acc = 0;
            for (int k = 0; k < N; k++)
                acc += a[i * N + k] * b[k * N + j];
            c[i * N + j] = acc;
            sum += (uint64_t)acc * (uint64_t)(i * N + j + 1);
        }
    }
    return sum;
}
