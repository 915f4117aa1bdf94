/*
 * appcalls.cpp: the application's calls declared in
 * container/include/bpf_appcalls.h, implemented in rBPF::VM with the VM as
 * an extra first parameter. Every pointer a container passes is checked
 * with bpf_load_allowed() or bpf_store_allowed() before it is used.
 */
#include <SmingCore.h>
#include <bpf.h>

namespace rBPF
{
namespace VM
{
namespace
{
int magic{1234};
}

int bpf_user_get_magic(bpf_t* bpf)
{
    (void)bpf;
    return magic;
}

void bpf_user_set_magic(bpf_t* bpf, int value)
{
    (void)bpf;
    Serial.print(_F("bpf_user_set_magic("));
    Serial.print(value);
    Serial.println(")");
    magic = value;
}

size_t bpf_user_send_packet(bpf_t* bpf, char* data, size_t len)
{
    // Verify that data points to valid readable memory
    if(bpf_load_allowed(bpf, data, len) < 0) {
        return 0;
    }
    Serial.print(_F("SEND "));
    Serial.print(len);
    Serial.print(_F(" bytes: "));
    for(size_t i = 0; i < len; ++i) {
        Serial.print(data[i]);
    }
    Serial.println();
    return len;
}

size_t bpf_user_read_packet(bpf_t* bpf, char* buffer, size_t len)
{
    static const char test[] = "Some test packet content to return";
    len = std::min(len, sizeof(test) - 1);
    // Verify that buffer points to valid writeable memory
    if(bpf_store_allowed(bpf, buffer, len) < 0) {
        return 0;
    }
    memcpy(buffer, test, len);
    return len;
}

} // namespace VM
} // namespace rBPF
