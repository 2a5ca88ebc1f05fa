/* forkclose - two threads closing connected sockets while a third forks.
 *
 * Each closer thread makes connected TCP pairs with unread input and closes
 * both ends, ROUNDS times; the forker forks ROUNDS times, the child calling
 * _exit(0) at once.  Everything must finish (watchdog: exit 3), every close
 * must return 0 with errno untouched, and no descriptor may leak.  Prints
 *     closes=N forks=F bad=B leaked=L ms=T
 *
 * usage: forkclose [ROUNDS] */
#include "hx.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WATCHDOG_SECS 40
#define SENTINEL 1234

static long rounds = 200;
static int port;
static int lfd;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static int closes, bad, forks;

/* Both threads accept on one listener: pair each connect with its accept. */
static void make_pair(int *c, int *a)
{
    pthread_mutex_lock(&accept_lock);
    *c = hx_connect(4, port);
    *a = hx_accept(lfd);
    pthread_mutex_unlock(&accept_lock);
}

static void checked_close(int fd)
{
    errno = SENTINEL;
    int r = close(fd);
    if (r != 0 || errno != SENTINEL)
        __atomic_add_fetch(&bad, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&closes, 1, __ATOMIC_SEQ_CST);
}

static void *closer(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        int c, a;
        make_pair(&c, &a);
        if (write(c, "ping", 4) != 4 || write(a, "pong", 4) != 4)
            hx_die("write");
        checked_close(a);
        checked_close(c);
    }
    return NULL;
}

static void *forker(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0 || waitpid(pid, NULL, 0) != pid)
            __atomic_add_fetch(&bad, 1, __ATOMIC_SEQ_CST);
        else
            __atomic_add_fetch(&forks, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void *watchdog(void *arg)
{
    (void)arg;
    sleep(WATCHDOG_SECS);
    static const char msg[] = "forkclose: watchdog fired (deadlock?)\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
    _exit(3);
}

int main(int argc, char **argv)
{
    pthread_t t[3], wd;

    if (argc > 1)
        rounds = hx_arg_long(argv[1], "rounds");
    if (pthread_create(&wd, NULL, watchdog, NULL) != 0)
        hx_die("pthread_create");
    lfd = hx_listen(4, &port);
    int base = hx_count_fds();
    double t0 = hx_now_ms();

    if (pthread_create(&t[0], NULL, closer, NULL) || pthread_create(&t[1], NULL, closer, NULL) ||
        pthread_create(&t[2], NULL, forker, NULL))
        hx_die("pthread_create");
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    int leaked = hx_count_fds_settled(base, 3000) - base;

    printf("closes=%d forks=%d bad=%d leaked=%d ms=%.0f\n", closes, forks, bad, leaked,
           hx_now_ms() - t0);
    return bad || leaked || forks != rounds ? 1 : 0;
}
