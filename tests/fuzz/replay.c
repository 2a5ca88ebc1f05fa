/* replay - runs a fuzz target over the files given, or the files in the
 * directories given (the seed corpus), without libFuzzer, so that every
 * ordinary test run (gcc, any sanitizer build) replays the corpus.
 * usage: fuzz_replay_NAME FILE|DIR... */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static unsigned char buf[1 << 20];
static int replayed;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");

    if (!f) {
        perror(path);
        return 1;
    }
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    replayed++;
    return 0;
}

static int replay(const char *path)
{
    struct stat st;
    char sub[4096];

    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) ? replay_file(path) : 0;
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    int bad = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        bad |= replay(sub);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;

    for (int i = 1; i < argc; i++)
        bad |= replay(argv[i]);
    fprintf(stderr, "replayed %d inputs\n", replayed);
    return bad || replayed == 0 ? 1 : 0;
}
