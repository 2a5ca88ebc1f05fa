/* reset_close - close() of a forked socket (a child was forked after it
 * was made, and has exited) in cases where no graceful close is due, so
 * nothing needs to know who else holds it:
 *   linger0  the program set SO_LINGER {1,0}: it asks for a reset
 *   plain    nothing special (run it with GRACECLOSE_POLICY=off)
 *   atstake  the peer has closed, nothing is unread or unacknowledged
 * The peer's bytes wait unread in the first two.  The close is bracketed by
 * two failing opens of /gc-robust-marker/before and .../after, so a trace
 * shows what the close itself opened.  Prints "peer_end=E".
 * usage: reset_close linger0|plain|atstake */
#include "hx.h"
#include "rb.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void marker(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    int c, s;
    char buf[64];
    const char *end;

    hx_deadline(10);
    if (argc != 2)
        return HX_SETUP_FAILED;
    const char *mode = argv[1];
    rb_pair(&c, &s);
    if (strcmp(mode, "atstake") == 0) {
        shutdown(s, SHUT_WR);
    } else if (write(s, "unread", 6) != 6) {
        hx_die("write");
    }
    pid_t p = fork(); /* the socket becomes a forked one */
    if (p == 0)
        _exit(0);
    if (p < 0 || waitpid(p, NULL, 0) != p)
        hx_die("fork");
    if (strcmp(mode, "linger0") == 0) {
        struct linger lg = {1, 0};
        if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
            hx_die("SO_LINGER");
    }
    hx_sleep_ms(20);

    marker("/gc-robust-marker/before");
    if (close(c) != 0)
        perror("close");
    marker("/gc-robust-marker/after");

    rb_read_for(s, buf, sizeof buf, 2000, &end);
    printf("peer_end=%s\n", end);
    return 0;
}
