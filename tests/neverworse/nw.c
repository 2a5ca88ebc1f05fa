/* nw.c - transcript printing and small socket helpers of the "never worse"
 * scenario programs. */
#include "nw.h"

#include "hx.h"

#include <signal.h>
#include <stdio.h>

void nw_mark(void)
{
    errno = NW_ERRNO_MARK;
}

void nw_report(const char *name, long ret)
{
    int e = errno;

    printf("%s=%ld errno=%s\n", name, ret, hx_errname(e));
    fflush(stdout);
    errno = e;
}

int nw_connect_arg(int family, const char *port)
{
    return hx_connect(family, (int)hx_arg_long(port, "port"));
}

void nw_ignore_sigpipe(void)
{
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        hx_die("signal");
}
