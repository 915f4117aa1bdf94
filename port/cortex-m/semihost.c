/*
 * semihost.c: console output and exit status over Arm semihosting (the
 * "bkpt 0xab" call QEMU serves with -semihosting), so an image reports to
 * the host without any UART driver; and the images' check counting.
 */
#include "port.h"

#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static uintptr_t semihost_call(uintptr_t op, const void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void port_puts(const char *text)
{
    semihost_call(SYS_WRITE0, text);
}

void port_putc(char c)
{
    semihost_call(SYS_WRITEC, &c);
}

void port_put_dec(uint64_t value)
{
    char buf[24];
    char *p = buf + sizeof buf - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + (unsigned)(value % 10u));
        value /= 10u;
    } while (value != 0);
    port_puts(p);
}

void port_put_hex(uint64_t value)
{
    char buf[24];
    char *p = buf + sizeof buf - 1;
    *p = '\0';
    do {
        *--p = "0123456789abcdef"[value & 15u];
        value >>= 4;
    } while (value != 0);
    *--p = 'x';
    *--p = '0';
    port_puts(p);
}

static unsigned checks_passed, checks_failed;

void port_check(int ok, const char *name, uint64_t got, uint64_t want)
{
    if (ok) {
        checks_passed++;
        return;
    }
    checks_failed++;
    port_puts("FAIL ");
    port_puts(name);
    port_puts(": got ");
    port_put_dec(got);
    port_puts(" (");
    port_put_hex(got);
    port_puts("), expected ");
    port_put_dec(want);
    port_puts(" (");
    port_put_hex(want);
    port_puts(")\n");
}

int port_summary(const char *title)
{
    port_puts(title);
    port_puts(": ");
    port_put_dec(checks_passed);
    port_puts(" passed, ");
    port_put_dec(checks_failed);
    port_puts(" failed\n");
    return checks_failed == 0 ? 0 : 1;
}

void port_exit(int status)
{
    /* The extended form carries the status on 32-bit Arm too. */
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    for (;;)
        semihost_call(SYS_EXIT_EXTENDED, block);
}
