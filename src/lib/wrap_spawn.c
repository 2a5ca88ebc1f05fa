/* wrap_spawn.c - calls that give another process copies of our descriptors.
 *
 * Each counts the copies before the child exists (so no close can see a
 * count too low), and takes them back when no child was made.  fork() and
 * daemon() are followed through pthread_atfork (init.c); these make
 * children without atfork handlers.  Spawn-like children exec at once,
 * so only descriptors without close-on-exec stay with them. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdtable.h"
#include "gc.h"
#include "owner.h"
#include "real.h"
#include "track.h"
#include "spawn_child.h"
#include "summary.h"
#include "handoff.h"

GC_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    gc_track_table_copied(+1, true);
    int r = GC_REAL_LATE(posix_spawn)(pid, path, fa, attr, argv, envp);
    if (r != 0)
        gc_track_table_copied(-1, true);
    return r;
}

GC_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    gc_track_table_copied(+1, true);
    int r = GC_REAL_LATE(posix_spawnp)(pid, file, fa, attr, argv, envp);
    if (r != 0)
        gc_track_table_copied(-1, true);
    return r;
}

/* A socket the child gets on another number (dup2 in the file actions):
 * the actions may serve any number of spawns, so the copies cannot be
 * counted; the socket is marked foreign instead (its closes stay plain). */
GC_EXPORT int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
    int r = GC_REAL_LATE(spawn_adddup2)(fa, fd, newfd);
    struct gc_fdent e;
    if (r == 0 && fd != newfd && gc_fd_lookup(fd, &e)) {
        int saved_errno = gc_errno_save();
        gc_track_foreign(fd);
        gc_errno_restore(saved_errno);
    }
    return r;
}

GC_EXPORT int system(const char *command)
{
    gc_track_table_copied(+1, true);
    int r = GC_REAL_LATE(system)(command);
    if (r == -1 && command)
        gc_track_table_copied(-1, true);
    return r;
}

GC_EXPORT FILE *popen(const char *command, const char *mode)
{
    gc_track_table_copied(+1, true);
    FILE *f = GC_REAL_LATE(popen)(command, mode);
    if (!f)
        gc_track_table_copied(-1, true);
    return f;
}

/* A fork-like child the library made or saw made: it is a process of its
 * own now, and the lingers in flight are the parent's. */
void gc_spawn_child_setup(void)
{
    gc_owner_forked();
    gc_summary_forked();
    gc_track_fork_end();
}

/* fork(): the atfork handlers count; this only takes the count back when
 * no child was made. */
GC_EXPORT pid_t fork(void)
{
    pid_t pid = GC_REAL_LATE(fork)();
    if (pid < 0) {
        int saved_errno = gc_errno_save();
        gc_track_table_copied(-1, false);
        gc_errno_restore(saved_errno);
    }
    return pid;
}

/* glibc's _Fork runs no atfork handlers: follow the child by hand. */
GC_EXPORT pid_t _Fork(void)
{
    pid_t (*real)(void) = GC_REAL_LATE(fork_nohooks);
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    gc_handoff_before_fork();
    gc_track_fork_begin();
    gc_track_table_copied(+1, false);
    pid_t pid = real();
    if (pid == 0) {
        gc_spawn_child_setup();
        return 0;
    }
    int saved_errno = gc_errno_save();
    if (pid < 0)
        gc_track_table_copied(-1, false);
    gc_track_fork_end();
    gc_errno_restore(saved_errno);
    return pid;
}

/* vfork: the child borrows our stack, so a C wrapper with a frame of its
 * own would be clobbered when the child returns through it.  A few
 * instructions call gc_vfork_prepare (which counts the copies and returns
 * the real vfork) and jump there, leaving no frame behind.
 * On other architectures vfork is not wrapped (README: limits). */
void *gc_vfork_prepare(void) __attribute__((used));
void *gc_vfork_prepare(void)
{
    gc_track_table_copied(+1, true);
    gc_owner_vfork_begins(true);
    return (void *)GC_REAL_LATE(vfork);
}

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, @function\n"
        "vfork:\n"
#ifdef __CET__
        "  endbr64\n"
#endif
        "  sub $8, %rsp\n"
        "  call gc_vfork_prepare\n"
        "  add $8, %rsp\n"
        "  jmp *%rax\n"
        ".size vfork, .-vfork\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, %function\n"
        "vfork:\n"
        "  stp x29, x30, [sp, #-16]!\n"
        "  bl gc_vfork_prepare\n"
        "  ldp x29, x30, [sp], #16\n"
        "  mov x16, x0\n" /* x16: the register BTI lets a PLT-style jump use */
        "  br x16\n"
        ".size vfork, .-vfork\n");
#endif
