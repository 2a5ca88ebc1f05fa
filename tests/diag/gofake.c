/* gofake - a C program with a ".note.go.buildid" section, which is how
 * 'graceclose' recognises a Go binary without needing a Go toolchain. */
__attribute__((used, section(".note.go.buildid"))) static const char buildid[] = "fake";

int main(void)
{
    return 0;
}
