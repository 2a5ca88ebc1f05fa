/* region.c - the family's shared descriptor counts (see region.h). */
#include "gc.h"
#include "sys.h"
#include "region.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ownfd.h"

#define SLOTS 2048                  /* 32 KiB of entries, touched as used */
#define PAGE_SLOTS 256              /* entries per 4 KiB page */
#define EMPTY 0ull                  /* SO_COOKIE is never 0 */
#define FREED (~0ull)               /* a slot whose socket has gone */
#define FLAG_BITS 8                 /* low bits of 'word': flags; above: origin pid */
/* What marks a region of ours (no header is written: a process that counts
 * a few sockets touches one page of it): these seals, this size, the name. */
#define SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

struct entry {
    uint64_t cookie;
    int32_t count;
    uint32_t word;
};

struct region {
    struct entry e[SLOTS];
};

static GC_LOAD struct region *map;
static int region_fd = -1;
static GC_LOAD int state; /* 0 none, 1 being made, 2 mapped, 3 failed */

static bool map_fd(int fd)
{
    void *p = (void *)gc_sys(SYS_mmap, NULL, sizeof(struct region), PROT_READ | PROT_WRITE,
                              MAP_SHARED, fd, 0);
    if (p == MAP_FAILED || (unsigned long)p > -4096ul)
        return false;
    __atomic_store_n(&map, (struct region *)p, __ATOMIC_RELEASE);
    return true;
}

bool gc_region_is_table(int fd)
{
    struct stat st;
    return gc_sys(SYS_fcntl, fd, F_GET_SEALS) == SEALS && gc_fstat_fd(fd, &st) == 0 &&
           st.st_size == (off_t)sizeof(struct region);
}

bool gc_region_attach(int fd)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false;
    if (!gc_region_is_table(fd) || !map_fd(fd)) {
        __atomic_store_n(&state, 0, __ATOMIC_RELEASE);
        return false;
    }
    region_fd = fd;
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
    return true;
}

bool gc_region_ensure(void)
{
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == 2)
        return true;
    if (s != 0 || !__atomic_compare_exchange_n(&state, &s, 1, false, __ATOMIC_ACQ_REL,
                                               __ATOMIC_ACQUIRE))
        return __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2;

    int saved_errno = gc_errno_save();
    /* Kept across exec (no MFD_CLOEXEC): the next program re-attaches. */
    int fd = (int)gc_sys(SYS_memfd_create, "graceclose-owners", MFD_ALLOW_SEALING);
    fd = gc_ownfd_place(fd, true);
    bool ok = fd >= 0 && gc_sys(SYS_ftruncate, fd, (long)sizeof(struct region)) == 0 &&
              gc_sys(SYS_fcntl, fd, F_ADD_SEALS, SEALS) == 0 && map_fd(fd);
    if (!ok && fd >= 0)
        gc_ownfd_close(fd);
    region_fd = ok ? fd : -1;
    __atomic_store_n(&state, ok ? 2 : 3, __ATOMIC_RELEASE);
    gc_errno_restore(saved_errno);
    return ok;
}

int gc_region_fd(void)
{
    return __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2 ? region_fd : -1;
}

bool gc_region_moved(int from, int to)
{
    if (from < 0 || gc_region_fd() != from)
        return false;
    region_fd = to; /* -1: the mapping stays; only exec loses it */
    return true;
}

static struct region *get(void)
{
    return __atomic_load_n(&map, __ATOMIC_ACQUIRE);
}

bool gc_region_mapped(void)
{
    return get() != NULL;
}

/* The kernel numbers sockets in runs (one per CPU), and a process's
 * sockets are mostly made close together: consecutive cookies get
 * consecutive slots of one page, and each run of 256 a page picked by a
 * hash.  A process that counts a few sockets writes one page of the table,
 * not one page per socket. */
static uint32_t home(uint64_t cookie)
{
    uint32_t page = (uint32_t)(((cookie / PAGE_SLOTS) * 0x9e3779b97f4a7c15ull) >> 40);
    return (page % (SLOTS / PAGE_SLOTS)) * PAGE_SLOTS + (uint32_t)(cookie % PAGE_SLOTS);
}

static struct entry *find(struct region *r, uint64_t cookie)
{
    for (uint32_t i = 0, s = home(cookie); i < SLOTS; i++, s = (s + 1) % SLOTS) {
        uint64_t c = __atomic_load_n(&r->e[s].cookie, __ATOMIC_ACQUIRE);
        if (c == cookie)
            return &r->e[s];
        if (c == EMPTY)
            return NULL;
    }
    return NULL;
}

bool gc_region_insert(uint64_t cookie, int32_t count, uint32_t flags, int origin_pid, bool fresh)
{
    struct region *r = get();
    uint32_t word = (flags & ((1u << FLAG_BITS) - 1)) | ((uint32_t)origin_pid << FLAG_BITS);

    if (!r || cookie == EMPTY || cookie == FREED)
        return false;
    /* A fresh socket (made or first counted here: no other process can
     * name it) takes the first free slot: once every slot has been used, a
     * search for an empty one would read the whole table at every fork.
     * A socket that arrived may be counted already, or be arriving in
     * another process at this moment: it takes the first empty slot, never
     * a freed one on the way.  Slots never become empty again, so every
     * process bringing the same socket in aims at that one slot; one wins
     * it, the others find the socket there when they look again.  (A freed
     * slot on the way would let two of them claim different slots: one
     * socket, its count split in two, and a close finding its half at zero
     * while another process still holds it.)  Only when no slot is empty
     * any more does an arrival take the first freed one. */
    for (int round = 0; round < 8; round++) {
        uint32_t spot = SLOTS, freed = SLOTS;
        for (uint32_t i = 0, s = home(cookie); i < SLOTS; i++, s = (s + 1) % SLOTS) {
            uint64_t c = __atomic_load_n(&r->e[s].cookie, __ATOMIC_ACQUIRE);
            if (c == cookie) { /* already known (re-attached after exec, or sent) */
                __atomic_add_fetch(&r->e[s].count, count, __ATOMIC_ACQ_REL);
                __atomic_or_fetch(&r->e[s].word, flags, __ATOMIC_ACQ_REL);
                return true;
            }
            if (c == EMPTY) {
                spot = s;
                break;
            }
            if (c == FREED && freed == SLOTS) {
                freed = s;
                if (fresh)
                    break;
            }
        }
        if (freed != SLOTS && (fresh || spot == SLOTS))
            spot = freed;
        if (spot == SLOTS)
            return false; /* full */
        uint64_t was = spot == freed ? FREED : EMPTY;
        if (!__atomic_compare_exchange_n(&r->e[spot].cookie, &was, cookie, false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            continue; /* another process took it: look again */
        if (was == EMPTY) {
            /* A never-used slot holds zeros, and another process bringing
             * the same socket in may add to it from now on: add, never
             * overwrite. */
            __atomic_or_fetch(&r->e[spot].word, word, __ATOMIC_ACQ_REL);
            __atomic_add_fetch(&r->e[spot].count, count, __ATOMIC_ACQ_REL);
        } else {
            /* A freed slot holds what its last socket left. */
            __atomic_store_n(&r->e[spot].word, word, __ATOMIC_RELEASE);
            __atomic_store_n(&r->e[spot].count, count, __ATOMIC_RELEASE);
        }
        return true;
    }
    return false;
}

int32_t gc_region_add(uint64_t cookie, int32_t delta, uint32_t *flags_out, int *origin_out)
{
    struct region *r = get();
    struct entry *e = r && cookie ? find(r, cookie) : NULL;

    if (!e)
        return -1;
    uint32_t word = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
    if (flags_out)
        *flags_out = word & ((1u << FLAG_BITS) - 1);
    if (origin_out)
        *origin_out = (int)(word >> FLAG_BITS);
    int32_t now = __atomic_add_fetch(&e->count, delta, __ATOMIC_ACQ_REL);
    if (now <= 0) {
        uint64_t c = cookie;
        __atomic_compare_exchange_n(&e->cookie, &c, FREED, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED);
        return 0;
    }
    return now;
}

void gc_region_flag(uint64_t cookie, uint32_t flags)
{
    struct region *r = get();
    struct entry *e = r && cookie ? find(r, cookie) : NULL;

    if (e)
        __atomic_or_fetch(&e->word, flags & ((1u << FLAG_BITS) - 1), __ATOMIC_ACQ_REL);
}

bool gc_region_known(uint64_t cookie)
{
    struct region *r = get();
    return r && cookie && find(r, cookie);
}
