/* tinysvc - a tiny inetd/tcpserver-style service: the connection is fd 0
 * and fd 1.  Reads the request header with one read of at most 1 KiB (never
 * the body), writes an HTTP reply with BODY bytes of body on fd 1 and
 * returns from main (so the exit path closes the connection).
 *
 * usage: tinysvc BODY */
#include "../helpers/hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char buf[1024], head[160];
    if (argc != 2)
        return HX_SETUP_FAILED;
    long body = hx_arg_long(argv[1], "body");
    hx_deadline(30);
    (void)!read(0, buf, sizeof buf);
    int hl = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Length: %ld\r\n\r\n", body);
    char *out = malloc((size_t)hl + (size_t)body);
    if (!out)
        return HX_SETUP_FAILED;
    memcpy(out, head, (size_t)hl);
    memset(out + hl, 't', (size_t)body);
    int err;
    hx_send_all(1, out, (size_t)hl + (size_t)body, &err);
    return 0;
}
