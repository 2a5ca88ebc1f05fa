#!/bin/sh
# fuzz.sh [SECONDS] [TARGET...] - builds the fuzz targets of tests/fuzz with
# clang's libFuzzer (plus ASan and UBSan) into build-fuzz/ and runs each for
# SECONDS (default 20), starting from its seed corpus.  Targets: values
# (every value parser), config (the config file parser and rule
# resolution), rules (rule matching with any socket address), explain
# (`graceclose explain` arguments); default all.
#
# New inputs go to build-fuzz/corpus/TARGET (the seeds in tests/fuzz/corpus
# are only read).  A crash leaves build-fuzz/artifacts/TARGET-crash-* and
# exits 1: once the bug is fixed, copy that file into
# tests/fuzz/corpus/TARGET/ so every test run replays it (fuzz-replay-*).
# Exit status: 0 no crash; 1 a target crashed; 77 clang or libFuzzer missing.
set -eu

cd "$(dirname "$0")/.."
secs=${1:-20}
[ $# -gt 0 ] && shift
targets=${*:-values config rules explain}
out=build-fuzz
CC=${FUZZ_CC:-clang}

command -v "$CC" >/dev/null 2>&1 || { echo "fuzz.sh: $CC not found (Debian: clang, libclang-rt-14-dev)" >&2; exit 77; }
mkdir -p "$out/artifacts"
# The few build-time constants the sources read (meson writes the real ones).
cat >"$out/gc_config.h" <<'H'
#define GC_VERSION "fuzz"
#define GC_SYSCONFDIR "/nonexistent-graceclose-fuzz"
#define GC_LIBDIR "/nonexistent-graceclose-fuzz"
H
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$out/probe.c"
"$CC" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null ||
    { echo "fuzz.sh: $CC cannot link libFuzzer (Debian: libclang-rt-14-dev)" >&2; exit 77; }

status=0
for t in $targets; do
    extra="" seeds="tests/fuzz/corpus/$t"
    case $t in
    values | rules) ;;
    config) seeds="$seeds tests/fixtures/conf conf" ;;
    explain) extra="src/bin/cmd_config.c src/bin/progcheck.c -Wl,--wrap=exit" ;;
    *) echo "fuzz.sh: unknown target $t" >&2; exit 2 ;;
    esac
    # shellcheck disable=SC2086 # word lists
    "$CC" -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=all -I"$out" -Isrc/common -Isrc/bin \
        "tests/fuzz/fuzz_$t.c" src/common/*.c $extra -o "$out/fuzz_$t"
    mkdir -p "$out/corpus/$t"
    start=$(date +%s)
    rc=0
    # shellcheck disable=SC2086
    "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" $seeds >"$out/$t.log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
    echo "fuzz $t: ${runs:-?} runs in $(($(date +%s) - start)) s, exit $rc"
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$out/$t.log"
        ls "$out/artifacts/$t-"* 2>/dev/null || true
        status=1
    fi
done
exit "$status"
