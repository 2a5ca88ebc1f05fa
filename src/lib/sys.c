/* sys.c - raw system calls (see sys.h). */
#include "gc.h"
#include "sys.h"

#include <dlfcn.h>
#include <errno.h>

GC_LOAD long gc_errno_offset;

void gc_errno_init(void)
{
#ifdef GC_ERRNO_BY_TP
    __atomic_store_n(&gc_errno_offset,
                     (long)((char *)&errno - (char *)__builtin_thread_pointer()), __ATOMIC_RELAXED);
#endif
}

long gc_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    long r;
#if defined(__x86_64__)
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    r = x0;
#else
    /* Elsewhere: the C library's own, found past this library. */
    static long (*next)(long, ...);
    if (!next)
        next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return next(n, a, b, c, d, e, f);
#endif
    if (r < 0 && r > -4096) {
        *gc_errno_at() = (int)-r;
        return -1;
    }
    return r;
}
