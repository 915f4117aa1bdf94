/*
 * fuzz_asm.c: libFuzzer harness for assembly text. Text the assembler
 * accepts is disassembled and assembled again, and must give the same
 * bytes. Independently, the input's bytes taken as instructions must survive
 * disassembly and reassembly byte for byte (unknown encodings go through
 * `.insn`), and the C-like dump must format every one of them.
 */
#include <stdio.h>
#include <string.h>

#include "oracle.h"
#include "tool/tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fail(what, detail) oracle_abort("fuzz_asm", (what), (detail))

#define LINE_MAX_ 256

/* Disassembles code into text (one instruction per line), reassembles the
 * text and aborts unless the bytes come back identical. */
static void round_trip(const uint8_t *code, size_t length)
{
    size_t count = length / 8;
    rbpf_tool_buf_t text = {0}, again = {0};
    rbpf_tool_error_t err;
    char line[LINE_MAX_];
    for (size_t i = 0; i < count;) {
        size_t used = rbpf_tool_disasm_insn(code, count, i, line, sizeof line);
        if (used != 1 && used != 2)
            fail("disasm used slots", line);
        char dump[LINE_MAX_];
        rbpf_tool_dump_insn(code, count, i, NULL, dump, sizeof dump);
        rbpf_tool_buf_put(&text, line, strlen(line));
        rbpf_tool_buf_put(&text, "\n", 1);
        i += used;
    }
    if (rbpf_tool_assemble((const char *)text.data, text.length, &again, &err) != 0) {
        rbpf_tool_buf_put(&text, "", 1);
        fprintf(stderr, "%s", (const char *)text.data);
        fail("the disassembly does not assemble", err.text);
    }
    if (again.length != length || memcmp(again.data, code, length) != 0) {
        rbpf_tool_buf_put(&text, "", 1);
        fprintf(stderr, "%s", (const char *)text.data);
        fail("asm(disasm(code)) differs from code", "bytes changed");
    }
    rbpf_tool_buf_free(&text);
    rbpf_tool_buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rbpf_tool_buf_t code = {0};
    rbpf_tool_error_t err;
    err.text[0] = '\0';
    if (rbpf_tool_assemble((const char *)data, size, &code, &err) == 0) {
        if (code.length % 8)
            fail("asm", "output is not whole instructions");
        if (code.length)
            round_trip(code.data, code.length);
    } else if (!err.text[0] || strchr(err.text, '\n')) {
        fail("asm refused without a one-line message", err.text);
    }
    rbpf_tool_buf_free(&code);
    if (size >= 8)
        round_trip(data, size - size % 8);
    return 0;
}
