/* ut.c - see ut.h. */
#include "ut.h"

int ut_failures;

void ut_diag(const char *text, void *ctx)
{
    struct ut_diags *d = ctx;
    size_t n = strlen(text);

    fprintf(stderr, "  diag: %s\n", text);
    if (d->len + n + 2 < sizeof d->text) {
        memcpy(d->text + d->len, text, n);
        d->len += n;
        d->text[d->len++] = '\n';
        d->text[d->len] = '\0';
    }
    d->count++;
}

void ut_diags_reset(struct ut_diags *d)
{
    d->len = 0;
    d->count = 0;
    d->text[0] = '\0';
}

int ut_has_diag(const struct ut_diags *d, const char *path, unsigned line, const char *what)
{
    char prefix[4200];
    const char *p = d->text;

    if (line)
        snprintf(prefix, sizeof prefix, "%s:%u: ", path, line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", path);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char one[2048];

        snprintf(one, sizeof one, "%.*s", (int)n, p);
        if (strncmp(one, prefix, strlen(prefix)) == 0 && strstr(one, what))
            return 1;
        p += n + (nl ? 1 : 0);
    }
    fprintf(stderr, "  missing diagnostic: %s... %s\n", prefix, what);
    return 0;
}

int ut_done(const char *name)
{
    if (ut_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, ut_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}
