/*
 * main.c: the consumer project's application. Runs the two containers that
 * rbpf_add_containers (or mk/rbpf.mk) built and embedded, found both through
 * the table and through their own symbols, and checks each result against
 * the same computation done here. Prints one line; exits 1 on a mismatch.
 * With EXPECTED_STORE_NUM_VALUES (a build that set the RBPF_STORE_NUM_VALUES
 * knob), the headers and the library must both have that store pool size.
 * The C++ side (cxx_check.cpp, with CONSUMER_CXX) runs scale again through
 * rBPF::Container::scale. Built for the host, or with CONSUMER_FIRMWARE for
 * a Cortex-M4 image that reports over semihosting (port/cortex-m).
 */
#include <stdint.h>
#include <string.h>

#include "consumer.h"
#include "containers.h"
#include "rbpf.h"

#ifdef CONSUMER_FIRMWARE
#include "port.h"
#define put_text port_puts
#define put_dec port_put_dec
#else
#include <stdio.h>
static void put_text(const char *text) { fputs(text, stdout); }
static void put_dec(uint64_t value) { printf("%llu", (unsigned long long)value); }
#endif

#if defined(EXPECTED_STORE_NUM_VALUES) && RBPF_STORE_NUM_VALUES != EXPECTED_STORE_NUM_VALUES
#error "the library's RBPF_STORE_NUM_VALUES did not reach the application"
#endif

static uint64_t stack[512 / 8];
static const rbpf_config_t config = {stack, sizeof stack, 0, 0, NULL, 0, NULL, NULL, NULL};

static int failures;

#ifdef CONSUMER_CXX
int consumer_cxx_check(void);
#endif

/* Runs the container `data` on ctx; returns r0, counts a failure on error. */
static uint64_t run(const uint8_t *data, size_t size, struct consumer_ctx *ctx)
{
    static rbpf_program_t program;
    static rbpf_vm_t vm;
    static uint64_t ram[8];
    uint64_t r0 = 0;
    int rc = rbpf_load(&program, data, size, &config);
    if (rc == 0) {
        rbpf_vm_init(&vm, &program, &config, ram, sizeof ram);
        rc = rbpf_vm_run(&vm, 0, ctx, sizeof *ctx, &r0);
        rbpf_vm_deinit(&vm);
    }
    if (rc != 0) {
        put_text("consumer: ");
        put_text(rbpf_strerror(rc));
        put_text("\n");
        failures++;
    }
    return r0;
}

static void check(const char *what, uint64_t got, uint64_t want)
{
    if (got != want) {
        put_text("consumer: wrong ");
        put_text(what);
        put_text("\n");
        failures++;
    }
}

int main(void)
{
    struct consumer_ctx ctx = {7, 0};
    const rbpf_embedded_container_t *by_name = NULL;
    size_t i;
    uint64_t scaled, negated;

    for (i = 0; i < rbpf_container_count; i++)
        if (strcmp(rbpf_containers[i].name, "scale") == 0)
            by_name = &rbpf_containers[i];
    check("container count", rbpf_container_count, 2);
#ifdef EXPECTED_STORE_NUM_VALUES
    check("store pool size", rbpf_store_free_count(), EXPECTED_STORE_NUM_VALUES);
#endif
    check("table entry for scale", by_name != NULL && by_name->data == rbpf_container_scale, 1);
    check("name of more/negate.cpp", strcmp(rbpf_containers[0].name, "more_negate") == 0, 1);

    scaled = run(rbpf_container_scale, rbpf_container_scale_size, &ctx);
    check("scale", scaled, 7u * FACTOR + CONSUMER_OFFSET);
    check("scale's context", ctx.result, scaled);
    ctx.value = 5;
    negated = run(rbpf_container_more_negate, rbpf_container_more_negate_size, &ctx);
    check("negate", negated, (uint64_t)0 - 5u);
#ifdef CONSUMER_CXX
    check("scale through rBPF::Container::scale", (uint64_t)consumer_cxx_check(), 1);
#endif

    put_text("consumer: scale(7) = ");
    put_dec(scaled);
    put_text(", negate(5) = -");
    put_dec((uint64_t)0 - negated);
    put_text(failures ? ": FAILED\n" : ": ok\n");
    return failures != 0;
}
