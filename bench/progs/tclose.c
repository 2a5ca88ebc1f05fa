/* tclose - times close() of connected TCP sockets, for rows 2 and 3.
 *
 * Connects to a peer (bench/progs/peer) in batches, brings every socket of
 * the batch into the state CASE names, then closes them one by one and
 * prints the time each close() took ("us=T", CLOCK_MONOTONIC around the
 * call alone).  The close loop sits between two access() markers so strace
 * output can be cut to it.
 *   peerclosed  the peer has closed (its FIN arrived; nothing unread)
 *   idle        greeting read, 100 bytes sent and acknowledged, then the
 *               peer stays quiet for WAIT ms (longer than the idle time)
 *   unread      the peer's greeting is still unread (peer: sit -g 1000)
 *   sending     the peer is still sending (peer: flood)
 * Stops after N closes or once BUDGET ms have gone; then it leaves with
 * exit_group() directly so that no exit-time handling adds to the run.
 *
 * usage: tclose CASE PORT N BUDGET_MS [WAIT_MS] */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BATCH 20

/* Waits until fd has 'want' unread bytes (or the peer's FIN when want is 0). */
static int wait_state(int fd, int want, long ms)
{
    double end = bx_now_ms() + (double)ms;

    while (bx_now_ms() < end) {
        struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
        poll(&p, 1, 5);
        if (want == 0 && (p.revents & (POLLRDHUP | POLLHUP)))
            return 0;
        if (want > 0 && bx_inq(fd) >= want)
            return 0;
    }
    return -1;
}

static double times[BATCH];
static int ntimes;

/* Printed after the close loop so that stdio's write() is not inside it. */
static void flush_times(void)
{
    for (int i = 0; i < ntimes; i++)
        printf("us=%.2f\n", times[i]);
    ntimes = 0;
}

static void leave(void)
{
    flush_times();
    fflush(stdout);
    syscall(SYS_exit_group, 0);
}

int main(int argc, char **argv)
{
    static char buf[4096];
    int fds[BATCH];

    if (argc < 5) {
        fprintf(stderr, "usage: tclose CASE PORT N BUDGET_MS [WAIT_MS]\n");
        return 90;
    }
    const char *cs = argv[1];
    int port = (int)bx_arg(argv[2], "port");
    long n = bx_arg(argv[3], "N"), budget = bx_arg(argv[4], "budget");
    long wait = argc > 5 ? bx_arg(argv[5], "wait") : 700;
    alarm((unsigned)(budget / 1000 + wait / 1000 + 60));
    double start = bx_now_ms();
    long done = 0;

    while (done < n && bx_now_ms() - start < (double)budget) {
        int k = n - done < BATCH ? (int)(n - done) : BATCH;
        for (int i = 0; i < k; i++) {
            fds[i] = bx_connect(port);
            if (fds[i] < 0)
                bx_die("connect");
        }
        for (int i = 0; i < k; i++) {
            int err = 0, r = 0;
            if (!strcmp(cs, "peerclosed")) {
                r = wait_state(fds[i], 0, 2000);
            } else if (!strcmp(cs, "idle")) {
                /* read the greeting, send a request the peer reads */
                if (wait_state(fds[i], 100, 2000) == 0)
                    recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
                bx_send_all(fds[i], buf, 100, &err);
            } else if (!strcmp(cs, "unread")) {
                r = wait_state(fds[i], 1000, 2000);
            } else if (!strcmp(cs, "sending")) {
                r = wait_state(fds[i], 1, 2000);
            } else {
                fprintf(stderr, "tclose: unknown case %s\n", cs);
                return 90;
            }
            if (r < 0 || err)
                fprintf(stderr, "tclose: socket %d not in state %s\n", i, cs);
        }
        if (!strcmp(cs, "idle"))
            bx_sleep_ms(wait);
        bx_mark("begin");
        for (int i = 0; i < k; i++) {
            double t0 = bx_now_us();
            close(fds[i]);
            double t1 = bx_now_us();
            times[ntimes++] = t1 - t0;
            done++;
            if (t1 / 1000 - start >= (double)budget) {
                bx_mark("end");
                leave(); /* the kernel closes the rest */
            }
        }
        bx_mark("end");
        flush_times();
    }
    leave();
}
