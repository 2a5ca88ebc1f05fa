/* uring - io_uring (liburing) still holding a socket after the program's
 * close(fd) (issue 7: holders outside the library).  One process, two ends
 * of a loopback connection: "ours" (accepted; used through the ring) and the
 * peer's (a thread).  MODE:
 *   fixed     ours is registered as fixed file 0; the peer sends "early"
 *             (left unread) and we write until our send queue is full (the
 *             peer does not read yet), so the close has something at stake;
 *             close(fd); then the ring receives on fixed file 0 and sends
 *             "pong\n" on it.  Prints "recv=RES data=\"...\" send=RES"
 *             (RES: bytes, or -ENAME).
 *   inflight  the peer sends "hello", we read it, fill our send queue, and
 *             submit a ring recv on fd (in flight: nothing to read); then
 *             close(fd).  300 ms later the peer reads what it can, notes
 *             whether its stream already ended ("eof_early=yes|no"), and
 *             sends "ping"; the ring's recv must get it.  Prints
 *             "recv=RES data=\"...\"".
 *   second    as fixed, after a first close of another connection with
 *             input unread: this close is the process's second hand-off,
 *             where the process asks its own descriptors about rings.
 * All print "close=RET close_ms=T" and the peer's line
 * "peer got=N pong=yes|no eof_early=yes|no".
 *
 * usage: uring fixed|inflight|second */
#include "../helpers/hx.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int peer_fd, inflight;
static volatile int closed_flag;
static char peer_line[256];

static const char *res_text(int res)
{
    static char b[2][48];
    static int k;
    k ^= 1;
    if (res >= 0)
        snprintf(b[k], sizeof b[k], "%d", res);
    else
        snprintf(b[k], sizeof b[k], "-%s", hx_errname(-res));
    return b[k];
}

/* Reads what is there now; returns 1 at end of stream or error. */
static int read_now(int fd, unsigned long long *got, int *pong)
{
    static char buf[65536];
    for (int i = 0; i < 100000; i++) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            *got += (unsigned long long)n;
            if (n >= 5 && memmem(buf, (size_t)n, "pong\n", 5))
                *pong = 1;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return !(n < 0 && errno == EAGAIN);
    }
    return 0;
}

static void *peer(void *arg)
{
    (void)arg;
    unsigned long long got = 0;
    int pong = 0, eof = 0, eof_early = 0;
    if (!inflight) {
        (void)!send(peer_fd, "early", 5, MSG_NOSIGNAL);
        while (!closed_flag)
            hx_sleep_ms(5);
    } else {
        (void)!send(peer_fd, "hello", 5, MSG_NOSIGNAL);
        while (!closed_flag)
            hx_sleep_ms(5);
        hx_sleep_ms(300);
        eof_early = eof = read_now(peer_fd, &got, &pong);
        (void)!send(peer_fd, "ping", 4, MSG_NOSIGNAL);
    }
    double stop = hx_now_ms() + 3000;
    while (!eof && !pong && hx_now_ms() < stop) {
        struct pollfd p = {peer_fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0)
            eof = read_now(peer_fd, &got, &pong);
    }
    snprintf(peer_line, sizeof peer_line, "peer got=%llu pong=%s eof_early=%s\n", got,
             pong ? "yes" : "no", eof_early ? "yes" : "no");
    return NULL;
}

static int wait_one(struct io_uring *ring, int *res)
{
    struct io_uring_cqe *cqe;
    struct __kernel_timespec ts = {2, 0};
    int r = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
    if (r < 0)
        return r;
    *res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return 0;
}

static void fill(int fd)
{
    static char buf[65536];
    memset(buf, 'f', sizeof buf);
    for (int i = 0, full = 0; i < 10000 && full < 3; i++) {
        ssize_t n = send(fd, buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) {
            full++;
            hx_sleep_ms(10);
        } else if (n < 0 && errno != EINTR) {
            hx_die("send fill");
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 ||
        (strcmp(argv[1], "fixed") && strcmp(argv[1], "inflight") && strcmp(argv[1], "second"))) {
        fprintf(stderr, "usage: uring fixed|inflight|second\n");
        return HX_SETUP_FAILED;
    }
    inflight = strcmp(argv[1], "inflight") == 0;
    int second = strcmp(argv[1], "second") == 0;
    hx_deadline(20);
    int port;
    int lfd = hx_listen(4, &port);
    peer_fd = hx_connect(4, port);
    int fd = hx_accept(lfd);
    int other = -1; /* second: the other connection's client end */
    if (second) {
        other = hx_connect(4, port);
        int first = hx_accept(lfd);
        (void)!send(other, "first", 5, MSG_NOSIGNAL);
        int inq = 0;
        for (int i = 0; i < 200 && inq < 5; i++) {
            ioctl(first, FIONREAD, &inq);
            hx_sleep_ms(5);
        }
        close(first); /* input unread: the process's first hand-off */
    }
    close(lfd);

    struct io_uring ring;
    int r = io_uring_queue_init(8, &ring, 0);
    if (r < 0) {
        printf("skip=io_uring_queue_init:%s\n", hx_errname(-r));
        return 0;
    }
    if (!inflight && (r = io_uring_register_files(&ring, &fd, 1)) < 0) {
        printf("skip=register_files:%s\n", hx_errname(-r));
        return 0;
    }
    pthread_t th;
    pthread_create(&th, NULL, peer, NULL);

    static char rbuf[64];
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 2000); /* the peer's first 5 bytes */
    if (inflight) {
        if (read(fd, rbuf, 5) != 5)
            hx_die("read hello");
    } else {
        int inq = 0;
        for (int i = 0; i < 200 && inq < 5; i++) {
            ioctl(fd, FIONREAD, &inq);
            hx_sleep_ms(5);
        }
    }
    fill(fd);
    struct io_uring_sqe *sqe;
    if (inflight) {
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_recv(sqe, fd, rbuf, sizeof rbuf, 0);
        io_uring_submit(&ring);
        struct io_uring_cqe *cqe;
        if (io_uring_peek_cqe(&ring, &cqe) == 0) {
            printf("setup: the recv completed at once (res=%d)\n", cqe->res);
            return HX_SETUP_FAILED;
        }
    }
    double t0 = hx_now_ms();
    int cr = close(fd);
    double ms = hx_now_ms() - t0;
    closed_flag = 1;
    printf("close=%d close_ms=%.1f\n", cr, ms);

    int rres = -ETIME, sres = -ETIME;
    memset(rbuf, 0, sizeof rbuf);
    if (inflight) {
        wait_one(&ring, &rres);
        printf("recv=%s ", res_text(rres));
        hx_print_escaped("data", rbuf, rres > 0 ? (size_t)rres : 0);
        printf("\n");
    } else {
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_recv(sqe, 0, rbuf, sizeof rbuf, MSG_DONTWAIT);
        sqe->flags |= IOSQE_FIXED_FILE;
        io_uring_submit(&ring);
        wait_one(&ring, &rres);
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_send(sqe, 0, "pong\n", 5, MSG_NOSIGNAL);
        sqe->flags |= IOSQE_FIXED_FILE;
        io_uring_submit(&ring);
        wait_one(&ring, &sres);
        printf("recv=%s ", res_text(rres));
        hx_print_escaped("data", rbuf, rres > 0 ? (size_t)rres : 0);
        printf(" send=%s\n", res_text(sres));
        fflush(stdout);
    }
    pthread_join(th, NULL);
    fputs(peer_line, stdout);
    if (!inflight)
        io_uring_unregister_files(&ring);
    if (other >= 0)
        close(other);
    io_uring_queue_exit(&ring);
    return 0;
}
