/* ptydrive.c - drives a program through a pseudo-terminal, from a script.
**
**   ptydrive SCRIPT -- PROGRAM [ARG...]
**
** Runs PROGRAM on a new 80x24 pseudo-terminal (TERM=dumb; $PTYDRIVE_COLS
** columns instead of 80 when set) and follows
** SCRIPT, one directive per line:
**
**   expect TEXT    wait (up to 20 s) until TEXT appears in the output after
**                  the previous match
**   absent TEXT    TEXT must not appear in the output since the previous match
**   send TEXT      type TEXT
**   sleep MS       wait MS milliseconds, reading output meanwhile
**   exit N         wait (up to 20 s) for PROGRAM to exit with status N
**   # ...          a comment
**
** TEXT is the rest of the line, trailing spaces included, with escapes \r
** \n \t \e \\ and \xHH (\x03 is Ctrl-C, \x04 Ctrl-D, \x10 Ctrl-P). Exit
** status 0 when every directive held; otherwise 1, after printing the
** failing directive and everything the program wrote.
*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 20000

static char *out; /* everything the program wrote */
static size_t nout, capout;
static size_t mark; /* where the next expect starts looking */
static int master = -1;
static pid_t child;
static int child_status = -1;

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads what the program wrote for up to ms milliseconds (0: what is there). */
static void pump(int ms)
{
    struct pollfd pfd = {.fd = master, .events = POLLIN};
    if (master < 0)
        return;
    if (poll(&pfd, 1, ms) <= 0)
        return;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) { /* EIO: the program closed the terminal */
        close(master);
        master = -1;
        return;
    }
    if (nout + (size_t)n + 1 > capout) {
        capout = (nout + (size_t)n + 1) * 2;
        out = realloc(out, capout);
        if (!out)
            abort();
    }
    memcpy(out + nout, buf, (size_t)n);
    nout += (size_t)n;
    out[nout] = 0;
}

static void reap(void)
{
    int st;
    if (child_status < 0 && waitpid(child, &st, WNOHANG) == child)
        child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static size_t unescape(const char *s, char *d)
{
    size_t n = 0;
    while (*s) {
        if (*s != '\\' || !s[1]) {
            d[n++] = *s++;
            continue;
        }
        s++;
        switch (*s) {
        case 'r':
            d[n++] = '\r';
            s++;
            break;
        case 'n':
            d[n++] = '\n';
            s++;
            break;
        case 't':
            d[n++] = '\t';
            s++;
            break;
        case 'e':
            d[n++] = 27;
            s++;
            break;
        case 'x': {
            char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
            d[n++] = (char)strtol(hex, NULL, 16);
            s += 1 + strlen(hex);
            break;
        }
        default: d[n++] = *s++;
        }
    }
    d[n] = 0;
    return n;
}

static void dump_output(void)
{
    fprintf(stderr, "--- the program wrote (%zu bytes; escaped):\n", nout);
    for (size_t i = 0; i < nout; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c == '\n')
            fputs("\\n\n", stderr);
        else if (c == '\r')
            fputs("\\r", stderr);
        else if (c < 0x20 || c == 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputs("\n---\n", stderr);
}

int main(int argc, char **argv)
{
    FILE *script;
    char line[4096], text[4096];
    int lineno = 0;
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    const char *cols = getenv("PTYDRIVE_COLS");

    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: ptydrive SCRIPT -- PROGRAM [ARG...]\n");
        return 2;
    }
    if ((script = fopen(argv[1], "r")) == NULL) {
        fprintf(stderr, "ptydrive: cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    if (cols && atoi(cols) > 0)
        ws.ws_col = (unsigned short)atoi(cols);
    child = forkpty(&master, NULL, NULL, &ws);
    if (child < 0) {
        perror("ptydrive: forkpty");
        return 2;
    }
    if (child == 0) {
        setenv("TERM", "dumb", 1);
        execvp(argv[3], argv + 3);
        perror("ptydrive: exec");
        _exit(127);
    }
    out = malloc(capout = 4096);
    out[0] = 0;

    while (fgets(line, sizeof line, script)) {
        size_t len = strlen(line);
        lineno++;
        if (len && line[len - 1] == '\n')
            line[--len] = 0;
        if (len == 0 || line[0] == '#')
            continue;
        char *arg = strchr(line, ' ');
        arg = arg ? arg + 1 : line + len;
        size_t n = unescape(arg, text);
        int ok = 1;
        if (strncmp(line, "expect ", 7) == 0) {
            long long end = now_ms() + TIMEOUT_MS;
            char *hit;
            while ((hit = strstr(out + mark, text)) == NULL && now_ms() < end && master >= 0)
                pump(50);
            if ((hit = strstr(out + mark, text)) != NULL)
                mark = (size_t)(hit - out) + n;
            else
                ok = 0;
        } else if (strncmp(line, "absent ", 7) == 0) {
            pump(0);
            ok = strstr(out + mark, text) == NULL;
        } else if (strncmp(line, "send ", 5) == 0) {
            ok = master >= 0 && write(master, text, n) == (ssize_t)n;
        } else if (strncmp(line, "sleep ", 6) == 0) {
            long long end = now_ms() + atoi(arg);
            while (now_ms() < end)
                pump((int)(end - now_ms()));
        } else if (strncmp(line, "exit ", 5) == 0) {
            long long end = now_ms() + TIMEOUT_MS;
            while (child_status < 0 && now_ms() < end) {
                pump(50);
                reap();
            }
            ok = child_status == atoi(arg);
            if (!ok)
                fprintf(stderr, "ptydrive: exit status %d\n", child_status);
        } else {
            fprintf(stderr, "%s:%d: unknown directive: %s\n", argv[1], lineno, line);
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "%s:%d: failed: %s\n", argv[1], lineno, line);
            dump_output();
            reap();
            if (child_status < 0) {
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
            }
            return 1;
        }
    }
    fclose(script);
    reap();
    if (child_status < 0) {
        fprintf(stderr, "%s: the program is still running at the end of the script\n", argv[1]);
        dump_output();
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return 1;
    }
    free(out);
    return 0;
}
