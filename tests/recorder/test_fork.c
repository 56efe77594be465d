/*
 * test_fork.c - fork() of a recording process (issue 14, item 2): the
 * child never inherits a lock held by a thread that does not exist there
 * (so it never hangs, even on exit), and it gets a run of its own: a new
 * epoch and op-id space, the parent's buffered events and open ops (its
 * own thread's and the others') dropped, dump paths of its own. Every
 * child runs under alarm(): a hang kills it and fails the case.
 *
 *   test_recorder_fork CASE          one case per process
 *   test_recorder_fork exit-parent DIR   (spawned by the exit_dumps case)
 *
 * Not run under ThreadSanitizer, which does not support a child that
 * starts threads after a multi-threaded fork. Under AddressSanitizer the
 * cases whose parent has other threads allocating at fork time are
 * skipped: its allocator (GCC 12's) keeps no lock across fork, so the
 * child may hang in malloc whatever libwcprof does.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifdef UNDER_ASAN
#define SKIP_UNDER_ASAN() skip()
#else
#define SKIP_UNDER_ASAN() ((void)0)
#endif

/* Waits up to 30 s for pid; fails unless it exited with status 0. */
static void expect_child_ok(pid_t pid, const char *what)
{
    int status = 0;
    pid_t w = 0;
    for (int i = 0; i < 3000 && (w = waitpid(pid, &status, WNOHANG)) == 0; i++)
        usleep(10000);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("%s: the child hung", what);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s: the child failed (status %#x)", what, status);
}

/* A dump of this process, checked; the caller frees it. */
static dc_dump dump_now(unsigned flags)
{
    dc_dump d;
    if (take_dump(flags, &d) != 0)
        _exit(90);
    return d;
}

/* In a child: exits with code (after printing why) when cond is false. */
#define CHILD_CHECK(cond, code)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "child: %s failed\n", #cond);                                          \
            _exit(code);                                                                           \
        }                                                                                          \
    } while (0)

/* ---- the child's run ---------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage;

/* Another thread: records, leaves an op open and events buffered, and
 * waits (it does not exist in the child). */
static void *bystander(void *p)
{
    wcp_op *open = p;
    for (int i = 0; i < 100; i++)
        wcp_end(wcp_begin(WCP_KIND_IO, "by.done"), 0);
    *open = wcp_begin(WCP_KIND_CALL, "by.open");
    pthread_mutex_lock(&mu);
    stage = 1;
    pthread_cond_broadcast(&cv);
    while (stage != 2)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    wcp_end(*open, 0);
    return NULL;
}

static void test_child_runs_its_own(void **state)
{
    (void)state;
    wcp_enable();
    wcp_op by_open;
    pthread_t th;
    pthread_create(&th, NULL, bystander, &by_open);
    pthread_mutex_lock(&mu);
    while (stage != 1)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 100; i++)
        wcp_end(wcp_begin(WCP_KIND_IO, "main.done"), 0);
    wcp_op mine = wcp_begin(WCP_KIND_SESSION_PHASE, "main.open");
    dc_dump before = dump_now(0);
    json_int_t epoch = dc_int(before.header, "epoch_unix_nano");
    assert_int_equal(json_array_size(before.events), 200);
    dc_free(&before);
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(20);
        close(fd[0]);
        /* the parent's ops are not in this run: no current op */
        CHILD_CHECK(wcp_current().id == 0, 2);
        CHILD_CHECK(wcp_is_enabled(), 3);
        wcp_op c = wcp_begin(WCP_KIND_CALL, "child.op");
        wcp_wait w = wcp_wait_begin_on(WCP_REASON_LOCK, "child.lock");
        wcp_wait_end(&w);
        wcp_end(c, WCP_OUTCOME_OK);
        wcp_end(mine, 0); /* a handle of the parent's run: counted, ignored */
        CHILD_CHECK(wcp_misuse_count(WCP_MISUSE_END_TWICE) == 1, 4);
        dc_dump d = dump_now(WCP_DUMP_FLUSH);
        CHILD_CHECK(json_array_size(d.events) == 2, 5); /* not the parent's */
        CHILD_CHECK(json_object_get(d.header, "open_ops") == NULL, 6);
        CHILD_CHECK(dc_int(d.header, "epoch_unix_nano") != epoch, 7);
        json_t *ce = find_event(&d, "op", "id", (json_int_t)c.id);
        CHILD_CHECK(ce && !json_object_get(ce, "p"), 8);
        CHILD_CHECK(dc_int(ce, "th") == (json_int_t)gettid(), 9);
        dc_free(&d);
        /* the child's ids, for the parent to compare with its own */
        if (write(fd[1], &c.id, sizeof c.id) != sizeof c.id)
            _exit(10);
        _exit(0);
    }
    close(fd[1]);
    uint64_t child_id = 0;
    assert_int_equal(read(fd[0], &child_id, sizeof child_id), sizeof child_id);
    close(fd[0]);
    expect_child_ok(pid, "child_runs_its_own");
    /* the parent goes on as before: same epoch, its open ops, new ids apart
   * from the child's */
    wcp_op after = wcp_begin(WCP_KIND_CALL, "main.after");
    wcp_end(after, 0);
    assert_true(after.id != child_id);
    wcp_end(mine, 0);
    pthread_mutex_lock(&mu);
    stage = 2;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(th, NULL);
    dc_dump d = dump_now(WCP_DUMP_FLUSH);
    assert_int_equal(dc_int(d.header, "epoch_unix_nano"), epoch);
    assert_int_equal(json_array_size(d.events), 203);
    assert_null(find_event(&d, "op", "id", (json_int_t)child_id));
    assert_non_null(find_event(&d, "op", "id", (json_int_t)by_open.id));
    assert_null(json_object_get(d.header, "misuse"));
    dc_free(&d);
}

/* ---- locks held by other threads at fork time --------------------------- */

static atomic_int stop;

/* Dumps without pause (holds the dump lock, each thread's lk in turn). */
static void *dumper(void *p)
{
    (void)p;
    FILE *f = fopen("/dev/null", "w");
    for (unsigned i = 0; !atomic_load(&stop); i++)
        wcp_dump_file(f, i % 2 ? WCP_DUMP_FLUSH : 0);
    fclose(f);
    return NULL;
}

/* Interns new strings without pause (holds the string table's lock). */
static void *interner(void *p)
{
    (void)p;
    char buf[64];
    for (unsigned i = 0; !atomic_load(&stop); i++) {
        snprintf(buf, sizeof buf, "interned-%u", i % 1000); /* takes the lock */
        wcp_intern(buf);
        if (i % 64 == 0) {
            snprintf(buf, sizeof buf, "name-%u", i % 200);
            wcp_name_register(WCP_NAMES_REASON, buf);
        }
    }
    return NULL;
}

/* Records in ring mode at the cap without pause (overwrites under lk). */
static void *ringer(void *p)
{
    (void)p;
    while (!atomic_load(&stop)) {
        wcp_op o = wcp_begin(WCP_KIND_CALL, "ringer");
        wcp_op_set_ident(o, wcp_intern("ringer.ident"));
        wcp_end(o, 0);
    }
    return NULL;
}

/* The child of a process whose other threads dump, intern and overwrite
 * without pause: records, interns, dumps (to a file) and, with do_exit,
 * leaves by exit() (atexit handlers: none here but the C library's). */
static void busy_child(int n)
{
    alarm(20);
    char buf[64];
    snprintf(buf, sizeof buf, "child-%d", n);
    wcp_op o = wcp_begin(WCP_KIND_CALL, wcp_intern(buf));
    wcp_name_register(WCP_NAMES_KIND, "child.kind");
    wcp_end(o, 0);
    dc_dump d = dump_now(WCP_DUMP_FLUSH);
    CHILD_CHECK(json_array_size(d.events) == 1, 20);
    dc_free(&d);
    FILE *f = fopen("/dev/null", "w");
    CHILD_CHECK(wcp_dump_file(f, 0) == 0, 21);
    fclose(f);
    if (n % 2)
        exit(0);
    _exit(0);
}

static void test_fork_while_others_hold_locks(void **state)
{
    (void)state;
    SKIP_UNDER_ASAN();
    wcp_set_limit(4 * WCP_CHUNK_EVENTS, WCP_LIMIT_RING);
    wcp_enable();
    pthread_t th[3];
    pthread_create(&th[0], NULL, dumper, NULL);
    pthread_create(&th[1], NULL, interner, NULL);
    pthread_create(&th[2], NULL, ringer, NULL);
    for (int n = 0; n < 40; n++) {
        usleep(2000);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            busy_child(n);
        expect_child_ok(pid, "fork while others hold locks");
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
}

/* The dump lock held for as long as the child lives: a dump into a pipe
 * nobody reads yet. The child dumps (and exits through exit()). */
static void *pipe_dump(void *p)
{
    int fd = *(int *)p;
    wcp_dump_fd(fd, 0);
    close(fd);
    return NULL;
}

static void test_fork_during_a_dump(void **state)
{
    (void)state;
    wcp_enable();
    for (int i = 0; i < 5000; i++)
        wcp_end(wcp_begin(WCP_KIND_CALL, "fill"), 0);
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pthread_t th;
    pthread_create(&th, NULL, pipe_dump, &fd[1]);
    char c;
    assert_int_equal(read(fd[0], &c, 1), 1); /* the dump is writing now */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        busy_child(1);
    }
    expect_child_ok(pid, "fork during a dump");
    char buf[65536];
    while (read(fd[0], buf, sizeof buf) > 0)
        ;
    close(fd[0]);
    pthread_join(th, NULL);
}

/* fork + exec while others record and dump: the exec'd program runs. */
static void test_fork_exec(void **state)
{
    (void)state;
    SKIP_UNDER_ASAN();
    wcp_enable();
    atomic_store(&stop, 0);
    pthread_t th[2];
    pthread_create(&th[0], NULL, dumper, NULL);
    pthread_create(&th[1], NULL, ringer, NULL);
    for (int n = 0; n < 20; n++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            alarm(20);
            execl("/bin/sh", "sh", "-c", "exit 0", (char *)NULL);
            _exit(127);
        }
        expect_child_ok(pid, "fork + exec");
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
}

/* ---- exit dumps: parent and child write their own ----------------------- */

/* Spawned with WCPROF=1, WCPROF_OUT=DIR/exit.dump, WCPROF_SIGNAL=USR2 and
 * WCPROF_SIGNAL_OUT=DIR/sig.dump (no %p in either): records on two
 * threads while a third dumps, forks a child that records, is signalled
 * (its own signal dump) and leaves by exit() (its own exit dump), then
 * exits itself. Prints "CHILD <pid> <op id>" and "PARENT <op id>". */
static int exit_parent(const char *dir)
{
    wcp_set_limit(8192, WCP_LIMIT_RING);
    atomic_store(&stop, 0);
    pthread_t th[2];
    pthread_create(&th[0], NULL, dumper, NULL);
    pthread_create(&th[1], NULL, ringer, NULL);
    usleep(20000);
    wcp_op p = wcp_begin(WCP_KIND_SESSION_PHASE, "parent.op");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        alarm(20);
        wcp_op c = wcp_begin(WCP_KIND_CALL, "child.op");
        wcp_end(c, 0);
        raise(SIGUSR2); /* its own helper thread dumps it, flushing */
        char path[256];
        snprintf(path, sizeof path, "%s/sig.dump.%d", dir, (int)getpid());
        for (int i = 0; i < 1000 && access(path, F_OK) != 0; i++)
            usleep(10000);
        wcp_op c2 = wcp_begin(WCP_KIND_CALL, "child.after.signal");
        wcp_end(c2, 0);
        printf("CHILD %d %llu %llu\n", (int)getpid(), (unsigned long long)c.id,
               (unsigned long long)c2.id);
        fflush(stdout);
        exit(0); /* the exit dump: to its own path, not hanging */
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 3;
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    wcp_end(p, 0);
    printf("PARENT %llu\n", (unsigned long long)p.id);
    return 0;
}

static void test_exit_dumps(void **state)
{
    (void)state;
    SKIP_UNDER_ASAN();
    char dir[] = "/tmp/wcprof-forkXXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[128], sig[128];
    snprintf(out, sizeof out, "WCPROF_OUT=%s/exit.dump", dir);
    snprintf(sig, sizeof sig, "WCPROF_SIGNAL_OUT=%s/sig.dump", dir);
    char *envp[256];
    size_t k = 0;
    for (char **e = environ; *e && k < 250; e++)
        if (strncmp(*e, "WCPROF", 6) != 0)
            envp[k++] = *e;
    envp[k++] = "WCPROF=1";
    envp[k++] = "WCPROF_SIGNAL=USR2";
    envp[k++] = out;
    envp[k++] = sig;
    envp[k] = NULL;
    char *argv[] = {"test_recorder_fork", "exit-parent", dir, NULL};
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, envp), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    char text[512] = "";
    size_t len = 0;
    ssize_t got;
    while (len + 1 < sizeof text && (got = read(fd[0], text + len, sizeof text - 1 - len)) > 0)
        len += (size_t)got;
    text[len] = '\0';
    close(fd[0]);
    expect_child_ok(pid, "exit-parent");
    int cpid = 0;
    unsigned long long cid = 0, cid2 = 0, pid_op = 0;
    const char *cl = strstr(text, "CHILD "), *pl = strstr(text, "PARENT ");
    assert_non_null(cl);
    assert_non_null(pl);
    assert_int_equal(sscanf(cl, "CHILD %d %llu %llu", &cpid, &cid, &cid2), 3);
    assert_int_equal(sscanf(pl, "PARENT %llu", &pid_op), 1);

    char path[256], err[512];
    dc_dump parent, child, child_sig;
    snprintf(path, sizeof path, "%s/exit.dump", dir);
    assert_int_equal(dc_parse_file(path, &parent, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/exit.dump.%d", dir, cpid);
    if (dc_parse_file(path, &child, err, sizeof err) != 0)
        fail_msg("the child's exit dump: %s", err);
    snprintf(path, sizeof path, "%s/sig.dump.%d", dir, cpid);
    if (dc_parse_file(path, &child_sig, err, sizeof err) != 0)
        fail_msg("the child's signal dump: %s", err);
    /* three runs' worth of dumps, two runs: never merged */
    json_int_t pe = dc_int(parent.header, "epoch_unix_nano");
    assert_true(dc_int(child.header, "epoch_unix_nano") != pe);
    assert_int_equal(dc_int(child.header, "epoch_unix_nano"),
                     dc_int(child_sig.header, "epoch_unix_nano"));
    /* the child's signal dump has its op before the signal; its exit dump
   * the one after (the signal dump flushed); neither the parent's */
    assert_int_equal(json_array_size(child_sig.events), 1);
    assert_non_null(find_event(&child_sig, "op", "id", (json_int_t)cid));
    assert_int_equal(json_array_size(child.events), 1);
    assert_non_null(find_event(&child, "op", "id", (json_int_t)cid2));
    assert_null(json_object_get(child.header, "open_ops"));
    assert_null(find_event(&parent, "op", "id", (json_int_t)cid));
    assert_non_null(find_event(&parent, "op", "id", (json_int_t)pid_op));
    assert_true(cid != pid_op && cid2 != pid_op);
    dc_free(&parent);
    dc_free(&child);
    dc_free(&child_sig);
    /* the parent had no signal: no dump of its own there */
    snprintf(path, sizeof path, "%s/sig.dump", dir);
    assert_int_equal(access(path, F_OK), -1);
    char cmd[300];
    if (getenv("WCPROF_FORK_KEEP")) { /* for the ingest check (CMake) */
        snprintf(cmd, sizeof cmd, "cp %s/exit.dump %s/exit.dump.%d %s/", dir, dir, cpid,
                 getenv("WCPROF_FORK_KEEP"));
        assert_int_equal(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "exit-parent") == 0)
        return exit_parent(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_runs_its_own),
        cmocka_unit_test(test_fork_while_others_hold_locks),
        cmocka_unit_test(test_fork_during_a_dump),
        cmocka_unit_test(test_fork_exec),
        cmocka_unit_test(test_exit_dumps),
    };
    if (argc != 2) {
        fprintf(stderr, "usage: test_recorder_fork CASE (one case per process)\n");
        return 2;
    }
    char pattern[128];
    snprintf(pattern, sizeof pattern, "test_%s", argv[1]);
    size_t i = 0, n = sizeof tests / sizeof tests[0];
    while (i < n && strcmp(tests[i].name, pattern) != 0)
        i++;
    if (i == n) {
        fprintf(stderr, "test_recorder_fork: no case %s\n", argv[1]);
        return 2;
    }
    cmocka_set_test_filter(pattern);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
