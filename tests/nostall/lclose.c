/* lclose - a program whose close() must return at once while the library
 * lingers elsewhere (issue 8).  The peer is lpeer, run without the library.
 *
 * Connects N "A" connections to 127.0.0.1:PORT (hello "A ID MODE DELAY HOLD":
 * the peer's behaviour, see lpeer.c; -d DELAY, -k HOLD), prepares each as MODE needs (unread: waits
 * until the peer's 1,000 bytes are queued, never reads them; quiet: reads
 * the peer's request; upload: waits for its first bytes), writes REPLY bytes
 * of 'r' (non-blocking: stops early when the send queue stays full for
 * 50 ms, so with a peer that does not read the close has unacknowledged data)
 * and prints "A id=K sent=N ino=INO".  Waits WAIT ms, then closes every A
 * (or all but the last for ACTION exit), timing each close():
 *   close id=K ret=R errno=NAME|0 ms=T at=ABS      (at: CLOCK_MONOTONIC ms)
 * and does ACTION right after:
 *   none       nothing
 *   marker     (a "B" connection was opened first) writes
 *              "marker ino=INO" on B at once
 *   fork       forks; the child prints "child held_now=yes|no" (is socket:[INO]
 *              in its /proc/self/fd right after fork) and 300 ms later
 *              "child held_later=..", lives 3.5 s more, prints
 *              "child exit_ms=T" and exits; the parent waits for it
 *   exec       execs this program as "lclose --after-exec INO": prints
 *              "exec held=yes|no" and stays 3 s
 *   closefrom | close_range | sys_close_range   closefrom(3) /
 *              close_range(3, ~0U, 0) / syscall(SYS_close_range, 3, ~0U, 0),
 *              then opens a "C" connection, reads the peer's 10,000 bytes
 *              and prints "C read=N"
 *   dup2       looks for any descriptor of this process still naming
 *              socket:[INO] (a copy the library keeps); dup2()s /dev/null
 *              onto it and prints "dup2 target=X ret=R now=LINK", or
 *              "dup2 copy=none"
 *   exit       prints "exit_ms=T" and calls exit(0) holding the last A
 *   eintr      a SIGALRM handler without SA_RESTART, alarm(1), then poll()s
 *              a pipe that never becomes readable (at most 3 s): the signal
 *              must interrupt this thread ("eintr=yes|no ms=T")
 *   signalfd   blocks SIGUSR1 (after the close), reads it from a signalfd
 *              after kill(getpid(), SIGUSR1) ("signalfd got=yes|no"); a
 *              thread that does not block it would take it (and die of it)
 * -J: the close runs under a 200 ms interval timer whose handler
 *     siglongjmp()s out (old-style timeouts); prints
 *     "longjmp jumped=yes|no fd_open=yes|no" for A 0.
 * -L SECS sets SO_LINGER {1, SECS} on every A before its close.  For MODE
 * quiet, close(-100) and close(-101) mark the close in a syscall trace.
 *
 * usage: lclose [-n N] [-r REPLY] [-d DELAY] [-k HOLD] [-w WAIT] [-L SECS]
 *               MODE ACTION PORT */
#include "../helpers/hx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <setjmp.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXA 16

/* The descriptor of this process naming socket:[ino], other than skip; -1. */
static int find_copy(unsigned long ino, int skip)
{
    char want[64], path[64], link[64];
    snprintf(want, sizeof want, "socket:[%lu]", ino);
    DIR *d = opendir("/proc/self/fd");
    int found = -1;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (fd == skip || fd == dirfd(d))
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n > 0) {
            link[n] = '\0';
            if (strcmp(link, want) == 0) {
                found = fd;
                break;
            }
        }
    }
    closedir(d);
    return found;
}

static int connect_hello(int port, const char *hello)
{
    int fd = hx_connect(4, port), err;
    hx_send_all(fd, hello, strlen(hello), &err);
    if (err)
        hx_die("hello");
    return fd;
}

static void wait_inq(int fd, int want)
{
    int inq = 0;
    for (int i = 0; i < 400 && inq < want; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 5);
        ioctl(fd, FIONREAD, &inq);
    }
}

static size_t fill(int fd, long reply)
{
    static char buf[65536];
    size_t sent = 0;
    double stuck = 0;
    memset(buf, 'r', sizeof buf);
    while ((long)sent < reply) {
        size_t want = (size_t)reply - sent < sizeof buf ? (size_t)reply - sent : sizeof buf;
        ssize_t n = send(fd, buf, want, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += (size_t)n;
            stuck = 0;
        } else if (n < 0 && errno == EAGAIN) {
            if (stuck == 0)
                stuck = hx_now_ms();
            else if (hx_now_ms() - stuck > 50)
                break;
            struct pollfd p = {fd, POLLOUT, 0};
            poll(&p, 1, 10);
        } else if (!(n < 0 && errno == EINTR)) {
            hx_die("send reply");
        }
    }
    return sent;
}

static unsigned long inode_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static sigjmp_buf jump_env;
static void on_alarm_jump(int s)
{
    (void)s;
    siglongjmp(jump_env, 1);
}
static void on_alarm_note(int s) { (void)s; }

/* close(fd) under a 200 ms timer whose handler jumps out; reports. */
static int close_under_timer(int fd, int *err)
{
    static volatile int jumped, r;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm_jump;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 200000}};
    jumped = 0;
    r = 0;
    *err = 0;
    if (sigsetjmp(jump_env, 1) == 0) {
        setitimer(ITIMER_REAL, &it, NULL);
        r = close(fd);
        *err = errno;
    } else {
        jumped = 1;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    hx_deadline(40);
    printf("longjmp jumped=%s fd_open=%s\n", jumped ? "yes" : "no",
           fcntl(fd, F_GETFD) >= 0 ? "yes" : "no");
    return r;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--after-exec") == 0) {
        unsigned long ino = strtoul(argv[2], NULL, 10);
        printf("exec held=%s\n", find_copy(ino, -1) >= 0 ? "yes" : "no");
        fflush(stdout);
        hx_sleep_ms(3000);
        return 0;
    }
    long n = 1, reply = 100000, delay = 0, wait_ms = 0, linger = -1, hold = 0, jump = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:r:d:w:L:k:J")) != -1) {
        switch (opt) {
        case 'n': n = hx_arg_long(optarg, "n"); break;
        case 'r': reply = hx_arg_long(optarg, "reply"); break;
        case 'd': delay = hx_arg_long(optarg, "delay"); break;
        case 'w': wait_ms = hx_arg_long(optarg, "wait"); break;
        case 'L': linger = hx_arg_long(optarg, "linger"); break;
        case 'k': hold = hx_arg_long(optarg, "hold"); break;
        case 'J': jump = 1; break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 3 != argc || n < 1 || n > MAXA) {
        fprintf(stderr, "usage: lclose [-n N] [-r REPLY] [-d DELAY] [-k HOLD] [-w WAIT] [-L SECS] "
                        "MODE ACTION PORT\n");
        return HX_SETUP_FAILED;
    }
    const char *mode = argv[optind], *action = argv[optind + 1];
    int port = (int)hx_arg_long(argv[optind + 2], "port");
    hx_deadline(40);
    signal(SIGPIPE, SIG_IGN);

    int b = -1, a[MAXA];
    unsigned long ino[MAXA];
    char hello[64];
    if (strcmp(action, "marker") == 0)
        b = connect_hello(port, "B\n");
    for (long i = 0; i < n; i++) {
        snprintf(hello, sizeof hello, "A %ld %s %ld %ld\n", i, mode, delay, hold);
        a[i] = connect_hello(port, hello);
        ino[i] = inode_of(a[i]);
    }
    for (long i = 0; i < n; i++) {
        if (strcmp(mode, "unread") == 0) {
            wait_inq(a[i], 1000);
        } else if (strcmp(mode, "upload") == 0) {
            wait_inq(a[i], 1);
        } else if (strcmp(mode, "quiet") == 0) {
            char req[4];
            wait_inq(a[i], 4);
            if (read(a[i], req, 4) != 4)
                hx_die("read req");
        }
        if (linger >= 0) {
            struct linger l = {1, (int)linger};
            if (setsockopt(a[i], SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0)
                hx_die("SO_LINGER");
        }
        size_t sent = fill(a[i], reply);
        printf("A id=%ld sent=%zu ino=%lu\n", i, sent, ino[i]);
    }
    fflush(stdout);
    if (wait_ms > 0)
        hx_sleep_ms(wait_ms);

    long closing = strcmp(action, "exit") == 0 ? n - 1 : n;
    int quiet = strcmp(mode, "quiet") == 0;
    for (long i = 0; i < closing; i++) {
        if (quiet)
            close(-100);
        errno = 0;
        double t0 = hx_now_ms();
        int r = 0, e = 0;
        if (jump && i == 0) {
            r = close_under_timer(a[i], &e);
        } else {
            r = close(a[i]);
            e = errno;
        }
        double t1 = hx_now_ms();
        if (quiet)
            close(-101);
        if (b >= 0) {
            char m[96];
            int err;
            snprintf(m, sizeof m, "marker ino=%lu\n", ino[i]);
            hx_send_all(b, m, strlen(m), &err);
        }
        printf("close id=%ld ret=%d errno=%s ms=%.1f at=%.1f\n", i, r, hx_errname(e), t1 - t0,
               t0);
    }
    fflush(stdout);

    if (strcmp(action, "fork") == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            printf("child held_now=%s\n", find_copy(ino[0], -1) >= 0 ? "yes" : "no");
            fflush(stdout);
            hx_sleep_ms(300);
            printf("child held_later=%s\n", find_copy(ino[0], -1) >= 0 ? "yes" : "no");
            fflush(stdout);
            hx_sleep_ms(3500);
            printf("child exit_ms=%.1f\n", hx_now_ms());
            fflush(stdout);
            _exit(0);
        }
        waitpid(pid, NULL, 0);
    } else if (strcmp(action, "exec") == 0) {
        char inos[32];
        snprintf(inos, sizeof inos, "%lu", ino[0]);
        execl("/proc/self/exe", "lclose", "--after-exec", inos, (char *)NULL);
        hx_die("exec");
    } else if (strcmp(action, "closefrom") == 0 || strcmp(action, "close_range") == 0 ||
               strcmp(action, "sys_close_range") == 0) {
        int r;
        if (action[0] == 'c' && action[6] == 'f') {
            closefrom(3);
            r = 0;
        } else if (action[0] == 'c') {
            r = close_range(3, ~0U, 0);
        } else {
            r = (int)syscall(SYS_close_range, 3, ~0U, 0);
        }
        printf("%s ret=%d\n", action, r);
        int c = connect_hello(port, "C\n");
        static char buf[20000];
        long got = 0;
        double stop = hx_now_ms() + 3000;
        while (got < 10000 && hx_now_ms() < stop) {
            struct pollfd p = {c, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0)
                continue;
            ssize_t k = recv(c, buf, sizeof buf, MSG_DONTWAIT);
            if (k > 0)
                got += k;
            else if (k == 0 || errno != EAGAIN)
                break;
        }
        printf("C read=%ld fd=%d\n", got, c);
        fflush(stdout);
        close(c);
    } else if (strcmp(action, "dup2") == 0) {
        int x = find_copy(ino[0], -1);
        if (x < 0) {
            printf("dup2 copy=none\n");
        } else {
            int nul = open("/dev/null", O_RDONLY);
            int r = dup2(nul, x);
            char path[64], link[64] = "";
            snprintf(path, sizeof path, "/proc/self/fd/%d", x);
            ssize_t k = readlink(path, link, sizeof link - 1);
            if (k > 0)
                link[k] = '\0';
            printf("dup2 target=%d ret=%d now=%s\n", x, r, link);
            close(nul);
            fflush(stdout);
            hx_sleep_ms(100);
            close(x);
        }
    } else if (strcmp(action, "exit") == 0) {
        printf("exit_ms=%.1f\n", hx_now_ms());
        exit(0);
    } else if (strcmp(action, "eintr") == 0) {
        int pp[2];
        if (pipe(pp) < 0)
            hx_die("pipe");
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm_note; /* no SA_RESTART */
        sigaction(SIGALRM, &sa, NULL);
        double t0 = hx_now_ms();
        alarm(1);
        struct pollfd p = {pp[0], POLLIN, 0};
        int pr = poll(&p, 1, 3000);
        int pe = errno;
        hx_deadline(40);
        printf("eintr=%s ms=%.1f\n", pr < 0 && pe == EINTR ? "yes" : "no", hx_now_ms() - t0);
    } else if (strcmp(action, "signalfd") == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set, NULL);
        int sfd = signalfd(-1, &set, 0);
        if (sfd < 0)
            hx_die("signalfd");
        kill(getpid(), SIGUSR1);
        struct pollfd p = {sfd, POLLIN, 0};
        int got = poll(&p, 1, 2000) == 1;
        printf("signalfd got=%s\n", got ? "yes" : "no");
    } else if (strcmp(action, "marker") == 0) {
        hx_sleep_ms(100);
        close(b);
    } else if (strcmp(action, "none") != 0) {
        fprintf(stderr, "unknown action %s\n", action);
        return HX_SETUP_FAILED;
    }
    fflush(stdout);
    return 0;
}
