/*
 * rbpf.c: the rbpf command-line tool. Builds containers from C (through
 * clang), converts clang objects, dumps, assembles, disassembles, verifies
 * and runs containers, embeds them into C for firmware, and speaks the
 * bpf_conformance plugin protocol. docs/cli.md is its manual.
 *
 * Exit status: 0 success; 1 usage or I/O error; 2 input refused (container,
 * object, assembly or program refused at load/verify); 3 fault at run time.
 * Every error is one line "rbpf: error: ..." on stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isa.h"
#include "rbpf.h"
#include "tool/tool.h"

#define EXIT_USAGE 1
#define EXIT_REFUSED 2
#define EXIT_FAULT 3

#ifndef RBPF_CONTAINER_INCLUDE
#define RBPF_CONTAINER_INCLUDE ""
#endif

static const char *program_path = "rbpf";

static int error(int status, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Writes text to stderr with control bytes as \xNN: a message about a file
 * or name holding newlines stays one line. */
static void put_line_text(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
}

static int error(int status, const char *format, ...)
{
    va_list ap;
    char text[1024];
    va_start(ap, format);
    vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    fputs("rbpf: error: ", stderr);
    put_line_text(text);
    fputc('\n', stderr);
    return status;
}

/* ---- Help ---------------------------------------------------------------- */
typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *help;
} command_t;

static const command_t *find_command(const char *name);

static int usage_error(const char *cmd, const char *format, const char *arg)
{
    const command_t *c = find_command(cmd);
    char text[1024];
    snprintf(text, sizeof text, format, arg);
    fprintf(stderr, "rbpf: error: %s: ", cmd);
    put_line_text(text);
    fprintf(stderr, " (usage: %s)\n", c ? c->usage : cmd);
    return EXIT_USAGE;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static int print_help(const char *name)
{
    const command_t *c = find_command(name);
    if (!c)
        return error(EXIT_USAGE, "unknown command '%s' (see rbpf help)", name);
    printf("usage: %s\n\n%s", c->usage, c->help);
    return 0;
}

/* ---- Small helpers --------------------------------------------------------- */
static int parse_u32(const char *cmd, const char *option, const char *text, uint32_t min,
                     uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (!text[0] || *end || errno || text[0] == '-' || v < min || v > max) {
        char what[64];
        snprintf(what, sizeof what, "%s needs a number from %u to %u, not '%%s'", option,
                 (unsigned)min, (unsigned)max);
        return usage_error(cmd, what, text);
    }
    *out = (uint32_t)v;
    return 0;
}

/* path with its extension (after the last '.' of the last component)
 * replaced by ext, in the current directory when `here`. */
static char *replace_extension(const char *path, const char *ext, int here)
{
    const char *base = here && strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *slash = strrchr(base, '/');
    const char *dot = strrchr(base, '.');
    size_t n = dot && (!slash || dot > slash) && dot != base ? (size_t)(dot - base) : strlen(base);
    char *out = malloc(n + strlen(ext) + 1);
    if (!out) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(EXIT_USAGE);
    }
    memcpy(out, base, n);
    strcpy(out + n, ext);
    return out;
}

static int read_input(const char *path, rbpf_tool_buf_t *buf)
{
    rbpf_tool_error_t err;
    if (rbpf_tool_read_file(path, buf, &err) != 0)
        return error(EXIT_USAGE, "%s", err.text);
    return 0;
}

static int write_output(const char *path, const void *data, size_t n)
{
    rbpf_tool_error_t err;
    if (rbpf_tool_write_file(path, data, n, &err) != 0)
        return error(EXIT_USAGE, "%s", err.text);
    return 0;
}

/* Adds the helper names of a names file or C header (see names.c). */
static int read_names(const char *path, rbpf_tool_names_t *names)
{
    rbpf_tool_buf_t text = {0};
    rbpf_tool_error_t err;
    int status = read_input(path, &text);
    if (status == 0 &&
        rbpf_tool_names_parse(names, (const char *)text.data, text.length, &err) != 0)
        status = error(EXIT_USAGE, "%s: %s", path, err.text);
    rbpf_tool_buf_free(&text);
    return status;
}

/* ---- gen ---------------------------------------------------------------- */
/* Converts object `in` to container `out`. A refusal is left in *err and
 * gives EXIT_REFUSED, unprinted; other errors are printed. */
static int gen_object(const char *in, const char *out, rbpf_tool_error_t *err)
{
    rbpf_tool_buf_t elf = {0}, container = {0};
    int status = read_input(in, &elf);
    if (status == 0) {
        if (rbpf_tool_gen(elf.data, elf.length, &container, err) != 0)
            status = EXIT_REFUSED;
        else
            status = write_output(out, container.data, container.length);
    }
    rbpf_tool_buf_free(&elf);
    rbpf_tool_buf_free(&container);
    return status;
}

/* Converts object `in` to container `out`; refusals name `in`. */
static int gen_file(const char *in, const char *out)
{
    rbpf_tool_error_t err;
    int status = gen_object(in, out, &err);
    if (status == EXIT_REFUSED)
        status = error(EXIT_REFUSED, "%s: %s", in, err.text);
    return status;
}

static int cmd_gen(int argc, char **argv)
{
    const char *out = NULL, *in = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("gen", "unknown option '%s'", argv[i]);
        else if (!in)
            in = argv[i];
        else
            return usage_error("gen", "unexpected argument '%s'", argv[i]);
    }
    if (!in)
        return usage_error("gen", "%sno input object", "");
    char *def = out ? NULL : replace_extension(in, ".bin", 0);
    int status = gen_file(in, out ? out : def);
    free(def);
    return status;
}

/* ---- build --------------------------------------------------------------- */
static int is_dir(const char *path)
{
    struct stat st;
    return path && path[0] && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of include/container: $RBPF_INCLUDE; the installed copy
 * beside an installed tool (PREFIX/bin/rbpf: PREFIX/include/rbpf-container);
 * the path compiled in; or ../../include/container next to the executable
 * (build/<variant>/rbpf). */
static const char *container_include(char *buf, size_t size)
{
    const char *env = getenv("RBPF_INCLUDE");
    if (env && env[0])
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        if (strlen(program_path) >= sizeof exe)
            return NULL;
        strcpy(exe, program_path);
        n = (ssize_t)strlen(exe);
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, size, "%s/../include/rbpf-container", exe);
    if (slash && is_dir(buf))
        return buf;
    if (is_dir(RBPF_CONTAINER_INCLUDE))
        return RBPF_CONTAINER_INCLUDE;
    snprintf(buf, size, "%s/../../include/container", exe);
    return slash && is_dir(buf) ? buf : NULL;
}

static int run_process(char **args, const char *err_path);

/* gen's refusal of build's object, naming the source and, when the refusal
 * names an instruction (".text+0x18"), its line: from the object's line
 * table, which args (clang's command, k words, NULL when it had -g) builds
 * again with -g into a second temporary object when it lacks one. */
static int gen_refused(const char *src, const rbpf_tool_error_t *err, char **args, size_t k,
                       const char *object)
{
    const char *at = strstr(err->text, ".text+0x");
    char debug_object[] = "/tmp/rbpf-build-XXXXXX";
    unsigned long line = 0;
    if (at) {
        unsigned long offset = strtoul(at + 8, NULL, 16);
        int fd = -1;
        if (args && (fd = mkstemp(debug_object)) >= 0) {
            /* the same command with -g before "-c SRC -o OBJECT" */
            close(fd);
            char **with_g = calloc(k + 2, sizeof *with_g);
            if (with_g) {
                memcpy(with_g, args, (k - 4) * sizeof *with_g);
                with_g[k - 4] = "-g";
                memcpy(with_g + k - 3, args + k - 4, 3 * sizeof *with_g);
                with_g[k] = debug_object;
                object = run_process(with_g, "/dev/null") == 0 ? debug_object : NULL;
                free(with_g);
            }
        }
        rbpf_tool_buf_t elf = {0};
        rbpf_tool_lines_t lines;
        rbpf_tool_error_t ignored;
        if (object && rbpf_tool_read_file(object, &elf, &ignored) == 0 &&
            rbpf_tool_lines_from_elf(elf.data, elf.length, &lines, &ignored) == 0) {
            const rbpf_tool_line_row_t *row = rbpf_tool_lines_find(&lines, (uint32_t)offset);
            /* a line of the source itself, not of a header it includes */
            if (row && row->file == 0)
                line = row->line;
            rbpf_tool_lines_free(&lines);
        }
        rbpf_tool_buf_free(&elf);
        if (fd >= 0)
            unlink(debug_object);
    }
    if (line)
        return error(EXIT_REFUSED, "%s:%lu: %s", src, line, err->text);
    return error(EXIT_REFUSED, "%s: %s", src, err->text);
}

/* build -g: the object's line table, beside the container (OUT with .lines). */
static int write_lines(const char *object, const char *src, const char *container)
{
    rbpf_tool_buf_t elf = {0}, text = {0};
    rbpf_tool_lines_t lines;
    rbpf_tool_error_t err;
    int status = read_input(object, &elf);
    char *path = replace_extension(container, ".lines", 0);
    if (status == 0 && rbpf_tool_lines_from_elf(elf.data, elf.length, &lines, &err) != 0)
        status = error(EXIT_REFUSED, "%s: %s", src, err.text);
    else if (status == 0) {
        rbpf_tool_lines_write(&lines, &text);
        status = write_output(path, text.data, text.length);
        rbpf_tool_lines_free(&lines);
    }
    free(path);
    rbpf_tool_buf_free(&elf);
    rbpf_tool_buf_free(&text);
    return status;
}

/* The line table of container `path`: `given` (--lines) when set, else the
 * file beside it with .lines, when there is one. *have says whether a table
 * was read; a table that is there but malformed is refused. */
static int read_lines(const char *given, const char *path, rbpf_tool_lines_t *lines, int *have)
{
    char *beside = given ? NULL : replace_extension(path, ".lines", 0);
    const char *name = given ? given : beside;
    rbpf_tool_buf_t text = {0};
    rbpf_tool_error_t err;
    struct stat st;
    int status = 0;
    *have = 0;
    memset(lines, 0, sizeof *lines);
    if (given || (stat(name, &st) == 0 && S_ISREG(st.st_mode) && strcmp(name, path) != 0)) {
        status = read_input(name, &text);
        if (status == 0 &&
            rbpf_tool_lines_parse((const char *)text.data, text.length, lines, &err) != 0)
            status = error(EXIT_USAGE, "%s: %s", name, err.text);
        *have = status == 0;
    }
    free(beside);
    rbpf_tool_buf_free(&text);
    return status;
}

/* Runs argv with stderr sent to err_path (NULL: inherited); returns its exit
 * status, 127 when it cannot be started, 128 + N when signal N ended it. */
static int run_process(char **args, const char *err_path)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (err_path) {
            FILE *f = freopen(err_path, "w", stderr);
            (void)f;
        }
        execvp(args[0], args);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Copies clang's diagnostics to stderr, up to a crash report's stack dump
 * (which names temporary files and helps nobody write a container). */
static void show_diagnostics(const char *text)
{
    const char *cut = strstr(text, "PLEASE submit a bug report");
    const char *dump = strstr(text, "Stack dump:");
    if (!cut || (dump && dump < cut))
        cut = dump;
    const char *end = cut ? cut : text + strlen(text);
    int backend = strstr(text, "error in backend") != NULL;
    while (text < end) {
        size_t n = strcspn(text, "\n");
        if (text + n > end)
            n = (size_t)(end - text);
        /* a backend failure's indented lines are the compiler's own graph */
        if (!backend || (text[0] != ' ' && text[0] != '\t'))
            fprintf(stderr, "%.*s\n", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

/* The line number of the first diagnostic "SRC:LINE:COL: ..." that contains
 * `what`, or 0. */
static unsigned long diagnostic_line(const char *diag, const char *src, const char *what)
{
    const char *hit = strstr(diag, what);
    if (!hit)
        return 0;
    while (hit > diag && hit[-1] != '\n')
        hit--;
    size_t n = strlen(src);
    if (strncmp(hit, src, n) != 0 || hit[n] != ':')
        return 0;
    return strtoul(hit + n + 1, NULL, 10);
}

/* The one-line reason a clang run failed, from its diagnostics: a cpu level
 * too low for signed division, one this clang does not know, or neither. */
static int build_failure(const char *src, const char *clang, const char *cpu, const char *diag,
                         int rc)
{
    if (strstr(diag, "signed division")) {
        /* clang 18 and later say file:line above; clang 14 names the function */
        const char *fn = strstr(diag, "In function: ");
        int len = 0;
        if (fn) {
            fn += 13;
            len = (int)strcspn(fn, "\r\n");
        }
        unsigned long line = diagnostic_line(diag, src, "signed division");
        char where[64] = "";
        if (line)
            snprintf(where, sizeof where, ":%lu", line);
        return error(EXIT_REFUSED,
                     "%s%s%s%.*s: signed division or remainder needs --cpu v4 (clang 18 or "
                     "later); --cpu %s has only unsigned ones (or make the operands unsigned)",
                     src, where, fn ? ": function " : "", len, fn ? fn : "", cpu);
    }
    if (strstr(diag, "unknown target CPU"))
        return error(EXIT_REFUSED,
                     "%s: '%s' does not know --cpu %s: v4 needs clang 18 or later (CLANG=clang-19), "
                     "v1 to v3 any clang with the BPF target",
                     src, clang, cpu);
    if (rc >= 128)
        return error(EXIT_REFUSED, "%s: clang crashed (signal %d)", src, rc - 128);
    return error(EXIT_REFUSED, "%s: clang failed (exit status %d)", src, rc);
}

static int cmd_build(int argc, char **argv)
{
    const char *out = NULL, *src = NULL, *opt = "-O2", *cpu = "v3";
    int debug = 0;
    const char *clang = getenv("CLANG");
    char **extra = calloc((size_t)argc * 2 + 1, sizeof *extra);
    size_t n_extra = 0;
    int status = 0;
    if (!extra)
        return error(EXIT_USAGE, "out of memory");
    if (!clang || !clang[0])
        clang = "clang";
    for (int i = 1; i < argc && status == 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(a, "-O") == 0 && i + 1 < argc) {
            static char level[16];
            snprintf(level, sizeof level, "-O%s", argv[++i]);
            opt = level;
        } else if (strncmp(a, "-O", 2) == 0 && a[2]) {
            opt = a;
        } else if (strcmp(a, "--cpu") == 0 && i + 1 < argc) {
            cpu = argv[++i];
            if (strcmp(cpu, "v1") && strcmp(cpu, "v2") && strcmp(cpu, "v3") && strcmp(cpu, "v4"))
                status = usage_error("build", "--cpu must be v1, v2, v3 or v4, not '%s'", cpu);
        } else if ((strcmp(a, "-I") == 0 || strcmp(a, "-D") == 0) && i + 1 < argc) {
            extra[n_extra++] = (char *)a;
            extra[n_extra++] = argv[++i];
        } else if ((strncmp(a, "-I", 2) == 0 || strncmp(a, "-D", 2) == 0) && a[2]) {
            extra[n_extra++] = (char *)a;
        } else if (strcmp(a, "-g") == 0) {
            debug = 1;
        } else if (strcmp(a, "-X") == 0 && i + 1 < argc) {
            extra[n_extra++] = argv[++i];
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc)
                extra[n_extra++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            status = usage_error("build", "unknown option '%s'", a);
        } else if (!src) {
            src = a;
        } else {
            status = usage_error("build", "unexpected argument '%s'", a);
        }
    }
    if (status == 0 && !src)
        status = usage_error("build", "%sno source file", "");
    if (status == 0) {
        struct stat st;
        if (stat(src, &st) != 0)
            status = error(EXIT_USAGE, "%s: %s", src, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            status = error(EXIT_USAGE, "%s: is a directory, not a file", src);
    }
    char tmp[] = "/tmp/rbpf-build-XXXXXX", diag_path[] = "/tmp/rbpf-build-XXXXXX";
    int fd = -1, diag_fd = -1;
    if (status == 0 && ((fd = mkstemp(tmp)) < 0 || (diag_fd = mkstemp(diag_path)) < 0))
        status = error(EXIT_USAGE, "cannot create a temporary file: %s", strerror(errno));
    char **args = status == 0 ? calloc(n_extra + 32, sizeof *args) : NULL;
    if (status == 0 && !args)
        status = error(EXIT_USAGE, "out of memory");
    if (status != 0) {
        if (fd >= 0)
            close(fd), unlink(tmp);
        if (diag_fd >= 0)
            close(diag_fd), unlink(diag_path);
        free(extra);
        return status;
    }
    close(fd);
    close(diag_fd);

    char mcpu[32], incbuf[PATH_MAX + 32];
    snprintf(mcpu, sizeof mcpu, "-mcpu=%s", cpu);
    const char *inc = container_include(incbuf, sizeof incbuf);
    const char *ext = strrchr(src, '.');
    int cxx = ext && (!strcmp(ext, ".cpp") || !strcmp(ext, ".cc") || !strcmp(ext, ".cxx"));
    size_t k = 0;
    args[k++] = (char *)clang;
    args[k++] = "-target";
    args[k++] = "bpf";
    args[k++] = mcpu;
    args[k++] = (char *)opt;
    args[k++] = "-ffreestanding";
    args[k++] = "-fno-common";
    /* clang 20 and later turn dense switches into `gotox` through a
     * .jumptables section at --cpu v4, which containers do not support. */
    args[k++] = "-fno-jump-tables";
    args[k++] = "-fno-crash-diagnostics";
    if (debug)
        args[k++] = "-g";
    if (cxx) {
        args[k++] = "-fno-exceptions";
        args[k++] = "-fno-rtti";
    }
    if (inc) {
        args[k++] = "-I";
        args[k++] = (char *)inc;
    }
    for (size_t i = 0; i < n_extra; i++)
        args[k++] = extra[i];
    args[k++] = "-c";
    args[k++] = (char *)src;
    args[k++] = "-o";
    args[k++] = tmp;
    args[k] = NULL;

    int rc = run_process(args, diag_path);
    rbpf_tool_buf_t diag = {0};
    rbpf_tool_error_t err;
    if (rbpf_tool_read_file(diag_path, &diag, &err) == 0)
        rbpf_tool_buf_put(&diag, "", 1);
    const char *diag_text = diag.data ? (const char *)diag.data : "";
    if (rc != 127)
        show_diagnostics(diag_text);
    if (rc == 127) {
        status = error(EXIT_USAGE,
                       "cannot run '%s': install clang with the BPF target (Debian/Ubuntu: "
                       "apt-get install clang; macOS: brew install llvm) or set CLANG",
                       clang);
    } else if (rc != 0) {
        /* Tell a missing BPF target apart from an error in the source. */
        char *probe[] = {(char *)clang, "-target", "bpf", "-x", "c", "-c", "/dev/null",
                         "-o", "/dev/null", NULL};
        if (run_process(probe, "/dev/null") != 0)
            status = error(EXIT_USAGE,
                           "'%s' cannot compile for the BPF target: install a clang built with "
                           "it (llc --version lists 'bpf'; Debian/Ubuntu: apt-get install clang)",
                           clang);
        else
            status = build_failure(src, clang, cpu, diag_text, rc);
    } else {
        char *def = out ? NULL : replace_extension(src, ".bin", 1);
        rbpf_tool_error_t gen_err;
        status = gen_object(tmp, out ? out : def, &gen_err);
        if (status == EXIT_REFUSED)
            status = gen_refused(src, &gen_err, debug ? NULL : args, k, tmp);
        if (status == 0 && debug)
            status = write_lines(tmp, src, out ? out : def);
        free(def);
    }
    rbpf_tool_buf_free(&diag);
    unlink(tmp);
    unlink(diag_path);
    free(args);
    free(extra);
    return status;
}

/* ---- dump ------------------------------------------------------------------ */
static int cmd_dump(int argc, char **argv)
{
    const char *in = NULL, *lines_path = NULL;
    rbpf_tool_names_t names = {0};
    rbpf_tool_lines_t lines = {0};
    int status = 0, have_lines = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "--names") == 0 && i + 1 < argc)
            status = read_names(argv[++i], &names);
        else if (strcmp(argv[i], "--lines") == 0 && i + 1 < argc)
            lines_path = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            status = usage_error("dump", "unknown option '%s'", argv[i]);
        else if (!in)
            in = argv[i];
        else
            status = usage_error("dump", "unexpected argument '%s'", argv[i]);
    }
    if (status == 0 && !in)
        status = usage_error("dump", "%sno container file", "");
    rbpf_tool_buf_t blob = {0};
    rbpf_tool_error_t err;
    if (status == 0)
        status = read_input(in, &blob);
    if (status == 0)
        status = read_lines(lines_path, in, &lines, &have_lines);
    if (status == 0 && rbpf_tool_dump(stdout, blob.data, blob.length, &names,
                                      have_lines ? &lines : NULL, &err) != 0)
        status = error(EXIT_REFUSED, "%s: %s", in, err.text);
    rbpf_tool_buf_free(&blob);
    rbpf_tool_names_free(&names);
    rbpf_tool_lines_free(&lines);
    return status;
}

/* ---- asm / disasm -------------------------------------------------------- */
static int cmd_asm(int argc, char **argv)
{
    const char *out = NULL, *in = NULL;
    int raw = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--raw") == 0)
            raw = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("asm", "unknown option '%s'", argv[i]);
        else if (!in)
            in = argv[i];
        else
            return usage_error("asm", "unexpected argument '%s'", argv[i]);
    }
    if (!in)
        return usage_error("asm", "%sno input file", "");
    rbpf_tool_buf_t src = {0}, code = {0}, container = {0};
    rbpf_tool_image_t image = {0};
    rbpf_tool_error_t err;
    char *def = out ? NULL : replace_extension(in, ".bin", 0);
    int status = read_input(in, &src);
    if (status == 0 && rbpf_tool_assemble((const char *)src.data, src.length, &code, &err) != 0)
        status = error(EXIT_REFUSED, "%s: %s", in, err.text);
    if (status == 0 && raw) {
        status = write_output(out ? out : def, code.data, code.length);
    } else if (status == 0) {
        rbpf_tool_buf_put(&image.text, code.data, code.length);
        rbpf_tool_image_add_function(&image, "main", 0);
        if (rbpf_tool_image_write(&image, &container, &err) != 0)
            status = error(EXIT_REFUSED, "%s: %s", in, err.text);
        else
            status = write_output(out ? out : def, container.data, container.length);
    }
    free(def);
    rbpf_tool_image_free(&image);
    rbpf_tool_buf_free(&src);
    rbpf_tool_buf_free(&code);
    rbpf_tool_buf_free(&container);
    return status;
}

/* Reads FILE as a container (text and its functions) or, with raw, as bare
 * instructions. */
static int load_code(const char *path, int raw, rbpf_tool_buf_t *blob, rbpf_tool_container_t *c)
{
    rbpf_tool_error_t err;
    int status = read_input(path, blob);
    if (status)
        return status;
    memset(c, 0, sizeof *c);
    if (raw) {
        if (blob->length == 0 || blob->length % RBPF_INSN_SIZE)
            return error(EXIT_REFUSED, "%s: %zu bytes is not a whole number of instructions (8 bytes each)",
                         path, blob->length);
        c->text = blob->data;
        c->text_len = (uint32_t)(blob->length > UINT32_MAX ? 0 : blob->length);
        if (blob->length > UINT32_MAX)
            return error(EXIT_REFUSED, "%s: too large", path);
        return 0;
    }
    if (rbpf_tool_container_read(blob->data, blob->length, c, &err) != 0)
        return error(EXIT_REFUSED, "%s: %s", path, err.text);
    return 0;
}

/* The arguments of disasm and verify: [--raw] [--names FILE] FILE, and for
 * disasm (lines not NULL) [--lines FILE]. Returns 0 or the usage error's
 * exit status. */
static int parse_raw_and_file(const char *cmd, int argc, char **argv, const char **in, int *raw,
                              rbpf_tool_names_t *names, const char **lines)
{
    *in = NULL;
    *raw = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--raw") == 0) {
            *raw = 1;
        } else if (lines && strcmp(argv[i], "--lines") == 0 && i + 1 < argc) {
            *lines = argv[++i];
        } else if (strcmp(argv[i], "--names") == 0 && i + 1 < argc) {
            int status = read_names(argv[++i], names);
            if (status)
                return status;
        } else if (argv[i][0] == '-' && argv[i][1])
            return usage_error(cmd, "unknown option '%s'", argv[i]);
        else if (!*in)
            *in = argv[i];
        else
            return usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    if (!*in)
        return usage_error(cmd, "%sno input file", "");
    return 0;
}

/* The name of the helper instruction `insn` calls, or NULL (not a helper
 * call, or unknown). */
static const char *called_helper(const uint8_t *insn, const rbpf_tool_names_t *names)
{
    if (insn[0] != 0x85 || RBPF_INSN_SRC(insn) != 0)
        return NULL;
    return rbpf_tool_helper_name(names, (uint32_t)RBPF_INSN_IMM(insn));
}

static int cmd_disasm(int argc, char **argv)
{
    const char *in, *lines_path = NULL;
    int raw, have_lines = 0;
    rbpf_tool_names_t names = {0};
    rbpf_tool_lines_t lines = {0};
    int status = parse_raw_and_file("disasm", argc, argv, &in, &raw, &names, &lines_path);
    rbpf_tool_buf_t blob = {0};
    rbpf_tool_container_t c;
    if (status == 0)
        status = read_lines(lines_path, in, &lines, &have_lines);
    if (status == 0)
        status = load_code(in, raw, &blob, &c);
    if (status == 0) {
        size_t count = c.text_len / RBPF_INSN_SIZE;
        char line[128], source[256], shown[256] = "";
        for (size_t i = 0; i < count;) {
            const char *helper = called_helper(c.text + i * RBPF_INSN_SIZE, &names);
            rbpf_tool_function_labels(stdout, &c, (uint32_t)(i * RBPF_INSN_SIZE), "# function ",
                                      "\n");
            if (have_lines &&
                rbpf_tool_lines_describe(&lines, (uint32_t)(i * RBPF_INSN_SIZE), source,
                                         sizeof source) &&
                strcmp(source, shown) != 0) {
                printf("# %s\n", source);
                strcpy(shown, source);
            }
            i += rbpf_tool_disasm_insn(c.text, count, i, line, sizeof line);
            if (helper)
                printf("%s # %s\n", line, helper);
            else
                puts(line);
        }
        rbpf_tool_container_free(&c);
    }
    rbpf_tool_buf_free(&blob);
    rbpf_tool_names_free(&names);
    rbpf_tool_lines_free(&lines);
    return status;
}

/* ---- verify / run ------------------------------------------------------ */
static void print_to_stderr(void *user, const char *text, size_t length)
{
    (void)user;
    fwrite(text, 1, length, stderr);
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_ms(void *user)
{
    (void)user;
    return monotonic_ns() / 1000000u;
}

static const rbpf_helper_t standard_helpers[] = {RBPF_STANDARD_HELPERS};

/* Loads (parse + verify) a container or bare code; prints the refusal. */
static int load_program(const char *path, int raw, const rbpf_tool_buf_t *blob,
                        rbpf_program_t *prog, const rbpf_config_t *config,
                        const rbpf_tool_names_t *names)
{
    rbpf_tool_container_t c;
    rbpf_tool_error_t err;
    /* The tool's own reader first: its refusals say which field is wrong. */
    if (!raw && rbpf_tool_container_read(blob->data, blob->length, &c, &err) != 0)
        return error(EXIT_REFUSED, "%s: %s", path, err.text);
    if (!raw)
        rbpf_tool_container_free(&c);
    if (raw && (blob->length == 0 || blob->length % RBPF_INSN_SIZE))
        return error(EXIT_REFUSED, "%s: %zu bytes is not a whole number of instructions (8 bytes each)",
                     path, blob->length);
    int rc = raw ? rbpf_load_raw(prog, blob->data, blob->length, config)
                 : rbpf_load(prog, blob->data, blob->length, config);
    if (rc == RBPF_OK)
        return 0;
    if (prog->error_at >= 0 && (rc >= RBPF_ERR_EMPTY || rc == RBPF_ERR_BAD_RELOCATION))
        return error(EXIT_REFUSED, "%s: %s (at byte %ld)", path, rbpf_strerror(rc),
                     (long)prog->error_at);
    if (prog->error_at >= 0 && rc == RBPF_ERR_ILLEGAL_CALL &&
        (uint64_t)prog->error_at < prog->text_len / RBPF_INSN_SIZE &&
        RBPF_INSN_SRC(prog->text + (size_t)prog->error_at * RBPF_INSN_SIZE) == 0) {
        /* a helper this run does not have: say which, and how to get one */
        uint32_t id = (uint32_t)RBPF_INSN_IMM(prog->text + (size_t)prog->error_at * RBPF_INSN_SIZE);
        const char *name = rbpf_tool_helper_name(names, id);
        return error(EXIT_REFUSED,
                     "%s: instruction %ld (byte 0x%lx): %s: helper 0x%x%s%s is not registered%s",
                     path, (long)prog->error_at, (unsigned long)prog->error_at * RBPF_INSN_SIZE,
                     rbpf_strerror(rc), (unsigned)id, name ? " " : "", name ? name : "",
                     id >= RBPF_HELPER_APP_FIRST ? " (rbpf run --helper ID=VALUE stubs one)" : "");
    }
    if (prog->error_at >= 0)
        return error(EXIT_REFUSED, "%s: instruction %ld: %s", path, (long)prog->error_at,
                     rbpf_strerror(rc));
    return error(EXIT_REFUSED, "%s: %s", path, rbpf_strerror(rc));
}

static int cmd_verify(int argc, char **argv)
{
    const char *in;
    int raw;
    rbpf_tool_names_t names = {0};
    int status = parse_raw_and_file("verify", argc, argv, &in, &raw, &names, NULL);
    if (status != 0) {
        rbpf_tool_names_free(&names);
        return status;
    }
    rbpf_tool_buf_t blob = {0};
    rbpf_program_t prog;
    rbpf_config_t config = {0};
    config.helpers = standard_helpers;
    config.helper_count = sizeof standard_helpers / sizeof standard_helpers[0];
    status = read_input(in, &blob);
    if (status == 0)
        status = load_program(in, raw, &blob, &prog, &config, &names);
    if (status == 0)
        puts("ok");
    rbpf_tool_buf_free(&blob);
    rbpf_tool_names_free(&names);
    return status;
}

static void *aligned_buffer(size_t n)
{
    /* malloc's result is aligned for any type, so for 8 bytes too. */
    void *p = malloc(n ? n : 8);
    if (!p) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(EXIT_USAGE);
    }
    memset(p, 0, n ? n : 8);
    return p;
}

/* The engine `name` names (NULL: the fastest compiled in: the JIT, else the
 * translated engine, else the in-place interpreter) into *engine; a usage
 * error for an unknown name or one this build lacks. */
static int choose_engine(const char *cmd, const char *name, int *engine)
{
    if (name == NULL) {
        *engine = rbpf_engine_available(RBPF_ENGINE_JIT)        ? RBPF_ENGINE_JIT
                  : rbpf_engine_available(RBPF_ENGINE_THREADED) ? RBPF_ENGINE_THREADED
                                                                : RBPF_ENGINE_INTERP;
        return 0;
    }
    *engine = rbpf_engine_find(name);
    if (*engine < 0)
        return usage_error(cmd, "--engine must be interp, threaded or jit, not '%s'", name);
    if (!rbpf_engine_available(*engine))
        return usage_error(cmd, "--engine %s: this build does not have that engine", name);
    return 0;
}

/* Prepares a verified program for `engine` in a new buffer (*buffer, to
 * free; NULL for the interpreter). */
static int prepare_engine(const char *what, rbpf_program_t *prog, int engine, void **buffer)
{
    size_t size = 0;
    int rc = rbpf_prepare_size(prog, engine, &size);
    *buffer = NULL;
    if (rc == RBPF_OK && size != 0) {
        *buffer = aligned_buffer(size);
        rc = rbpf_prepare(prog, engine, *buffer, size);
    }
    if (rc != RBPF_OK)
        return error(EXIT_REFUSED, "%s: cannot prepare it for engine %s: %s", what,
                     rbpf_engine_name(engine), rbpf_strerror(rc));
    return 0;
}

static int run_error(const char *path, const rbpf_tool_run_view_t *view, const rbpf_vm_t *vm,
                     int rc)
{
    char text[512];
    rbpf_tool_describe_error(view, vm, rc, text, sizeof text);
    return error(EXIT_FAULT, "%s: run time: %s", path, text);
}

/* Stub application helpers for `run --helper ID=VALUE`: each returns its
 * constant. A helper gets no id, so each slot has its own function. */
#define STUB_HELPERS 16
static uint64_t stub_values[STUB_HELPERS];
#define STUB_(n)                                                                  \
    static int stub_##n(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)   \
    {                                                                             \
        (void)vm;                                                                 \
        (void)args;                                                               \
        *result = stub_values[n];                                                 \
        return 0;                                                                 \
    }
STUB_(0) STUB_(1) STUB_(2) STUB_(3) STUB_(4) STUB_(5) STUB_(6) STUB_(7)
STUB_(8) STUB_(9) STUB_(10) STUB_(11) STUB_(12) STUB_(13) STUB_(14) STUB_(15)
#undef STUB_
static const rbpf_helper_fn stub_functions[STUB_HELPERS] = {
    stub_0, stub_1, stub_2,  stub_3,  stub_4,  stub_5,  stub_6,  stub_7,
    stub_8, stub_9, stub_10, stub_11, stub_12, stub_13, stub_14, stub_15};

/* Parses --helper ID=VALUE into helpers[*count] (after the standard ones). */
static int add_stub_helper(const char *spec, rbpf_helper_t *helpers, uint32_t *count,
                           uint32_t *stubs)
{
    char *end;
    errno = 0;
    unsigned long long id = strtoull(spec, &end, 0);
    if (end == spec || *end != '=' || errno || spec[0] == '-' || id == 0 || id > UINT32_MAX)
        return usage_error("run", "--helper needs ID=VALUE (ID a helper number), not '%s'", spec);
    const char *v = end + 1;
    errno = 0;
    unsigned long long value = strtoull(v, &end, 0);
    if (end == v || *end || errno) {
        long long sv = strtoll(v, &end, 0);
        if (end == v || *end || errno)
            return usage_error("run", "--helper ID=VALUE: VALUE must be a number, not '%s'", spec);
        value = (unsigned long long)sv;
    }
    for (uint32_t i = 0; i < *count; i++)
        if (helpers[i].id == id)
            return usage_error("run", "--helper: helper %s is registered already", spec);
    if (*stubs >= STUB_HELPERS)
        return usage_error("run", "--helper: at most 16 stub helpers (%s)", spec);
    stub_values[*stubs] = value;
    helpers[*count] = (rbpf_helper_t){(uint32_t)id, "stub", stub_functions[*stubs]};
    (*count)++;
    (*stubs)++;
    return 0;
}

/* RAM `rbpf run` gives a container's data and bss at most, unless
 * --ram-limit says otherwise: far beyond any microcontroller's, far below a
 * 4 GiB bss_len. */
#define RUN_RAM_LIMIT (16u << 20)

static int cmd_run(int argc, char **argv)
{
    const char *in = NULL, *function = NULL, *ctx_hex = NULL, *ctx_file = NULL, *ctx_out = NULL;
    const char *engine_name = NULL, *lines_path = NULL;
    uint32_t budget = 0, stack = 512, repeat = 1, trace_max = 1000, ram_limit = RUN_RAM_LIMIT;
    int raw = 0, stats = 0, trace = 0, status = 0, engine = RBPF_ENGINE_INTERP, have_lines = 0;
    rbpf_tool_lines_t lines = {0};
    enum { STANDARD = sizeof standard_helpers / sizeof standard_helpers[0] };
    rbpf_helper_t helpers[STANDARD + STUB_HELPERS];
    uint32_t helper_count = STANDARD, stubs = 0;
    rbpf_tool_names_t names = {0};
    memcpy(helpers, standard_helpers, sizeof standard_helpers);
    for (int i = 1; i < argc && status == 0; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--raw") == 0) {
            raw = 1;
        } else if (strcmp(a, "--stats") == 0) {
            stats = 1;
        } else if (strcmp(a, "--trace") == 0) {
            trace = 1;
        } else if (strcmp(a, "-f") == 0 && more) {
            function = argv[++i];
        } else if (strcmp(a, "--engine") == 0 && more) {
            engine_name = argv[++i];
        } else if (strcmp(a, "--ctx-hex") == 0 && more) {
            ctx_hex = argv[++i];
        } else if (strcmp(a, "--ctx-file") == 0 && more) {
            ctx_file = argv[++i];
        } else if (strcmp(a, "--ctx-out") == 0 && more) {
            ctx_out = argv[++i];
        } else if (strcmp(a, "--names") == 0 && more) {
            status = read_names(argv[++i], &names);
        } else if (strcmp(a, "--lines") == 0 && more) {
            lines_path = argv[++i];
        } else if (strcmp(a, "--helper") == 0 && more) {
            status = add_stub_helper(argv[++i], helpers, &helper_count, &stubs);
        } else if (strcmp(a, "--budget") == 0 && more) {
            status = parse_u32("run", a, argv[++i], 1, UINT32_MAX, &budget);
        } else if (strcmp(a, "--stack") == 0 && more) {
            status = parse_u32("run", a, argv[++i], 0, 64u << 20, &stack);
        } else if (strcmp(a, "--repeat") == 0 && more) {
            status = parse_u32("run", a, argv[++i], 1, UINT32_MAX, &repeat);
        } else if (strcmp(a, "--trace-max") == 0 && more) {
            status = parse_u32("run", a, argv[++i], 0, UINT32_MAX, &trace_max);
        } else if (strcmp(a, "--ram-limit") == 0 && more) {
            status = parse_u32("run", a, argv[++i], 0, UINT32_MAX, &ram_limit);
        } else if (a[0] == '-' && a[1]) {
            status = usage_error("run", "unknown option or missing value '%s'", a);
        } else if (!in) {
            in = a;
        } else {
            status = usage_error("run", "unexpected argument '%s'", a);
        }
    }
    if (status == 0 && !in)
        status = usage_error("run", "%sno input file", "");
    if (status == 0 && ctx_hex && ctx_file)
        status = usage_error("run", "give --ctx-hex or --ctx-file, not both%s", "");
    if (status == 0 && stack % 8)
        status = usage_error("run", "--stack must be a multiple of 8, not %s", "the value given");
    /* the trace hook is the in-place interpreter's */
    if (status == 0 && trace && engine_name == NULL)
        engine_name = "interp";
    if (status == 0)
        status = choose_engine("run", engine_name, &engine);
    if (status == 0 && trace && engine != RBPF_ENGINE_INTERP)
        status = usage_error("run", "--trace runs on the interp engine only, not on %s",
                             rbpf_engine_name(engine));
    if (status != 0) {
        rbpf_tool_names_free(&names);
        return status;
    }

    rbpf_tool_buf_t blob = {0}, ctx = {0};
    rbpf_tool_error_t err;
    rbpf_program_t prog;
    rbpf_vm_t vm;
    rbpf_config_t config = {0};
    rbpf_tool_run_view_t view = {0};
    void *stack_mem = aligned_buffer(stack), *ram = NULL, *ctx_mem = NULL, *prepared = NULL;
    config.stack = stack_mem;
    config.stack_size = stack;
    config.budget = budget;
    config.helpers = helpers;
    config.helper_count = helper_count;
    config.print = print_to_stderr;
    config.now_ms = clock_ms;
    config.user = &view;

    if (ctx_hex && rbpf_tool_hex_decode(ctx_hex, strlen(ctx_hex), &ctx, "--ctx-hex", &err) != 0)
        status = error(EXIT_USAGE, "%s", err.text);
    if (status == 0 && ctx_file)
        status = read_input(ctx_file, &ctx);
    if (status == 0)
        status = read_input(in, &blob);
    if (status == 0)
        status = load_program(in, raw, &blob, &prog, &config, &names);
    if (status == 0 && (trace || lines_path))
        status = read_lines(lines_path, in, &lines, &have_lines);
    if (status == 0)
        status = prepare_engine(in, &prog, engine, &prepared);
    int index = 0;
    if (status == 0 && function) {
        index = rbpf_function_find(&prog, function);
        if (index < 0)
            status = error(EXIT_REFUSED, "%s: no function named '%s'", in, function);
    }
    /* The container says how much RAM it wants: check before allocating. */
    if (status == 0 && (uint64_t)prog.data_len + prog.bss_len > ram_limit)
        status = error(EXIT_REFUSED,
                       "%s: data and bss need %llu bytes of RAM, over the limit of %lu "
                       "(--ram-limit BYTES raises it)",
                       in, (unsigned long long)prog.data_len + prog.bss_len,
                       (unsigned long)ram_limit);
    if (status == 0) {
        size_t ram_size = (size_t)prog.data_len + prog.bss_len;
        ram = ram_size ? aligned_buffer(ram_size) : NULL;
        int rc = rbpf_vm_init(&vm, &prog, &config, ram, ram_size);
        if (rc != RBPF_OK)
            status = error(EXIT_REFUSED, "%s: %s", in, rbpf_strerror(rc));
    }
    if (status == 0) {
        uint64_t r0 = 0;
        ctx_mem = ctx.length ? aligned_buffer(ctx.length) : NULL;
        view.prog = &prog;
        view.names = &names;
        view.context = ctx_mem;
        view.context_len = ctx.length;
        view.stack = stack_mem;
        view.stack_len = stack;
        view.out = stderr;
        view.trace_max = trace_max;
        view.lines = have_lines ? &lines : NULL;
        if (trace)
            vm.trace = rbpf_tool_trace_hook;
        uint64_t start = monotonic_ns();
        for (uint32_t r = 0; r < repeat && status == 0; r++) {
            if (ctx_mem)
                memcpy(ctx_mem, ctx.data, ctx.length);
            int rc = rbpf_vm_run(&vm, (uint32_t)index, ctx_mem, ctx.length, &r0);
            if (trace)
                rbpf_tool_trace_end(&view, rc, r0);
            if (trace && view.traced == 0 && vm.instructions > 0)
                fprintf(stderr, "trace: this build has no trace hook (RBPF_ENABLE_TRACE=0)\n");
            if (rc != RBPF_OK)
                status = run_error(in, &view, &vm, rc);
        }
        uint64_t elapsed = monotonic_ns() - start;
        /* the context as the (last) run left it, also after a fault */
        if (ctx_out) {
            int wrote = write_output(ctx_out, ctx_mem ? ctx_mem : (void *)"", ctx.length);
            if (status == 0)
                status = wrote;
        }
        if (status == 0) {
            printf("0x%llx\n", (unsigned long long)r0);
            fflush(stdout);
        }
        if (stats && status == 0)
            fprintf(stderr, "stats: runs=%u insns=%llu ns_per_run=%llu engine=%s\n",
                    (unsigned)repeat, (unsigned long long)vm.instructions,
                    (unsigned long long)(elapsed / repeat), rbpf_engine_name(engine));
        rbpf_vm_deinit(&vm);
    }
    free(prepared);
    free(stack_mem);
    free(ram);
    free(ctx_mem);
    rbpf_tool_buf_free(&blob);
    rbpf_tool_buf_free(&ctx);
    rbpf_tool_names_free(&names);
    rbpf_tool_lines_free(&lines);
    return status;
}

/* ---- plugin ------------------------------------------------------------- */
static int helper_return_r1(rbpf_vm_t *vm, const uint64_t *args, uint64_t *result)
{
    (void)vm;
    *result = args[0];
    return 0;
}

static int cmd_plugin(int argc, char **argv)
{
    static const rbpf_helper_t helpers[] = {{5, "return_r1", helper_return_r1}};
    rbpf_tool_buf_t text = {0}, code = {0}, mem = {0};
    rbpf_tool_error_t err;
    rbpf_program_t prog;
    rbpf_vm_t vm;
    rbpf_config_t config = {0};
    uint32_t stack_size = 512u * (RBPF_DEFAULT_CALL_DEPTH + 1);
    void *stack, *mem_buf = NULL, *prepared = NULL;
    const char *engine_name = NULL;
    int status = 0, engine;

    /* Options: --engine NAME; others are the runner's and ignored. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--engine") == 0) {
            if (i + 1 == argc)
                return usage_error("plugin", "--engine needs a name%s", "");
            engine_name = argv[++i];
        }
    if (choose_engine("plugin", engine_name, &engine))
        return EXIT_USAGE;
    stack = aligned_buffer(stack_size);
    config.stack = stack;
    config.stack_size = stack_size;
    config.helpers = helpers;
    config.helper_count = 1;

    if (argc > 1 && strncmp(argv[1], "--", 2) != 0 &&
        rbpf_tool_hex_decode(argv[1], strlen(argv[1]), &mem, "memory", &err) != 0)
        status = error(EXIT_USAGE, "%s", err.text);
    if (status == 0)
        status = read_input("-", &text);
    if (status == 0 &&
        rbpf_tool_hex_decode((const char *)text.data, text.length, &code, "program", &err) != 0)
        status = error(EXIT_USAGE, "%s", err.text);
    if (status == 0)
        status = load_program("program", 1, &code, &prog, &config, NULL);
    if (status == 0)
        status = prepare_engine("program", &prog, engine, &prepared);
    if (status == 0 && rbpf_vm_init(&vm, &prog, &config, NULL, 0) != RBPF_OK)
        status = error(EXIT_REFUSED, "cannot set up the VM");
    if (status == 0) {
        uint64_t r0 = 0;
        if (mem.length) {
            mem_buf = aligned_buffer(mem.length);
            memcpy(mem_buf, mem.data, mem.length);
        }
        int rc = rbpf_vm_run(&vm, 0, mem_buf, mem.length, &r0);
        rbpf_tool_run_view_t view = {0};
        view.prog = &prog;
        view.context = mem_buf;
        view.context_len = mem.length;
        view.stack = stack;
        view.stack_len = stack_size;
        if (rc != RBPF_OK)
            status = run_error("program", &view, &vm, rc);
        else
            printf("%llx\n", (unsigned long long)r0);
        rbpf_vm_deinit(&vm);
    }
    free(prepared);
    free(stack);
    free(mem_buf);
    rbpf_tool_buf_free(&text);
    rbpf_tool_buf_free(&code);
    rbpf_tool_buf_free(&mem);
    return status;
}

/* ---- embed -------------------------------------------------------------- */
static char *c_identifier(const char *path)
{
    char *name = replace_extension(path, "", 1);
    char *out = malloc(strlen(name) + 2);
    if (!out) {
        fprintf(stderr, "rbpf: error: out of memory\n");
        exit(EXIT_USAGE);
    }
    size_t k = 0;
    if (!(name[0] >= 'a' && name[0] <= 'z') && !(name[0] >= 'A' && name[0] <= 'Z') &&
        name[0] != '_')
        out[k++] = '_';
    for (const char *p = name; *p; p++)
        out[k++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9'))
                       ? *p
                       : '_';
    out[k] = '\0';
    free(name);
    return out;
}

/* C and C++ keywords, which cannot name a container's rBPF::Container::NAME. */
static int is_keyword(const char *name)
{
    static const char *const keywords[] = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool",
        "break", "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl",
        "concept", "const", "consteval", "constexpr", "constinit", "const_cast", "continue",
        "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
        "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
        "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new",
        "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private",
        "protected", "public", "register", "reinterpret_cast", "requires", "restrict",
        "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
        "struct", "switch", "template", "this", "thread_local", "throw", "true", "try",
        "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
        "volatile", "wchar_t", "while", "xor", "xor_eq"};
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(name, keywords[i]) == 0)
            return 1;
    return 0;
}

/* Text for a C comment of the generated source: printable ASCII stays;
 * every other byte, a '\\', and the second character of a star-slash or a
 * slash-star are written as \\xNN, so nothing from a path can end the
 * comment, open another, or reach the compiler. */
static char *comment_text(const char *text)
{
    rbpf_tool_buf_t out = {0};
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        const int after_star_or_slash =
            p > (const unsigned char *)text && ((p[-1] == '*' && *p == '/') ||
                                                 (p[-1] == '/' && *p == '*'));
        if (*p >= 0x20 && *p < 0x7f && *p != '\\' && !after_star_or_slash)
            rbpf_tool_buf_put(&out, p, 1);
        else
            rbpf_tool_buf_printf(&out, "\\x%02x", *p);
    }
    rbpf_tool_buf_put(&out, "", 1);
    return (char *)out.data;
}

/* 1 when `name` can stand in #include "NAME.h" as it is: printable ASCII
 * without '"', '\\' or "??" (a trigraph in C99). */
static int header_name_ok(const char *name)
{
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == '\\' ||
            (p[0] == '?' && p[1] == '?'))
            return 0;
    return name[0] != '\0';
}

static int cmd_embed(int argc, char **argv)
{
    const char *base = "rbpf_containers";
    char **files = calloc((size_t)argc, sizeof *files);
    char **names = calloc((size_t)argc, sizeof *names);
    int nfiles = 0, status = 0;
    if (!files || !names)
        return error(EXIT_USAGE, "out of memory");
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            base = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            status = usage_error("embed", "unknown option '%s'", argv[i]);
        else
            files[nfiles++] = argv[i];
    }
    if (status == 0 && nfiles == 0)
        status = usage_error("embed", "%sno container files", "");
    for (int i = 0; i < nfiles && status == 0; i++) {
        names[i] = c_identifier(files[i]);
        if (is_keyword(names[i]))
            status = error(EXIT_USAGE,
                           "embed: %s gives the name '%s', a C++ keyword (rBPF::Container::%s); "
                           "rename the file",
                           files[i], names[i], names[i]);
        for (int k = 0; k < i && status == 0; k++)
            if (strcmp(names[k], names[i]) == 0)
                status = error(EXIT_USAGE, "embed: %s and %s both give the name '%s'", files[k],
                               files[i], names[i]);
    }

    rbpf_tool_buf_t c = {0}, h = {0}, cxx = {0}, blob = {0};
    const char *slash = strrchr(base, '/');
    const char *header_name = slash ? slash + 1 : base;
    char *guard = c_identifier(header_name);
    for (char *p = guard; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (status == 0 && !header_name_ok(header_name))
        status = error(EXIT_USAGE,
                       "embed: -o %s: the header's name must be printable ASCII without '\"', "
                       "'\\' or '\?\?', as it goes into #include \"%s.h\"",
                       base, header_name);
    char *header_comment = comment_text(header_name);
    /* Lines of any length: nothing is cut. */
#define EMIT rbpf_tool_buf_printf
    EMIT(&h, "/* %s.h: containers embedded by rbpf embed. Generated: do not edit. */\n", header_comment);
    EMIT(&h, "#ifndef %s_H\n#define %s_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n", guard, guard);
    EMIT(&h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    EMIT(&h, "#ifndef RBPF_EMBEDDED_CONTAINER_DEFINED\n#define RBPF_EMBEDDED_CONTAINER_DEFINED\n");
    EMIT(&h, "typedef struct rbpf_embedded_container {\n    const char *name;\n"
             "    const uint8_t *data; /* 8-aligned */\n    size_t size;\n} rbpf_embedded_container_t;\n#endif\n\n");
    EMIT(&c, "/* %s.c: containers embedded by rbpf embed. Generated: do not edit. */\n", header_comment);
    EMIT(&c, "#include \"%s.h\"\n\n", header_name);
    EMIT(&c, "#if defined(__GNUC__) || defined(__clang__)\n#define RBPF_EMBED_ALIGN8 __attribute__((aligned(8)))\n"
             "#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n#define RBPF_EMBED_ALIGN8 _Alignas(8)\n"
             "#elif defined(_MSC_VER)\n#define RBPF_EMBED_ALIGN8 __declspec(align(8))\n"
             "#else\n#define RBPF_EMBED_ALIGN8 /* the loader also accepts unaligned blobs */\n#endif\n\n");
    for (int i = 0; i < nfiles && status == 0; i++) {
        status = read_input(files[i], &blob);
        if (status)
            break;
        char *shown = comment_text(files[i]);
        EMIT(&h, "/* %s */\nextern const uint8_t rbpf_container_%s[%zu];\n", shown, names[i],
             blob.length ? blob.length : 1);
        EMIT(&h, "extern const size_t rbpf_container_%s_size;\n\n", names[i]);
        EMIT(&c, "/* %s, %zu bytes */\nRBPF_EMBED_ALIGN8 const uint8_t rbpf_container_%s[] = {", shown,
             blob.length, names[i]);
        free(shown);
        for (size_t k = 0; k < blob.length; k++)
            EMIT(&c, "%s0x%02x,", k % 12 ? " " : "\n    ", blob.data[k]);
        if (blob.length == 0)
            EMIT(&c, "0");
        EMIT(&c, "\n};\nconst size_t rbpf_container_%s_size = %zu;\n\n", names[i], blob.length);
        EMIT(&cxx, "constexpr Blob %s{rbpf_container_%s, %zu};\n", names[i], names[i], blob.length);
    }
    EMIT(&h, "/* Every container above, by name, in command-line order. */\n");
    EMIT(&h, "extern const rbpf_embedded_container_t rbpf_containers[];\nextern const size_t rbpf_container_count;\n\n");
    EMIT(&h, "#ifdef __cplusplus\n}\n\n");
    /* Sming's interface: rBPF::Container::NAME for rBPF::VirtualMachine. */
    EMIT(&h, "#include <rbpf.h>\n\nnamespace rBPF\n{\nnamespace Container\n{\n");
    rbpf_tool_buf_put(&h, cxx.data, cxx.length);
    EMIT(&h, "} // namespace Container\n} // namespace rBPF\n#endif\n\n#endif /* %s_H */\n", guard);
    EMIT(&c, "const rbpf_embedded_container_t rbpf_containers[] = {\n");
    for (int i = 0; i < nfiles; i++)
        EMIT(&c, "    {\"%s\", rbpf_container_%s, sizeof rbpf_container_%s},\n", names[i], names[i],
             names[i]);
    if (nfiles == 0)
        EMIT(&c, "    {0, 0, 0},\n");
    EMIT(&c, "};\nconst size_t rbpf_container_count = %d;\n", nfiles);
#undef EMIT
    free(header_comment);
    if (status == 0) {
        char *path = malloc(strlen(base) + 3);
        if (!path) {
            fprintf(stderr, "rbpf: error: out of memory\n");
            exit(EXIT_USAGE);
        }
        sprintf(path, "%s.h", base);
        status = write_output(path, h.data, h.length);
        sprintf(path, "%s.c", base);
        if (status == 0)
            status = write_output(path, c.data, c.length);
        free(path);
    }
    free(guard);
    rbpf_tool_buf_free(&blob);
    rbpf_tool_buf_free(&c);
    rbpf_tool_buf_free(&h);
    rbpf_tool_buf_free(&cxx);
    for (int i = 0; i < nfiles; i++)
        free(names[i]);
    free(names);
    free(files);
    return status;
}

/* ---- Commands ------------------------------------------------------------ */
static int cmd_help(int argc, char **argv);

static const command_t commands[] = {
    {"build", cmd_build,
     "rbpf build [-o OUT.bin] [-g] [-O LEVEL] [--cpu v1|v2|v3|v4] [-I DIR]... [-D NAME[=VALUE]]... "
     "[-X CLANG-FLAG]... SRC.c|SRC.cpp [-- CLANG-FLAG...]",
     "Compiles a container from C or C++ with clang (-target bpf -ffreestanding\n"
     "-fno-jump-tables, default -O2 and --cpu v3; $CLANG names the compiler, default clang)\n"
     "and converts the object with gen. --cpu v4 (clang 18 or later) is needed for signed\n"
     "division. -X FLAG and everything after -- go to clang after build's own flags. -g\n"
     "writes a line table beside OUT (OUT with .lines) for dump, disasm and run --trace. The\n"
     "container header directory (include/container, or $RBPF_INCLUDE) is on the include\n"
     "path: #include <rbpf/container.h>. OUT defaults to SRC's name with .bin in the\n"
     "current directory.\n"},
    {"gen", cmd_gen, "rbpf gen [-o OUT.bin] IN.o",
     "Converts an ELF64 BPF relocatable object into a container: global functions of .text\n"
     "in the order they are defined (the first is the default entry), .data, .bss, .rodata\n"
     "and every .rodata.*; data and rodata references become LDDWD/LDDWR, calls between\n"
     "functions local calls, pointers in initialised data the relocation table the VM\n"
     "applies at set-up. OUT defaults to IN with .bin.\n"},
    {"dump", cmd_dump, "rbpf dump [--names FILE]... [--lines FILE] FILE.bin",
     "Prints a container: header, function table, data and rodata in hex, and the text of\n"
     "every function with offsets, bytes and C-like disassembly. Helper calls show the\n"
     "helper's name: the standard ones always, the application's from --names FILE (a\n"
     "C header with #define NAME ID or RBPF_HELPER lines, or ID NAME lines).\n"},
    {"asm", cmd_asm, "rbpf asm [-o OUT] [--raw] IN.s",
     "Assembles the uBPF/bpf_conformance syntax (labels, # comments, call local, lddw).\n"
     "Writes a container with one function 'main' at offset 0, or with --raw the bare\n"
     "instructions. OUT defaults to IN with .bin; '-' is stdout.\n"},
    {"disasm", cmd_disasm, "rbpf disasm [--raw] [--names FILE]... [--lines FILE] FILE",
     "Disassembles a container (or with --raw bare instructions) into the syntax rbpf asm\n"
     "reads, so that asm, disasm, asm gives the same bytes. Function starts are marked\n"
     "with '# function NAME' comments.\n"},
    {"verify", cmd_verify, "rbpf verify [--raw] [--names FILE]... FILE",
     "Loads and verifies a container (or with --raw bare instructions) with the standard\n"
     "helpers known. Prints 'ok', or the error with the instruction index (exit 2).\n"},
    {"run", cmd_run,
     "rbpf run FILE [--raw] [-f NAME] [--ctx-hex HEX | --ctx-file PATH] [--ctx-out PATH] "
     "[--helper ID=VALUE]... [--names FILE]... [--lines FILE] [--trace] [--trace-max N] [--budget N] "
     "[--stack N] [--ram-limit N] [--repeat N] [--stats] [--engine interp|threaded|jit]",
     "Runs function NAME (default: the first) with the context bytes copied into an\n"
     "8-aligned writable buffer (r1 = its address, r2 = its length). Prints r0 as 0x<hex>\n"
     "on stdout; bpf_printf output goes to stderr. --ctx-out: write the context after the\n"
     "run; --helper ID=VALUE: a stub application helper returning VALUE; --names: helper\n"
     "names (a C header or ID NAME lines); --trace: every instruction with the registers\n"
     "and memory it changed, on stderr, at most --trace-max (default 1000). --budget:\n"
     "instructions per run (default 1000000); --stack: stack bytes (default 512);\n"
     "--ram-limit: the most bytes of data and bss a container may ask for (default\n"
     "16777216; more is refused before anything is allocated); --repeat: runs (for\n"
     "benchmarks); --stats: 'stats: runs=R insns=N ns_per_run=T engine=E' on\n"
     "stderr; --engine: the in-place interpreter, the translated engine or the JIT\n"
     "(default: the fastest this build has; interp with --trace). Exit 2 when the\n"
     "container is refused, 3 on a fault at run time (the access named).\n"},
    {"embed", cmd_embed, "rbpf embed [-o BASENAME] FILE.bin...",
     "Writes BASENAME.c and BASENAME.h (default rbpf_containers) with one 8-aligned\n"
     "const uint8_t rbpf_container_<name>[] and rbpf_container_<name>_size per container\n"
     "(name: the file name as a C identifier) and a table rbpf_containers[] of\n"
     "{name, data, size} with rbpf_container_count entries. In C++ the header also gives\n"
     "each as rBPF::Container::<name> for rBPF::VirtualMachine (docs/sming.md).\n"},
    {"plugin", cmd_plugin, "rbpf plugin [MEMHEX] [--engine NAME] [--OPTION]...",
     "The bpf_conformance plugin protocol: program as hex bytes on stdin, memory as hex in\n"
     "the first argument; runs it with helper 5 returning r1 and prints r0 in hex.\n"
     "--engine interp|threaded|jit picks the engine (default: the fastest this build\n"
     "has); other options are ignored. The runner's order, rbpf MEMHEX\n"
     "'plugin [--OPTION]...', is accepted too.\n"},
    {"help", cmd_help, "rbpf help [COMMAND]", "Lists the commands, or explains one.\n"},
};

static const command_t *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1)
        return print_help(argv[1]);
    printf("rbpf %s: build, inspect and run Femto-Containers\n\ncommands:\n", RBPF_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %s\n", commands[i].usage);
    printf("\nrbpf COMMAND --help explains one. Exit status: 0 success, 1 usage or I/O error,\n"
           "2 input refused (load, verify, assembly, object), 3 fault at run time.\n");
    return 0;
}

/* 1 when text is only hex digits and whitespace (the empty string too): the
 * memory argument the bpf_conformance runner puts first. */
static int looks_like_memory(const char *text)
{
    for (; *text; text++)
        if (!strchr("0123456789abcdefABCDEF \t\n\r", *text))
            return 0;
    return 1;
}

/* The bpf_conformance runner starts a plugin as PLUGIN MEMHEX OPTIONS: the
 * memory first (hex bytes, "" when the test has none), then its
 * --plugin_options string as one argument ("plugin --engine x") or as
 * several. When argv is that shape with "plugin" as the first option word,
 * runs `rbpf plugin MEMHEX OPTION...`; otherwise returns -1. */
static int run_as_runner_plugin(int argc, char **argv)
{
    if (argc < 3 || !looks_like_memory(argv[1]))
        return -1;
    const char *words = argv[2] + strspn(argv[2], " \t");
    if (strncmp(words, "plugin", 6) != 0 || (words[6] && !strchr(" \t", words[6])))
        return -1;
    /* plugin, the memory, the words of argv[2] after "plugin", argv[3...] */
    size_t extra = strlen(words) / 2 + 1;
    char **args = calloc((size_t)argc + extra + 2, sizeof *args);
    char *copy = malloc(strlen(words) + 1);
    if (!args || !copy) {
        free(args);
        free(copy);
        return error(EXIT_USAGE, "out of memory");
    }
    strcpy(copy, words + 6);
    int n = 0;
    args[n++] = "plugin";
    args[n++] = argv[1];
    for (char *w = strtok(copy, " \t"); w; w = strtok(NULL, " \t"))
        args[n++] = w;
    for (int i = 3; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    int status = cmd_plugin(n, args);
    free(copy);
    free(args);
    return status;
}

int main(int argc, char **argv)
{
    program_path = argv[0];
    if (argc < 2)
        return cmd_help(1, argv), EXIT_USAGE;
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv);
    if (strcmp(argv[1], "--version") == 0) {
        printf("rbpf %s\n", RBPF_VERSION);
        return 0;
    }
    const command_t *c = find_command(argv[1]);
    if (!c) {
        int status = run_as_runner_plugin(argc, argv);
        if (status >= 0)
            return status;
    }
    if (!c)
        return error(EXIT_USAGE, "unknown command '%s' (see rbpf help)", argv[1]);
    if (wants_help(argc - 1, argv + 1))
        return print_help(c->name);
    return c->run(argc - 1, argv + 1);
}
