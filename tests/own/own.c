/* own - one connection held by two processes, the order of their closes
 * forced with pipes (issue 7: who is the last holder).
 *
 * Listens on loopback port 0, prints "port=N", accepts one connection and
 * reads its request header (up to the blank line, never the body).  Then a
 * second process gets a copy of the connection, made as MAKER says:
 *   fork        fork()
 *   sys_fork    syscall(SYS_fork)
 *   sys_clone   syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)
 *   clone3      syscall(SYS_clone3, {.exit_signal = SIGCHLD})
 *   clone       glibc clone(fn, stack, SIGCHLD, arg) (no CLONE_FILES, no CLONE_VM)
 *   dfork       double fork: the "child" is a grandchild whose parent exits
 *               at once (an orphan, as with "cmd &" in a shell)
 *   scm-p2c / scm-c2p      the child is forked before the accept; the
 *               accepting process (p: parent, c: child) hands the connection
 *               to the other with SCM_RIGHTS over a socketpair
 *   pidfd-p2c / pidfd-c2p  the same, the other process takes its copy with
 *               syscall(SYS_pidfd_getfd) (p2c: the child takes the parent's)
 *   gpidfd-p2c / gpidfd-c2p  the same with glibc's pidfd_getfd()
 * Both processes now hold the connection.  FIRST (parent or child) writes
 * the reply header (Content-Length EARLY+LATE) and EARLY bytes, then lets go
 * of its copy; the other one waits until that is done (a pipe, or the end of
 * the first process), reads up to READ bytes of the request body (at most
 * 2 s), writes LATE bytes and lets go of its copy too.  The child lets go as
 * END says (close: close(fd) then exit(0), the process stays until the
 * parent is done; exit: exit(0) with the socket open; _exit: _exit(0) with
 * the socket open); the parent always closes with close(fd).
 * Each side prints one line:
 *   WHO first wrote=N send=ok|ENAME
 *   WHO second read=N wrote=N send=ok|ENAME
 * The parent prints "done" at the end.
 *
 * usage: own [-m MAKER] [-f parent|child] [-e close|exit|_exit] [-E EARLY]
 *            [-L LATE] [-R READ] */
#include "../helpers/hx.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *maker = "fork", *first = "parent", *end = "close";
static long early = 1000, late = 3000000, readn = 5000;
static int p2c[2], c2p[2], xfer[2];

/* One line on stdout with a single write (both processes share the file). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)!write(1, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void read_header(int fd)
{
    char c, last4[4] = {0};
    for (int i = 0; i < 8192; i++) {
        if (read(fd, &c, 1) != 1)
            hx_die("read header");
        memmove(last4, last4 + 1, 3);
        last4[3] = c;
        if (memcmp(last4, "\r\n\r\n", 4) == 0)
            return;
    }
    errno = EPROTO;
    hx_die("header too long");
}

static size_t send_fill(int fd, long n, char ch, const char *head, int *err)
{
    size_t hl = head ? strlen(head) : 0, len = hl + (size_t)n;
    char *buf = malloc(len ? len : 1);
    if (!buf)
        hx_die("malloc");
    if (hl)
        memcpy(buf, head, hl);
    memset(buf + hl, ch, (size_t)n);
    size_t done = hx_send_all(fd, buf, len, err);
    free(buf);
    return done;
}

/* Reads up to n bytes of body within 2 s; returns how many arrived. */
static long read_body(int fd, long n)
{
    static char buf[65536];
    long got = 0;
    double stop = hx_now_ms() + 2000;
    while (got < n && hx_now_ms() < stop) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        size_t want = (size_t)(n - got) < sizeof buf ? (size_t)(n - got) : sizeof buf;
        ssize_t r = recv(fd, buf, want, MSG_DONTWAIT);
        if (r > 0)
            got += r;
        else if (r == 0 || (errno != EAGAIN && errno != EINTR))
            break;
    }
    return got;
}

static void act_first(const char *who, int fd)
{
    char head[128];
    int err;
    snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Length: %ld\r\n\r\n", early + late);
    size_t n = send_fill(fd, early, 'e', head, &err);
    say("%s first wrote=%zu send=%s\n", who, n, err ? hx_errname(err) : "ok");
}

static void act_second(const char *who, int fd)
{
    int err;
    long got = read_body(fd, readn);
    size_t n = send_fill(fd, late, 'l', NULL, &err);
    say("%s second read=%ld wrote=%zu send=%s\n", who, got, n, err ? hx_errname(err) : "ok");
}

/* Waits for one byte or the end of file on a pipe (bounded by the alarm). */
static void await(int rfd)
{
    char c;
    while (read(rfd, &c, 1) < 0 && errno == EINTR)
        ;
}

/* The child's part; never returns. */
static void child_part(int fd)
{
    close(p2c[1]);
    close(c2p[0]);
    int child_first = strcmp(first, "child") == 0;
    if (child_first) {
        act_first("child", fd);
    } else {
        await(p2c[0]);
        act_second("child", fd);
    }
    if (strcmp(end, "exit") == 0)
        exit(0);
    if (strcmp(end, "_exit") == 0)
        _exit(0);
    close(fd);
    if (child_first) {
        (void)!write(c2p[1], "c", 1);
        await(p2c[0]); /* stay until the parent is done */
    }
    exit(0);
}

static int clone_fn(void *arg)
{
    child_part(*(int *)arg);
    return 0;
}

/* Makes the child with a copy of fd; returns its pid in the parent (0 if
 * the child is an orphan that cannot be waited for). */
static pid_t make_child(int fd)
{
    pid_t pid = -1;
    if (strcmp(maker, "fork") == 0) {
        pid = fork();
    } else if (strcmp(maker, "sys_fork") == 0) {
        pid = (pid_t)syscall(SYS_fork);
    } else if (strcmp(maker, "sys_clone") == 0) {
        pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    } else if (strcmp(maker, "clone3") == 0) {
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.exit_signal = SIGCHLD;
        pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
    } else if (strcmp(maker, "clone") == 0) {
        static int arg;
        size_t sz = 256 * 1024;
        char *stack = malloc(sz);
        if (!stack)
            hx_die("malloc stack");
        arg = fd;
        pid = clone(clone_fn, stack + sz, SIGCHLD, &arg);
        if (pid < 0)
            hx_die("clone");
        return pid;
    } else if (strcmp(maker, "dfork") == 0) {
        pid = fork();
        if (pid == 0) {
            pid_t g = fork();
            if (g < 0)
                _exit(HX_SETUP_FAILED);
            if (g > 0)
                _exit(0); /* the grandchild is orphaned */
            child_part(fd);
        }
        if (pid > 0)
            waitpid(pid, NULL, 0);
        return pid < 0 ? pid : 0;
    } else {
        fprintf(stderr, "unknown maker %s\n", maker);
        exit(HX_SETUP_FAILED);
    }
    if (pid < 0)
        hx_die("make child");
    if (pid == 0)
        child_part(fd);
    return pid;
}

static void send_fd(int u, int fd)
{
    char c = 's', cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    memset(cbuf, 0, sizeof cbuf);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    if (sendmsg(u, &m, 0) != 1)
        hx_die("sendmsg SCM_RIGHTS");
}

static int recv_fd(int u)
{
    char c, cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    if (recvmsg(u, &m, 0) != 1)
        hx_die("recvmsg SCM_RIGHTS");
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    int fd;
    if (!cm || cm->cmsg_type != SCM_RIGHTS)
        hx_die("no SCM_RIGHTS");
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

/* Transfer makers: the accepting side gives, the other takes, over the
 * socketpair end u.  Returns the descriptor this process holds afterwards. */
static int transfer(int lfd, int i_accept, int u)
{
    int fd;
    if (i_accept) {
        fd = hx_accept(lfd);
        read_header(fd);
        if (strncmp(maker, "scm", 3) == 0) {
            send_fd(u, fd);
        } else {
            int msg[2] = {getpid(), fd};
            if (write(u, msg, sizeof msg) != (ssize_t)sizeof msg)
                hx_die("write fd number");
        }
        char ack;
        if (read(u, &ack, 1) != 1) /* the other one has its copy */
            hx_die("no ack");
        return fd;
    }
    if (strncmp(maker, "scm", 3) == 0) {
        fd = recv_fd(u);
    } else {
        int msg[2];
        if (read(u, msg, sizeof msg) != (ssize_t)sizeof msg)
            hx_die("read fd number");
        int pfd = (int)syscall(SYS_pidfd_open, msg[0], 0);
        if (pfd < 0)
            hx_die("pidfd_open");
        if (maker[0] == 'g')
            fd = pidfd_getfd(pfd, msg[1], 0);
        else
            fd = (int)syscall(SYS_pidfd_getfd, pfd, msg[1], 0);
        if (fd < 0)
            hx_die("pidfd_getfd");
        close(pfd);
    }
    if (write(u, "a", 1) != 1)
        hx_die("ack");
    return fd;
}

int main(int argc, char **argv)
{
    int opt, port;
    while ((opt = getopt(argc, argv, "m:f:e:E:L:R:")) != -1) {
        switch (opt) {
        case 'm': maker = optarg; break;
        case 'f': first = optarg; break;
        case 'e': end = optarg; break;
        case 'E': early = hx_arg_long(optarg, "early"); break;
        case 'L': late = hx_arg_long(optarg, "late"); break;
        case 'R': readn = hx_arg_long(optarg, "read"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: own [-m MAKER] [-f parent|child] [-e close|exit|_exit] "
                        "[-E EARLY] [-L LATE] [-R READ]\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(30);
    signal(SIGPIPE, SIG_IGN);
    int lfd = hx_listen(4, &port);
    if (pipe(p2c) < 0 || pipe(c2p) < 0)
        hx_die("pipe");
    hx_announce_port(port);

    int xfer_mode = strncmp(maker, "scm", 3) == 0 || strstr(maker, "pidfd") != NULL;
    int fd;
    pid_t pid;

    if (!xfer_mode) {
        fd = hx_accept(lfd);
        read_header(fd);
        pid = make_child(fd);
    } else {
        int child_accepts = strstr(maker, "c2p") != NULL;
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, xfer) < 0)
            hx_die("socketpair");
        pid = fork();
        if (pid < 0)
            hx_die("fork");
        if (pid == 0) {
            close(xfer[0]);
            int cfd = transfer(lfd, child_accepts, xfer[1]);
            close(xfer[1]);
            close(lfd);
            child_part(cfd);
        }
        close(xfer[1]);
        fd = transfer(lfd, !child_accepts, xfer[0]);
        close(xfer[0]);
    }
    close(lfd);
    close(p2c[0]);
    close(c2p[1]);
    char c;
    if (strcmp(first, "parent") == 0) {
        act_first("parent", fd);
        close(fd);
        (void)!write(p2c[1], "p", 1);
    } else {
        await(c2p[0]); /* the child's "c" after its close, or its end */
        act_second("parent", fd);
        close(fd);
    }
    close(p2c[1]); /* lets a child that waits for us go */
    while (read(c2p[0], &c, 1) > 0) /* until the child (or grandchild) is gone */
        ;
    if (pid > 0)
        waitpid(pid, NULL, 0);
    say("done\n");
    return 0;
}
