/* holder - a connection that another process keeps using after one holder
 * lets go of it.  The peer is the core "receiver" (it greets and counts).
 *
 * Connects to 127.0.0.1:PORT and waits (at most 2 s) for the greeting to
 * arrive, unread.  Then, by MODE:
 *   fork        fork; the parent closes its copy at once (greeting unread);
 *               the child reads the greeting, writes "child\n" + BYTES, closes
 *   child-dup2  fork; the child discards its copy with dup2(/dev/null) and
 *               exits; the parent then reads the greeting, writes BYTES, and
 *               300 ms later "late\n", and closes
 *   child-exit  the same, but the child simply exits holding its copy
 *   daemon      daemon(1, 1): the original process exits, the daemon reads
 *               the greeting, writes "daemon\n" + BYTES, closes
 *   system      reads the greeting, writes "early\n", system() starts a
 *               background shell writing "late\n" to fd 3 after 300 ms; the
 *               program closes fd 3 at once and exits
 *   popen       the same with popen() and pclose()
 *   vfork       reads the greeting, writes "early\n", vfork + exec of
 *               sh -c 'sleep 0.2; echo from-child' with the socket as stdout;
 *               the parent closes its copy at once and waits
 *   orphan      reads the greeting, forks a child that forks a grandchild
 *               and exits at once (the grandchild is orphaned, as with a
 *               double fork or "cmd &" in a shell); the grandchild writes
 *               "late\n" after 300 ms; the parent closes its copy as soon as
 *               the child is gone, and exits
 *   vfork-exit  writes BYTES with the greeting unread, vfork()s a child whose
 *               exec fails and which calls _exit(127), then closes: the
 *               child must leave the socket and the library's tables alone,
 *               so the parent's close is the one that ends the connection
 *   noclose     calls that close nothing: dup2(fd, fd) and
 *               close_range(fd, ~0U, CLOSE_RANGE_CLOEXEC); then reads the
 *               greeting, writes "after\n" + BYTES, closes
 * Prints what each process saw ("greeting=...", "sent=N send=...", ...).
 * (Hand-overs with SCM_RIGHTS are in passfd.c.)
 *
 * usage: holder [-b BYTES] MODE PORT */
#include "../helpers/hx.h"
#include "holdcommon.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/wait.h>
#include <unistd.h>

static long bytes = 100000;

/* Puts the socket on fd 3 (shells write to it with >&3). */
static int on_fd3(int fd)
{
    if (fd == 3)
        return fd;
    if (dup2(fd, 3) < 0)
        hx_die("dup2 3");
    close(fd);
    return 3;
}

static int mode_fork(int fd)
{
    pid_t pid = fork();
    if (pid < 0)
        hx_die("fork");
    if (pid == 0) {
        hx_sleep_ms(150);
        read_greeting(fd, "child");
        int st = write_tagged(fd, "child", "child\n", bytes);
        printf("child close=%d\n", close(fd));
        exit(st);
    }
    printf("parent close=%d\n", close(fd));
    fflush(stdout);
    wait_child(pid);
    return 0;
}

static int mode_child_gone(int fd, int use_dup2)
{
    pid_t pid = fork();
    if (pid < 0)
        hx_die("fork");
    if (pid == 0) {
        if (use_dup2) {
            int null = open("/dev/null", O_RDWR);
            if (null < 0 || dup2(null, fd) < 0)
                _exit(HX_SETUP_FAILED);
        }
        exit(0);
    }
    wait_child(pid);
    read_greeting(fd, "parent");
    int st = write_tagged(fd, "parent", "", bytes);
    hx_sleep_ms(300);
    st |= write_tagged(fd, "parent", "late\n", 0);
    printf("parent close=%d\n", close(fd));
    return st;
}

static int mode_daemon(int fd)
{
    fflush(stdout);
    if (daemon(1, 1) < 0)
        hx_die("daemon");
    hx_sleep_ms(150);
    read_greeting(fd, "daemon");
    int st = write_tagged(fd, "daemon", "daemon\n", bytes);
    printf("daemon close=%d\n", close(fd));
    return st;
}

static int mode_shell(int fd, int use_popen)
{
    read_greeting(fd, "parent");
    fd = on_fd3(fd);
    int st = write_tagged(fd, "parent", "early\n", 0);
    if (!use_popen) {
        int r = system("(sleep 0.3; echo late >&3) &");
        printf("parent system=%d close=%d\n", r, close(fd));
        return st;
    }
    FILE *f = popen("sleep 0.3; echo late >&3", "r");
    if (!f)
        hx_die("popen");
    printf("parent close=%d\n", close(fd));
    fflush(stdout);
    printf("parent pclose=%d\n", pclose(f));
    return st;
}

static int mode_vfork(int fd)
{
    read_greeting(fd, "parent");
    int st = write_tagged(fd, "parent", "early\n", 0);
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0)
        hx_die("vfork");
    if (pid == 0) {
        if (dup2(fd, 1) < 0)
            _exit(HX_SETUP_FAILED);
        execl("/bin/sh", "sh", "-c", "sleep 0.2; echo from-child", (char *)NULL);
        _exit(127);
    }
    printf("parent close=%d\n", close(fd));
    fflush(stdout);
    wait_child(pid);
    return st;
}

static int mode_orphan(int fd)
{
    read_greeting(fd, "parent");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        hx_die("fork");
    if (pid == 0) {
        pid_t g = fork();
        if (g == 0) {
            hx_sleep_ms(300);
            int st = write_tagged(fd, "grandchild", "late\n", 0);
            _exit(st);
        }
        _exit(g < 0 ? HX_SETUP_FAILED : 0);
    }
    wait_child(pid);
    int st = write_tagged(fd, "parent", "early\n", 0);
    printf("parent close=%d\n", close(fd));
    return st;
}

static int mode_vfork_exit(int fd)
{
    int st = write_tagged(fd, "parent", "", bytes);
    pid_t pid = vfork();
    if (pid < 0)
        hx_die("vfork");
    if (pid == 0) {
        execl("/nonexistent/graceclose-test", "x", (char *)NULL);
        _exit(127);
    }
    wait_child(pid);
    printf("parent close=%d\n", close(fd));
    return st;
}

static int mode_noclose(int fd)
{
    int r1 = dup2(fd, fd);
    int r2 = close_range((unsigned)fd, ~0U, CLOSE_RANGE_CLOEXEC);
    printf("parent dup2_same=%d close_range_cloexec=%d\n", r1 == fd ? 0 : -1, r2);
    read_greeting(fd, "parent");
    int st = write_tagged(fd, "parent", "after\n", bytes);
    printf("parent close=%d\n", close(fd));
    return st;
}

int main(int argc, char **argv)
{
    int opt;

    while ((opt = getopt(argc, argv, "b:")) != -1) {
        switch (opt) {
        case 'b': bytes = hx_arg_long(optarg, "bytes"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 2 != argc) {
        fprintf(stderr, "usage: holder [-b BYTES] MODE PORT\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(20);
    const char *mode = argv[optind];
    int fd = hx_connect(4, (int)hx_arg_long(argv[optind + 1], "port"));
    await_greeting(fd); /* queued, unread */

    if (strcmp(mode, "fork") == 0)
        return mode_fork(fd);
    if (strcmp(mode, "child-dup2") == 0)
        return mode_child_gone(fd, 1);
    if (strcmp(mode, "child-exit") == 0)
        return mode_child_gone(fd, 0);
    if (strcmp(mode, "daemon") == 0)
        return mode_daemon(fd);
    if (strcmp(mode, "system") == 0)
        return mode_shell(fd, 0);
    if (strcmp(mode, "popen") == 0)
        return mode_shell(fd, 1);
    if (strcmp(mode, "vfork") == 0)
        return mode_vfork(fd);
    if (strcmp(mode, "orphan") == 0)
        return mode_orphan(fd);
    if (strcmp(mode, "vfork-exit") == 0)
        return mode_vfork_exit(fd);
    if (strcmp(mode, "noclose") == 0)
        return mode_noclose(fd);
    fprintf(stderr, "unknown mode %s\n", mode);
    return HX_SETUP_FAILED;
}
