/* packet.c: a container that works on packet buffers the host grants it,
 * through two application helpers the host registers (ids 0x100 and up):
 *   reply    tx = checksum (2 bytes, big-endian) + the payload in upper case
 *   overrun  asks for a checksum over one byte more than was received
 *   forge    asks the host to write into the read-only received packet
 * The last two are refused by the host's helpers: the run ends with an
 * illegal memory access instead of touching memory outside the grants. */
#include <rbpf/container.h>

#include "packet.h"

/* The host's helpers (samples/usercalls/main.c). */
RBPF_HELPER(uint32_t, net_checksum, NET_CHECKSUM, (const void *buf, uint32_t len));
RBPF_HELPER(long, net_put_u16be, NET_PUT_U16BE, (void *dst, uint32_t value));

uint64_t reply(struct packet_ctx *ctx)
{
    const uint8_t *rx = (const uint8_t *)(uintptr_t)ctx->rx;
    uint8_t *tx = (uint8_t *)(uintptr_t)ctx->tx;
    uint32_t n = ctx->rx_len;
    uint32_t sum;
    uint32_t i;
    if (n > ctx->tx_len - 2 || ctx->tx_len < 2) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        uint8_t c = rx[i];
        tx[2 + i] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 'a' + 'A') : c;
    }
    sum = net_checksum(tx + 2, n);
    net_put_u16be(tx, sum);
    ctx->tx_len = n + 2;
    return sum;
}

uint64_t overrun(struct packet_ctx *ctx)
{
    return net_checksum((const void *)(uintptr_t)ctx->rx, ctx->rx_len + 1);
}

uint64_t forge(struct packet_ctx *ctx)
{
    return (uint64_t)net_put_u16be((void *)(uintptr_t)ctx->rx, 0x4141);
}
