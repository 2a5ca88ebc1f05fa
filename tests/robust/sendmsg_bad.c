/* sendmsg_bad - sendmsg() and sendmmsg() with arguments the kernel refuses
 * (EFAULT / EINVAL) must return that error, not crash the caller.  A
 * connected TCP socket is open throughout, so a preloaded library has
 * something in its tables.  The message goes over an AF_UNIX pair.
 *   badptr    the msghdr pointer is bad
 *   badctl    msg_control points nowhere
 *   shortlen  an SCM_RIGHTS header with cmsg_len 4 (less than a header)
 * each as "sendmsg-MODE" or "sendmmsg-MODE" (one message in the vector).
 * Prints "MODE ret=R errno=ENAME".  usage: sendmsg_bad MODE */
#include "hx.h"
#include "rb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static union {
    struct cmsghdr h;
    char b[CMSG_SPACE(sizeof(int))];
} ctl;

int main(int argc, char **argv)
{
    int sv[2], c, s;
    char data = 'x';
    struct iovec io = {.iov_base = &data, .iov_len = 1};
    struct mmsghdr mm;
    struct msghdr *m = &mm.msg_hdr;

    hx_deadline(10);
    if (argc != 2)
        return HX_SETUP_FAILED;
    rb_pair(&c, &s);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        hx_die("socketpair");

    const char *mode = argv[1];
    int mmsg = strncmp(mode, "sendmmsg-", 9) == 0;
    const char *what = mode + (mmsg ? 9 : 8);
    if (!mmsg && strncmp(mode, "sendmsg-", 8) != 0)
        return HX_SETUP_FAILED;

    memset(&mm, 0, sizeof mm);
    m->msg_iov = &io;
    m->msg_iovlen = 1;
    void *bad = (void *)16;
    if (strcmp(what, "badptr") == 0) {
        m = bad;
    } else if (strcmp(what, "badctl") == 0) {
        m->msg_control = bad;
        m->msg_controllen = 64;
    } else if (strcmp(what, "shortlen") == 0) {
        ctl.h.cmsg_level = SOL_SOCKET;
        ctl.h.cmsg_type = SCM_RIGHTS;
        ctl.h.cmsg_len = 4;
        memcpy(CMSG_DATA(&ctl.h), &c, sizeof c);
        m->msg_control = &ctl;
        m->msg_controllen = sizeof ctl;
    } else {
        return HX_SETUP_FAILED;
    }

    errno = 0;
    long r = mmsg ? sendmmsg(sv[0], m == bad ? bad : &mm, 1, 0) : sendmsg(sv[0], m, 0);
    printf("%s ret=%ld errno=%s\n", mode, r, hx_errname(errno));
    return 0;
}
