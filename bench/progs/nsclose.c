/* nsclose - closes N regular files or N pipe ends, for row 1.
 *
 * The closes happen inside close_all(), which callgrind counts on its own
 * (--toggle-collect=close_all), between two access() markers that cut the
 * strace output.  One close of each kind is done first, outside the
 * measured part, so one-time set-up in a preloaded library is not counted.
 *
 * usage: nsclose file|pipe N */
#include "bx.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) void close_all(const int *fds, int n)
{
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

static void open_some(const char *kind, const char *self, int *fds, int n)
{
    for (int i = 0; i < n; i += 2) {
        if (strcmp(kind, "pipe") == 0) {
            if (pipe(fds + i) < 0)
                bx_die("pipe");
        } else {
            fds[i] = open(self, O_RDONLY | O_CLOEXEC);
            fds[i + 1] = open(self, O_RDONLY | O_CLOEXEC);
            if (fds[i] < 0 || fds[i + 1] < 0)
                bx_die("open");
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: nsclose file|pipe N\n");
        return 90;
    }
    int n = (int)bx_arg(argv[2], "N") & ~1;
    int *fds = calloc((size_t)n + 2, sizeof *fds);
    if (!fds || n <= 0)
        bx_die("calloc");
    bx_nofile(n + 64);
    alarm(120);

    open_some(argv[1], "/proc/self/exe", fds, 2); /* warm-up pair, not measured */
    close(fds[0]);
    close(fds[1]);
    open_some(argv[1], "/proc/self/exe", fds, n);
    bx_mark("begin");
    close_all(fds, n);
    bx_mark("end");
    return 0;
}
