/*
 * port_host.c: the port's output functions (port/cortex-m/port.h) on a
 * hosted C library. The 32-bit host builds run the cmocka tests on the
 * port's small cmocka (port/cortex-m/cmocka), as the Cortex-M images do:
 * gcc-multilib brings no 32-bit libcmocka.
 */
#include <stdio.h>
#include <stdlib.h>

#include "port.h"

static unsigned long passed, failed;

void port_puts(const char *text)
{
    fputs(text, stdout);
}

void port_putc(char c)
{
    putchar(c);
}

void port_put_dec(uint64_t value)
{
    printf("%llu", (unsigned long long)value);
}

void port_put_hex(uint64_t value)
{
    printf("0x%llx", (unsigned long long)value);
}

void port_check(int ok, const char *name, uint64_t got, uint64_t want)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s: got %llu (0x%llx), expected %llu (0x%llx)\n", name, (unsigned long long)got,
           (unsigned long long)got, (unsigned long long)want, (unsigned long long)want);
}

int port_summary(const char *title)
{
    printf("%s: %lu passed, %lu failed\n", title, passed, failed);
    return failed != 0;
}

void port_exit(int status)
{
    fflush(stdout);
    exit(status);
}
