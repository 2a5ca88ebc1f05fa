/* fcloseall_keep - glibc's fcloseall() flushes every stream but closes no
 * descriptor: a socket written through an fdopen() stream must stay usable.
 * Prints "fcloseall=R open=yes|no write=N|ENAME peer_end=E peer=\"...\"".
 * usage: fcloseall_keep */
#include "hx.h"
#include "rb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int c, s;
    char got[64];
    const char *end;

    hx_deadline(10);
    signal(SIGPIPE, SIG_IGN);
    rb_pair(&c, &s);
    FILE *f = fdopen(c, "w");
    if (!f)
        hx_die("fdopen");
    fputs("via-stream\n", f);
    int r = fcloseall();
    int open_after = fcntl(c, F_GETFD) >= 0;
    ssize_t w = write(c, "after\n", 6);
    int werr = errno;
    size_t n = rb_read_for(s, got, 17, 2000, &end);
    printf("fcloseall=%d open=%s write=%s peer_end=%s ", r, open_after ? "yes" : "no",
           w == 6 ? "6" : hx_errname(werr), end);
    hx_print_escaped("peer", got, n);
    printf("\n");
    return 0;
}
