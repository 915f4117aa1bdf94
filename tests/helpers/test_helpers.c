/*
 * test_helpers.c: the standard helpers (src/helpers.c) called directly with
 * valid and invalid pointers (outside every region, straddling a region's
 * end, read-only, overflowing lengths), bpf_printf's conversions checked
 * against expected text and against the host's snprintf, and a few
 * containers that call the helpers through the interpreter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rbpf.h"

/* Memory the tests grant: rw = mem[0, 256) read-write, ro = mem[512, 576)
 * read-only, wo = mem[768, 784) write-only. The bytes between them are
 * ordinary host memory the VM does not grant. */
#define RW_OFF 0u
#define RW_LEN 256u
#define RO_OFF 512u
#define RO_LEN 64u
#define WO_OFF 768u
#define WO_LEN 16u
static union {
    uint64_t align;
    uint8_t bytes[1024];
} memory;
#define mem (memory.bytes)

static uint64_t stack[64];
static const rbpf_helper_t helpers[] = {RBPF_STANDARD_HELPERS};
static int user_marker;

static char printed[4 * RBPF_PRINTF_MAX];
static size_t printed_len;
static int print_calls;

static void capture(void *user, const char *text, size_t length)
{
    assert_ptr_equal(user, &user_marker);
    assert_true(length <= RBPF_PRINTF_MAX);
    assert_int_equal(text[length], '\0');
    memcpy(printed, text, length);
    printed[length] = '\0';
    printed_len = length;
    print_calls++;
}

static uint64_t clock_ms(void *user)
{
    assert_ptr_equal(user, &user_marker);
    return 123456789012ull;
}

static const rbpf_config_t config = {stack,        sizeof(stack), 0, 0,
                                     helpers,      sizeof(helpers) / sizeof(helpers[0]),
                                     capture,      clock_ms,
                                     &user_marker};
static const rbpf_config_t bare_config = {stack, sizeof(stack), 0, 0, helpers,
                                          sizeof(helpers) / sizeof(helpers[0]),
                                          NULL, NULL, NULL};

/* mov r0, 0; exit */
static const uint8_t return_zero[16] = {0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
static rbpf_program_t program;
static rbpf_vm_t vm;
static rbpf_region_t regions[3];

static uint64_t at(size_t offset)
{
    return (uint64_t)(uintptr_t)(mem + offset);
}

static void vm_setup_with(const rbpf_config_t *cfg)
{
    assert_int_equal(rbpf_load_raw(&program, return_zero, sizeof(return_zero), cfg), RBPF_OK);
    assert_int_equal(rbpf_vm_init(&vm, &program, cfg, NULL, 0), RBPF_OK);
    assert_int_equal(rbpf_region_add(&vm, &regions[0], mem + RW_OFF, RW_LEN, RBPF_RW), RBPF_OK);
    assert_int_equal(rbpf_region_add(&vm, &regions[1], mem + RO_OFF, RO_LEN, RBPF_READ), RBPF_OK);
    assert_int_equal(rbpf_region_add(&vm, &regions[2], mem + WO_OFF, WO_LEN, RBPF_WRITE), RBPF_OK);
}

/* Copies a string with its NUL into mem at offset. */
static void put_text(size_t offset, const char *text)
{
    memcpy(mem + offset, text, strlen(text) + 1);
}

static int setup(void **state)
{
    (void)state;
    rbpf_store_reset();
    memset(mem, 0, sizeof(mem));
    memset(printed, 0, sizeof(printed));
    printed_len = 0;
    print_calls = 0;
    vm_setup_with(&config);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rbpf_vm_deinit(&vm);
    return 0;
}

/* Calls helper fn with r1..r5; r0 is preset to a marker a helper that
 * forgets to write it would leave. */
static int call(rbpf_helper_fn fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                uint64_t a5, uint64_t *r0)
{
    uint64_t args[5];
    args[0] = a1;
    args[1] = a2;
    args[2] = a3;
    args[3] = a4;
    args[4] = a5;
    *r0 = 0x5a5a5a5a5a5a5a5aull;
    return fn(&vm, args, r0);
}

/* bpf_printf with fmt copied into the read-write region; expects success,
 * `expect` printed and r0 = its length. */
static void printf_expect(const char *fmt, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                          const char *expect)
{
    uint64_t r0;
    size_t n = strlen(fmt);
    assert_true(n < RW_LEN);
    memcpy(mem + RW_OFF, fmt, n + 1);
    print_calls = 0;
    printed_len = 0;
    printed[0] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), a, b, c, d, &r0), RBPF_OK);
    assert_string_equal(printed, expect);
    assert_int_equal(printed_len, strlen(expect));
    assert_int_equal(print_calls, strlen(expect) > 0 ? 1 : 0);
    assert_int_equal(r0, strlen(expect));
}

static void test_printf_conversions(void **state)
{
    (void)state;
    printf_expect("hello", 0, 0, 0, 0, "hello");
    printf_expect("", 0, 0, 0, 0, "");
    printf_expect("%d|%i|%u", (uint64_t)-5, 7, 0xffffffffu, 0, "-5|7|4294967295");
    /* Plain conversions take 32 bits, l and ll take 64. */
    printf_expect("%d %ld %lld", 0x100000005ull, 0x100000005ull, (uint64_t)INT64_MIN, 0,
                  "5 4294967301 -9223372036854775808");
    printf_expect("%u %lu %llu", 0xfffffffffull, 0xfffffffffull, UINT64_MAX, 0,
                  "4294967295 68719476735 18446744073709551615");
    printf_expect("%d %d", 0x80000000u, 0xffffffff80000000ull, 0, 0, "-2147483648 -2147483648");
    printf_expect("%x %X %lx %llX", 0xdeadbeefu, 0xabcu, 0x123456789aull, 0x1000000ffull,
                  "deadbeef ABC 123456789a 1000000FF");
    printf_expect("%x", 0x10000000full, 0, 0, 0, "f");
    printf_expect("%c%c%c", 'o', 'k', 0x141, 0, "okA");
    printf_expect("%p %p", 0x1234, 0, 0, 0, "0x1234 0x0");
    printf_expect("100%% %d%%", 3, 0, 0, 0, "100% 3%");
    printf_expect("%s and %s", at(RW_OFF + 100), at(RO_OFF), 0, 0, " and ");
}

static void test_printf_width_and_flags(void **state)
{
    (void)state;
    printf_expect("[%5d][%-5d][%05d][%05d]", 42, 42, 42, (uint64_t)-42, "[   42][42   ][00042][-0042]");
    printf_expect("[%3d][%-3x][%03X][%1s]", 12345, 0xabcde, 0xabcde, at(RO_OFF + 1), "[12345][abcde][ABCDE][ ]");
    printf_expect("[%8p][%-8p][%08p]", 0x1f, 0x1f, 0x1f, 0, "[    0x1f][0x1f    ][0x00001f]");
    printf_expect("[%-05d][%5c][%-3c]", 7, 'a', 'b', 0, "[7    ][    a][b  ]");
}

static void test_printf_strings(void **state)
{
    uint64_t r0;
    (void)state;
    put_text(RO_OFF, "flash");
    put_text(RW_OFF + 200, "ram");
    put_text(RW_OFF, "[%s][%8s][%-4s]");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), at(RO_OFF), at(RW_OFF + 200),
                          at(RW_OFF + 200), 0, &r0),
                     RBPF_OK);
    assert_string_equal(printed, "[flash][     ram][ram ]");
    assert_int_equal(r0, 23);
    /* The format itself may live in read-only memory (rodata). */
    put_text(RO_OFF + 8, "ro %d");
    assert_int_equal(call(rbpf_helper_printf, at(RO_OFF + 8), 9, 0, 0, 0, &r0), RBPF_OK);
    assert_string_equal(printed, "ro 9");
}

static void test_printf_odd_formats(void **state)
{
    (void)state;
    /* Not understood, or no argument left: copied as written. */
    printf_expect("%q %d", 1, 0, 0, 0, "%q 1");
    printf_expect("a%", 0, 0, 0, 0, "a%");
    printf_expect("a%5", 0, 0, 0, 0, "a%5");
    printf_expect("%lll", 0, 0, 0, 0, "%lll");
    printf_expect("%d %d %d %d %d %s", 1, 2, 3, 4, "1 2 3 4 %d %s");
}

/* Random single conversions compared with the host's snprintf. */
static void test_printf_against_snprintf(void **state)
{
    static const char convs[] = "diuxXc";
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int i;
    (void)state;
    for (i = 0; i < 3000; i++) {
        char ours[32];
        char host[32];
        char expect[256];
        uint64_t arg;
        unsigned r;
        char conv;
        int wide;
        unsigned width;
        const char *flags;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        r = (unsigned)(seed >> 32);
        arg = seed * 0x2545f4914f6cdd1dull;
        if (r & 0x1000) {
            arg >>= (r >> 20) % 64; /* small values too */
        }
        conv = convs[r % 6];
        wide = conv == 'c' ? 0 : (int)((r >> 4) % 3);
        width = (r >> 8) % 4 == 0 ? 0 : (r >> 12) % 30;
        flags = (r >> 16) % 4 == 0 ? "" : (r >> 16) % 4 == 1 ? "0" : (r >> 16) % 4 == 2 ? "-" : "-0";
        if (conv == 'c') {
            flags = (r >> 16) % 2 ? "-" : "";
        }
        snprintf(ours, sizeof(ours), "<%%%s%.0u%s%c>", flags, width, wide == 2 ? "ll" : wide ? "l" : "",
                 conv);
        snprintf(host, sizeof(host), "<%%%s%.0u%s%c>", flags, width, wide ? "ll" : "", conv);
        if (conv == 'c') {
            snprintf(expect, sizeof(expect), host, (int)(unsigned char)arg);
        } else if (wide) {
            if (conv == 'd' || conv == 'i') {
                snprintf(expect, sizeof(expect), host, (long long)(int64_t)arg);
            } else {
                snprintf(expect, sizeof(expect), host, (unsigned long long)arg);
            }
        } else if (conv == 'd' || conv == 'i') {
            snprintf(expect, sizeof(expect), host, (int)(int32_t)(uint32_t)arg);
        } else {
            snprintf(expect, sizeof(expect), host, (unsigned)(uint32_t)arg);
        }
        if (conv == 'c' && (unsigned char)arg == 0) {
            continue; /* a NUL byte: fine, but not comparable as a C string */
        }
        printf_expect(ours, arg, 0, 0, 0, expect);
    }
}

static void test_printf_truncation(void **state)
{
    char expect[512];
    uint64_t r0;
    (void)state;
    /* A long format: the output stops at RBPF_PRINTF_MAX. */
    memset(mem + RW_OFF, 'a', RW_LEN - 1);
    mem[RW_OFF + RW_LEN - 1] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), 0, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, RBPF_PRINTF_MAX);
    assert_int_equal(printed_len, RBPF_PRINTF_MAX);
    assert_int_equal(strspn(printed, "a"), RBPF_PRINTF_MAX);
    /* Cut inside a padded number and inside a string. */
    snprintf(expect, sizeof(expect), "x%120d|%lld", 7, -123456789012345ll);
    expect[RBPF_PRINTF_MAX] = '\0';
    printf_expect("x%120d|%lld", 7, (uint64_t)-123456789012345ll, 0, 0, expect);
    memset(mem + RO_OFF, 'z', RO_LEN - 1);
    mem[RO_OFF + RO_LEN - 1] = '\0';
    put_text(RW_OFF, "%s%s%s");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), at(RO_OFF), at(RO_OFF), at(RO_OFF), 0,
                          &r0),
                     RBPF_OK);
    assert_int_equal(r0, RBPF_PRINTF_MAX);
    assert_int_equal(strspn(printed, "z"), RBPF_PRINTF_MAX);
    /* Widths far beyond the limit are cut too, not refused. */
    put_text(RW_OFF, "%999999999999999999999d");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), 5, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, RBPF_PRINTF_MAX);
}

/* A string far longer than anything printed is read only as far as the
 * output goes: a megabyte without a NUL prints RBPF_PRINTF_MAX bytes. (It
 * was once measured to its NUL: the run failed here, and a loop printing
 * it spent seconds of budget.) */
static void test_printf_reads_only_what_it_prints(void **state)
{
    static char big[1 << 20];
    static rbpf_region_t region;
    uint64_t r0;
    (void)state;
    memset(big, 'x', sizeof big);
    assert_int_equal(rbpf_region_add(&vm, &region, big, sizeof big, RBPF_READ), RBPF_OK);
    put_text(RW_OFF, "%s");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), (uintptr_t)big, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, RBPF_PRINTF_MAX);
    assert_int_equal(strspn(printed, "x"), RBPF_PRINTF_MAX);
    /* the format itself */
    assert_int_equal(call(rbpf_helper_printf, (uintptr_t)big, 0, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, RBPF_PRINTF_MAX);
    /* padding is computed as for the whole string: none, it is longer */
    put_text(RW_OFF, "%-100s|");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), (uintptr_t)big, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(strspn(printed, "x"), RBPF_PRINTF_MAX);
    /* but the bytes it would print must be there: 10 bytes before the end,
     * still unterminated */
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), (uintptr_t)(big + sizeof big - 10), 0,
                          0, 0, &r0),
                     RBPF_ERR_MEMORY);
    assert_int_equal(call(rbpf_helper_printf, (uintptr_t)(big + sizeof big - 10), 0, 0, 0, 0, &r0),
                     RBPF_ERR_MEMORY);
}

static void test_printf_bad_format(void **state)
{
    uint64_t r0;
    (void)state;
    /* Outside every region, and NULL. */
    assert_int_equal(call(rbpf_helper_printf, at(400), 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    assert_int_equal(call(rbpf_helper_printf, 0, 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    /* Unterminated at the end of a region, though host memory right after
     * it holds a NUL. */
    memset(mem + RO_OFF, 'a', RO_LEN);
    mem[RO_OFF + RO_LEN] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RO_OFF), 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    assert_int_equal(call(rbpf_helper_printf, at(RO_OFF + RO_LEN - 3), 0, 0, 0, 0, &r0),
                     RBPF_ERR_MEMORY);
    /* Same over a long read-write region (several scan steps). */
    memset(mem + RW_OFF, 'b', RW_LEN);
    mem[RW_OFF + RW_LEN] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF + 1), 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    /* Write-only memory is not readable. */
    put_text(WO_OFF, "wo");
    assert_int_equal(call(rbpf_helper_printf, at(WO_OFF), 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    assert_int_equal(print_calls, 0);
    /* The NUL as the very last byte of the region is fine. */
    mem[RO_OFF + RO_LEN - 1] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RO_OFF), 0, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, RO_LEN - 1);
    mem[RW_OFF + RW_LEN - 1] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF + RW_LEN - 1), 0, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
}

static void test_printf_bad_string_argument(void **state)
{
    uint64_t r0;
    (void)state;
    put_text(RW_OFF, "x=%s");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), at(400), 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    memset(mem + RO_OFF, 'q', RO_LEN);
    mem[RO_OFF + RO_LEN] = '\0';
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), at(RO_OFF + 60), 0, 0, 0, &r0),
                     RBPF_ERR_MEMORY);
    /* The fourth argument is checked like the first. */
    put_text(RW_OFF, "%d%d%d%s");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), 1, 2, 3, at(WO_OFF), &r0),
                     RBPF_ERR_MEMORY);
    assert_int_equal(print_calls, 0);
}

static void test_printf_without_hook(void **state)
{
    uint64_t r0;
    (void)state;
    rbpf_vm_deinit(&vm);
    vm_setup_with(&bare_config);
    put_text(RW_OFF, "n=%d");
    assert_int_equal(call(rbpf_helper_printf, at(RW_OFF), 12, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 4);
    assert_int_equal(print_calls, 0);
    assert_int_equal(call(rbpf_helper_now_ms, 0, 0, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
}

static void test_memcpy(void **state)
{
    uint64_t r0;
    uint8_t expect[32];
    int i;
    (void)state;
    for (i = 0; i < 32; i++) {
        mem[RO_OFF + i] = (uint8_t)(i * 7 + 1);
        mem[RW_OFF + i] = (uint8_t)(200 - i);
    }
    assert_int_equal(call(rbpf_helper_memcpy, at(RW_OFF + 100), at(RO_OFF), 32, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, at(RW_OFF + 100));
    assert_memory_equal(mem + RW_OFF + 100, mem + RO_OFF, 32);
    /* Overlapping ranges behave like memmove. */
    memcpy(expect, mem + RW_OFF, 20);
    assert_int_equal(call(rbpf_helper_memcpy, at(RW_OFF + 3), at(RW_OFF), 20, 0, 0, &r0), RBPF_OK);
    assert_memory_equal(mem + RW_OFF + 3, expect, 20);
    /* The whole region, edge to edge. */
    assert_int_equal(call(rbpf_helper_memcpy, at(RW_OFF + RW_LEN - RO_LEN), at(RO_OFF), RO_LEN, 0, 0, &r0),
                     RBPF_OK);
    assert_memory_equal(mem + RW_OFF + RW_LEN - RO_LEN, mem + RO_OFF, RO_LEN);
    /* Zero bytes: nothing to check, nothing copied. */
    assert_int_equal(call(rbpf_helper_memcpy, at(400), at(400), 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, at(400));
}

static void test_memcpy_refused(void **state)
{
    static const struct {
        size_t dst;
        size_t src;
        uint64_t n;
    } bad[] = {
        {RO_OFF, RW_OFF, 4},                 /* destination read-only */
        {RW_OFF, WO_OFF, 4},                 /* source write-only */
        {RW_OFF + RW_LEN - 3, RO_OFF, 4},    /* destination straddles the end */
        {RW_OFF, RO_OFF + RO_LEN - 3, 4},    /* source straddles the end */
        {RW_OFF, RO_OFF, RO_LEN + 1},        /* one byte too many */
        {400, RO_OFF, 4},                    /* destination not granted */
        {RW_OFF, 400, 4},                    /* source not granted */
        {RW_OFF, RO_OFF, UINT64_MAX},        /* length overflows */
        {RW_OFF, RO_OFF, (1ull << 32) + 4},  /* length truncated to 32 bits would pass */
    };
    uint8_t before[sizeof(mem)];
    uint64_t r0;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(mem); i++) {
        mem[i] = (uint8_t)(i * 13);
    }
    memcpy(before, mem, sizeof(mem));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(call(rbpf_helper_memcpy, at(bad[i].dst), at(bad[i].src), bad[i].n, 0, 0,
                              &r0),
                         RBPF_ERR_MEMORY);
        assert_memory_equal(mem, before, sizeof(mem));
    }
    /* Addresses that wrap around. */
    assert_int_equal(call(rbpf_helper_memcpy, at(RW_OFF), UINT64_MAX - 1, 4, 0, 0, &r0),
                     RBPF_ERR_MEMORY);
    assert_int_equal(call(rbpf_helper_memcpy, UINT64_MAX - 1, at(RO_OFF), 4, 0, 0, &r0),
                     RBPF_ERR_MEMORY);
    assert_memory_equal(mem, before, sizeof(mem));
}

static void test_store_and_fetch(void **state)
{
    uint64_t r0;
    uint32_t v;
    (void)state;
    assert_int_equal(call(rbpf_helper_store_global, 5, 0x1234567890ull, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
    assert_int_equal(rbpf_store_fetch(rbpf_store_global(), 5, &v), 1);
    assert_int_equal(v, 0x34567890u); /* values are 32-bit */
    assert_int_equal(call(rbpf_helper_store_local, 5, 77, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
    /* Into writable memory, unaligned, at the very end of a region. */
    memset(mem, 0xaa, 8);
    assert_int_equal(call(rbpf_helper_fetch_global, 5, at(RW_OFF + 1), 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
    memcpy(&v, mem + 1, 4);
    assert_int_equal(v, 0x34567890u);
    assert_int_equal(mem[0], 0xaa);
    assert_int_equal(mem[5], 0xaa);
    assert_int_equal(call(rbpf_helper_fetch_local, 5, at(WO_OFF + WO_LEN - 4), 0, 0, 0, &r0), RBPF_OK);
    memcpy(&v, mem + WO_OFF + WO_LEN - 4, 4);
    assert_int_equal(v, 77);
    /* A missing key reads as 0 and takes no entry. */
    memset(mem + 16, 0xaa, 4);
    assert_int_equal(rbpf_store_free_count(), RBPF_STORE_NUM_VALUES - 2);
    assert_int_equal(call(rbpf_helper_fetch_local, 6, at(16), 0, 0, 0, &r0), RBPF_OK);
    memcpy(&v, mem + 16, 4);
    assert_int_equal(v, 0);
    assert_int_equal(rbpf_store_free_count(), RBPF_STORE_NUM_VALUES - 2);
    /* Keys are 32-bit too: the upper half of r1 is ignored. */
    assert_int_equal(call(rbpf_helper_fetch_global, 0x700000005ull, at(16), 0, 0, 0, &r0), RBPF_OK);
    memcpy(&v, mem + 16, 4);
    assert_int_equal(v, 0x34567890u);
}

static void test_fetch_refused(void **state)
{
    static const size_t bad[] = {RO_OFF, RW_OFF + RW_LEN - 3, WO_OFF + WO_LEN - 1, 400};
    uint8_t before[sizeof(mem)];
    uint64_t r0;
    size_t i;
    (void)state;
    assert_int_equal(rbpf_store_update(rbpf_store_global(), 1, 0x01020304u), RBPF_OK);
    assert_int_equal(rbpf_store_update(&vm.local_store, 1, 0x01020304u), RBPF_OK);
    memset(mem, 0xee, sizeof(mem));
    memcpy(before, mem, sizeof(mem));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(call(rbpf_helper_fetch_global, 1, at(bad[i]), 0, 0, 0, &r0), RBPF_ERR_MEMORY);
        assert_int_equal(call(rbpf_helper_fetch_local, 1, at(bad[i]), 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    }
    assert_int_equal(call(rbpf_helper_fetch_local, 1, 0, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    assert_int_equal(call(rbpf_helper_fetch_local, 1, UINT64_MAX - 2, 0, 0, 0, &r0), RBPF_ERR_MEMORY);
    assert_memory_equal(mem, before, sizeof(mem));
}

static void test_store_full_is_returned(void **state)
{
    uint64_t r0;
    uint32_t i;
    uint32_t n = rbpf_store_free_count();
    (void)state;
    for (i = 0; i < n; i++) {
        assert_int_equal(call(rbpf_helper_store_local, i, i + 1, 0, 0, 0, &r0), RBPF_OK);
        assert_int_equal(r0, 0);
    }
    /* The helper succeeds (the run goes on); the container sees the error. */
    assert_int_equal(call(rbpf_helper_store_global, 99, 1, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal((int64_t)r0, RBPF_ERR_STORE_FULL);
    assert_int_equal(call(rbpf_helper_store_local, 99, 1, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal((int64_t)r0, RBPF_ERR_STORE_FULL);
    /* An existing key is still updated. */
    assert_int_equal(call(rbpf_helper_store_local, 3, 333, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 0);
    assert_int_equal(call(rbpf_helper_fetch_local, 3, at(0), 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(mem[0] | mem[1] << 8, 333);
}

static void test_now_ms(void **state)
{
    uint64_t r0;
    (void)state;
    assert_int_equal(call(rbpf_helper_now_ms, 0, 0, 0, 0, 0, &r0), RBPF_OK);
    assert_int_equal(r0, 123456789012ull);
}

/* ---- Through the interpreter -------------------------------------------- */

#define INSN(op, dst, src, off, imm)                                                          \
    (uint8_t)(op), (uint8_t)((dst) | ((src) << 4)), (uint8_t)((off) & 0xff),                  \
        (uint8_t)(((off) >> 8) & 0xff), (uint8_t)((uint32_t)(imm) & 0xff),                    \
        (uint8_t)(((uint32_t)(imm) >> 8) & 0xff), (uint8_t)(((uint32_t)(imm) >> 16) & 0xff), \
        (uint8_t)(((uint32_t)(imm) >> 24) & 0xff)
#define MOV_K(dst, imm) INSN(0xb7, dst, 0, 0, imm)
#define MOV_X(dst, src) INSN(0xbf, dst, src, 0, 0)
#define ADD_K(dst, imm) INSN(0x07, dst, 0, 0, imm)
#define STB(dst, off, imm) INSN(0x72, dst, 0, off, imm)
#define LDXW(dst, src, off) INSN(0x61, dst, src, off, 0)
#define CALL(id) INSN(0x85, 0, 0, 0, id)
#define EXIT INSN(0x95, 0, 0, 0, 0)

static int run(const uint8_t *code, size_t size, uint64_t *r0)
{
    rbpf_program_t prog;
    rbpf_vm_t run_vm;
    int rc;
    assert_int_equal(rbpf_load_raw(&prog, code, size, &config), RBPF_OK);
    assert_int_equal(rbpf_vm_init(&run_vm, &prog, &config, NULL, 0), RBPF_OK);
    rc = rbpf_vm_run(&run_vm, 0, NULL, 0, r0);
    rbpf_vm_deinit(&run_vm);
    return rc;
}

static void test_run_store_fetch_printf(void **state)
{
    /* bpf_store_global(7, 42); bpf_fetch_global(7, r10 - 8);
     * bpf_printf("n=%d", *(u32 *)(r10 - 8)) with the format built on the
     * stack; returns printf's result. */
    static const uint8_t code[] = {
        MOV_K(1, 7), MOV_K(2, 42), CALL(0x10),
        MOV_K(1, 7), MOV_X(2, 10), ADD_K(2, -8), CALL(0x12),
        STB(10, -16, 'n'), STB(10, -15, '='), STB(10, -14, '%'), STB(10, -13, 'd'), STB(10, -12, 0),
        MOV_X(1, 10), ADD_K(1, -16), LDXW(2, 10, -8), CALL(0x01),
        EXIT,
    };
    uint64_t r0 = 0;
    uint32_t v;
    (void)state;
    assert_int_equal(run(code, sizeof(code), &r0), RBPF_OK);
    assert_int_equal(r0, 4);
    assert_string_equal(printed, "n=42");
    assert_int_equal(rbpf_store_fetch(rbpf_store_global(), 7, &v), 1);
    assert_int_equal(v, 42);
}

static void test_run_bad_pointer_ends_the_run(void **state)
{
    /* bpf_fetch_local(1, (uint32_t *)8) */
    static const uint8_t fetch[] = {MOV_K(1, 1), MOV_K(2, 8), CALL(0x13), MOV_K(0, 5), EXIT};
    /* bpf_printf(r10 + 0): the format starts just past the stack. */
    static const uint8_t print[] = {MOV_X(1, 10), CALL(0x01), MOV_K(0, 5), EXIT};
    uint64_t r0 = 0;
    (void)state;
    assert_int_equal(run(fetch, sizeof(fetch), &r0), RBPF_ERR_MEMORY);
    assert_int_equal(run(print, sizeof(print), &r0), RBPF_ERR_MEMORY);
    assert_int_equal(print_calls, 0);
}

static void test_run_store_full_goes_on(void **state)
{
    /* r0 = bpf_store_local(1, 1); return r0 */
    static const uint8_t code[] = {MOV_K(1, 1), MOV_K(2, 1), CALL(0x11), EXIT};
    uint32_t i;
    uint64_t r0 = 0;
    (void)state;
    for (i = 0; rbpf_store_free_count() > 0; i++) {
        assert_int_equal(rbpf_store_update(rbpf_store_global(), i, i), RBPF_OK);
    }
    assert_int_equal(run(code, sizeof(code), &r0), RBPF_OK);
    assert_int_equal((int64_t)r0, RBPF_ERR_STORE_FULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_printf_conversions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_width_and_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_odd_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_against_snprintf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_reads_only_what_it_prints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_bad_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_bad_string_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(test_printf_without_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memcpy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memcpy_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_and_fetch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_full_is_returned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_now_ms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_store_fetch_printf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_bad_pointer_ends_the_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_store_full_goes_on, setup, teardown),
    };
    return cmocka_run_group_tests_name("helpers", tests, NULL, NULL);
}
