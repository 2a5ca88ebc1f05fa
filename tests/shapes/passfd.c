/* passfd - a connection handed to another process with SCM_RIGHTS, whose
 * sender closes its copy.  The peer is the core "receiver" (it greets and
 * counts); the recipient reads the greeting (with recv(), so a drain by the
 * sender shows as a missing greeting), writes "passed\n" + BYTES, closes.
 *   child    a forked child receives the socket over a socketpair; the
 *            parent connects, waits for the greeting (unread), sends, and
 *            closes its copy right after sendmsg (-a: once the child says it
 *            has the socket)
 *   send     (-u PATH) connects, waits for the greeting, hands the socket to
 *            an unrelated process listening on the AF_UNIX socket PATH and
 *            closes its copy at once
 *   recv     (-u PATH) listens on PATH (prints "ready"), receives one
 *            connection and uses it; PORT is ignored
 *
 * usage: passfd [-a] [-b BYTES] [-u PATH] child|send|recv PORT */
#include "../helpers/hx.h"
#include "holdcommon.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static long bytes = 1000;

static int unix_socket(const char *path, struct sockaddr_un *a)
{
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    if (u < 0)
        hx_die("socket AF_UNIX");
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s", path);
    return u;
}

static void send_fd(int u, int fd)
{
    char c = 's', cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    if (sendmsg(u, &m, 0) != 1)
        hx_die("sendmsg");
}

static int recv_fd(int u)
{
    char c, cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    int got;
    if (recvmsg(u, &m, 0) != 1 || !CMSG_FIRSTHDR(&m))
        hx_die("recvmsg");
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof got);
    return got;
}

static int mode_scm(int port, int acked)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        hx_die("socketpair");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        hx_die("fork");
    if (pid == 0) {
        close(sv[0]);
        int got = recv_fd(sv[1]);
        (void)!write(sv[1], "k", 1);
        hx_sleep_ms(150);
        read_greeting(got, "child");
        int st = write_tagged(got, "child", "passed\n", bytes);
        printf("child close=%d\n", close(got));
        exit(st);
    }
    close(sv[1]);
    /* The TCP connection exists only in this process until it is sent. */
    int tcp = hx_connect(4, port);
    await_greeting(tcp);
    send_fd(sv[0], tcp);
    char c;
    if (acked && read(sv[0], &c, 1) != 1)
        hx_die("ack");
    printf("parent close=%d\n", close(tcp));
    fflush(stdout);
    wait_child(pid);
    return 0;
}

static int mode_scm_send(int fd, const char *path)
{
    struct sockaddr_un a;
    int u = unix_socket(path, &a);
    if (connect(u, (struct sockaddr *)&a, sizeof a) < 0)
        hx_die("connect AF_UNIX");
    send_fd(u, fd);
    printf("sender close=%d\n", close(fd));
    return 0;
}

static int mode_scm_recv(const char *path)
{
    struct sockaddr_un a;
    int u = unix_socket(path, &a);
    if (bind(u, (struct sockaddr *)&a, sizeof a) < 0 || listen(u, 1) < 0)
        hx_die("bind AF_UNIX");
    printf("ready\n");
    fflush(stdout);
    int c = accept(u, NULL, NULL);
    if (c < 0)
        hx_die("accept AF_UNIX");
    int fd = recv_fd(c);
    hx_sleep_ms(150);
    read_greeting(fd, "recipient");
    int st = write_tagged(fd, "recipient", "passed\n", bytes);
    printf("recipient close=%d\n", close(fd));
    return st;
}

int main(int argc, char **argv)
{
    int opt, acked = 0;
    const char *path = NULL;

    while ((opt = getopt(argc, argv, "ab:u:")) != -1) {
        switch (opt) {
        case 'a': acked = 1; break;
        case 'b': bytes = hx_arg_long(optarg, "bytes"); break;
        case 'u': path = optarg; break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 2 != argc || (strcmp(argv[optind], "child") != 0 && !path)) {
        fprintf(stderr, "usage: passfd [-a] [-b BYTES] [-u PATH] child|send|recv PORT\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(20);
    const char *mode = argv[optind];
    int port = (int)hx_arg_long(argv[optind + 1], "port");

    if (strcmp(mode, "child") == 0)
        return mode_scm(port, acked);
    if (strcmp(mode, "recv") == 0)
        return mode_scm_recv(path);
    if (strcmp(mode, "send") == 0) {
        int fd = hx_connect(4, port);
        await_greeting(fd);
        return mode_scm_send(fd, path);
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return HX_SETUP_FAILED;
}
