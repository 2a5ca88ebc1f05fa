/* repair - a close in TCP_REPAIR mode (needs CAP_NET_ADMIN).  The peer's
 * greeting is queued and never read, the program sends 1000 bytes, waits
 * 100 ms (they have arrived), turns repair mode on and closes.  In repair
 * mode the kernel's close sends nothing at all: no FIN, no reset (the
 * connection is meant to live on elsewhere).  The library must leave it
 * so, and hand the socket to nobody: 100 ms after the close, no process
 * may hold it ("held_after_close=0"; a helper lingering on it would).
 * Prints "tcp_repair=-1 errno=EPERM" without the capability.
 * usage: repair PORT */
#include "hx.h"
#include "nw.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether any process has socket:[ino] open (every /proc/PID/fd). */
static int held(unsigned long ino)
{
    char want[64], path[600], link[64];
    int found = 0;
    DIR *proc = opendir("/proc");
    struct dirent *p;

    snprintf(want, sizeof want, "socket:[%lu]", ino);
    while (proc && !found && (p = readdir(proc))) {
        if (p->d_name[0] < '0' || p->d_name[0] > '9')
            continue;
        char dpath[300];
        snprintf(dpath, sizeof dpath, "/proc/%s/fd", p->d_name);
        DIR *fds = opendir(dpath);
        struct dirent *f;
        while (fds && !found && (f = readdir(fds))) {
            snprintf(path, sizeof path, "%s/%s", dpath, f->d_name);
            ssize_t n = readlink(path, link, sizeof link - 1);
            if (n > 0) {
                link[n] = '\0';
                found = strcmp(link, want) == 0;
            }
        }
        if (fds)
            closedir(fds);
    }
    if (proc)
        closedir(proc);
    return found;
}

int main(int argc, char **argv)
{
    int on = 1;

    if (argc != 2)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    int fd = nw_connect_arg(4, argv[1]);
    nw_await_input(fd);
    nw_send_bytes(fd, 1000);
    hx_sleep_ms(100);
    nw_mark();
    nw_report("tcp_repair", setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on));
    struct stat st;
    if (fstat(fd, &st) < 0)
        hx_die("fstat");
    nw_close("close", fd);
    hx_sleep_ms(100);
    int h = held((unsigned long)st.st_ino);
    nw_mark();
    nw_report("held_after_close", h);
    return 0;
}
