/* fuzz_shell.c - fuzz target for the shell's dot-commands and their
 * arguments (shell/commands.c and args.c, and the commands behind them),
 * driven in-process through shell_run_command() against a fixed database
 * of two runs (the worked example and a reference fixture).
 *
 * Each line of the input is one command: a line starting with '.', else
 * the dot-command quoted in it ('.rank 5') or the one after its first
 * " ." (so the cases' cmd scripts and input files are the seeds). At most
 * 16 commands an input, in one shell state, as a script would run them.
 * It must never crash, leak or hang, and a command that fails must say
 * why: something on stderr, each "Error:" line with a message. The
 * commands that reach outside the process (.shell, .system, .output,
 * .once, .open, .read, .load, .import, .export: files and programs) are
 * left out; SQL too (this target is about the dot-commands' arguments).
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_shell
 *   build-fuzz/tests/shell/fuzz_shell -max_total_time=600 -max_len=1024 \
 *       build-fuzz/tests/shell/fuzz_shell-seeds
 */
#define _GNU_SOURCE /* memfd_create (fuzz.h), open_memstream */
#include "fuzz.h"
#include "shell.h"
#include "wcprof_ext.h"

#include <ctype.h>

#define MAX_COMMANDS 16

static sqlite3 *db;
static FILE *devnull;

/* main.c's, which this target does not link: .open is left out. */
int shell_open_db(ShellState *p)
{
    (void)p;
    abort();
}

void shell_attach(ShellState *p)
{
    if (wcp_completion_register(p) != SQLITE_OK || wcprof_register_extension(p->db) != SQLITE_OK)
        abort();
}

static void init(ShellState *s)
{
    memset(s, 0, sizeof *s);
    s->headers = -1;
    strcpy(s->colsep, "|");
    strcpy(s->rowsep, "\n");
    strcpy(s->insert_table, "table");
    strcpy(s->prompt, "wcprof> ");
    strcpy(s->cont_prompt, "   ...> ");
    s->busy_ms = WCP_DB_BUSY_MS;
    s->mode = MODE_LIST;
    if (!db) {
        db = fuzz_db(WCPROF_SOURCE_DIR "/samples/worked-example.dump");
        wcp_load_opts o = {.serial = true};
        wcp_load_stats st;
        char err[512];
        if (wcp_load_dump(db, WCPROF_SOURCE_DIR "/tests/fixtures/singleflight.dump", &o, &st, err,
                          sizeof err) != 0) {
            fprintf(stderr, "fuzz_shell: %s\n", err);
            abort();
        }
        s->db = db;
        shell_attach(s);
        devnull = fopen("/dev/null", "w");
        if (!devnull)
            abort();
    }
    s->db = db;
    s->db_path = ":memory:";
    s->out = devnull;
}

/* The command of one input line (in place), or NULL. */
static char *command_of(char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '.')
        return line;
    char *q = strstr(line, "'.");
    if (q) {
        char *end = strchr(q + 1, '\'');
        if (end)
            *end = 0;
        return q + 1;
    }
    q = strstr(line, " .");
    return q ? q + 1 : NULL;
}

/* Whether the command may run here: not one that reaches files or
 * programs. The name is found as do_dot_command finds it (split_args: a
 * quoted name is refused here, a bare one ends at white space). */
static int allowed(const char *cmd)
{
    static const char *const outside[] = {"shell", "system", "output", "once",  "open",
                                          "read",  "load",   "import", "export"};
    const char *p = cmd + 1;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    size_t n = strcspn(p, " \t\n\r");
    if (memchr(p, '\'', n) || memchr(p, '"', n))
        return 0;
    char *name = strndup(p, n);
    int ambiguous;
    const DotCmd *c = find_dot_cmd(name, &ambiguous);
    free(name);
    for (size_t k = 0; c && k < sizeof outside / sizeof *outside; k++)
        if (strcmp(c->name, outside[k]) == 0)
            return 0;
    return 1;
}

/* A failed command's stderr: not empty, and every "Error:" line says what. */
static void check_errors(const char *cmd, const char *text)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    FUZZ_CHECK(*p, "\"%s\" failed and said nothing", cmd);
    for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
        if (strncmp(line, "Error:", 6) != 0)
            continue;
        size_t n = strcspn(line, "\n");
        while (n > 6 && isspace((unsigned char)line[n - 1]))
            n--;
        FUZZ_CHECK(n > 6 && line[n - 1] != ':', "\"%s\": an error without a message: %.*s", cmd,
                   (int)strcspn(line, "\n"), line);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    ShellState s;
    init(&s);
    char *text = strndup((const char *)data, size);
    int commands = 0;
    for (char *line = text, *next; line && commands < MAX_COMMANDS && !s.quit; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *cmd = command_of(line);
        if (!cmd || !allowed(cmd))
            continue;
        char *err = NULL;
        size_t errlen = 0;
        FILE *mem = open_memstream(&err, &errlen), *saved = stderr;
        if (!mem)
            abort();
        stderr = mem;
        int rc = shell_run_command(&s, cmd);
        stderr = saved;
        fclose(mem);
        if (rc)
            check_errors(cmd, err);
        free(err);
        commands++;
        FUZZ_CHECK(s.out == devnull, "\"%s\" changed the output", cmd);
    }
    free(text);
    return 0;
}

FUZZ_MAIN("fuzz_shell")
