/* appcall.c: calls the application (bpf_appcalls.h) as plain functions:
 * reads and changes its magic number, hands it a packet to send and has
 * it fill a buffer with a received one. The last call passes memory the
 * container was never given: the host refuses it and returns 0. */
#include <bpf/bpfapi/helpers.h>

int64_t appcall()
{
    bpf_printf("bpf_user_get_magic() returned %d\r\n", bpf_user_get_magic());
    bpf_user_set_magic(bpf_user_get_magic() + 5000);

    char packet[] = "This is my packet";
    size_t sent = bpf_user_send_packet(packet, sizeof(packet) - 1);

    char buffer[128];
    size_t len = bpf_user_read_packet(buffer, sizeof(buffer) - 1);
    buffer[len] = '\0';
    bpf_printf("Read %u bytes: %s\r\n", (unsigned)len, buffer);

    size_t forged = bpf_user_send_packet((char*)(uintptr_t)0x1000, 16);
    bpf_printf("Sending memory not granted returned %u\r\n", (unsigned)forged);

    return sent + len;
}
