/* real.c - binding and calling the next definitions of wrapped calls. */
#include "sys.h"
#include "real.h"
#include "gc.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

GC_LOAD struct gc_real_fns gc_real;

/* Stores with release order so a thread that sees a pointer sees it whole. */
#define BIND(field, name)                                                        \
    do {                                                                         \
        if (!gc_real.field) {                                                    \
            void *p = dlsym(RTLD_NEXT, name);                                    \
            __atomic_store_n((void **)&gc_real.field, p, __ATOMIC_RELEASE);      \
        }                                                                        \
    } while (0)

void gc_real_bind(void)
{
    BIND(close, "close");
    BIND(socket, "socket");
    BIND(accept, "accept");
    BIND(accept4, "accept4");
    BIND(dup, "dup");
    BIND(dup2, "dup2");
    BIND(dup3, "dup3");
    BIND(fcntl, "fcntl");
    BIND(fcntl64, "fcntl64");
    BIND(sendmsg, "sendmsg");
    BIND(sendmmsg, "sendmmsg");
    BIND(posix_spawn, "posix_spawn");
    BIND(posix_spawnp, "posix_spawnp");
    BIND(system, "system");
    BIND(popen, "popen");
    BIND(fork_nohooks, "_Fork");
    BIND(vfork, "vfork");
    BIND(fclose, "fclose");
    BIND(fdopen, "fdopen");
    BIND(close_range, "close_range");
    BIND(closefrom, "closefrom");
    BIND(exit_now, "_exit");
    BIND(fork, "fork");
    BIND(spawn_adddup2, "posix_spawn_file_actions_adddup2");
    BIND(clone, "clone");
    BIND(pthread_create, "pthread_create");
    BIND(epoll_create, "epoll_create");
    BIND(epoll_create1, "epoll_create1");
    BIND(setsockopt, "setsockopt");
    BIND(shutdown, "shutdown");
    BIND(recvmsg, "recvmsg");
    BIND(prctl, "prctl");
    BIND(execve, "execve");
    BIND(execv, "execv");
    BIND(execvp, "execvp");
    BIND(execvpe, "execvpe");
    BIND(fexecve, "fexecve");
    BIND(pidfd_getfd, "pidfd_getfd");
}

#define LOAD(field) __atomic_load_n(&gc_real.field, __ATOMIC_ACQUIRE)


int gc_real_socket(int domain, int type, int protocol)
{
    int (*fn)(int, int, int) = LOAD(socket);
    return fn ? fn(domain, type, protocol) : (int)gc_sys(SYS_socket, domain, type, protocol);
}

int gc_real_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags, int use_accept4)
{
    if (use_accept4) {
        int (*fn)(int, struct sockaddr *, socklen_t *, int) = LOAD(accept4);
        if (fn)
            return fn(fd, addr, len, flags);
    } else {
        int (*fn)(int, struct sockaddr *, socklen_t *) = LOAD(accept);
        if (fn)
            return fn(fd, addr, len);
    }
    return (int)gc_sys(SYS_accept4, fd, addr, len, flags);
}

int gc_real_dup(int fd)
{
    int (*fn)(int) = LOAD(dup);
    return fn ? fn(fd) : (int)gc_sys(SYS_dup, fd);
}

int gc_real_dup2(int oldfd, int newfd)
{
    int (*fn)(int, int) = LOAD(dup2);
    if (fn)
        return fn(oldfd, newfd);
    if (oldfd == newfd) /* dup3 refuses equal descriptors; dup2 checks validity */
        return (int)gc_sys(SYS_fcntl, oldfd, F_GETFD) < 0 ? -1 : newfd;
    return (int)gc_sys(SYS_dup3, oldfd, newfd, 0);
}

int gc_real_dup3(int oldfd, int newfd, int flags)
{
    int (*fn)(int, int, int) = LOAD(dup3);
    return fn ? fn(oldfd, newfd, flags) : (int)gc_sys(SYS_dup3, oldfd, newfd, flags);
}

ssize_t gc_real_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    ssize_t (*fn)(int, const struct msghdr *, int) = LOAD(sendmsg);
    return fn ? fn(fd, msg, flags) : gc_sys(SYS_sendmsg, fd, msg, flags);
}

int gc_real_sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
    int (*fn)(int, struct mmsghdr *, unsigned int, int) = LOAD(sendmmsg);
    return fn ? fn(fd, v, n, flags) : (int)gc_sys(SYS_sendmmsg, fd, v, n, flags);
}
