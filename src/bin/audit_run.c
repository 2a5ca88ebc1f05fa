/* audit_run.c - run, wait, report (see audit_run.h). */
#include "audit_run.h"
#include "aggregate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DESCENDANTS_WAIT_MS 3000 /* for children the program left running */
#define RECORDS_NAME "records.jsonl"

static char dir[PATH_MAX - 32], file[PATH_MAX];
static bool private_file;
static long offset;
static volatile sig_atomic_t child_pid;

int gc_audit_prepare(const char *user_log)
{
    if (user_log) {
        struct stat st;
        snprintf(file, sizeof file, "%s", user_log);
        offset = stat(file, &st) == 0 ? (long)st.st_size : 0;
    } else {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || tmp[0] != '/')
            tmp = "/tmp";
        snprintf(dir, sizeof dir, "%s/graceclose-audit.XXXXXX", tmp);
        if (!mkdtemp(dir)) {
            fprintf(stderr, "graceclose: cannot make a directory for the audit records in %s: "
                    "%s\n", tmp, strerror(errno));
            return 126;
        }
        snprintf(file, sizeof file, "%s/" RECORDS_NAME, dir);
        /* Run as root, the program may switch to another user (an inetd
         * service as nobody): let every process of the run append. */
        bool root = geteuid() == 0;
        int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || (root && (fchmod(fd, 0622) != 0 || chmod(dir, 0711) != 0))) {
            fprintf(stderr, "graceclose: cannot create %s: %s\n", file, strerror(errno));
            return 126;
        }
        close(fd);
        private_file = true;
    }
    if (setenv("GRACECLOSE_LOG", file, 1) != 0) {
        perror("graceclose: setenv");
        return 126;
    }
    return 0;
}

/* SIGTERM or SIGHUP sent to us is passed on to the program. */
static void forward(int sig)
{
    if (child_pid > 0)
        kill(child_pid, sig);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The program's own children that outlived it were handed to us (we are
 * their subreaper): wait a little for them, so their records count. */
static bool wait_descendants(void)
{
    for (long waited = 0; waited < DESCENDANTS_WAIT_MS; waited += 50) {
        pid_t p;
        while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (p < 0 && errno == ECHILD)
            return true;
        sleep_ms(50);
    }
    return false;
}

static int status_of(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

static void cleanup(void)
{
    if (private_file) {
        unlink(file);
        rmdir(dir);
    }
}

int gc_audit_run(char **argv)
{
    int errpipe[2], st = 0, err = 0;
    uint64_t opens = gc_tcp_opens();
    struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART},
                     ign = {.sa_handler = SIG_IGN}, old_int, old_quit;

    prctl(PR_SET_CHILD_SUBREAPER, 1);
    fflush(NULL);
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        perror("graceclose: pipe");
        cleanup();
        return 126;
    }
    /* ^C and ^\ (or a signal to the whole process group, as timeout(1)
     * sends) reach the program by themselves, as system(3) leaves them:
     * passing them on as well would deliver them twice. */
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        close(errpipe[0]);
        execvp(argv[0], argv);
        err = errno;
        (void)!write(errpipe[1], &err, sizeof err);
        _exit(127);
    }
    if (pid < 0) {
        perror("graceclose: fork");
        cleanup();
        return 126;
    }
    child_pid = pid;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    close(errpipe[1]);
    if (read(errpipe[0], &err, sizeof err) != (ssize_t)sizeof err)
        err = 0;
    close(errpipe[0]);

    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (err) {
        fprintf(stderr, "graceclose: cannot run '%s': %s\n", argv[0], strerror(err));
        cleanup();
        return err == ENOENT ? 127 : 126;
    }
    bool all_done = wait_descendants();
    uint64_t now = gc_tcp_opens();

    gc_audit_report(file, offset, stderr,
                    opens == UINT64_MAX || now == UINT64_MAX ? UINT64_MAX : now - opens);
    if (!all_done)
        fprintf(stderr, "Some processes of the run still run; records they write later are "
                "not counted here.\n");
    if (!private_file)
        fprintf(stderr, "The records are in %s.\n", file);
    cleanup();
    return status_of(st);
}
