/*
 * string.h for freestanding builds without a C library (the size report's
 * riscv64-unknown-elf toolchain ships none): declares the string.h subset
 * librbpf uses. The copy and fill functions map to the compiler's builtins
 * so that, as with a hosted build, small fixed-size copies are inlined;
 * whatever is not inlined is left to the firmware's own C library.
 */
#ifndef RBPF_PORT_STRING_H
#define RBPF_PORT_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#define strlen(s) __builtin_strlen(s)
#define strcmp(a, b) __builtin_strcmp((a), (b))

#endif /* RBPF_PORT_STRING_H */
