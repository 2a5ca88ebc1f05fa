/* altstack - close() and _exit() from a signal handler that runs on a small
 * alternate stack with a guard page below it (a stack overflow is SIGSEGV).
 *
 * Modes (the handler runs once, from raise(SIGUSR1)):
 *   close-none       8 KiB stack, no socket in the process: close(-1)
 *   close-untracked  8 KiB stack, a connected TCP socket with unread input
 *                    exists; the handler closes -1 and a pipe (untracked)
 *   exit-none        8 KiB stack, no socket: the handler calls _exit(0)
 *   exit-tracked     the kernel's signal frame + 8 KiB: the handler calls
 *                    _exit(0) while one connected socket with unread input
 *                    is open (the exit sweep runs in the handler)
 *   close-tracked    the kernel's signal frame + 8 KiB: the handler closes
 *                    a forked socket (last-holder check) with unread input
 * On an AVX-512 machine the kernel's frame (~3.3 KiB) plus the lazy-binding
 * resolver's register save at the handler's first call (~3.2 KiB) leave
 * little of 8 KiB, so only untracked closes and _exit with nothing tracked
 * run on a bare 8 KiB stack.  The frame size (kernel frame plus an empty
 * handler) is measured first on a large stack filled with a pattern.  Prints "stack=N frame=M", then
 * "handler close=R errno=E close_pipe=R" for the close modes; _exit modes
 * end with status 0 from the handler.  usage: altstack MODE */
#include "hx.h"
#include "rb.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROBE_SIZE (256 * 1024)
#define FILL 0xA5

static int target = -1, pipe_fd = -1, do_exit;
static volatile int close_ret, close_errno, pipe_ret;

static void on_probe(int sig) { (void)sig; }

static void on_usr1(int sig)
{
    (void)sig;
    if (do_exit)
        _exit(0);
    errno = 0;
    close_ret = close(target);
    close_errno = errno;
    pipe_ret = pipe_fd >= 0 ? close(pipe_fd) : 0;
}

/* Bytes the kernel's frame plus an empty handler take on an alternate stack. */
static size_t signal_frame_bytes(void)
{
    unsigned char *m = mmap(NULL, PROBE_SIZE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        hx_die("mmap probe");
    memset(m, FILL, PROBE_SIZE);
    stack_t ss = {.ss_sp = m, .ss_size = PROBE_SIZE};
    struct sigaction sa = {.sa_handler = on_probe, .sa_flags = SA_ONSTACK};
    if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGUSR2, &sa, NULL) < 0)
        hx_die("probe setup");
    raise(SIGUSR2);
    size_t used = 0;
    for (size_t i = 0; i < PROBE_SIZE; i++)
        if (m[i] != FILL) {
            used = PROBE_SIZE - i;
            break;
        }
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    munmap(m, PROBE_SIZE);
    return used;
}

static void use_altstack(size_t size)
{
    printf("stack=%zu ", rb_guarded_altstack(size, SIGUSR1, on_usr1));
}

/* A connected socket of ours with the peer's bytes unread. */
static int socket_with_input(int peer_fin)
{
    int c, s;
    rb_pair(&c, &s);
    if (write(s, "unread", 6) != 6)
        hx_die("write");
    if (peer_fin)
        shutdown(s, SHUT_WR); /* lets a linger end at once */
    hx_sleep_ms(20);
    return c;
}

int main(int argc, char **argv)
{
    hx_deadline(10);
    if (argc != 2)
        return HX_SETUP_FAILED;
    const char *mode = argv[1];
    size_t frame = signal_frame_bytes();

    if (strcmp(mode, "close-none") == 0) {
        use_altstack(8192);
    } else if (strcmp(mode, "close-untracked") == 0) {
        int p[2];
        socket_with_input(0);
        if (pipe(p) < 0)
            hx_die("pipe");
        pipe_fd = p[0];
        use_altstack(8192);
    } else if (strcmp(mode, "exit-none") == 0) {
        do_exit = 1;
        use_altstack(8192);
    } else if (strcmp(mode, "exit-tracked") == 0) {
        do_exit = 1;
        socket_with_input(0);
        use_altstack(frame + 8192);
    } else if (strcmp(mode, "close-tracked") == 0) {
        target = socket_with_input(1);
        pid_t p = fork(); /* the socket is now a forked one */
        if (p == 0)
            _exit(0);
        if (p < 0 || waitpid(p, NULL, 0) != p)
            hx_die("fork");
        use_altstack(frame + 8192);
    } else {
        return HX_SETUP_FAILED;
    }
    printf("frame=%zu\n", frame);
    fflush(stdout);
    raise(SIGUSR1);
    printf("handler close=%d errno=%s close_pipe=%d\n", close_ret, hx_errname(close_errno),
           pipe_ret);
    return do_exit ? 3 : 0; /* an _exit mode gets here only if the handler did not exit */
}
