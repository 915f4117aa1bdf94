/*
 * startup.c: reset and fault vectors for a Cortex-M image. The reset handler
 * copies .data from flash to RAM, zeroes .bss, runs main() and exits with its
 * status (after turning on the divide-by-zero trap); a fault prints its
 * name and exits with status 3, so a crashing test fails instead of hanging.
 */
#include <stdint.h>
#include <string.h>

#include "port.h"

extern uint8_t port_data_start[], port_data_end[], port_data_load[];
extern uint8_t port_bss_start[], port_bss_end[];
extern uint32_t port_stack_top[];

void port_reset(void) __attribute__((noreturn));
void port_reset(void)
{
    /* Trap integer division by zero (CCR.DIV_0_TRP): C code must never
     * divide by zero, and the VM defines x/0 itself. */
    *(volatile uint32_t *)0xe000ed14u |= 1u << 4;
    memcpy(port_data_start, port_data_load, (size_t)(port_data_end - port_data_start));
    memset(port_bss_start, 0, (size_t)(port_bss_end - port_bss_start));
    port_exit(main());
}

static void fault(const char *what) __attribute__((noreturn));
static void fault(const char *what)
{
    port_puts("fault: ");
    port_puts(what);
    port_puts("\n");
    port_exit(3);
}

static void nmi(void) { fault("NMI"); }
static void hard_fault(void) { fault("HardFault"); }
static void mem_manage(void) { fault("MemManage"); }
static void bus_fault(void) { fault("BusFault"); }
static void usage_fault(void) { fault("UsageFault (division by zero, unaligned or undefined instruction)"); }
static void unexpected(void) { fault("unexpected exception"); }

typedef void (*vector_fn)(void);

/* Stack pointer, then the 15 system exceptions; no peripheral interrupt is
 * enabled by these images. */
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[16] = {
    (uintptr_t)port_stack_top,
    (uintptr_t)port_reset,
    (uintptr_t)nmi,
    (uintptr_t)hard_fault,
    (uintptr_t)mem_manage,
    (uintptr_t)bus_fault,
    (uintptr_t)usage_fault,
    0, 0, 0, 0,
    (uintptr_t)unexpected, /* SVCall */
    (uintptr_t)unexpected, /* DebugMonitor */
    0,
    (uintptr_t)unexpected, /* PendSV */
    (uintptr_t)unexpected, /* SysTick */
};
