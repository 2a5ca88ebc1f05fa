/* sigclose - close() from a signal handler while the main loop closes too.
 *
 * A fast SIGALRM timer interrupts the main loop, which keeps making connected
 * TCP pairs with unread input and closing them (so the library's graceful
 * path is running when the signal lands).  The handler closes whatever socket
 * the main loop has parked in a slot; an atomic exchange decides who closes
 * it, so every socket is closed exactly once.  Prints
 *     rounds=N signals=S handler_closes=H main_closes=M bad=B leaked=L ms=T
 * and exits 0; a deadlock is caught by the watchdog (exit 3).
 *
 * usage: sigclose [ROUNDS] */
#include "hx.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_SIGNALS 20000
#define MAX_ROUNDS 50000
#define WATCHDOG_SECS 40
#define SENTINEL 1234

static int slot = -1;
static volatile sig_atomic_t signals, handler_closes, handler_bad;

static void on_alarm(int sig)
{
    (void)sig;
    int saved = errno;
    int fd = __atomic_exchange_n(&slot, -1, __ATOMIC_SEQ_CST);

    if (fd >= 0) {
        errno = SENTINEL;
        if (close(fd) != 0 || errno != SENTINEL)
            handler_bad++;
        handler_closes++;
    }
    if (++signals >= MAX_SIGNALS) {
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &off, NULL);
    }
    errno = saved;
}

static void *watchdog(void *arg)
{
    (void)arg;
    sleep(WATCHDOG_SECS);
    static const char msg[] = "sigclose: watchdog fired (deadlock?)\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
    _exit(3);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? hx_arg_long(argv[1], "rounds") : 300;
    int port, main_closes = 0, main_bad = 0;
    sigset_t block;
    pthread_t wd;

    /* The watchdog thread must never take SIGALRM. */
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    if (pthread_create(&wd, NULL, watchdog, NULL) != 0)
        hx_die("pthread_create");
    pthread_sigmask(SIG_UNBLOCK, &block, NULL);

    int lfd = hx_listen(4, &port);
    int base = hx_count_fds();
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval fast = {{0, 500}, {0, 500}};
    setitimer(ITIMER_REAL, &fast, NULL);
    double t0 = hx_now_ms();

    /* At least 'rounds' rounds and 20 closes by the handler; at most
     * MAX_ROUNDS rounds or 15 s. */
    long i;
    for (i = 0; i < MAX_ROUNDS && hx_now_ms() - t0 < 15000; i++) {
        if (i >= rounds && handler_closes >= 20)
            break;
        int c = hx_connect(4, port);
        int a = hx_accept(lfd);
        if (write(c, "ping", 4) != 4 || write(a, "pong", 4) != 4)
            hx_die("write");
        /* Park one end for the handler; close the other right here. */
        __atomic_store_n(&slot, c, __ATOMIC_SEQ_CST);
        errno = SENTINEL;
        if (close(a) != 0 || errno != SENTINEL)
            main_bad++;
        main_closes++;
        int left = __atomic_exchange_n(&slot, -1, __ATOMIC_SEQ_CST);
        if (left >= 0) {
            errno = SENTINEL;
            if (close(left) != 0 || errno != SENTINEL)
                main_bad++;
            main_closes++;
        }
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    int leaked = hx_count_fds_settled(base, 3000) - base;

    printf("rounds=%ld signals=%d handler_closes=%d main_closes=%d bad=%d leaked=%d ms=%.0f\n",
           i, (int)signals, (int)handler_closes, main_closes, main_bad + (int)handler_bad,
           leaked, hx_now_ms() - t0);
    return main_bad + handler_bad + leaked ? 1 : 0;
}
