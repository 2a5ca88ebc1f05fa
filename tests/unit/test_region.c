/* test_region.c - the family's count table (src/lib/region.c), driven
 * with made-up cookies: one socket must never get two slots, whatever
 * freed slots lie on its way (a split count lets a close find zero while
 * another process still holds the socket). */
#include "../../src/lib/region.c"

#include "ut.h"


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

    if (ut_failures)
        fprintf(stderr, "test_region: %d check(s) failed\n", ut_failures);
    return ut_failures != 0;
}
