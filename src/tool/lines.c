/*
 * lines.c: source lines for a container's instructions. `rbpf build -g`
 * reads the line program of the object's DWARF .debug_line (versions 2 to
 * 5, 32-bit format) and keeps the rows for .text in a small text file
 * beside the container (never inside it); dump, disasm and run --trace read
 * it back and show `file:line: source text`. Every read of the DWARF bytes
 * and of the text file is bounds-checked: both are input.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool/tool.h"

#define NO_MEMORY()                                                   \
    do {                                                              \
        fprintf(stderr, "rbpf: error: out of memory\n");              \
        exit(1);                                                      \
    } while (0)

/* Rows and files kept at most: far beyond any container (64 KiB of text). */
#define ROWS_MAX 65536u
#define FILES_MAX 4096u

typedef struct cursor {
    const uint8_t *p, *end;
    int bad;
} cursor_t;

static uint64_t get(cursor_t *c, unsigned n)
{
    uint64_t v = 0;
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        return 0;
    }
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    return v;
}

static uint64_t uleb(cursor_t *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; !c->bad; shift += 7) {
        uint8_t b = (uint8_t)get(c, 1);
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

static int64_t sleb(cursor_t *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b = 0x80;
    while (!c->bad && (b & 0x80)) {
        b = (uint8_t)get(c, 1);
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    }
    if (shift < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

/* A NUL-terminated string at the cursor (NULL when unterminated). */
static const char *cstring(cursor_t *c)
{
    const uint8_t *nul = c->bad ? NULL : memchr(c->p, 0, (size_t)(c->end - c->p));
    if (!nul) {
        c->bad = 1;
        return NULL;
    }
    const char *s = (const char *)c->p;
    c->p = nul + 1;
    return s;
}

/* The string at `offset` of a string section (NULL when outside it). */
static const char *string_at(const rbpf_tool_buf_t *section, uint64_t offset)
{
    if (offset >= section->length || !memchr(section->data + offset, 0, section->length - offset))
        return NULL;
    return (const char *)section->data + offset;
}

static char *join(const char *dir, const char *name)
{
    size_t d = dir && name[0] != '/' ? strlen(dir) : 0;
    char *s = malloc(d + strlen(name) + 2);
    if (!s)
        NO_MEMORY();
    if (d)
        sprintf(s, "%s/%s", dir, name);
    else
        strcpy(s, name);
    return s;
}

static void add_file(rbpf_tool_lines_t *l, char *path)
{
    char **files = realloc(l->files, (l->file_count + 1) * sizeof *files);
    if (!files)
        NO_MEMORY();
    l->files = files;
    l->files[l->file_count++] = path;
}

static void add_row(rbpf_tool_lines_t *l, uint64_t offset, uint64_t file, uint64_t line)
{
    if (l->row_count && l->rows[l->row_count - 1].offset == offset) {
        /* a later row for the same address replaces the earlier one */
        l->rows[l->row_count - 1].file = (uint32_t)file;
        l->rows[l->row_count - 1].line = (uint32_t)line;
        return;
    }
    if (l->row_count >= ROWS_MAX || offset > UINT32_MAX || file > UINT32_MAX || line > UINT32_MAX)
        return;
    if (l->row_count % 256 == 0) {
        rbpf_tool_line_row_t *rows = realloc(l->rows, (l->row_count + 256) * sizeof *rows);
        if (!rows)
            NO_MEMORY();
        l->rows = rows;
    }
    l->rows[l->row_count++] = (rbpf_tool_line_row_t){(uint32_t)offset, (uint32_t)file,
                                                     (uint32_t)line};
}

/* One attribute value of a DWARF 5 entry format: a string (path) or a
 * number (directory index); other forms are skipped. */
static void form_value(cursor_t *c, uint64_t form, const rbpf_tool_buf_t *line_str,
                       const rbpf_tool_buf_t *str, const char **s, uint64_t *n)
{
    switch (form) {
    case 0x08: *s = cstring(c); break;                   /* string */
    case 0x1f: *s = string_at(line_str, get(c, 4)); break; /* line_strp */
    case 0x0e: *s = string_at(str, get(c, 4)); break;    /* strp */
    case 0x0b: *n = get(c, 1); break;                    /* data1 */
    case 0x05: *n = get(c, 2); break;                    /* data2 */
    case 0x06: *n = get(c, 4); break;                    /* data4 */
    case 0x07: *n = get(c, 8); break;                    /* data8 */
    case 0x0f: *n = uleb(c); break;                      /* udata */
    case 0x1e: get(c, 8), get(c, 8); break;              /* data16 (MD5) */
    case 0x09: {                                         /* block */
        uint64_t len = uleb(c);
        if (len > (uint64_t)(c->end - c->p))
            c->bad = 1;
        else
            c->p += len;
        break;
    }
    default: c->bad = 1; break;
    }
}

/* A DWARF 5 directory or file name table: its entries as paths (files
 * joined to their directory). */
static void v5_table(cursor_t *c, const rbpf_tool_buf_t *line_str, const rbpf_tool_buf_t *str,
                     char **dirs, size_t dir_count, rbpf_tool_lines_t *files, size_t *count)
{
    uint64_t types[16], forms[16];
    unsigned n = (unsigned)get(c, 1);
    if (n > 16) {
        c->bad = 1;
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        types[i] = uleb(c);
        forms[i] = uleb(c);
    }
    uint64_t entries = uleb(c);
    for (uint64_t e = 0; e < entries && !c->bad && e < FILES_MAX; e++) {
        const char *path = NULL;
        uint64_t dir = 0;
        for (unsigned i = 0; i < n && !c->bad; i++) {
            const char *s = NULL;
            uint64_t v = 0;
            form_value(c, forms[i], line_str, str, &s, &v);
            if (types[i] == 1) /* DW_LNCT_path */
                path = s;
            else if (types[i] == 2) /* DW_LNCT_directory_index */
                dir = v;
        }
        if (!path)
            c->bad = 1;
        if (c->bad)
            return;
        add_file(files, join(dirs && dir < dir_count ? dirs[dir] : NULL, path));
        (*count)++;
    }
    if (entries > FILES_MAX)
        c->bad = 1;
}

/* Runs one line program unit; 0, or -1 when its bytes are malformed. */
static int unit(cursor_t *c, const rbpf_tool_buf_t *line_str, const rbpf_tool_buf_t *str,
                rbpf_tool_lines_t *out)
{
    uint64_t length = get(c, 4);
    if (c->bad || length >= 0xfffffff0u || length > (uint64_t)(c->end - c->p))
        return -1; /* 64-bit DWARF or cut off */
    cursor_t u = {c->p, c->p + length, 0};
    c->p += length;
    unsigned version = (unsigned)get(&u, 2);
    if (version < 2 || version > 5)
        return -1;
    if (version >= 5)
        get(&u, 2); /* address size, segment selector size */
    uint64_t header_length = get(&u, 4);
    if (u.bad || header_length > (uint64_t)(u.end - u.p))
        return -1;
    const uint8_t *program = u.p + header_length;
    unsigned min_length = (unsigned)get(&u, 1);
    if (version >= 4)
        get(&u, 1); /* maximum operations per instruction */
    int default_is_stmt = (int)get(&u, 1);
    int line_base = (int8_t)get(&u, 1);
    unsigned line_range = (unsigned)get(&u, 1), opcode_base = (unsigned)get(&u, 1);
    uint8_t lengths[256] = {0};
    for (unsigned i = 1; i < opcode_base; i++)
        lengths[i] = (uint8_t)get(&u, 1);
    if (u.bad || line_range == 0 || opcode_base == 0)
        return -1;
    (void)default_is_stmt;

    /* files of this unit, as indices into out->files */
    size_t first = out->file_count, count = 0;
    if (version >= 5) {
        rbpf_tool_lines_t dirs = {0};
        size_t dir_count = 0;
        v5_table(&u, line_str, str, NULL, 0, &dirs, &dir_count);
        if (!u.bad)
            v5_table(&u, line_str, str, dirs.files, dirs.file_count, out, &count);
        for (size_t i = 0; i < dirs.file_count; i++)
            free(dirs.files[i]);
        free(dirs.files);
    } else {
        const char *dirs[256];
        size_t dir_count = 0;
        const char *d;
        while ((d = cstring(&u)) && d[0] && dir_count < 256)
            dirs[dir_count++] = d;
        const char *name;
        while ((name = cstring(&u)) && name[0] && count < FILES_MAX) {
            uint64_t dir = uleb(&u);
            uleb(&u), uleb(&u); /* time, length */
            add_file(out, join(dir >= 1 && dir <= dir_count ? dirs[dir - 1] : NULL, name));
            count++;
        }
    }
    if (u.bad)
        return -1;

    /* the line program */
    cursor_t pc = {program, u.end, 0};
    uint64_t address = 0, file = version >= 5 ? 0 : 1, line = 1;
    /* file indices: DWARF 5 counts from 0, earlier versions from 1 */
#define ROW()                                                                               \
    do {                                                                                    \
        uint64_t f_ = version >= 5 ? file : file - 1;                                       \
        if (f_ < count)                                                                     \
            add_row(out, address, first + f_, line);                                        \
    } while (0)
    while (pc.p < pc.end && !pc.bad) {
        unsigned op = (unsigned)get(&pc, 1);
        if (op >= opcode_base) {
            unsigned adj = op - opcode_base;
            address += (uint64_t)(adj / line_range) * min_length;
            line += (uint64_t)(int64_t)(line_base + (int)(adj % line_range));
            ROW();
        } else if (op == 0) {
            uint64_t len = uleb(&pc);
            if (len == 0 || len > (uint64_t)(pc.end - pc.p)) {
                pc.bad = 1;
                break;
            }
            const uint8_t *next = pc.p + len;
            unsigned sub = (unsigned)get(&pc, 1);
            if (sub == 1) { /* end_sequence */
                ROW();
                address = 0;
                file = version >= 5 ? 0 : 1;
                line = 1;
            } else if (sub == 2 && (len == 9 || len == 5)) { /* set_address */
                address = get(&pc, (unsigned)len - 1);
            }
            pc.p = next;
        } else if (op == 1) { /* copy */
            ROW();
        } else if (op == 2) {
            address += uleb(&pc) * min_length;
        } else if (op == 3) {
            line += (uint64_t)sleb(&pc);
        } else if (op == 4) {
            file = uleb(&pc);
        } else if (op == 8) { /* const_add_pc */
            address += (uint64_t)((255 - opcode_base) / line_range) * min_length;
        } else if (op == 9) {
            address += get(&pc, 2);
        } else {
            for (unsigned i = 0; i < lengths[op]; i++)
                uleb(&pc);
        }
    }
#undef ROW
    return pc.bad ? -1 : 0;
}

static int compare_rows(const void *a, const void *b)
{
    const rbpf_tool_line_row_t *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

int rbpf_tool_lines_from_elf(const uint8_t *elf, size_t size, rbpf_tool_lines_t *lines,
                             rbpf_tool_error_t *err)
{
    rbpf_tool_buf_t line = {0}, line_str = {0}, str = {0};
    int result = -1;
    memset(lines, 0, sizeof *lines);
    if (rbpf_tool_elf_section(elf, size, ".debug_line", &line, err) ||
        rbpf_tool_elf_section(elf, size, ".debug_line_str", &line_str, err) ||
        rbpf_tool_elf_section(elf, size, ".debug_str", &str, err))
        goto done;
    cursor_t c = {line.data, line.length ? line.data + line.length : line.data, 0};
    while (line.length && c.p < c.end) {
        if (unit(&c, &line_str, &str, lines)) {
            rbpf_tool_fail(err, ".debug_line: a line table at byte %zu is malformed",
                           (size_t)(c.p - line.data));
            goto done;
        }
    }
    /* one .text: the sequences (one per function or per object) cover
     * different offsets and sort into one table (ties ordered by file and
     * line, so that the result is the same each time) */
    if (lines->row_count) {
        size_t kept = 0;
        qsort(lines->rows, lines->row_count, sizeof *lines->rows, compare_rows);
        /* one row per offset (overlapping sequences are malformed DWARF) */
        for (size_t i = 0; i < lines->row_count; i++) {
            if (kept && lines->rows[kept - 1].offset == lines->rows[i].offset)
                kept--;
            lines->rows[kept++] = lines->rows[i];
        }
        lines->row_count = kept;
    }
    result = 0;
done:
    rbpf_tool_buf_free(&line);
    rbpf_tool_buf_free(&line_str);
    rbpf_tool_buf_free(&str);
    if (result)
        rbpf_tool_lines_free(lines);
    return result;
}

void rbpf_tool_lines_write(const rbpf_tool_lines_t *lines, rbpf_tool_buf_t *out)
{
    char row[64];
    rbpf_tool_buf_put(out, "rbpf-lines 1\n", 13);
    for (size_t i = 0; i < lines->file_count; i++) {
        int n = snprintf(row, sizeof row, "file %zu ", i);
        rbpf_tool_buf_put(out, row, (size_t)n);
        /* one line per path: a newline in a path (never from a compiler) is
         * written as '?' */
        for (const char *p = lines->files[i]; *p; p++)
            rbpf_tool_buf_put(out, *p == '\n' || *p == '\r' ? "?" : p, 1);
        rbpf_tool_buf_put(out, "\n", 1);
    }
    for (size_t i = 0; i < lines->row_count; i++) {
        const rbpf_tool_line_row_t *r = &lines->rows[i];
        int n = snprintf(row, sizeof row, "0x%x %u %u\n", (unsigned)r->offset, (unsigned)r->file,
                         (unsigned)r->line);
        rbpf_tool_buf_put(out, row, (size_t)n);
    }
}

static int parse_number(const char **p, const char *end, uint64_t max, uint64_t *v)
{
    char buf[24];
    size_t n = 0;
    while (*p < end && **p == ' ')
        (*p)++;
    while (*p < end && **p != ' ' && n < sizeof buf - 1)
        buf[n++] = *(*p)++;
    buf[n] = '\0';
    char *stop;
    if (n == 0 || buf[0] == '-')
        return -1;
    *v = strtoull(buf, &stop, 0);
    return *stop || *v > max ? -1 : 0;
}

int rbpf_tool_lines_parse(const char *text, size_t length, rbpf_tool_lines_t *lines,
                          rbpf_tool_error_t *err)
{
    const char *p = text, *end = text + length;
    size_t number = 0;
    memset(lines, 0, sizeof *lines);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        number++;
        if (number == 1) {
            if ((size_t)(line_end - p) != 12 || memcmp(p, "rbpf-lines 1", 12) != 0) {
                rbpf_tool_lines_free(lines);
                return rbpf_tool_fail(err, "line 1: not an rbpf line table (no 'rbpf-lines 1')");
            }
        } else if (line_end - p > 5 && memcmp(p, "file ", 5) == 0) {
            const char *q = p + 5;
            uint64_t index;
            if (parse_number(&q, line_end, FILES_MAX - 1, &index) || index != lines->file_count ||
                q >= line_end || *q != ' ') {
                rbpf_tool_lines_free(lines);
                return rbpf_tool_fail(err, "line %zu: expected 'file %zu PATH'", number,
                                      lines->file_count);
            }
            q++;
            char *path = malloc((size_t)(line_end - q) + 1);
            if (!path)
                NO_MEMORY();
            memcpy(path, q, (size_t)(line_end - q));
            path[line_end - q] = '\0';
            add_file(lines, path);
        } else if (line_end > p) {
            const char *q = p;
            uint64_t offset, file, line;
            if (parse_number(&q, line_end, UINT32_MAX, &offset) ||
                parse_number(&q, line_end, UINT32_MAX, &file) ||
                parse_number(&q, line_end, UINT32_MAX, &line) || q != line_end ||
                file >= lines->file_count ||
                (lines->row_count && offset < lines->rows[lines->row_count - 1].offset) ||
                lines->row_count >= ROWS_MAX) {
                rbpf_tool_lines_free(lines);
                return rbpf_tool_fail(err,
                                      "line %zu: expected 'OFFSET FILE LINE' (offsets ascending, "
                                      "a file listed above)",
                                      number);
            }
            add_row(lines, offset, file, line);
        }
        p = eol ? eol + 1 : end;
    }
    if (number == 0)
        return rbpf_tool_fail(err, "line 1: not an rbpf line table (empty)");
    return 0;
}

/* The text of line `line` of file `f` (read once), or NULL. */
static const char *source_line(rbpf_tool_lines_t *l, uint32_t f, uint32_t line, size_t *length)
{
    if (!l->sources) {
        l->sources = calloc(l->file_count, sizeof *l->sources);
        l->source_tried = calloc(l->file_count, 1);
        if (!l->sources || !l->source_tried)
            NO_MEMORY();
    }
    if (!l->source_tried[f]) {
        /* a regular file of sane size only: the table is input, and could
         * name a device that never ends */
        struct stat st;
        rbpf_tool_error_t ignored;
        l->source_tried[f] = 1;
        if (!l->no_sources && strcmp(l->files[f], "-") != 0 && stat(l->files[f], &st) == 0 &&
            S_ISREG(st.st_mode) && st.st_size <= (16 << 20) &&
            rbpf_tool_read_file(l->files[f], &l->sources[f], &ignored) != 0)
            rbpf_tool_buf_free(&l->sources[f]);
    }
    const rbpf_tool_buf_t *s = &l->sources[f];
    if (!s->data)
        return NULL;
    const char *p = (const char *)s->data, *end = p + s->length;
    for (uint32_t n = 1; p && p < end; n++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (n == line) {
            *length = (size_t)((eol ? eol : end) - p);
            return p;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* Appends text to out (of size `size`, at *n), control bytes as '?'. */
static void put_clean(char *out, size_t size, size_t *n, const char *text, size_t length)
{
    for (size_t i = 0; i < length && *n + 1 < size; i++) {
        unsigned char ch = (unsigned char)text[i];
        out[(*n)++] = ch < 0x20 || ch == 0x7f ? (ch == '\t' ? ' ' : '?') : (char)ch;
    }
    out[*n] = '\0';
}

const rbpf_tool_line_row_t *rbpf_tool_lines_find(const rbpf_tool_lines_t *l, uint32_t offset)
{
    size_t lo = 0, hi = l->row_count;
    /* the last row at or before offset */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->rows[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 || l->rows[lo - 1].line == 0 ? NULL : &l->rows[lo - 1];
}

int rbpf_tool_lines_describe(rbpf_tool_lines_t *l, uint32_t offset, char *out, size_t size)
{
    if (size == 0)
        return 0;
    out[0] = '\0';
    const rbpf_tool_line_row_t *r = rbpf_tool_lines_find(l, offset);
    if (!r)
        return 0;
    const char *path = l->files[r->file], *base = strrchr(path, '/');
    size_t n = 0, length = 0;
    char number[24];
    put_clean(out, size, &n, base ? base + 1 : path, strlen(base ? base + 1 : path));
    snprintf(number, sizeof number, ":%u:", (unsigned)r->line);
    put_clean(out, size, &n, number, strlen(number));
    const char *text = source_line(l, r->file, r->line, &length);
    if (text) {
        while (length && (*text == ' ' || *text == '\t'))
            text++, length--;
        put_clean(out, size, &n, " ", 1);
        put_clean(out, size, &n, text, length);
    }
    return 1;
}

void rbpf_tool_lines_free(rbpf_tool_lines_t *lines)
{
    for (size_t i = 0; i < lines->file_count; i++) {
        free(lines->files[i]);
        if (lines->sources)
            rbpf_tool_buf_free(&lines->sources[i]);
    }
    free(lines->files);
    free(lines->rows);
    free(lines->sources);
    free(lines->source_tried);
    memset(lines, 0, sizeof *lines);
}
