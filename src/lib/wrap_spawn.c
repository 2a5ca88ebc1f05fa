/* wrap_spawn.c - calls that make another process hold our descriptors.
 *
 * fork() and daemon() are seen through pthread_atfork (init.c).  These
 * create children without running atfork handlers, so they bump the fork
 * generation themselves, before the child exists: every socket made
 * earlier is then possibly shared, and gets a plain close. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>

#include "fdtable.h"
#include "gc.h"
#include "owner.h"
#include "real.h"


GC_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    gc_fork_gen_bump();
    return GC_REAL_LATE(posix_spawn)(pid, path, fa, attr, argv, envp);
}

GC_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    gc_fork_gen_bump();
    return GC_REAL_LATE(posix_spawnp)(pid, file, fa, attr, argv, envp);
}

GC_EXPORT int system(const char *command)
{
    gc_fork_gen_bump();
    return GC_REAL_LATE(system)(command);
}

GC_EXPORT FILE *popen(const char *command, const char *mode)
{
    gc_fork_gen_bump();
    return GC_REAL_LATE(popen)(command, mode);
}

/* glibc's _Fork runs no atfork handlers: follow the child by hand. */
GC_EXPORT pid_t _Fork(void)
{
    gc_fork_gen_bump();
    pid_t (*real)(void) = GC_REAL_LATE(fork_nohooks);
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    pid_t pid = real();
    if (pid == 0)
        gc_owner_set_pid();
    return pid;
}

/* vfork: the child borrows our stack, so a C wrapper with a frame of its
 * own would be clobbered when the child returns through it.  A few
 * instructions call gc_vfork_prepare (which bumps the generation and
 * returns the real vfork) and jump there, leaving no frame behind.
 * On other architectures vfork is not wrapped (README: limits). */
void *gc_vfork_prepare(void) __attribute__((used));
void *gc_vfork_prepare(void)
{
    gc_fork_gen_bump();
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
