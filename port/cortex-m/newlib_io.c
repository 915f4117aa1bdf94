/*
 * newlib_io.c: the two system calls newlib needs in images that use its
 * stdio or heap (full newlib, --specs=nosys.specs, or a test's calloc):
 * stdout and stderr go to the semihosting console, and a small static heap
 * backs the buffers printf or the test allocates.
 */
#include <stdint.h>

#include "port.h"

int _write(int fd, const char *text, int length);
int _write(int fd, const char *text, int length)
{
    int i;
    if (fd != 1 && fd != 2)
        return -1;
    for (i = 0; i < length; i++)
        port_putc(text[i]);
    return length;
}

void *_sbrk(int increment);
void *_sbrk(int increment)
{
    static uint8_t heap[1024 * 1024] __attribute__((aligned(8)));
    static uint32_t used;
    void *p;
    if (increment < 0 || (uint32_t)increment > sizeof heap - used)
        return (void *)-1;
    p = heap + used;
    used += (uint32_t)increment;
    return p;
}
