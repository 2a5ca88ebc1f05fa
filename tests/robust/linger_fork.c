/* linger_fork - one thread closes a connection whose peer (another process)
 * sent a line we never read and never closes, so a graceful close lingers
 * up to its idle time; 100 ms later another thread forks a child that
 * execs /bin/true.  The fork gives the socket another holder, so the close
 * must stop lingering and return at once.
 *   fork    as above;   nofork  the same without the fork (the close lingers)
 * With "fill" we first write until the buffers are full (the peer reads
 * nothing), so the linger is still waiting for acknowledgements, not for
 * the idle time, when the fork comes.
 * Prints "close_ms=T fork_ms=F child=S": T the whole close() call, F when
 * the fork returned (both from the start of the close; F=-1 for nofork).
 * usage: linger_fork PORT fork|nofork [fill] */
#include "hx.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int conn;
static double close_start, close_ms;

static void *closer(void *arg)
{
    (void)arg;
    close_start = hx_now_ms();
    if (close(conn) != 0)
        perror("close");
    close_ms = hx_now_ms() - close_start;
    return NULL;
}

/* Writes until the peer's window and our buffer are full (bounded). */
static void fill(int fd)
{
    static char buf[65536];
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        hx_die("O_NONBLOCK");
    for (int i = 0; i < 1000; i++)
        if (send(fd, buf, sizeof buf, MSG_NOSIGNAL) < 0) {
            if (errno == EAGAIN)
                break;
            hx_die("send");
        }
    if (fcntl(fd, F_SETFL, fl) < 0)
        hx_die("O_NONBLOCK off");
}

int main(int argc, char **argv)
{
    pthread_t t;
    double fork_ms = -1;
    int status = -1;

    hx_deadline(15);
    if (argc != 3 && argc != 4)
        return HX_SETUP_FAILED;
    int do_fork = strcmp(argv[2], "fork") == 0;
    conn = hx_connect(4, (int)hx_arg_long(argv[1], "port"));
    if (write(conn, "req\n", 4) != 4)
        hx_die("write");
    if (argc == 4 && strcmp(argv[3], "fill") == 0)
        fill(conn);
    hx_sleep_ms(50); /* the peer's line is queued, unread */
    if (pthread_create(&t, NULL, closer, NULL) != 0)
        hx_die("pthread_create");
    hx_sleep_ms(100);
    if (do_fork) {
        pid_t p = fork();
        if (p == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        fork_ms = hx_now_ms() - close_start;
        if (p < 0 || waitpid(p, &status, 0) != p)
            hx_die("fork");
    }
    pthread_join(t, NULL);
    printf("close_ms=%.0f fork_ms=%.0f child=%d\n", close_ms, fork_ms,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
