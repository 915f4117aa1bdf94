/*
 * main.c (samples/usercalls): a host that gives a container two powers of
 * its own, as application helpers 0x100 (net_checksum) and 0x101
 * (net_put_u16be), and two packet buffers as regions: the received packet
 * read-only, the reply buffer read-write. Each helper checks the pointers it
 * is given with rbpf_vm_check() before touching them, so a container that
 * passes a bad one is stopped with RBPF_ERR_MEMORY.
 * Usage: usercalls [PAYLOAD]  (default "hello, femto-containers")
 * RBPF_ENGINE=interp|threaded picks the engine (default: the translated
 * engine when the library has it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/packet.h"
#include "containers.h"
#include "rbpf.h"

/* net_checksum(buf, len): the Internet checksum (RFC 1071) of len bytes
 * of readable container memory. */
static int net_checksum(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    const uint8_t *p;
    uint32_t sum = 0;
    uint64_t i;
    int rc = rbpf_vm_check(vm, args[0], args[1], RBPF_READ);
    if (rc != RBPF_OK) {
        return rc;
    }
    p = (const uint8_t *)(uintptr_t)args[0];
    for (i = 0; i < args[1]; i += 2) {
        sum += (uint32_t)p[i] << 8;
        if (i + 1 < args[1]) {
            sum += p[i + 1];
        }
        sum = (sum & 0xffffu) + (sum >> 16);
    }
    *result = ~sum & 0xffffu;
    return RBPF_OK;
}

/* net_put_u16be(dst, value): writes value big-endian into 2 bytes of
 * writable container memory. */
static int net_put_u16be(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    uint8_t *p;
    int rc = rbpf_vm_check(vm, args[0], 2, RBPF_WRITE);
    if (rc != RBPF_OK) {
        return rc;
    }
    p = (uint8_t *)(uintptr_t)args[0];
    p[0] = (uint8_t)(args[1] >> 8);
    p[1] = (uint8_t)args[1];
    *result = 0;
    return RBPF_OK;
}

static uint64_t stack[512 / 8];
static const rbpf_helper_t helpers[] = {
    RBPF_STANDARD_HELPERS,
    {NET_CHECKSUM, "net_checksum", net_checksum},
    {NET_PUT_U16BE, "net_put_u16be", net_put_u16be},
};
static const rbpf_config_t config = {
    stack, sizeof(stack), 0, 0, helpers, sizeof(helpers) / sizeof(helpers[0]), NULL, NULL, NULL,
};

static uint8_t rx[256];
static uint8_t tx[260];

/* Runs function `name` on a fresh context; returns the run's error. */
static int run(rbpf_vm_t *vm, const char *name, size_t rx_len, struct packet_ctx *ctx, uint64_t *r0)
{
    int index = rbpf_function_find(vm->program, name);
    if (index < 0) {
        return index;
    }
    ctx->rx = (uint64_t)(uintptr_t)rx;
    ctx->tx = (uint64_t)(uintptr_t)tx;
    ctx->rx_len = (uint32_t)rx_len;
    ctx->tx_len = sizeof(tx);
    return rbpf_vm_run(vm, (uint32_t)index, ctx, sizeof(*ctx), r0);
}

/* Runs a function that must be refused; 0 when it was. */
static int expect_refused(rbpf_vm_t *vm, const char *name, size_t rx_len)
{
    struct packet_ctx ctx;
    uint64_t r0 = 0;
    uint8_t before[sizeof(rx)];
    int rc;
    memcpy(before, rx, sizeof(rx));
    rc = run(vm, name, rx_len, &ctx, &r0);
    if (rc == RBPF_ERR_MEMORY && memcmp(before, rx, sizeof(rx)) == 0) {
        printf("%s: refused (%s) at instruction %" PRId32 "\n", name, rbpf_error_name(rc), vm->error_at);
        return 0;
    }
    printf("%s: NOT refused: %s, r0 = %" PRIu64 "\n", name, rbpf_strerror(rc), r0);
    return 1;
}

/* The engine RBPF_ENGINE names, or the translated engine when the library
 * has it. */
static int engine_wanted(void)
{
    const char *name = getenv("RBPF_ENGINE");
    return name != NULL                                  ? rbpf_engine_find(name)
           : rbpf_engine_available(RBPF_ENGINE_THREADED) ? RBPF_ENGINE_THREADED
                                                         : RBPF_ENGINE_INTERP;
}

int main(int argc, char **argv)
{
    const char *payload = argc > 1 ? argv[1] : "hello, femto-containers";
    size_t n = strlen(payload);
    const rbpf_embedded_container_t *c = NULL;
    static rbpf_program_t program;
    static rbpf_vm_t vm;
    static uint64_t ram[16];
    static uint64_t translated[256]; /* the translated form: 8 bytes per instruction */
    int engine = engine_wanted();
    rbpf_region_t rx_region;
    rbpf_region_t tx_region;
    struct packet_ctx ctx;
    uint64_t r0 = 0;
    size_t i;
    int rc;
    int failed = 0;

    if (n > sizeof(rx)) {
        fprintf(stderr, "usercalls: payload longer than %zu bytes\n", sizeof(rx));
        return 1;
    }
    memcpy(rx, payload, n);
    for (i = 0; i < rbpf_container_count; i++) {
        if (strcmp(rbpf_containers[i].name, "packet") == 0) {
            c = &rbpf_containers[i];
        }
    }
    rc = c == NULL ? RBPF_ERR_NO_FUNCTION : rbpf_load(&program, c->data, c->size, &config);
    if (rc == RBPF_OK) {
        rc = engine < 0 ? engine : rbpf_prepare(&program, engine, translated, sizeof(translated));
    }
    if (rc == RBPF_OK) {
        rc = rbpf_vm_init(&vm, &program, &config, ram, sizeof(ram));
    }
    /* The grants: exactly the received bytes, read-only; the whole reply
     * buffer, read-write. */
    if (rc == RBPF_OK) {
        rc = rbpf_region_add(&vm, &rx_region, rx, n, RBPF_READ);
    }
    if (rc == RBPF_OK) {
        rc = rbpf_region_add(&vm, &tx_region, tx, sizeof(tx), RBPF_RW);
    }
    if (rc != RBPF_OK) {
        fprintf(stderr, "usercalls: cannot load packet: %s\n", rbpf_strerror(rc));
        return 1;
    }

    rc = run(&vm, "reply", n, &ctx, &r0);
    if (rc != RBPF_OK) {
        fprintf(stderr, "usercalls: reply failed: %s\n", rbpf_strerror(rc));
        return 1;
    }
    printf("reply: checksum 0x%04" PRIx64 ", %" PRIu32 " bytes, header %02x%02x, text \"%.*s\"\n", r0,
           ctx.tx_len, tx[0], tx[1], (int)(ctx.tx_len - 2), (const char *)tx + 2);

    failed |= expect_refused(&vm, "overrun", n);
    failed |= expect_refused(&vm, "forge", n);
    rbpf_vm_deinit(&vm);
    return failed;
}
