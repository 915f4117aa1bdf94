/*
 * hello.c: the smallest image, proving startup, .data/.bss set-up,
 * semihosting output and the exit status.
 */
#include "port.h"

static uint32_t initialised = 0x12345678u;
static uint32_t zeroed;

int main(void)
{
    if (initialised != 0x12345678u || zeroed != 0) {
        port_puts("hello: RAM not set up\n");
        return 1;
    }
    port_puts("hello from the Cortex-M4\n");
    return 0;
}
