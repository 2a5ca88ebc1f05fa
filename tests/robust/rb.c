/* rb.c - in-process loopback pairs, bounded reads and guarded alternate
 * signal stacks for tests/robust. */
#include "rb.h"

#include "hx.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

void rb_pair(int *c, int *s)
{
    int port, l = hx_listen(4, &port);

    *c = hx_connect(4, port);
    *s = hx_accept(l);
    close(l);
}

size_t rb_read_for(int fd, char *buf, size_t want, long ms, const char **end)
{
    static char err[40];
    double stop = hx_now_ms() + (double)ms;
    size_t got = 0;

    *end = "timeout";
    while (got < want) {
        double left = stop - hx_now_ms();
        if (left <= 0)
            return got;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left + 1) <= 0)
            continue; /* EINTR or time up: the loop re-checks the clock */
        ssize_t n = recv(fd, buf + got, want - got, 0);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            *end = "eof";
        else if (errno == ECONNRESET)
            *end = "reset";
        else {
            snprintf(err, sizeof err, "error:%s", hx_errname(errno));
            *end = err;
        }
        return got;
    }
    *end = "full";
    return got;
}

size_t rb_guarded_altstack(size_t size, int sig, void (*fn)(int))
{
    long pg = sysconf(_SC_PAGESIZE);
    size = (size + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
    unsigned char *m = mmap(NULL, (size_t)pg + size, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m, (size_t)pg, PROT_NONE) < 0)
        hx_die("mmap altstack");
    stack_t ss = {.ss_sp = m + pg, .ss_size = size};
    struct sigaction sa = {.sa_handler = fn, .sa_flags = SA_ONSTACK};
    if (sigaltstack(&ss, NULL) < 0 || sigaction(sig, &sa, NULL) < 0)
        hx_die("altstack setup");
    return size;
}
