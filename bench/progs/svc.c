/* svc - a tiny HTTP service for tcpserver (fork+exec per connection, row 5).
 * The connection is fds 0 (read) and 1 (write); it reads the request head,
 * answers like httpd1 and returns from main (the exit path closes). */
#include "bx.h"

#include <string.h>
#include <unistd.h>

int main(void)
{
    static char head[8192], reply[8192];
    int err;

    alarm(10);
    long n = bx_read_head(0, head, sizeof head);
    if (n <= 0)
        return 1;
    size_t len = bx_http_reply(strncmp(head, "POST", 4) == 0, reply, sizeof reply);
    bx_send_all(1, reply, len, &err);
    return 0;
}
