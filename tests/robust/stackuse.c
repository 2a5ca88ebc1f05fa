/* stackuse - how much stack each close path takes beyond the caller's
 * frame, when it runs in a signal handler on an alternate stack.
 *
 * usage: stackuse PATH measure|guard
 * PATH says which close the handler makes (raise(SIGUSR1) runs it once):
 *   own        close() of a connected socket of ours with unread input
 *              (at stake: the first linger starts the helper, hands off)
 *   own-warm   the same, the helper already running (one linger before)
 *   forked     close() of a socket a forked child also held (it has ended)
 *   inherited  close() of a socket inherited through exec from a program
 *              without the library: run without the preload; it re-execs
 *              itself with LD_PRELOAD=$GC_PRELOAD set (if set)
 *   exit       _exit(0) with such a socket open (the exit sweep), in a
 *              forked child whose stack the parent reads afterwards
 * measure: the handler runs on a 256 KiB stack filled with a pattern; the
 *   bytes it touched, less those of an empty handler (the kernel's signal
 *   frame and the handler's own frame), are the close path's own:
 *   prints "frame=F used=U extra=E" and, for the close paths,
 *   "handler close=R errno=E".
 * guard: the handler runs on a stack of the measured frame + 2 KiB (rounded
 *   up to a page) with a guard page below it: a deeper close path is
 *   SIGSEGV.  Prints "stack=N" and the handler line.
 * The program itself is bound at load (-z now), so no lazy-binding resolver
 * runs in the handler: what is measured is the close path alone. */
#include "hx.h"
#include "rb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROBE_SIZE (256 * 1024)
#define FILL 0xA5
#define ALLOWED 2048

static int target = -1, do_exit;
static volatile int close_ret, close_errno;

static void on_empty(int sig) { (void)sig; }

static void on_close(int sig)
{
    (void)sig;
    if (do_exit)
        _exit(0);
    errno = 0;
    close_ret = close(target);
    close_errno = errno;
}

static unsigned char *probe_stack(void)
{
    unsigned char *m = mmap(NULL, PROBE_SIZE, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        hx_die("mmap probe");
    memset(m, FILL, PROBE_SIZE);
    return m;
}

static size_t touched(const unsigned char *m)
{
    for (size_t i = 0; i < PROBE_SIZE; i++)
        if (m[i] != FILL)
            return PROBE_SIZE - i;
    return 0;
}

static void on_stack(void *sp, size_t size, void (*fn)(int))
{
    stack_t ss = {.ss_sp = sp, .ss_size = size};
    struct sigaction sa = {.sa_handler = fn, .sa_flags = SA_ONSTACK};
    if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0)
        hx_die("altstack setup");
}

/* Bytes an empty handler takes: the kernel's frame plus its own. */
static size_t frame_bytes(void)
{
    unsigned char *m = probe_stack();
    on_stack(m, PROBE_SIZE, on_empty);
    raise(SIGUSR1);
    size_t used = touched(m);
    munmap(m, PROBE_SIZE);
    return used;
}

static void guarded_stack(size_t size)
{
    printf("stack=%zu\n", rb_guarded_altstack(size, SIGUSR1, on_close));
}

/* A connected socket of ours whose peer's bytes are unread: at stake. */
static int socket_with_input(int *peer)
{
    int c, s;
    rb_pair(&c, &s);
    if (write(s, "unread", 6) != 6)
        hx_die("write");
    hx_sleep_ms(20);
    if (peer)
        *peer = s;
    return c;
}

static void report(void)
{
    printf("handler close=%d errno=%s\n", close_ret, hx_errname(close_errno));
}

/* Runs the handler once on the probe stack (or, for "exit", in a child
 * on a shared probe stack) and prints what it touched. */
static int measure(size_t frame, int exit_path)
{
    unsigned char *m = probe_stack();
    if (exit_path) {
        fflush(stdout);
        pid_t p = fork();
        if (p < 0)
            hx_die("fork");
        if (p == 0) {
            socket_with_input(NULL);
            on_stack(m, PROBE_SIZE, on_close);
            raise(SIGUSR1);
            _exit(3); /* the handler did not exit */
        }
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            hx_die("the exit path did not end with status 0");
    } else {
        on_stack(m, PROBE_SIZE, on_close);
        raise(SIGUSR1);
    }
    size_t used = touched(m);
    printf("frame=%zu used=%zu extra=%zd\n", frame, used, (ssize_t)(used - frame));
    if (!exit_path)
        report();
    return 0;
}

static int guard(size_t frame, int exit_path)
{
    if (exit_path) {
        socket_with_input(NULL);
        guarded_stack(frame + ALLOWED);
        fflush(stdout);
        raise(SIGUSR1);
        return 3; /* the handler did not exit */
    }
    guarded_stack(frame + ALLOWED);
    fflush(stdout);
    raise(SIGUSR1);
    report();
    return 0;
}

/* "inherited": made here without the library, then exec'd with it. */
static int inherit(const char *self, const char *how)
{
    const char *lib = getenv("GC_PRELOAD"); /* unset or empty: no library */
    int peer;
    int c = socket_with_input(&peer);
    fcntl(c, F_SETFD, 0);
    fcntl(peer, F_SETFD, 0); /* the peer end stays open across exec too */
    char fd[16];
    snprintf(fd, sizeof fd, "%d", c);
    if (lib && *lib)
        setenv("LD_PRELOAD", lib, 1);
    execl(self, self, "inherited-run", how, fd, (char *)NULL);
    hx_die("exec");
    return HX_SETUP_FAILED;
}

int main(int argc, char **argv)
{
    hx_deadline(10);
    if (argc < 3)
        return HX_SETUP_FAILED;
    const char *path = argv[1];
    int guarded = strcmp(argv[2], "guard") == 0;
    if (!guarded && strcmp(argv[2], "measure") != 0)
        return HX_SETUP_FAILED;

    if (strcmp(path, "inherited") == 0)
        return inherit(argv[0], argv[2]);
    size_t frame = frame_bytes();
    if (strcmp(path, "exit") == 0) {
        do_exit = 1;
        return guarded ? guard(frame, 1) : measure(frame, 1);
    }
    if (strcmp(path, "own") == 0) {
        target = socket_with_input(NULL);
    } else if (strcmp(path, "own-warm") == 0) {
        close(socket_with_input(NULL)); /* starts the helper */
        target = socket_with_input(NULL);
    } else if (strcmp(path, "forked") == 0) {
        target = socket_with_input(NULL);
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        if (p < 0 || waitpid(p, NULL, 0) != p)
            hx_die("fork");
    } else if (strcmp(path, "inherited-run") == 0 && argc == 4) {
        target = atoi(argv[3]);
    } else {
        return HX_SETUP_FAILED;
    }
    return guarded ? guard(frame, 0) : measure(frame, 0);
}
