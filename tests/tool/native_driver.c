/*
 * native_driver.c: runs a test container's C source natively, as the
 * reference for `rbpf run`. Built once per container with
 * -DCONTAINER_SOURCE='"path/to/name.c"': the container's entry(ctx) is
 * called with the context given as hex in argv[1] (copied into an 8-aligned
 * buffer, as rbpf run does) and r0 is printed as 0x<hex>, like rbpf run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include CONTAINER_SOURCE

int main(int argc, char **argv)
{
    static uint64_t buffer[512];
    uint8_t *bytes = (uint8_t *)buffer;
    size_t n = 0;
    const char *hex = argc > 1 ? argv[1] : "";
    if (strlen(hex) % 2 || strlen(hex) / 2 > sizeof buffer) {
        fprintf(stderr, "native_driver: bad context hex\n");
        return 1;
    }
    for (; hex[2 * n]; n++) {
        unsigned v;
        if (sscanf(hex + 2 * n, "%2x", &v) != 1) {
            fprintf(stderr, "native_driver: bad context hex\n");
            return 1;
        }
        bytes[n] = (uint8_t)v;
    }
    printf("0x%llx\n", (unsigned long long)entry((void *)bytes));
    return 0;
}
