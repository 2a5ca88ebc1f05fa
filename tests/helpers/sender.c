/* sender - the closing side "A" of the seed scenario.
 *
 * Connects to the receiver, waits (so the receiver's greeting is queued,
 * unread), writes BYTES bytes and ends the connection the way MODE says,
 * without ever reading.  Prints "sent=N" before it ends the connection, and
 * for the modes that come back, "close=RET errno=NAME|unchanged close_ms=T"
 * after (errno is preset to a sentinel, so "unchanged" means left alone).
 *
 * usage: sender [-6] [-b BYTES] [-w MS] [-e MODE] PORT
 * MODE (default close):
 *   close       close(fd)
 *   linger0     SO_LINGER {1,0}, then close(fd): the program asks for a reset
 *   exit        exit(0) with the socket open
 *   exit-stdio  write through an fdopen() stream, exit(0) flushes its tail
 *   exit-stdout the socket becomes fd 1 (an inetd service's shape), written
 *               through stdout; exit(0) flushes its tail ("sent=" on stderr)
 *   return      return from main with the socket open
 *   _exit       _exit(0)             _Exit   _Exit(0)
 *   fclose      write through an fdopen() stream, fclose() it
 *   dup2        dup2(/dev/null, fd)  dup3   dup3(/dev/null, fd, O_CLOEXEC)
 *   close_range close_range(fd, ~0U, 0)
 *   closefrom   closefrom(fd) */
#include "hx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_bytes(int fd, size_t bytes)
{
    char *buf = malloc(bytes ? bytes : 1);
    int err;

    if (!buf)
        hx_die("malloc");
    memset(buf, 'x', bytes);
    size_t done = hx_send_all(fd, buf, bytes, &err);
    free(buf);
    printf("sent=%zu", done);
    if (err)
        printf(" send_error=%s", hx_errname(err));
    printf("\n");
    fflush(stdout);
    return err ? 1 : 0;
}

/* Writes through a stdio stream on the socket; the tail stays buffered. */
static FILE *send_stdio(int fd, size_t bytes)
{
    FILE *f = fdopen(fd, "w");

    if (!f)
        hx_die("fdopen");
    for (size_t i = 0; i < bytes; i++)
        if (putc('x', f) == EOF)
            break;
    printf("sent=%zu\n", bytes);
    fflush(stdout);
    return f;
}

#define SENTINEL 1234

/* errno is preset to SENTINEL before each end call: "unchanged" means untouched. */
static void report(const char *what, int ret, int err, double ms)
{
    printf("%s=%d errno=%s close_ms=%.1f\n", what, ret,
           err == SENTINEL ? "unchanged" : hx_errname(err), ms);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = "close";
    int family = 4, opt;
    long bytes = 1000000, wait_ms = 100;

    while ((opt = getopt(argc, argv, "6b:w:e:")) != -1) {
        switch (opt) {
        case '6': family = 6; break;
        case 'b': bytes = hx_arg_long(optarg, "bytes"); break;
        case 'w': wait_ms = hx_arg_long(optarg, "wait"); break;
        case 'e': mode = optarg; break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: sender [-6] [-b BYTES] [-w MS] [-e MODE] PORT\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(30);
    int fd = hx_connect(family, (int)hx_arg_long(argv[optind], "port"));
    hx_sleep_ms(wait_ms);

    if (strcmp(mode, "exit-stdout") == 0) {
        if (dup2(fd, 1) < 0)
            hx_die("dup2");
        close(fd);
        for (long i = 0; i < bytes; i++)
            if (putchar('x') == EOF)
                break;
        fprintf(stderr, "sent=%ld\n", bytes);
        exit(0);
    }
    if (strcmp(mode, "fclose") == 0 || strcmp(mode, "exit-stdio") == 0) {
        FILE *f = send_stdio(fd, (size_t)bytes);
        if (mode[0] == 'e')
            exit(0);
        errno = SENTINEL;
        double t0 = hx_now_ms();
        int r = fclose(f), e = errno;
        report("fclose", r, e, hx_now_ms() - t0);
        return 0;
    }

    int status = send_bytes(fd, (size_t)bytes);
    /* Only the dup modes open /dev/null: a program whose socket is fd 0
     * then has fd 3 free (see the seed test with stdin closed). */
    int devnull = -1;
    if (strncmp(mode, "dup", 3) == 0 && (devnull = open("/dev/null", O_WRONLY)) < 0)
        hx_die("open /dev/null");
    errno = SENTINEL;
    double t0 = hx_now_ms();
    int r, e;

    if (strcmp(mode, "close") == 0 || strcmp(mode, "linger0") == 0) {
        if (mode[0] == 'l') {
            struct linger lg = {1, 0};
            if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
                hx_die("SO_LINGER");
            errno = SENTINEL;
        }
        r = close(fd);
        e = errno;
        report("close", r, e, hx_now_ms() - t0);
    } else if (strcmp(mode, "exit") == 0) {
        exit(status);
    } else if (strcmp(mode, "return") == 0) {
        return status;
    } else if (strcmp(mode, "_exit") == 0) {
        _exit(status);
    } else if (strcmp(mode, "_Exit") == 0) {
        _Exit(status);
    } else if (strcmp(mode, "dup2") == 0) {
        r = dup2(devnull, fd);
        e = errno;
        report("dup2", r < 0 ? r : 0, e, hx_now_ms() - t0);
    } else if (strcmp(mode, "dup3") == 0) {
        r = dup3(devnull, fd, O_CLOEXEC);
        e = errno;
        report("dup3", r < 0 ? r : 0, e, hx_now_ms() - t0);
    } else if (strcmp(mode, "close_range") == 0) {
        if (devnull > fd) { /* keep /dev/null out of the range */
            close(devnull);
            devnull = -1;
        }
        r = close_range((unsigned)fd, ~0U, 0);
        e = errno;
        report("close_range", r, e, hx_now_ms() - t0);
    } else if (strcmp(mode, "closefrom") == 0) {
        if (devnull > fd) {
            close(devnull);
            devnull = -1;
        }
        closefrom(fd);
        report("closefrom", 0, errno, hx_now_ms() - t0);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return HX_SETUP_FAILED;
    }
    return status;
}
