/* as_service - runs a command the inetd way: its stderr (fd 2) is a TCP
 * connection to 127.0.0.1:PORT.  Whatever the command writes on fd 2 reaches
 * that peer.  The connection is made here, before exec, without any preload;
 * put the preload in COMMAND's environment (e.g. with env).
 *
 * usage: as_service PORT COMMAND [ARG...] */
#include "hx.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: as_service PORT COMMAND [ARG...]\n");
        return HX_SETUP_FAILED;
    }
    int fd = hx_connect(4, (int)hx_arg_long(argv[1], "port"));
    if (dup2(fd, 2) < 0)
        hx_die("dup2");
    close(fd);
    execvp(argv[2], argv + 2);
    hx_die("execvp");
}
