/* The application's calls, declared once for containers and host: id,
 * name, return type, typed parameters. The host implements each as
 * rBPF::VM::name(bpf_t* bpf, ...) (app/appcalls.cpp). */
#define BPF_SYSCALL_APP(XX)                                                                        \
    XX(0x0100, bpf_user_get_magic, int)                                                            \
    XX(0x0101, bpf_user_set_magic, void, int value)                                                \
    XX(0x0102, bpf_user_send_packet, size_t, char* data, size_t len)                               \
    XX(0x0103, bpf_user_read_packet, size_t, char* buffer, size_t len)
