/* epollreuse - the closed number is reused at once; nothing of the old
 * socket may reach the program afterwards (issue 8).  The peer is lpeer.
 *
 * Connects "A 0 upload 0 HOLD" (the peer keeps sending), and, by MODE:
 *   epoll  registers A in an epoll set (EPOLLIN, level-triggered,
 *          data.fd = A) and reads it from an epoll loop for 100 ms;
 *   async  sets O_ASYNC with F_SETOWN = this process (SIGIO counted by a
 *          handler) and reads it for 100 ms;
 * then closes A while the peer is still sending (input unread), and at once
 * opens a "C" connection, which gets the same number (the lowest free one);
 * in epoll mode registers C (data.fd = C).  For 1.5 s it then reads C from
 * the epoll loop (or polls it), counting:
 *   stale  events that name C's number but find nothing to read on C (they
 *          belong to the old socket), or SIGIOs after the close
 *   got    bytes read on C (the peer sends 10,000 of 'c')
 * Prints "close ret=R ms=T", "reuse=yes|no", "events=N stale=N got=N bad=N"
 * (bad: bytes on C that are not 'c').
 *
 * usage: epollreuse epoll|async PORT */
#include "../helpers/hx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t sigios;
static void on_sigio(int s) { (void)s; sigios++; }

static int connect_hello(int port, const char *hello)
{
    int fd = hx_connect(4, port), err;
    hx_send_all(fd, hello, strlen(hello), &err);
    if (err)
        hx_die("hello");
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "epoll") && strcmp(argv[1], "async"))) {
        fprintf(stderr, "usage: epollreuse epoll|async PORT\n");
        return HX_SETUP_FAILED;
    }
    int use_epoll = strcmp(argv[1], "epoll") == 0;
    int port = (int)hx_arg_long(argv[2], "port");
    hx_deadline(20);
    signal(SIGPIPE, SIG_IGN);
    static char buf[65536];
    int ep = -1;
    if (use_epoll && (ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        hx_die("epoll_create1");
    int a = connect_hello(port, "A 0 upload 0 1500\n");
    if (use_epoll) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = a};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) < 0)
            hx_die("epoll_ctl add A");
    } else {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigio;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGIO, &sa, NULL);
        if (fcntl(a, F_SETOWN, getpid()) < 0 || fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_ASYNC) < 0)
            hx_die("O_ASYNC");
    }
    /* The loop runs a little on A: the peer's data flows. */
    double stop = hx_now_ms() + 100;
    while (hx_now_ms() < stop) {
        if (use_epoll) {
            struct epoll_event ev;
            if (epoll_wait(ep, &ev, 1, 10) == 1)
                (void)!recv(ev.data.fd, buf, 4096, MSG_DONTWAIT);
        } else {
            struct pollfd p = {a, POLLIN, 0};
            if (poll(&p, 1, 10) == 1)
                (void)!recv(a, buf, 4096, MSG_DONTWAIT);
        }
    }
    hx_sleep_ms(30); /* unread input queued at the close */
    double t0 = hx_now_ms();
    int r = close(a);
    double ms = hx_now_ms() - t0;
    int sig_at_close = sigios;
    int c = connect_hello(port, "C\n");
    printf("close ret=%d ms=%.1f\nreuse=%s\n", r, ms, c == a ? "yes" : "no");
    fflush(stdout);
    if (use_epoll) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0)
            hx_die("epoll_ctl add C");
    }
    long events = 0, stale = 0, got = 0, bad = 0;
    int c_open = 1;
    stop = hx_now_ms() + 1500;
    while (hx_now_ms() < stop && events < 100000) {
        int fd = -1;
        if (use_epoll) {
            struct epoll_event ev;
            if (epoll_wait(ep, &ev, 1, 20) != 1)
                continue;
            fd = ev.data.fd;
        } else {
            struct pollfd p = {c, POLLIN, 0};
            if (!c_open || poll(&p, 1, 20) != 1) {
                if (!c_open)
                    hx_sleep_ms(20);
                continue;
            }
            fd = c;
        }
        events++;
        if (fd != c || !c_open) {
            stale++;
            continue;
        }
        ssize_t k = recv(c, buf, sizeof buf, MSG_DONTWAIT);
        if (k > 0) {
            got += k;
            for (ssize_t i = 0; i < k; i++)
                bad += buf[i] != 'c';
        } else if (k < 0 && errno == EAGAIN) {
            stale++;
        } else {
            /* C ended (the peer closes after its 10,000 bytes): stop watching it */
            if (use_epoll)
                epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL);
            c_open = 0;
        }
    }
    if (!use_epoll)
        stale += sigios - sig_at_close;
    printf("events=%ld stale=%ld got=%ld bad=%ld sigio_after_close=%d\n", events, stale, got, bad,
           (int)(sigios - sig_at_close));
    return 0;
}
