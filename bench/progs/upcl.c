/* upcl - an upload client that gets an early reply (row 7).
 *
 * deliver PORT BYTES: sends a POST head declaring BYTES, then the whole body,
 *   and only then reads the reply - like Python's http.client, a client
 *   that reads only after it has finished writing.  Prints
 *   "result=delivered" when the whole reply (head + Content-Length) and a
 *   clean end arrived, else "result=lost how=..." (the send or read error).
 * hold PORT P CAP_MS: P clients at once each send the head (1 MB declared)
 *   and 64 KiB of body, read the whole reply and then keep the connection
 *   open without sending.  Each prints "hold_ms=T full=0|1": T is how long
 *   the server still held its socket after the reply had arrived: the
 *   server's end of the connection has a non-zero inode while some process
 *   still has it open, 0 once orphaned or gone (asked with one sock_diag
 *   lookup every 10 ms, /proc/net/tcp if that fails), at most CAP_MS.
 *
 * usage: upcl deliver PORT BYTES | upcl hold PORT P CAP_MS */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <unistd.h>

static char chunk[65536];

static void send_head(int fd, long long bytes)
{
    char head[256];
    int err;
    int n = snprintf(head, sizeof head,
                     "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/octet-stream\r\nContent-Length: %lld\r\n\r\n",
                     bytes);
    bx_send_all(fd, head, (size_t)n, &err);
}

/* Reads until the whole reply or the end; 1 when head + Content-Length came. */
static int read_reply(int fd, int until_eof, const char **how)
{
    static char r[65536];
    size_t got = 0;

    *how = "eof";
    for (;;) {
        ssize_t n = recv(fd, r + got, sizeof r - 1 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                *how = strerrorname_np(errno);
            break;
        }
        got += (size_t)n;
        r[got] = 0;
        const char *e = strstr(r, "\r\n\r\n"), *cl = strstr(r, "Content-Length:");
        if (!until_eof && e && cl && got >= (size_t)(e + 4 - r) + strtoul(cl + 15, NULL, 10))
            return 1;
        if (got + 1 >= sizeof r)
            break;
    }
    const char *e = strstr(r, "\r\n\r\n"), *cl = strstr(r, "Content-Length:");
    return e && cl && got == (size_t)(e + 4 - r) + strtoul(cl + 15, NULL, 10) &&
           !strcmp(*how, "eof");
}

static int deliver(int port, long long bytes)
{
    int err = 0;
    const char *how;
    struct timeval tv = {20, 0};
    int fd = bx_connect(port);

    if (fd < 0)
        bx_die("connect");
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    send_head(fd, bytes);
    for (long long left = bytes; left > 0 && !err;) {
        size_t len = left < (long long)sizeof chunk ? (size_t)left : sizeof chunk;
        size_t n = bx_send_all(fd, chunk, len, &err);
        left -= (long long)n;
    }
    if (err) {
        printf("result=lost how=send:%s\n", strerrorname_np(err));
        return 0;
    }
    if (read_reply(fd, 1, &how))
        printf("result=delivered\n");
    else
        printf("result=lost how=read:%s\n", how);
    return 0;
}

/* Is the server's end (127.0.0.1:sp <-> 127.0.0.1:cp) still open in some
 * process?  One exact sock_diag lookup (no table walk): the inode is
 * non-zero while a descriptor refers to the socket, 0 once it is orphaned;
 * ENOENT once it is gone.  Falls back to reading /proc/net/tcp. */
static int server_holds_proc(int sp, int cp)
{
    char line[512];
    int held = 0;
    FILE *in = fopen("/proc/net/tcp", "r");

    if (!in)
        return 0;
    while (fgets(line, sizeof line, in)) {
        char la[64], ra[64];
        unsigned long inode;
        if (sscanf(line, " %*s %63s %63s %*s %*s %*s %*s %*s %*s %lu", la, ra, &inode) != 3)
            continue;
        const char *lp = strrchr(la, ':'), *rp = strrchr(ra, ':');
        if (lp && rp && strtol(lp + 1, NULL, 16) == sp && strtol(rp + 1, NULL, 16) == cp &&
            inode != 0)
            held = 1;
    }
    fclose(in);
    return held;
}

static int server_holds(int sp, int cp)
{
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 r;
    } req;
    char ans[8192];
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

    if (fd < 0)
        return server_holds_proc(sp, cp);
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.r.sdiag_family = AF_INET;
    req.r.sdiag_protocol = IPPROTO_TCP;
    req.r.idiag_states = ~0u;
    req.r.id.idiag_sport = htons((unsigned short)sp);
    req.r.id.idiag_dport = htons((unsigned short)cp);
    req.r.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
    req.r.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
    req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (send(fd, &req, sizeof req, 0) < 0) {
        close(fd);
        return server_holds_proc(sp, cp);
    }
    ssize_t n = recv(fd, ans, sizeof ans, 0);
    close(fd);
    struct nlmsghdr *h = (struct nlmsghdr *)ans;
    if (n < (ssize_t)sizeof *h || !NLMSG_OK(h, (size_t)n))
        return server_holds_proc(sp, cp);
    if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        return e->error == -ENOENT ? 0 : server_holds_proc(sp, cp);
    }
    /* the lookup falls back to the listener when the connection is gone */
    struct inet_diag_msg *m = NLMSG_DATA(h);
    return m->id.idiag_dport == htons((unsigned short)cp) && m->idiag_inode != 0;
}

static void hold_one(int port, long cap)
{
    const char *how;
    int err;
    struct timeval tv = {10, 0};
    int fd = bx_connect(port);

    if (fd < 0)
        bx_die("connect");
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    send_head(fd, 1048576);
    bx_send_all(fd, chunk, sizeof chunk, &err);
    int full = read_reply(fd, 0, &how);
    double t0 = bx_now_ms(), t = t0;
    int me = bx_local_port(fd);
    while (t - t0 < (double)cap && server_holds(port, me)) {
        bx_sleep_ms(10);
        t = bx_now_ms();
    }
    printf("hold_ms=%.0f full=%d\n", t - t0, full);
    fflush(stdout);
    close(fd); /* only now: the client kept the connection open until here */
}

int main(int argc, char **argv)
{
    memset(chunk, 'u', sizeof chunk);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && !strcmp(argv[1], "deliver")) {
        alarm(60);
        return deliver((int)bx_arg(argv[2], "port"), bx_arg(argv[3], "bytes"));
    }
    if (argc == 5 && !strcmp(argv[1], "hold")) {
        int port = (int)bx_arg(argv[2], "port");
        long n = bx_arg(argv[3], "P"), cap = bx_arg(argv[4], "cap");
        alarm((unsigned)(cap / 1000 + 30));
        for (long i = 0; i < n; i++) {
            pid_t pid = fork();
            if (pid == 0) {
                hold_one(port, cap);
                _exit(0);
            }
        }
        while (wait(NULL) > 0)
            ;
        return 0;
    }
    fprintf(stderr, "usage: upcl deliver PORT BYTES | upcl hold PORT P CAP_MS\n");
    return 90;
}
