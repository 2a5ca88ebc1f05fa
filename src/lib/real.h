/* real.h - the next definitions of the calls graceclose wraps.
 *
 * Bound once with dlsym(RTLD_NEXT) from the constructor, so other preloads
 * in the chain still see the calls.  A wrapper that runs before the
 * constructor (from another library's constructor) falls back to the raw
 * system call, which needs no lookup and is async-signal-safe. */
#ifndef GC_REAL_H
#define GC_REAL_H

#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sys.h"

struct gc_real_fns {
    int (*close)(int);
    int (*socket)(int, int, int);
    int (*accept)(int, struct sockaddr *, socklen_t *);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
    int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                       const posix_spawnattr_t *, char *const[], char *const[]);
    int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);
    int (*system)(const char *);
    FILE *(*popen)(const char *, const char *);
    pid_t (*fork_nohooks)(void); /* glibc's _Fork: runs no atfork handlers */
    pid_t (*vfork)(void);
    int (*fclose)(FILE *);
    FILE *(*fdopen)(int, const char *);
    int (*close_range)(unsigned int, unsigned int, int);
    void (*closefrom)(int);
    void (*exit_now)(int); /* _exit */
    pid_t (*fork)(void);
    int (*spawn_adddup2)(posix_spawn_file_actions_t *, int, int);
    int (*clone)(int (*)(void *), void *, int, void *, ...);
    int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*epoll_create)(int);
    int (*epoll_create1)(int);
    int (*setsockopt)(int, int, int, const void *, socklen_t);
    int (*shutdown)(int, int);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    int (*prctl)(int, ...);
    int (*execve)(const char *, char *const[], char *const[]);
    int (*execv)(const char *, char *const[]);
    int (*execvp)(const char *, char *const[]);
    int (*execvpe)(const char *, char *const[], char *const[]);
    int (*fexecve)(int, char *const[], char *const[]);
    int (*pidfd_getfd)(int, int, unsigned int);
};

extern struct gc_real_fns gc_real;

/* Looks every symbol up; idempotent.  Not async-signal-safe (dlsym). */
void gc_real_bind(void);

/* The next definition of a call that is no async-signal-safe one (spawn,
 * stdio), looked up late if the constructor has not run yet. */
#define GC_REAL_LATE(field) (gc_real.field ? gc_real.field : (gc_real_bind(), gc_real.field))

/* The calls the close path needs; each falls back to the raw syscall. */
static inline int gc_real_close(int fd)
{
    int (*fn)(int) = __atomic_load_n(&gc_real.close, __ATOMIC_ACQUIRE);
    if (__builtin_expect(fn != NULL, 1))
        return fn(fd); /* a tail call on the fast path */
    return (int)gc_sys(SYS_close, fd);
}
int gc_real_socket(int domain, int type, int protocol);
int gc_real_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags, int use_accept4);
int gc_real_dup(int fd);
int gc_real_dup2(int oldfd, int newfd);
int gc_real_dup3(int oldfd, int newfd, int flags);
ssize_t gc_real_sendmsg(int fd, const struct msghdr *msg, int flags);
int gc_real_sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags);

#endif
