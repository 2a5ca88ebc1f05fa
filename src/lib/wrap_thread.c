/* wrap_thread.c - pthread_create(): a program with threads may have one
 * blocked reading a socket that another thread closes (owner.h). */
#include <errno.h>
#include <pthread.h>

#include "gc.h"
#include "owner.h"
#include "real.h"

GC_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                             void *(*start)(void *), void *arg)
{
    int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        GC_REAL_LATE(pthread_create);

    if (!real)
        return ENOSYS;
    gc_owner_threads_begin();
    return real(thread, attr, start, arg);
}
