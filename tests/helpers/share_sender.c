/* share_sender - a sender whose socket has a second holder when one copy closes.
 *
 * Connects to the receiver and waits for its greeting to arrive (unread).
 *   dup, dup2, dup3, dupfd, dupfd-cloexec: makes a second descriptor that
 *     way, closes the original, writes BYTES through the copy, closes it.
 *   fork: the parent closes its copy at once; the child then reads the
 *     greeting (with read(), so a drain by the parent would show as a missing
 *     greeting), writes BYTES and closes.
 * Prints "fds=FIRST,SECOND" (descriptor numbers: the first copy closed, the
 * one that goes on), "first_close=RET close_ms=T" for the close of the first copy,
 * "greeting=..." (fork), "sent=N [send_error=E]" and "last_close=RET close_ms=T".
 *
 * usage: share_sender [-b BYTES] MODE PORT */
#include "hx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static double timed_close(int fd, int *ret)
{
    double t0 = hx_now_ms();
    *ret = close(fd);
    return hx_now_ms() - t0;
}

static int write_and_close(int fd, size_t bytes)
{
    char *buf = malloc(bytes);
    int err, r;

    if (!buf)
        hx_die("malloc");
    memset(buf, 'x', bytes);
    size_t sent = hx_send_all(fd, buf, bytes, &err);
    printf("sent=%zu", sent);
    if (err)
        printf(" send_error=%s", hx_errname(err));
    double ms = timed_close(fd, &r);
    printf("\nlast_close=%d close_ms=%.1f\n", r, ms);
    fflush(stdout);
    free(buf);
    return err ? 1 : 0;
}

static int second_copy(const char *mode, int fd)
{
    if (strcmp(mode, "dup") == 0)
        return dup(fd);
    if (strcmp(mode, "dup2") == 0)
        return dup2(fd, fd + 10);
    if (strcmp(mode, "dup3") == 0)
        return dup3(fd, fd + 11, O_CLOEXEC);
    if (strcmp(mode, "dupfd") == 0)
        return fcntl(fd, F_DUPFD, 20);
    if (strcmp(mode, "dupfd-cloexec") == 0)
        return fcntl(fd, F_DUPFD_CLOEXEC, 30);
    fprintf(stderr, "unknown mode %s\n", mode);
    exit(HX_SETUP_FAILED);
}

/* Parent closes its copy first; the child goes on talking afterwards. */
static int run_fork(int fd, size_t bytes)
{
    int go[2], r;
    char c, greeting[256];

    if (pipe(go) < 0)
        hx_die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        hx_die("fork");
    if (pid == 0) {
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(HX_SETUP_FAILED);
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n = poll(&p, 1, 2000) == 1 ? read(fd, greeting, sizeof greeting) : 0;
        hx_print_escaped("greeting", greeting, n > 0 ? (size_t)n : 0);
        printf("\n");
        exit(write_and_close(fd, bytes));
    }
    close(go[0]);
    printf("fds=%d,%d\n", fd, fd);
    double ms = timed_close(fd, &r);
    printf("first_close=%d close_ms=%.1f\n", r, ms);
    fflush(stdout);
    if (write(go[1], "g", 1) != 1)
        hx_die("write go");
    int status;
    if (waitpid(pid, &status, 0) < 0)
        hx_die("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
    long bytes = 1000000;
    int opt, r;

    while ((opt = getopt(argc, argv, "b:")) != -1) {
        if (opt != 'b')
            return HX_SETUP_FAILED;
        bytes = hx_arg_long(optarg, "bytes");
    }
    if (optind + 2 != argc) {
        fprintf(stderr, "usage: share_sender [-b BYTES] MODE PORT\n");
        return HX_SETUP_FAILED;
    }
    const char *mode = argv[optind];
    hx_deadline(30);
    int fd = hx_connect(4, (int)hx_arg_long(argv[optind + 1], "port"));
    hx_sleep_ms(100);

    if (strcmp(mode, "fork") == 0)
        return run_fork(fd, (size_t)bytes);
    int copy = second_copy(mode, fd);
    if (copy < 0)
        hx_die(mode);
    printf("fds=%d,%d\n", fd, copy);
    double ms = timed_close(fd, &r);
    printf("first_close=%d close_ms=%.1f\n", r, ms);
    return write_and_close(copy, (size_t)bytes);
}
