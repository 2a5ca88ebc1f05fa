/* holdcommon.c - see holdcommon.h. */
#include "holdcommon.h"
#include "../helpers/hx.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* Reads the greeting with read() (a drain by someone else shows as "none"). */
void read_greeting(int fd, const char *who)
{
    char buf[256];
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t n = 0;

    if (poll(&p, 1, 2000) == 1)
        n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    printf("%s ", who);
    hx_print_escaped("greeting", buf, n > 0 ? (size_t)n : 0);
    printf("\n");
    fflush(stdout);
}

/* Writes TAG then BYTES of 'x'; reports how it went. */
int write_tagged(int fd, const char *who, const char *tag, long n)
{
    int err = 0;
    size_t len = strlen(tag) + (size_t)n;
    char *buf = malloc(len + 1);

    if (!buf)
        hx_die("malloc");
    strcpy(buf, tag);
    memset(buf + strlen(tag), 'x', (size_t)n);
    size_t done = hx_send_all(fd, buf, len, &err);
    free(buf);
    printf("%s sent=%zu send=%s\n", who, done, err ? hx_errname(err) : "ok");
    fflush(stdout);
    return err ? 1 : 0;
}

void wait_child(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) < 0)
        hx_die("waitpid");
}

void await_greeting(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 2000);
}
