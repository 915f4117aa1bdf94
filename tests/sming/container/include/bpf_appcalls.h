/* The test application's calls (tests/sming/test_sming.cpp implements them). */
#define BPF_SYSCALL_APP(XX)                                                                        \
    XX(0x0100, bpf_test_wide, uint64_t, uint64_t a, int32_t b, int8_t c, bool d, uint64_t e)       \
    XX(0x0101, bpf_test_sum, int64_t, const uint8_t* data, size_t len)                             \
    XX(0x0102, bpf_test_fill, void*, uint8_t* buffer, size_t len, uint8_t value)                   \
    XX(0x0103, bpf_test_none, void)
