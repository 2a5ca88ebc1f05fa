/* exit_with - a trivial host program: prints "ran", optionally writes TEXT to
 * fd 2, and exits with CODE.  Used to see what a preloaded library adds.
 *
 * usage: exit_with CODE [TEXT] */
#include "hx.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: exit_with CODE [TEXT]\n");
        return HX_SETUP_FAILED;
    }
    int code = (int)hx_arg_long(argv[1], "code");
    printf("ran\n");
    fflush(stdout);
    if (argc == 3 && write(2, argv[2], strlen(argv[2])) < 0)
        return HX_SETUP_FAILED;
    return code;
}
