/* fuzz_explain - `graceclose explain` with any arguments: the input is
 * split at NUL bytes into argv (at most 16).  Arguments naming a config
 * file (--config) are left out: explain would read any path; the config
 * comes from GRACECLOSE_CONFIG, a ruleset written once at start.  exit()
 * inside explain (a missing option value) returns here instead. */
#include "cmd_config.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
void __real_exit(int status) __attribute__((noreturn));
void __wrap_exit(int status) __attribute__((noreturn));

static jmp_buf back;
static volatile int in_explain;

void __wrap_exit(int status)
{
    if (in_explain)
        longjmp(back, 1);
    __real_exit(status);
}

static const char conf[] =
    "[default]\ntimeout = 3s\nonly_programs = vsftpd, x, python3.11\n"
    "[ftp]\nprogram = vsftpd\nlocal_port = 21\nidle = 1s\n"
    "[lan]\nremote_addr = 127.0.0.0/8\nrole = accepted\nmax_drain = 1m\n"
    "[v6]\nremote_addr = ::1/128\nremote_port = 1-1024\npolicy = reset\n";

static void setup(void)
{
    static char path[] = "/tmp/gc-fuzz-explain-XXXXXX";
    int fd = mkstemp(path);

    if (fd < 0 || write(fd, conf, sizeof conf - 1) != (ssize_t)(sizeof conf - 1))
        abort();
    close(fd);
    setenv("GRACECLOSE_CONFIG", path, 1);
    /* explain's report goes nowhere; libFuzzer writes to stderr. */
    if (!freopen("/dev/null", "w", stdout))
        abort();
}

/* explain, with exit() coming back here. */
static void run(int argc, char **argv)
{
    if (setjmp(back) == 0) {
        in_explain = 1;
        (void)gc_cmd_explain(argc, argv);
    }
    in_explain = 0;
    fflush(stdout);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int ready;
    char *copy = malloc(size + 1), *argv[18];
    int argc = 0;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = "explain";
    for (char *p = copy; p <= copy + size && argc < 17; p += strlen(p) + 1) {
        if (strncmp(p, "--config", 8) == 0) {
            free(copy);
            return 0;
        }
        argv[argc++] = p;
    }
    argv[argc] = NULL;
    run(argc, argv);
    free(copy);
    return 0;
}
