/* test_region.c - the family's count table (src/lib/region.c), driven
 * with made-up cookies: one socket must never get two slots, whatever
 * freed slots lie on its way (a split count lets a close find zero while
 * another process still holds the socket). */
#include "../../src/lib/region.c"

#include "ut.h"

#include <pthread.h>


/* region.c places its descriptor through ownfd.c; here it stays put. */
int gc_ownfd_place(int fd, bool keep_on_exec)
{
    (void)keep_on_exec;
    return fd;
}

void gc_ownfd_close(int fd)
{
    close(fd);
}

static int slots_holding(uint64_t cookie)
{
    int n = 0;
    for (uint32_t s = 0; s < SLOTS; s++)
        n += get()->e[s].cookie == cookie;
    return n;
}

/* Several processes bringing one socket in at once (threads here: the
 * same atomic operations on the same shared table).  Each round a new
 * socket, one home slot for all, a freed slot on the way: afterwards one
 * slot, with every arrival counted.  A stress check: it can catch a split
 * or a lost count, not prove there is none. */
#define ARRIVALS 4
#define ROUNDS 500 /* each takes an empty slot (of 2048) */

static uint64_t round_cookie[ROUNDS];
static pthread_barrier_t start;

static void *arrive(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_barrier_wait(&start);
        gc_region_insert(round_cookie[i], 1, 0, 0, false);
        pthread_barrier_wait(&start);
    }
    return NULL;
}

static void concurrent_arrivals(uint64_t base)
{
    pthread_t t[ARRIVALS];
    int bad_slots = 0, bad_counts = 0;

    uint64_t c = base;
    for (int i = 0; i < ROUNDS; i++) { /* new sockets, all with base's home */
        do
            c += PAGE_SLOTS;
        while (home(c) != home(base));
        round_cookie[i] = c;
    }
    pthread_barrier_init(&start, NULL, ARRIVALS + 1);
    for (int n = 0; n < ARRIVALS; n++)
        pthread_create(&t[n], NULL, arrive, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_barrier_wait(&start); /* go */
        pthread_barrier_wait(&start); /* all inserted */
        c = round_cookie[i];
        bad_slots += slots_holding(c) != 1;
        int32_t left = ARRIVALS;
        while (left > 0 && gc_region_add(c, -1, NULL, NULL) == left - 1)
            left--;
        bad_counts += left != 0;
        if (left != 0) /* free whatever is left, for the next round */
            for (int k = 0; k < ARRIVALS && gc_region_add(c, -1, NULL, NULL) > 0; k++)
                ;
    }
    for (int n = 0; n < ARRIVALS; n++)
        pthread_join(t[n], NULL);
    CHECK(bad_slots == 0);
    CHECK(bad_counts == 0);
}

int main(void)
{
    CHECK(gc_region_ensure());
    if (!gc_region_mapped())
        return 1;

    /* Two cookies with one home slot: the second one lands after the first. */
    uint64_t a = 1000003, x = 0;
    for (uint64_t k = 1; k < 4096 && !x; k++)
        if (home(a + k * PAGE_SLOTS) == home(a))
            x = a + k * PAGE_SLOTS;
    CHECK(x != 0);

    CHECK(gc_region_insert(a, 1, 0, 0, true));
    CHECK(gc_region_insert(x, 2, 0, 0, true)); /* a parent and a child hold x */
    CHECK(gc_region_add(a, -1, NULL, NULL) == 0); /* a goes: a freed slot before x */

    /* A third descriptor of x arrives (SCM_RIGHTS from within the family). */
    CHECK(gc_region_insert(x, 1, 0, 0, false));
    CHECK(slots_holding(x) == 1);
    /* Three holders: the first two closes are not the last. */
    CHECK(gc_region_add(x, -1, NULL, NULL) == 2);
    CHECK(gc_region_add(x, -1, NULL, NULL) == 1);
    CHECK(gc_region_add(x, -1, NULL, NULL) == 0);

    /* A new socket with that home takes the first freed slot. */
    uint64_t b = x + 256 * PAGE_SLOTS * 8; /* not used before */
    for (int k = 0; k < 4096 && home(b) != home(a); k++)
        b += PAGE_SLOTS;
    CHECK(home(b) == home(a));
    CHECK(gc_region_insert(b, 1, 0, 0, true));
    CHECK(slots_holding(b) == 1 && get()->e[home(a)].cookie == b);

    /* Another socket with that home arrives (it may be arriving in another
     * process too): it passes the freed slot x left and takes the first
     * empty one, the slot every process bringing it in aims at. */
    uint64_t y = b + PAGE_SLOTS;
    for (int k = 0; k < 4096 && home(y) != home(a); k++)
        y += PAGE_SLOTS;
    CHECK(home(y) == home(a));
    uint32_t h = home(a);
    CHECK(get()->e[(h + 1) % SLOTS].cookie == FREED && get()->e[(h + 2) % SLOTS].cookie == EMPTY);
    CHECK(gc_region_insert(y, 1, GC_OWN_ORIGIN_UNKNOWN, 4242, false));
    CHECK(slots_holding(y) == 1 && get()->e[(h + 2) % SLOTS].cookie == y);
    CHECK(get()->e[(h + 1) % SLOTS].cookie == FREED);
    /* The second process finds it there: one count of 2, flags and origin kept. */
    CHECK(gc_region_insert(y, 1, GC_OWN_ORIGIN_UNKNOWN, 4343, false));
    uint32_t flags = 0;
    int origin = 0;
    CHECK(slots_holding(y) == 1 && gc_region_add(y, -1, &flags, &origin) == 1);
    CHECK(flags == GC_OWN_ORIGIN_UNKNOWN && origin == 4242);
    CHECK(gc_region_add(y, -1, NULL, NULL) == 0);

    concurrent_arrivals(a + 3 * PAGE_SLOTS * 1024);

    if (ut_failures)
        fprintf(stderr, "test_region: %d check(s) failed\n", ut_failures);
    return ut_failures != 0;
}
