/* linger0 - SO_LINGER {1, 0}: the program asks for an abortive close.
 * Sends 1000 bytes, waits 200 ms (the peer has read them), sets the option
 * and closes: the peer must see the 1000 bytes and a reset, with the
 * library as without. */
#include "hx.h"
#include "nw.h"

#include <sys/socket.h>

int main(int argc, char **argv)
{
    struct linger l = {1, 0};

    if (argc != 2)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    int fd = nw_connect_arg(4, argv[1]);
    nw_send_bytes(fd, 1000);
    hx_sleep_ms(200);
    nw_mark();
    nw_report("so_linger", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    nw_close("close", fd);
    return 0;
}
