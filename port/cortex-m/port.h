/*
 * port.h: what the Cortex-M images share: semihosting output and exit,
 * small formatting helpers (so an image needs no printf) and check counting
 * (semihost.c).
 */
#ifndef PORT_H
#define PORT_H

#include <stdint.h>

/* Writes a NUL-terminated string to the host console (SYS_WRITE0). */
void port_puts(const char *text);

/* Writes one character (SYS_WRITEC). */
void port_putc(char c);

/* Writes an unsigned number in decimal, and in hex with a 0x prefix. */
void port_put_dec(uint64_t value);
void port_put_hex(uint64_t value);

/* Counts a check; when `ok` is 0 prints `FAIL name: got G, expected W`
 * (numbers in decimal and hex). */
void port_check(int ok, const char *name, uint64_t got, uint64_t want);

/* Prints `title: N passed, M failed` for the checks so far; returns the exit
 * status: 0 when none failed, else 1. */
int port_summary(const char *title);

/* Ends the emulation with `status` as QEMU's exit status (SYS_EXIT_EXTENDED,
 * ADP_Stopped_ApplicationExit). Never returns. */
void port_exit(int status) __attribute__((noreturn));

/* The image's entry, called by the reset handler once RAM is set up; its
 * return value becomes the exit status. */
int main(void);

#endif /* PORT_H */
