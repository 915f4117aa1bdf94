/*
 * util.c: errors, growing buffers, little-endian access, whole-file I/O and
 * hex decoding for the rbpf tool library.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool/tool.h"

/* Messages quote names taken from hostile input (ELF section and symbol
 * names, assembly words): a control byte among them is written as \xNN, so
 * that every message stays one printable line. */
int rbpf_tool_fail(rbpf_tool_error_t *err, const char *format, ...)
{
    va_list ap;
    char raw[sizeof err->text];
    if (err) {
        va_start(ap, format);
        vsnprintf(raw, sizeof raw, format, ap);
        va_end(ap);
        size_t o = 0;
        for (const char *p = raw; *p && o + 1 < sizeof err->text; p++) {
            unsigned char c = (unsigned char)*p;
            if (c >= 0x20 && c != 0x7f) {
                err->text[o++] = (char)c;
            } else if (o + 5 < sizeof err->text) {
                snprintf(err->text + o, 5, "\\x%02x", c);
                o += 4;
            } else {
                break;
            }
        }
        err->text[o] = '\0';
    }
    return -1;
}

void rbpf_tool_buf_put(rbpf_tool_buf_t *buf, const void *data, size_t n)
{
    if (n == 0)
        return;
    if (n > SIZE_MAX - buf->length) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    if (buf->length + n > buf->capacity) {
        size_t capacity = buf->capacity ? buf->capacity : 256;
        while (capacity < buf->length + n) {
            if (capacity > SIZE_MAX / 2) {
                capacity = buf->length + n;
                break;
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(buf->data, capacity);
        if (!grown) {
            fprintf(stderr, "rbpf: error: out of memory\n");
            exit(1);
        }
        buf->data = grown;
        buf->capacity = capacity;
    }
    if (data)
        memcpy(buf->data + buf->length, data, n);
    else
        memset(buf->data + buf->length, 0, n);
    buf->length += n;
}

void rbpf_tool_buf_put_u16(rbpf_tool_buf_t *buf, uint16_t value)
{
    uint8_t b[2] = {(uint8_t)value, (uint8_t)(value >> 8)};
    rbpf_tool_buf_put(buf, b, 2);
}

void rbpf_tool_buf_put_u32(rbpf_tool_buf_t *buf, uint32_t value)
{
    uint8_t b[4];
    rbpf_tool_set_u32(b, value);
    rbpf_tool_buf_put(buf, b, 4);
}

void rbpf_tool_buf_pad(rbpf_tool_buf_t *buf, size_t align)
{
    if (align > 1 && buf->length % align)
        rbpf_tool_buf_put(buf, NULL, align - buf->length % align);
}

void rbpf_tool_buf_printf(rbpf_tool_buf_t *buf, const char *format, ...)
{
    va_list args;
    char small[256];
    va_start(args, format);
    int n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0) {
        fprintf(stderr, "rbpf: error: cannot format text\n");
        exit(1);
    }
    if ((size_t)n < sizeof small) {
        rbpf_tool_buf_put(buf, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(1);
    }
    va_start(args, format);
    vsnprintf(big, (size_t)n + 1, format, args);
    va_end(args);
    rbpf_tool_buf_put(buf, big, (size_t)n);
    free(big);
}

/* 1 when byte c stands for itself in escaped text. */
static int plain(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '\\';
}

char *rbpf_tool_escape(const char *text, char *out, size_t out_size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        size_t need = plain(*p) ? 1 : 4;
        if (o + need + 4 > out_size) { /* room for "..." and the NUL */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (plain(*p))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, out_size - o, "\\x%02x", *p);
    }
    out[o] = '\0';
    return out;
}

void rbpf_tool_put_escaped(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (plain(*p))
            fputc(*p, out);
        else
            fprintf(out, "\\x%02x", *p);
    }
}

void rbpf_tool_buf_free(rbpf_tool_buf_t *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->length = buf->capacity = 0;
}

uint16_t rbpf_tool_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t rbpf_tool_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

uint64_t rbpf_tool_get_u64(const uint8_t *p)
{
    return (uint64_t)rbpf_tool_get_u32(p) | ((uint64_t)rbpf_tool_get_u32(p + 4) << 32);
}

void rbpf_tool_set_u32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
    p[2] = (uint8_t)(value >> 16);
    p[3] = (uint8_t)(value >> 24);
}

int rbpf_tool_read_file(const char *path, rbpf_tool_buf_t *buf, rbpf_tool_error_t *err)
{
    FILE *f;
    struct stat st;
    uint8_t chunk[65536];
    size_t n;
    int is_stdin = strcmp(path, "-") == 0;

    buf->length = 0;
    if (is_stdin) {
        f = stdin;
    } else {
        if (stat(path, &st) != 0)
            return rbpf_tool_fail(err, "%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return rbpf_tool_fail(err, "%s: is a directory, not a file", path);
        f = fopen(path, "rb");
        if (!f)
            return rbpf_tool_fail(err, "%s: %s", path, strerror(errno));
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rbpf_tool_buf_put(buf, chunk, n);
    if (ferror(f)) {
        int e = errno;
        if (!is_stdin)
            fclose(f);
        return rbpf_tool_fail(err, "%s: read error: %s", path, strerror(e));
    }
    if (!is_stdin)
        fclose(f);
    return 0;
}

int rbpf_tool_write_file(const char *path, const void *data, size_t length,
                         rbpf_tool_error_t *err)
{
    if (strcmp(path, "-") == 0) {
        if ((length && fwrite(data, 1, length, stdout) != length) || fflush(stdout) != 0)
            return rbpf_tool_fail(err, "%s: write error: %s", path, strerror(errno));
        return 0;
    }
    /* Written beside the target and renamed over it once complete, so that a
     * failed write never leaves a partial file that make takes as up to date. */
    size_t n = strlen(path);
    char *partial = malloc(n + sizeof ".partial");
    if (!partial)
        return rbpf_tool_fail(err, "%s: out of memory", path);
    memcpy(partial, path, n);
    memcpy(partial + n, ".partial", sizeof ".partial");
    const char *what = NULL;
    int e = 0;
    FILE *f = fopen(partial, "wb");
    if (!f) {
        what = "cannot write";
        e = errno;
    } else {
        if (length && fwrite(data, 1, length, f) != length) {
            what = "write error";
            e = errno;
        }
        if (fclose(f) != 0 && !what) {
            what = "write error";
            e = errno;
        }
        if (!what && rename(partial, path) != 0) {
            what = "cannot write";
            e = errno;
        }
        if (what)
            remove(partial);
    }
    free(partial);
    return what ? rbpf_tool_fail(err, "%s: %s: %s", path, what, strerror(e)) : 0;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rbpf_tool_hex_decode(const char *text, size_t length, rbpf_tool_buf_t *out,
                         const char *what, rbpf_tool_error_t *err)
{
    size_t i = 0;
    while (i < length) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
            i++;
            continue;
        }
        int hi = hex_digit(c);
        if (hi < 0)
            return rbpf_tool_fail(err, "%s: character %zu: '%c' is not a hex digit", what, i + 1,
                                  c >= 0x20 && c < 0x7f ? c : '?');
        if (i + 1 >= length || text[i + 1] == ' ' || text[i + 1] == '\t' || text[i + 1] == '\n' ||
            text[i + 1] == '\r' || text[i + 1] == ',')
            return rbpf_tool_fail(err, "%s: character %zu: odd number of hex digits", what,
                                  i + 1);
        if (hex_digit((unsigned char)text[i + 1]) < 0)
            return rbpf_tool_fail(err, "%s: character %zu: '%c' is not a hex digit", what, i + 2,
                                  text[i + 1] >= 0x20 && text[i + 1] < 0x7f ? text[i + 1] : '?');
        uint8_t byte = (uint8_t)(hi << 4 | hex_digit((unsigned char)text[i + 1]));
        rbpf_tool_buf_put(out, &byte, 1);
        i += 2;
    }
    return 0;
}
