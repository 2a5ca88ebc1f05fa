/* scfilter - a program that installs a seccomp filter and then closes a TCP
 * socket with something at stake (issue 8: under a sandbox the library must
 * pass through, not make system calls the program never made).  The peer is
 * lpeer ("A 0 unread 0 1500": 1,000 bytes left unread).
 *
 * Connects A, waits for the peer's bytes (MSG_PEEK: never reads them),
 * writes 100,000 bytes, then installs (PR_SET_NO_NEW_PRIVS first) a filter
 * as KIND says and closes A:
 *   kill     SECCOMP_RET_KILL_PROCESS for ioctl and getsockopt (and the calls
 *            a descriptor walk makes: getdents64, statx, readlinkat,
 *            getpeername; socketpair, which starting a helper makes), with
 *            prctl()
 *   sys      the kill filter installed with syscall(SYS_seccomp)
 *   eperm    ioctl fails with EPERM (with prctl())
 *   allow    an allow-list: only write, close, exit, exit_group, futex,
 *            rt_sigreturn; everything else kills the process
 *   inherit  the kill filter is installed, then this program is executed
 *            again with a socket pair open (the library loads under the
 *            filter, "Seccomp: 2", beside inherited sockets), and the new
 *            image connects, writes and closes
 *   fork     the kill filter, then a fork (the child exits at once) before
 *            the close
 *   accept   the kill filter, then a connection accepted on a new listener
 *            and passed over a socket pair (SCM_RIGHTS) before the close
 *   dup2     a filter that kills fcntl and prlimit64 (what checking a dup2
 *            target calls), then /dev/null is dup2'd onto A's number (that
 *            closes the socket), and the close closes /dev/null
 * Reports with write(2) only: "close ret=R errno=NAME ms=T".
 *
 * usage: scfilter KIND PORT */
#include "../helpers/hx.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ARCH_CHECK                                                                   \
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),         \
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),                 \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define DENY(nr, action)                                                             \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (action))
#define ALLOW(nr)                                                                    \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static void install(const char *kind)
{
    struct sock_filter kill[] = {ARCH_CHECK, LOAD_NR,
                                 DENY(__NR_ioctl, SECCOMP_RET_KILL_PROCESS),
                                 DENY(__NR_getsockopt, SECCOMP_RET_KILL_PROCESS),
                                 /* what a library walking its descriptors at
                                  * load would call; the program never does */
                                 DENY(__NR_getdents64, SECCOMP_RET_KILL_PROCESS),
                                 DENY(__NR_statx, SECCOMP_RET_KILL_PROCESS),
                                 DENY(__NR_readlinkat, SECCOMP_RET_KILL_PROCESS),
                                 DENY(__NR_getpeername, SECCOMP_RET_KILL_PROCESS),
                                 /* what starting a helper process would call */
                                 DENY(__NR_socketpair, SECCOMP_RET_KILL_PROCESS),
                                 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    /* what checking a dup2 target would call (C library start-up calls
     * prlimit64 too: never inherited) */
    struct sock_filter dup[] = {ARCH_CHECK, LOAD_NR,
                                DENY(__NR_fcntl, SECCOMP_RET_KILL_PROCESS),
                                DENY(__NR_prlimit64, SECCOMP_RET_KILL_PROCESS),
                                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_filter eperm[] = {ARCH_CHECK, LOAD_NR,
                                  DENY(__NR_ioctl, SECCOMP_RET_ERRNO | EPERM),
                                  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_filter allow[] = {ARCH_CHECK, LOAD_NR,
                                  ALLOW(__NR_write), ALLOW(__NR_close), ALLOW(__NR_exit),
                                  ALLOW(__NR_exit_group), ALLOW(__NR_futex),
                                  ALLOW(__NR_rt_sigreturn),
                                  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)};
    struct sock_fprog prog;
    if (strcmp(kind, "eperm") == 0) {
        prog.filter = eperm;
        prog.len = sizeof eperm / sizeof eperm[0];
    } else if (strcmp(kind, "dup2") == 0) {
        prog.filter = dup;
        prog.len = sizeof dup / sizeof dup[0];
    } else if (strcmp(kind, "allow") == 0) {
        prog.filter = allow;
        prog.len = sizeof allow / sizeof allow[0];
    } else {
        prog.filter = kill;
        prog.len = sizeof kill / sizeof kill[0];
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        hx_die("PR_SET_NO_NEW_PRIVS");
    int r = strcmp(kind, "sys") == 0
                ? (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)
                : prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    if (r < 0)
        hx_die("seccomp");
}

static void say(const char *s) { (void)!write(1, s, strlen(s)); }

/* Under the filter: accepts a loopback connection on a new listener, and
 * passes the accepted socket to itself over 'pass' (SCM_RIGHTS). */
static void accept_and_pass(const int pass[2])
{
    int port, l = hx_listen(4, &port);
    int c = hx_connect(4, port);
    int s = accept(l, NULL, NULL);
    if (s < 0)
        hx_die("accept");
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    char byte = 'x';
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                       .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &s, sizeof s);
    if (sendmsg(pass[0], &m, 0) != 1)
        hx_die("sendmsg");
    m.msg_controllen = sizeof ctl.buf;
    if (recvmsg(pass[1], &m, 0) != 1)
        hx_die("recvmsg");
    int got;
    cm = CMSG_FIRSTHDR(&m);
    if (!cm || cm->cmsg_type != SCM_RIGHTS)
        hx_die("no descriptor passed");
    memcpy(&got, CMSG_DATA(cm), sizeof got);
    close(got);
    close(s);
    close(c);
    close(l);
}

int main(int argc, char **argv)
{
    int inherited = argc == 4 && strcmp(argv[3], "--inherited") == 0;
    if (argc != 3 && !inherited) {
        fprintf(stderr, "usage: scfilter kill|sys|eperm|allow|inherit|fork|accept|dup2 PORT\n");
        return HX_SETUP_FAILED;
    }
    const char *kind = argv[1];
    hx_deadline(20);
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(kind, "inherit") == 0 && !inherited) {
        /* A socket pair the new image inherits (fds 3 and up): what a
         * library's load would look at. */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
            hx_die("socketpair");
        install("kill");
        execl("/proc/self/exe", argv[0], kind, argv[2], "--inherited", (char *)NULL);
        hx_die("exec");
    }
    int a = hx_connect(4, (int)hx_arg_long(argv[2], "port")), err;
    const char *hello = "A 0 unread 0 1500\n";
    hx_send_all(a, hello, strlen(hello), &err);
    static char peek[1000], reply[100000];
    for (int i = 0; i < 400; i++) {
        struct pollfd p = {a, POLLIN, 0};
        poll(&p, 1, 5);
        if (recv(a, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT) == (ssize_t)sizeof peek)
            break;
    }
    memset(reply, 'r', sizeof reply);
    hx_send_all(a, reply, sizeof reply, &err);
    int pass[2] = {-1, -1};
    if (strcmp(kind, "accept") == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, pass) < 0)
        hx_die("socketpair");
    if (!inherited)
        install(kind);
    if (strcmp(kind, "accept") == 0)
        accept_and_pass(pass);
    if (strcmp(kind, "dup2") == 0) {
        /* The socket's number is taken over: the socket is closed there. */
        int z = open("/dev/null", O_RDONLY);
        if (z < 0 || dup2(z, a) != a)
            hx_die("dup2");
        close(z);
    }
    if (strcmp(kind, "fork") == 0) {
        /* A fork under the filter, before the close. */
        pid_t pid = fork();
        if (pid < 0)
            hx_die("fork");
        if (pid == 0)
            _exit(0);
        int status;
        if (waitpid(pid, &status, 0) != pid)
            hx_die("waitpid");
    }
    errno = 0;
    double t0 = hx_now_ms();
    int r = close(a);
    int e = errno;
    double ms = hx_now_ms() - t0;
    char line[96];
    snprintf(line, sizeof line, "close ret=%d errno=%s ms=%.1f\n", r, hx_errname(e), ms);
    say(line);
    return 0;
}
