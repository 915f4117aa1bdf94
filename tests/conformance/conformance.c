/*
 * conformance.c: runs the bpf_conformance suite against librbpf. Reads
 * $RBPF_CONFORMANCE_DIR/assembled.json (an array of flat objects with string
 * values and one string array), loads each program with rbpf_load_raw(),
 * runs it on every engine compiled in (rbpf_prepare), each with r1/r2 over
 * a fresh writable copy of its memory, and compares r0.
 * Then requires the verifier to refuse every negative/unused-*.data program.
 * Prints one line per failure and `conformance: N passed, M failed, K skipped`.
 * Exits 0 when the suite directory is missing (saying so) or all pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbpf.h"

#define MAX_FIELD 8192
#define UNUSED_EXPECTED 45

typedef struct test {
    char name[256];
    char program_hex[MAX_FIELD];
    char mem_hex[MAX_FIELD];
    char expected_r0[64];
    int callx; /* in the callx group: not RFC 9669 */
} test_t;

static char *read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    if (length != NULL)
        *length = (size_t)n;
    return buf;
}

/* Hex digits (whitespace between bytes allowed) to bytes; -1 on bad input. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        unsigned v;
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (*s == '\0')
            return (long)n;
        if (sscanf(s, "%2x", &v) != 1 || s[1] == '\0' || n == cap)
            return -1;
        out[n++] = (uint8_t)v;
        s += 2;
    }
}

/* The JSON reader: just enough for assembled.json. */
typedef struct cursor {
    const char *p;
    int error;
} cursor_t;

static void skip_ws(cursor_t *c)
{
    while (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')
        c->p++;
}

static int expect(cursor_t *c, char ch)
{
    skip_ws(c);
    if (*c->p != ch) {
        c->error = 1;
        return 0;
    }
    c->p++;
    return 1;
}

/* A JSON string without escapes other than \" and \\, into out. */
static void read_string(cursor_t *c, char *out, size_t cap)
{
    size_t n = 0;
    if (!expect(c, '"'))
        return;
    while (*c->p != '"') {
        char ch = *c->p++;
        if (ch == '\0') {
            c->error = 1;
            return;
        }
        if (ch == '\\') {
            ch = *c->p++;
            if (ch != '"' && ch != '\\' && ch != '/') {
                c->error = 1;
                return;
            }
        }
        if (n + 1 < cap)
            out[n++] = ch;
        else
            c->error = 1;
    }
    c->p++;
    if (cap)
        out[n] = '\0';
}

/* One object; 1 when read, 0 at the end of the array. */
static int read_test(cursor_t *c, test_t *t)
{
    memset(t, 0, sizeof(*t));
    skip_ws(c);
    if (*c->p == ']')
        return 0;
    if (*c->p == ',')
        c->p++;
    if (!expect(c, '{'))
        return 0;
    for (;;) {
        char key[64], scratch[64];
        skip_ws(c);
        if (*c->p == '}') {
            c->p++;
            return 1;
        }
        if (*c->p == ',')
            c->p++;
        read_string(c, key, sizeof(key));
        if (!expect(c, ':'))
            return 0;
        skip_ws(c);
        if (*c->p == '[') {
            c->p++;
            for (;;) {
                skip_ws(c);
                if (*c->p == ']') {
                    c->p++;
                    break;
                }
                if (*c->p == ',')
                    c->p++;
                read_string(c, scratch, sizeof(scratch));
                if (c->error)
                    return 0;
                if (strcmp(key, "groups") == 0 && strcmp(scratch, "callx") == 0)
                    t->callx = 1;
            }
        } else if (strcmp(key, "name") == 0) {
            read_string(c, t->name, sizeof(t->name));
        } else if (strcmp(key, "program_hex") == 0) {
            read_string(c, t->program_hex, sizeof(t->program_hex));
        } else if (strcmp(key, "mem_hex") == 0) {
            read_string(c, t->mem_hex, sizeof(t->mem_hex));
        } else if (strcmp(key, "expected_r0") == 0) {
            read_string(c, t->expected_r0, sizeof(t->expected_r0));
        } else {
            read_string(c, scratch, sizeof(scratch));
        }
        if (c->error)
            return 0;
    }
}

/* Helper 5 of the suite: returns its first argument. */
static int helper_identity(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = args[0];
    return 0;
}

static uint64_t stack[4096 / 8];
static const rbpf_helper_t helpers[] = {{5, "identity", helper_identity}};
static const rbpf_config_t config = {stack, sizeof(stack), 0, 0, helpers, 1, NULL, NULL, NULL};

/* Room for any engine's prepared form of a suite program. */
static uint64_t engine_buffer[MAX_FIELD * 4];

/* 0 pass (on every engine compiled in), 1 fail (with a message), 2 skipped. */
static int run_test(const test_t *t)
{
    static uint8_t code[MAX_FIELD / 2];
    static uint64_t mem[MAX_FIELD / 16];
    rbpf_program_t prog;
    rbpf_vm_t vm;
    long code_len = parse_hex(t->program_hex, code, sizeof(code));
    long mem_len = parse_hex(t->mem_hex, (uint8_t *)mem, sizeof(mem));
    unsigned long long expected;
    uint64_t r0 = 0;
    int rc, engine;

    if (code_len < 0 || mem_len < 0 || sscanf(t->expected_r0, "%llx", &expected) != 1) {
        printf("FAIL %s: cannot parse the test's fields\n", t->name);
        return 1;
    }
    rc = rbpf_load_raw(&prog, code, (size_t)code_len, &config);
    if (rc != RBPF_OK) {
        if (t->callx) {
            printf("skip %s: callx (opcode 0x8d) is not RFC 9669: %s\n", t->name, rbpf_strerror(rc));
            return 2;
        }
        printf("FAIL %s: load: %s at instruction %d\n", t->name, rbpf_error_name(rc), prog.error_at);
        return 1;
    }
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++) {
        rbpf_program_t copy = prog;
        if (!rbpf_engine_available(engine))
            continue;
        rc = rbpf_prepare(&copy, engine, engine_buffer, sizeof(engine_buffer));
        if (rc != RBPF_OK) {
            printf("FAIL %s: prepare for engine %s: %s\n", t->name, rbpf_engine_name(engine),
                   rbpf_error_name(rc));
            return 1;
        }
        /* each engine starts from the test's memory */
        parse_hex(t->mem_hex, (uint8_t *)mem, sizeof(mem));
        r0 = 0;
        rc = rbpf_vm_init(&vm, &copy, &config, NULL, 0);
        if (rc == RBPF_OK)
            rc = rbpf_vm_run(&vm, 0, mem_len ? mem : NULL, (size_t)mem_len, &r0);
        if (rc != RBPF_OK) {
            printf("FAIL %s (engine %s): run: %s at instruction %d\n", t->name,
                   rbpf_engine_name(engine), rbpf_error_name(rc), vm.error_at);
            return 1;
        }
        if (r0 != (uint64_t)expected) {
            printf("FAIL %s (engine %s): r0 = 0x%llx, expected 0x%llx\n", t->name,
                   rbpf_engine_name(engine), (unsigned long long)r0, expected);
            return 1;
        }
    }
    return 0;
}

/* The `-- raw` section of a negative test, as bytes. */
static long raw_section(const char *text, uint8_t *out, size_t cap)
{
    const char *p = strstr(text, "-- raw");
    const char *end;
    char hex[4096];
    size_t n;
    if (p == NULL)
        return -1;
    p = strchr(p, '\n');
    if (p == NULL)
        return -1;
    end = strstr(p, "\n--");
    n = end ? (size_t)(end - p) : strlen(p);
    if (n >= sizeof(hex))
        return -1;
    memcpy(hex, p, n);
    hex[n] = '\0';
    return parse_hex(hex, out, cap);
}

static int run_negative(const char *dir, int *refused, int *accepted)
{
    char path[4096];
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), "%s/negative", dir);
    d = opendir(path);
    if (d == NULL) {
        printf("FAIL negative: cannot open %s\n", path);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        uint8_t code[1024];
        rbpf_program_t prog;
        char *text;
        long n;
        int rc;
        if (strncmp(e->d_name, "unused-", 7) != 0 || strstr(e->d_name, ".data") == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/negative/%s", dir, e->d_name);
        text = read_file(path, NULL);
        n = text ? raw_section(text, code, sizeof(code)) : -1;
        free(text);
        if (n <= 0) {
            printf("FAIL %s: no raw program\n", e->d_name);
            (*accepted)++;
            continue;
        }
        rc = rbpf_load_raw(&prog, code, (size_t)n, &config);
        if (rc == RBPF_OK) {
            printf("FAIL %s: the verifier accepted it\n", e->d_name);
            (*accepted)++;
        } else {
            (*refused)++;
        }
    }
    closedir(d);
    return 0;
}

int main(void)
{
    const char *dir = getenv("RBPF_CONFORMANCE_DIR");
    char path[4096];
    char *json;
    cursor_t c;
    test_t *t = malloc(sizeof(*t));
    int passed = 0, failed = 0, skipped = 0, refused = 0, accepted = 0, engine;

    if (dir == NULL || *dir == '\0')
        dir = "../shared/conformance";
    snprintf(path, sizeof(path), "%s/assembled.json", dir);
    json = read_file(path, NULL);
    if (json == NULL) {
        printf("conformance: SKIPPED: %s not found (set RBPF_CONFORMANCE_DIR to the suite)\n",
               path);
        free(t);
        return 0;
    }
    c.p = json;
    c.error = 0;
    if (t == NULL || !expect(&c, '[')) {
        printf("conformance: %s: not a JSON array\n", path);
        return 1;
    }
    while (read_test(&c, t)) {
        switch (run_test(t)) {
        case 0: passed++; break;
        case 1: failed++; break;
        default: skipped++; break;
        }
    }
    if (c.error) {
        printf("conformance: %s: cannot parse near byte %ld\n", path, (long)(c.p - json));
        failed++;
    }
    free(json);
    free(t);
    run_negative(dir, &refused, &accepted);
    printf("conformance: %d passed, %d failed, %d skipped, on engines", passed, failed, skipped);
    for (engine = 0; engine < RBPF_ENGINE_COUNT; engine++)
        if (rbpf_engine_available(engine))
            printf(" %s", rbpf_engine_name(engine));
    printf("\n");
    printf("conformance: unused fields: %d refused, %d accepted (expected %d refused)\n", refused,
           accepted, UNUSED_EXPECTED);
    return failed == 0 && accepted == 0 && refused == UNUSED_EXPECTED && passed > 0 ? 0 : 1;
}
