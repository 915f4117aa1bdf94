/* packet.h: the context of the packet container, shared by the container
 * (clang -target bpf) and the host (main.c). Addresses travel as uint64_t:
 * eBPF registers are 64-bit whatever the host's pointer size. */
#ifndef SAMPLES_USERCALLS_PACKET_H
#define SAMPLES_USERCALLS_PACKET_H

#include <stdint.h>

struct packet_ctx {
    uint64_t rx;     /* received packet, granted read-only */
    uint64_t tx;     /* reply buffer, granted read-write */
    uint32_t rx_len;
    uint32_t tx_len; /* in: room in tx; out: length of the reply */
};

/* The application helpers' ids (main.c registers them). */
#define NET_CHECKSUM 0x100
#define NET_PUT_U16BE 0x101

#endif
