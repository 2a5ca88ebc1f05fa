/* fdsteal - behaves like a daemon that closes every descriptor above 2 and
 * then fills high descriptor numbers with a file of its own (VICTIM), so
 * that a library's log descriptor is gone and its number reused.  Then
 * connects to PORT, waits 100 ms (the peer's greeting arrives unread) and
 * closes: a close graceclose records.  The record must reach the log, not
 * VICTIM.
 * usage: fdsteal VICTIM PORT */
#include "hx.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rlimit rl;

    if (argc != 3)
        return HX_SETUP_FAILED;
    hx_deadline(20);
    int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1024 ? (int)rl.rlim_cur : 1024;
    for (int fd = 3; fd < top; fd++)
        close(fd);
    int victim = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (victim < 0)
        hx_die("open victim");
    for (int fd = top / 2; fd < top; fd++)
        if (fd != victim)
            dup2(victim, fd);
    int s = hx_connect(4, (int)hx_arg_long(argv[2], "port"));
    hx_sleep_ms(100);
    close(s);
    printf("closed\n");
    return 0;
}
