/*
 * isa_table.c: RBPF_ISA (src/isa.h) as an array the assembler and the
 * disassemblers search, and the decoding of an instruction into its row.
 * Every row is kept whatever the feature knobs say: the tool must read and
 * write every instruction a container may hold.
 */
#include <string.h>

#include "isa.h"
#include "tool/tool.h"

const rbpf_tool_insn_row_t rbpf_tool_insn_rows[] = {
#define ROW_(name, opcode, form, sel, once, feature, mnemonic) \
    {#name, mnemonic, opcode, RBPF_FORM_##form, sel},
    RBPF_ISA(ROW_)
#undef ROW_
};

const size_t rbpf_tool_insn_row_count = sizeof rbpf_tool_insn_rows / sizeof rbpf_tool_insn_rows[0];

static const struct {
    unsigned uses;
    int selects;
} forms[RBPF_FORM_COUNT] = {
#define FORM_(form, uses, selects) {uses, selects},
    RBPF_FORMS(FORM_)
#undef FORM_
};

/* The value of the field that selects among the rows of one opcode. */
static int32_t selector(int selects, const uint8_t *insn)
{
    switch (selects) {
    case RBPF_SELECTS_OFF:
        return RBPF_INSN_OFF(insn);
    case RBPF_SELECTS_IMM:
        return RBPF_INSN_IMM(insn);
    case RBPF_SELECTS_SRC:
        return RBPF_INSN_SRC(insn);
    default:
        return 0;
    }
}

const rbpf_tool_insn_row_t *rbpf_tool_decode(const uint8_t *insn)
{
    for (size_t i = 0; i < rbpf_tool_insn_row_count; i++) {
        const rbpf_tool_insn_row_t *row = &rbpf_tool_insn_rows[i];
        if (row->opcode != RBPF_INSN_OPCODE(insn))
            continue;
        if (selector(forms[row->form].selects, insn) == row->sel)
            return row;
    }
    return NULL;
}

int rbpf_tool_fields_clean(const rbpf_tool_insn_row_t *row, const uint8_t *insn)
{
    unsigned uses = forms[row->form].uses;
    int selects = forms[row->form].selects;
    if (!(uses & RBPF_USES_D) && RBPF_INSN_DST(insn) != 0)
        return 0;
    if (!(uses & RBPF_USES_S) && selects != RBPF_SELECTS_SRC && RBPF_INSN_SRC(insn) != 0)
        return 0;
    if (!(uses & RBPF_USES_O) && selects != RBPF_SELECTS_OFF && RBPF_INSN_OFF(insn) != 0)
        return 0;
    if (!(uses & RBPF_USES_I) && selects != RBPF_SELECTS_IMM && RBPF_INSN_IMM(insn) != 0)
        return 0;
    return 1;
}

int rbpf_tool_two_slot(uint8_t opcode)
{
    for (size_t i = 0; i < rbpf_tool_insn_row_count; i++)
        if (rbpf_tool_insn_rows[i].opcode == opcode &&
            rbpf_tool_insn_rows[i].form == RBPF_FORM_LDDW)
            return 1;
    return 0;
}
