/* ut.h - a few lines of unit-test support: checks that count failures and
 * a diagnostics collector for the config loader. */
#ifndef GC_UT_H
#define GC_UT_H

#include <stdio.h>
#include <string.h>

extern int ut_failures;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            ut_failures++;                                                                 \
        }                                                                                  \
    } while (0)

#define CHECK_STR(got, want)                                                               \
    do {                                                                                   \
        const char *g_ = (got), *w_ = (want);                                              \
        if (strcmp(g_, w_) != 0) {                                                         \
            fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, __LINE__, g_, w_);   \
            ut_failures++;                                                                 \
        }                                                                                  \
    } while (0)

/* Every diagnostic of one load, one per line. */
struct ut_diags {
    char text[65536];
    size_t len;
    int count;
};

void ut_diag(const char *text, void *ctx);
void ut_diags_reset(struct ut_diags *d);

/* True when some diagnostic contains both "path:line:" and 'what'. */
int ut_has_diag(const struct ut_diags *d, const char *path, unsigned line, const char *what);

/* Reports the result and returns the exit status for main. */
int ut_done(const char *name);

#endif
