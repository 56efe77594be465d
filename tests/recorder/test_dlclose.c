/*
 * test_dlclose.c - libwcprof inside a shared library that is loaded,
 * used and unloaded again and again (issue 14, item 6): unloading stops
 * and joins the library's own threads (the pre-fault thread, the signal
 * helper), so none of them runs code that is no longer mapped, and it
 * restores the signal's previous action (a signal after the unload goes
 * where it went before, not to a handler that is gone).
 *
 *   test_recorder_dlclose PLUGIN.so
 *
 * Not linked with libwcprof itself: only the plugin has it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Threads of this process named name (their /proc comm). */
static int threads_named(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    char want[64];
    snprintf(want, sizeof want, "%s\n", name);
    while (d && (e = readdir(d))) {
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f) && strcmp(comm, want) == 0)
            n++;
        fclose(f);
    }
    if (d)
        closedir(d);
    return n;
}

/* Whether the plugin is still mapped. */
static int mapped(const char *path)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, base) != NULL;
    if (f)
        fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_recorder_dlclose PLUGIN.so\n");
        return 2;
    }
    signal(SIGUSR2, SIG_IGN); /* the action to come back after each unload */
    char pattern[64];
    snprintf(pattern, sizeof pattern, "/tmp/wcprof-dlclose-%d-%%n.dump", (int)getpid());
    int unmapped = 0;
    for (int i = 0; i < 40; i++) {
        void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            return 1;
        }
        int (*run)(long, const char *) = (int (*)(long, const char *))dlsym(h, "plugin_run");
        if (!run) {
            fprintf(stderr, "dlsym: %s\n", dlerror());
            return 1;
        }
        int n = run(3000, pattern);
        if (n != 9000) {
            fprintf(stderr, "round %d: dump said %d\n", i, n);
            return 1;
        }
        if (threads_named("wcprof-signal") != 1) {
            fprintf(stderr, "round %d: no signal helper thread\n", i);
            return 1;
        }
        if (dlclose(h) != 0) {
            fprintf(stderr, "dlclose: %s\n", dlerror());
            return 1;
        }
        int pre = threads_named("wcprof-prefault"), sig = threads_named("wcprof-signal");
        if (pre || sig) {
            fprintf(stderr,
                    "round %d: after dlclose, %d pre-fault and %d signal "
                    "helper threads are left\n",
                    i, pre, sig);
            return 1;
        }
        unmapped += !mapped(argv[1]);
        raise(SIGUSR2); /* ignored, as before the library was loaded */
    }
    /* a dump may only come from a signal while loaded: none was sent */
    printf("ok: 40 loads and unloads (%d unmapped), no thread left behind\n", unmapped);
    return unmapped ? 0 : 1; /* the unload must really unmap the code */
}
