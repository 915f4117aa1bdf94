/*
 * helpers.c: the standard helpers a container can call (Sming numbering,
 * ids in rbpf.h): bpf_printf, bpf_memcpy, the key-value store calls and
 * bpf_now_ms.
 *
 * Every pointer a container passes is checked with rbpf_vm_check() before
 * it is touched; a bad one ends the run with RBPF_ERR_MEMORY. Failures the
 * container can handle (a full store) are returned to it in r0 instead.
 * bpf_printf has its own small formatter: the library uses no stdio.
 */
#include <string.h>

#include "rbpf.h"

/* Bytes of a string looked at per region check while searching its NUL. */
#define SCAN_CHUNK 64u

/* The most of a format bpf_printf reads: every format byte it formats
 * either produces output or belongs to one of at most four conversions that
 * take an argument, so a longer format would print no more (bar a single
 * conversion spelled with hundreds of flag or width digits). */
#define FORMAT_MAX (4u * RBPF_PRINTF_MAX)

/* Largest n <= max such that [address, address + n) is readable. A range
 * that is readable stays readable when shortened, so this is a binary
 * search over rbpf_vm_check(). */
static uint64_t readable_prefix(const rbpf_vm_t *vm, uint64_t address, uint64_t max)
{
    uint64_t lo = 0;
    uint64_t hi = max;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (rbpf_vm_check(vm, address, mid, RBPF_READ) == RBPF_OK) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

/* Length of the string at `address`, looking at no more than `max` bytes:
 * the bytes before its NUL, or `max` when the first `max` bytes are readable
 * and hold no NUL (the caller uses no more). RBPF_ERR_MEMORY when a region
 * ends first. The work is bounded by `max`, never by how far a container's
 * string runs. */
static int string_length(const rbpf_vm_t *vm, uint64_t address, size_t max, size_t *length)
{
    uint64_t done = 0;
    while (done < max) {
        uint64_t want = max - done < SCAN_CHUNK ? max - done : SCAN_CHUNK;
        uint64_t chunk = want;
        const char *start;
        const char *nul;
        if (rbpf_vm_check(vm, address + done, chunk, RBPF_READ) != RBPF_OK) {
            chunk = readable_prefix(vm, address + done, want - 1);
            if (chunk == 0) {
                return RBPF_ERR_MEMORY;
            }
        }
        start = (const char *)(uintptr_t)(address + done);
        nul = (const char *)memchr(start, 0, (size_t)chunk);
        if (nul != NULL) {
            *length = (size_t)(done + (uint64_t)(nul - start));
            return RBPF_OK;
        }
        if (chunk < want) {
            return RBPF_ERR_MEMORY; /* the region ends before the NUL */
        }
        done += chunk;
    }
    *length = max;
    return RBPF_OK;
}

/* ---- bpf_printf ---------------------------------------------------------- */

typedef struct output {
    size_t length;
    char text[RBPF_PRINTF_MAX + 1]; /* + the NUL handed to the print hook */
} output_t;

static void put_chars(output_t *out, const char *text, size_t length)
{
    size_t room = RBPF_PRINTF_MAX - out->length;
    if (length > room) {
        length = room;
    }
    memcpy(out->text + out->length, text, length);
    out->length += length;
}

static void put_repeat(output_t *out, char c, size_t count)
{
    while (count > 0 && out->length < RBPF_PRINTF_MAX) {
        out->text[out->length++] = c;
        count--;
    }
}

/* One conversion's flags and width. */
typedef struct spec {
    int left; /* '-': pad on the right */
    int zero; /* '0': pad numbers with zeros after the sign or prefix */
    size_t width;
} spec_t;

/* Writes prefix (sign or "0x") and body, padded to the spec's width. */
static void put_field(output_t *out, const spec_t *spec, const char *prefix, size_t prefix_len,
                      const char *body, size_t body_len)
{
    size_t total = prefix_len + body_len;
    size_t pad = spec->width > total ? spec->width - total : 0;
    if (spec->left) {
        put_chars(out, prefix, prefix_len);
        put_chars(out, body, body_len);
        put_repeat(out, ' ', pad);
    } else if (spec->zero) {
        put_chars(out, prefix, prefix_len);
        put_repeat(out, '0', pad);
        put_chars(out, body, body_len);
    } else {
        put_repeat(out, ' ', pad);
        put_chars(out, prefix, prefix_len);
        put_chars(out, body, body_len);
    }
}

/* Writes the digits of value in base 10 or 16 at the end of buf (24 bytes);
 * returns the first digit. */
static const char *format_unsigned(char *buf, uint64_t value, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = buf + 24;
    do {
        *--p = digits[value % base];
        value /= base;
    } while (value != 0);
    return p;
}

/* Formats one string argument (%s): its bytes up to the NUL, or the first
 * RBPF_PRINTF_MAX of them (nothing prints more), must be readable container
 * memory. A width is at most RBPF_PRINTF_MAX, so padding comes out the same
 * as if the whole string had been measured. */
static int put_string(const rbpf_vm_t *vm, output_t *out, const spec_t *spec, uint64_t address)
{
    size_t length;
    int rc = string_length(vm, address, RBPF_PRINTF_MAX, &length);
    if (rc != RBPF_OK) {
        return rc;
    }
    put_field(out, spec, "", 0, (const char *)(uintptr_t)address, length);
    return RBPF_OK;
}

/* Formats one numeric conversion: `conv` is one of d i u x X p c, `wide`
 * is set for l and ll (64-bit arguments; plain ones are 32-bit). */
static void put_number(output_t *out, const spec_t *spec, char conv, int wide, uint64_t arg)
{
    char buf[24];
    const char *body;
    const char *prefix = "";
    size_t prefix_len = 0;
    uint64_t value = arg;
    switch (conv) {
    case 'c': {
        char c = (char)(arg & 0xffu);
        put_field(out, spec, "", 0, &c, 1);
        return;
    }
    case 'd':
    case 'i': {
        int64_t v = wide ? (int64_t)arg : (int64_t)(int32_t)(uint32_t)arg;
        if (v < 0) {
            value = (uint64_t)0 - (uint64_t)v;
            prefix = "-";
            prefix_len = 1;
        } else {
            value = (uint64_t)v;
        }
        body = format_unsigned(buf, value, 10, 0);
        break;
    }
    case 'u':
        body = format_unsigned(buf, wide ? value : (uint32_t)value, 10, 0);
        break;
    case 'p':
        prefix = "0x";
        prefix_len = 2;
        body = format_unsigned(buf, value, 16, 0);
        break;
    default: /* 'x', 'X' */
        body = format_unsigned(buf, wide ? value : (uint32_t)value, 16, conv == 'X');
        break;
    }
    put_field(out, spec, prefix, prefix_len, body, (size_t)(buf + 24 - body));
}

/* Formats fmt (length bytes, already checked) with up to four arguments
 * args[0..3]. A conversion that is not understood, or that has no argument
 * left, is copied to the output as it stands. */
static int format(const rbpf_vm_t *vm, output_t *out, const char *fmt, size_t length,
                  const uint64_t *args)
{
    size_t i = 0;
    unsigned next_arg = 0;
    while (i < length && out->length < RBPF_PRINTF_MAX) {
        size_t start = i;
        spec_t spec = {0, 0, 0};
        int wide = 0;
        char conv;
        if (fmt[i] != '%') {
            size_t run = i;
            while (run < length && fmt[run] != '%') {
                run++;
            }
            put_chars(out, fmt + i, run - i);
            i = run;
            continue;
        }
        i++;
        for (; i < length && (fmt[i] == '-' || fmt[i] == '0'); i++) {
            if (fmt[i] == '-') {
                spec.left = 1;
            } else {
                spec.zero = 1;
            }
        }
        for (; i < length && fmt[i] >= '0' && fmt[i] <= '9'; i++) {
            spec.width = spec.width * 10 + (size_t)(fmt[i] - '0');
            if (spec.width > RBPF_PRINTF_MAX) {
                spec.width = RBPF_PRINTF_MAX; /* nothing wider fits anyway */
            }
        }
        for (; i < length && fmt[i] == 'l' && wide < 2; i++) {
            wide++;
        }
        conv = i < length ? fmt[i] : '\0';
        if (conv == '%' && i == start + 1) {
            put_chars(out, "%", 1);
            i++;
            continue;
        }
        if (conv == '\0' || strchr("diuxXcsp", conv) == NULL || next_arg >= 4) {
            i = i < length ? i + 1 : i;
            put_chars(out, fmt + start, i - start);
            continue;
        }
        i++;
        if (conv == 's') {
            int rc = put_string(vm, out, &spec, args[next_arg++]);
            if (rc != RBPF_OK) {
                return rc;
            }
        } else {
            put_number(out, &spec, conv, wide > 0, args[next_arg++]);
        }
    }
    return RBPF_OK;
}

int rbpf_helper_printf(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    output_t out;
    size_t length;
    int rc = string_length(vm, args[0], FORMAT_MAX, &length);
    if (rc != RBPF_OK) {
        return rc;
    }
    out.length = 0;
    rc = format(vm, &out, (const char *)(uintptr_t)args[0], length, args + 1);
    if (rc != RBPF_OK) {
        return rc;
    }
    out.text[out.length] = '\0';
    if (out.length > 0 && vm->config != NULL && vm->config->print != NULL) {
        vm->config->print(vm->config->user, out.text, out.length);
    }
    *result = out.length;
    return RBPF_OK;
}

/* ---- bpf_memcpy ---------------------------------------------------------- */

int rbpf_helper_memcpy(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    uint64_t dst = args[0];
    uint64_t src = args[1];
    uint64_t n = args[2];
    int rc = rbpf_vm_check(vm, dst, n, RBPF_WRITE);
    if (rc == RBPF_OK) {
        rc = rbpf_vm_check(vm, src, n, RBPF_READ);
    }
    if (rc != RBPF_OK) {
        return rc;
    }
    if (n > 0) {
        memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, (size_t)n);
    }
    *result = dst;
    return RBPF_OK;
}

/* ---- Key-value stores ---------------------------------------------------- */

/* r0 of a store call: 0, or the negative error (RBPF_ERR_STORE_FULL) for
 * the container to handle; the run goes on. */
static int store_call(rbpf_store_t *store, const uint64_t *args, uint64_t *result)
{
    int rc = rbpf_store_update(store, (uint32_t)args[0], (uint32_t)args[1]);
    *result = (uint64_t)(int64_t)rc;
    return RBPF_OK;
}

/* Writes the value of key args[0] (0 when absent) to the 4 bytes at args[1],
 * which must be writable container memory; r0 = 0. */
static int fetch_call(const rbpf_vm_t *vm, const rbpf_store_t *store, const uint64_t *args,
                      uint64_t *result)
{
    uint32_t value;
    int rc = rbpf_vm_check(vm, args[1], sizeof(value), RBPF_WRITE);
    if (rc != RBPF_OK) {
        return rc;
    }
    rbpf_store_fetch(store, (uint32_t)args[0], &value);
    memcpy((void *)(uintptr_t)args[1], &value, sizeof(value));
    *result = 0;
    return RBPF_OK;
}

int rbpf_helper_store_global(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    return store_call(rbpf_store_global(), args, result);
}

int rbpf_helper_store_local(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    return store_call(&vm->local_store, args, result);
}

int rbpf_helper_fetch_global(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    return fetch_call(vm, rbpf_store_global(), args, result);
}

int rbpf_helper_fetch_local(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    return fetch_call(vm, &vm->local_store, args, result);
}

/* ---- bpf_now_ms ---------------------------------------------------------- */

int rbpf_helper_now_ms(struct rbpf_vm *vm, const uint64_t *args, uint64_t *result)
{
    const rbpf_config_t *config = vm->config;
    (void)args;
    *result = (config != NULL && config->now_ms != NULL) ? config->now_ms(config->user) : 0;
    return RBPF_OK;
}
