/* probe.c - a library with a planted bug, built with the library's
 * sanitizer and preloaded the way the suites preload the library.  When
 * GC_SAN_PROBE is set, its constructor reads one byte past a heap block
 * (ASan: heap-buffer-overflow) and overflows a signed int (UBSan: runtime
 * error).  tests/sanitizer_reports.bats uses it to show that a report from
 * a preloaded library reaches the log directory the final check reads. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void probe(void)
{
    if (!getenv("GC_SAN_PROBE"))
        return;
    volatile int big = INT_MAX, one = 1;
    char *volatile p = malloc(8);
    volatile size_t past = 8;
    int sum = big + one;
    char c = p ? p[past] : 0;
    printf("probe sum=%d c=%d\n", sum, c);
    free(p);
}
