/*
 * inspect.c: what the tool shows of a run: the one-line description of a
 * run-time error (which instruction, by index and by byte offset as dump
 * numbers them, the helper a call names, and for a refused access its
 * address, size, direction and where it lies against the nearest region the
 * VM grants), and the instruction trace of `rbpf run --trace` (fed by the
 * VM's trace hook: each instruction with the registers it changed and the
 * memory it wrote).
 */
#include <string.h>

#include "isa.h"
#include "rbpf.h"
#include "tool/tool.h"

static size_t slots(const rbpf_program_t *prog)
{
    return prog->text_len / RBPF_INSN_SIZE;
}

/* " (byte 0x20, call bpf_memcpy)" for instruction `index`. */
static void where(const rbpf_tool_run_view_t *v, uint32_t index, char *out, size_t size)
{
    const rbpf_program_t *prog = v->prog;
    const uint8_t *insn = prog->text + (size_t)index * RBPF_INSN_SIZE;
    const char *name;
    if (index >= slots(prog)) {
        snprintf(out, size, " (byte 0x%lx)", (unsigned long)index * RBPF_INSN_SIZE);
        return;
    }
    if (insn[0] == 0x85 && RBPF_INSN_SRC(insn) == 0) {
        uint32_t id = (uint32_t)RBPF_INSN_IMM(insn);
        name = rbpf_tool_helper_name(v->names, id);
        if (name)
            snprintf(out, size, " (byte 0x%lx, call %s)", (unsigned long)index * RBPF_INSN_SIZE,
                     name);
        else
            snprintf(out, size, " (byte 0x%lx, call helper 0x%x)",
                     (unsigned long)index * RBPF_INSN_SIZE, (unsigned)id);
        return;
    }
    snprintf(out, size, " (byte 0x%lx)", (unsigned long)index * RBPF_INSN_SIZE);
}

typedef struct region {
    const char *name;
    uint64_t start, length;
    int read_only;
} region_t;

/* How far [a, a + n) lies outside r (0 when inside). */
static uint64_t distance(const region_t *r, uint64_t a, uint64_t n)
{
    if (a < r->start)
        return r->start - a;
    if (a - r->start > r->length || n > r->length - (a - r->start))
        return a - r->start + n - r->length;
    return 0;
}

static void describe_access(const rbpf_tool_run_view_t *v, const rbpf_vm_t *vm, char *out,
                            size_t size)
{
    const rbpf_fault_t *f = &vm->fault;
    const rbpf_program_t *p = v->prog;
    region_t regions[5];
    size_t count = 0, best = 0;
    const char *what = f->access == RBPF_RW ? "read-write (atomic)"
                       : f->access == RBPF_WRITE ? "write"
                                                 : "read";
    if (v->stack_len)
        regions[count++] = (region_t){"the stack", (uintptr_t)v->stack, v->stack_len, 0};
    if (v->context_len)
        regions[count++] = (region_t){"the context", (uintptr_t)v->context, v->context_len, 0};
    if (p->data_len + (uint64_t)p->bss_len)
        regions[count++] = (region_t){"data+bss", (uintptr_t)vm->ram,
                                      (uint64_t)p->data_len + p->bss_len, 0};
    if (p->rodata_len)
        regions[count++] = (region_t){"rodata", (uintptr_t)p->rodata, p->rodata_len, 1};
    for (size_t i = 1; i < count; i++)
        if (distance(&regions[i], f->address, f->size) <
            distance(&regions[best], f->address, f->size))
            best = i;
    int n = snprintf(out, size, ": %llu-byte %s at 0x%llx", (unsigned long long)f->size, what,
                     (unsigned long long)f->address);
    if (n < 0 || (size_t)n >= size)
        return;
    if (f->address < 0x1000) {
        snprintf(out + n, size - (size_t)n, ": a null pointer (+%llu)",
                 (unsigned long long)f->address);
        return;
    }
    if (count == 0)
        return;
    const region_t *r = &regions[best];
    uint64_t d = distance(r, f->address, f->size);
    char has[96];
    snprintf(has, sizeof has, "%s, which has %llu byte%s", r->name,
             (unsigned long long)r->length, r->length == 1 ? "" : "s");
    if (f->address < r->start)
        snprintf(out + n, size - (size_t)n, ": starts %llu byte%s before %s",
                 (unsigned long long)d, d == 1 ? "" : "s", has);
    else if (d)
        snprintf(out + n, size - (size_t)n, ": %s + %llu, ends %llu byte%s past the end of %s",
                 r->name, (unsigned long long)(f->address - r->start), (unsigned long long)d,
                 d == 1 ? "" : "s", has);
    else
        snprintf(out + n, size - (size_t)n, ": %s + %llu, inside %s, which is %s", r->name,
                 (unsigned long long)(f->address - r->start), r->name,
                 r->read_only ? "read-only" : "not granted for this access");
}

void rbpf_tool_describe_error(const rbpf_tool_run_view_t *v, const rbpf_vm_t *vm, int rc,
                              char *out, size_t size)
{
    char at[96] = "", access[256] = "";
    if (vm->error_at >= 0)
        where(v, (uint32_t)vm->error_at, at, sizeof at);
    if (rc == RBPF_ERR_MEMORY && vm->fault.size)
        describe_access(v, vm, access, sizeof access);
    if (vm->error_at >= 0)
        snprintf(out, size, "instruction %ld%s: %s%s", (long)vm->error_at, at, rbpf_strerror(rc),
                 access);
    else
        snprintf(out, size, "%s%s", rbpf_strerror(rc), access);
}

/* ---- Trace ---------------------------------------------------------------- */
static void trace_line(rbpf_tool_run_view_t *v, const uint64_t *after)
{
    const rbpf_program_t *p = v->prog;
    rbpf_tool_dump_context_t ctx = {p->rodata, p->rodata_len, p->functions, p->function_count,
                                    v->names, NULL};
    char text[256], changes[512];
    size_t index = v->offset / RBPF_INSN_SIZE, n = 0;
    rbpf_tool_dump_insn(p->text, slots(p), index, &ctx, text, sizeof text);
    changes[0] = '\0';
    for (int r = 0; after && r <= 10; r++)
        if (after[r] != v->regs[r])
            n += (size_t)snprintf(changes + n, sizeof changes - n, " r%d=0x%llx", r,
                                  (unsigned long long)after[r]);
    if (after && v->store_size) {
        /* the write happened (the next instruction is running): read it back */
        uint64_t value = 0;
        const uint8_t *m = (const uint8_t *)(uintptr_t)v->store_addr;
        for (uint32_t i = v->store_size; i-- > 0;)
            value = value << 8 | m[i];
        snprintf(changes + n, sizeof changes - n, " [0x%llx]=0x%llx (%u byte%s)",
                 (unsigned long long)v->store_addr, (unsigned long long)value,
                 (unsigned)v->store_size, v->store_size == 1 ? "" : "s");
    }
    char source[256];
    if (v->lines && rbpf_tool_lines_describe(v->lines, v->offset, source, sizeof source) &&
        strcmp(source, v->shown) != 0) {
        fprintf(v->out, "trace: %s\n", source);
        strcpy(v->shown, source);
    }
    if (changes[0])
        fprintf(v->out, "trace: %5zu 0x%-5x %-40s%s\n", index, (unsigned)v->offset, text, changes);
    else
        fprintf(v->out, "trace: %5zu 0x%-5x %s\n", index, (unsigned)v->offset, text);
}

void rbpf_tool_trace_hook(const rbpf_vm_t *vm, uint32_t offset, const uint64_t *regs)
{
    rbpf_tool_run_view_t *v = vm->config->user;
    if (v->pending && v->traced <= v->trace_max)
        trace_line(v, regs);
    v->pending = 0;
    if (v->traced++ >= v->trace_max) {
        if (v->traced == v->trace_max + 1)
            fprintf(v->out, "trace: stopped after %llu instructions (--trace-max); the run goes on\n",
                    (unsigned long long)v->trace_max);
        return;
    }
    const uint8_t *insn = v->prog->text + offset;
    unsigned cls = insn[0] & 7u, mode = insn[0] & 0xe0u;
    v->pending = 1;
    v->offset = offset;
    memcpy(v->regs, regs, sizeof v->regs);
    v->store_size = 0;
    if ((cls == 2 || cls == 3) && (mode == 0x60 || mode == 0xc0)) {
        static const uint8_t sizes[4] = {4, 2, 1, 8};
        v->store_size = sizes[(insn[0] >> 3) & 3u];
        v->store_addr = regs[RBPF_INSN_DST(insn)] + (uint64_t)(int64_t)RBPF_INSN_OFF(insn);
    }
}

void rbpf_tool_trace_end(rbpf_tool_run_view_t *v, int rc, uint64_t r0)
{
    if (v->pending) {
        /* the last instruction: an exit (no change), or the one that failed */
        v->store_size = 0;
        trace_line(v, NULL);
    }
    v->pending = 0;
    if (rc == RBPF_OK)
        fprintf(v->out, "trace: returned 0x%llx after %llu instructions\n",
                (unsigned long long)r0, (unsigned long long)v->traced);
    else
        fprintf(v->out, "trace: stopped: %s\n", rbpf_strerror(rc));
}
