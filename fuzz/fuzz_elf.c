/*
 * fuzz_elf.c: libFuzzer harness for ELF objects. Each input is an object
 * file for `rbpf gen`: rbpf_tool_gen must refuse it with a message or turn
 * it into a container, the same bytes each time, that the core's loader
 * accepts as a format and the tool's own reader and dump accept too; a
 * container that also verifies is then run under the oracle of oracle.h.
 * Its DWARF line table (rbpf build -g) is read, written and read back.
 */
#include <stdio.h>
#include <string.h>

#include "oracle.h"
#include "tool/tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fail(what, detail) oracle_abort("fuzz_elf", (what), (detail))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null_out;
    if (!null_out && !(null_out = fopen("/dev/null", "w")))
        fail("fopen", "/dev/null");
    rbpf_tool_buf_t container = {0};
    rbpf_tool_error_t err;
    /* the line table (rbpf build -g): read, written as text and read back,
     * whatever the DWARF bytes say, or refused with one line */
    rbpf_tool_lines_t lines, back;
    err.text[0] = '\0';
    if (rbpf_tool_lines_from_elf(data, size, &lines, &err) == 0) {
        rbpf_tool_buf_t text = {0};
        char line[256];
        rbpf_tool_lines_write(&lines, &text);
        if (rbpf_tool_lines_parse((const char *)text.data, text.length, &back, &err) != 0)
            fail("a line table written does not read back", err.text);
        if (back.row_count != lines.row_count || back.file_count != lines.file_count)
            fail("a line table read back differs", "rows or files");
        back.no_sources = 1;
        for (uint32_t offset = 0; offset < 64; offset += 8)
            rbpf_tool_lines_describe(&back, offset, line, sizeof line);
        rbpf_tool_lines_free(&back);
        rbpf_tool_lines_free(&lines);
        rbpf_tool_buf_free(&text);
    } else if (!err.text[0] || strchr(err.text, '\n')) {
        fail("the line table refused without a one-line message", err.text);
    }
    err.text[0] = '\0';
    if (rbpf_tool_gen(data, size, &container, &err) != 0) {
        if (!err.text[0] || strchr(err.text, '\n'))
            fail("gen refused without a one-line message", err.text);
        rbpf_tool_buf_free(&container);
        return 0;
    }
    rbpf_tool_buf_t again = {0};
    if (rbpf_tool_gen(data, size, &again, &err) != 0 || again.length != container.length ||
        memcmp(again.data, container.data, container.length) != 0)
        fail("gen", "a second conversion of the same object gives other bytes");
    rbpf_tool_buf_free(&again);
    rbpf_program_t prog;
    int error = rbpf_container_parse(&prog, container.data, container.length);
    if (error)
        fail("gen wrote a container the loader refuses", rbpf_strerror(error));
    rbpf_tool_container_t parsed;
    if (rbpf_tool_container_read(container.data, container.length, &parsed, &err) != 0)
        fail("gen wrote a container the tool cannot read", err.text);
    rbpf_tool_container_free(&parsed);
    if (rbpf_tool_dump(null_out, container.data, container.length, NULL, NULL, &err) != 0)
        fail("gen wrote a container the tool cannot dump", err.text);
    oracle_fuzz(container.data, container.length, rbpf_load, "rbpf_load");
    rbpf_tool_buf_free(&container);
    return 0;
}
