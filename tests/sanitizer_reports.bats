#!/usr/bin/env bats
# Sanitizer builds (-Dsanitize=address|undefined, see tests/meson.build):
# every sanitizer report of the run goes to GC_SANITIZER_LOGS (log_path in
# ASAN_OPTIONS / UBSAN_OPTIONS).  meson runs "reset" before every other test
# and "check" after all of them; "probe" shows that a report from a library
# preloaded the suites' way does land there.  Test names start with the
# phase: meson picks each with --filter.

load lib/common

setup() {
    gc_setup
    [ -n "${GC_SANITIZER_LOGS:-}" ] || skip "not a sanitizer build (GC_SANITIZER_LOGS unset)"
    # Last on LD_PRELOAD is the library (after its runtime, for ASan).
    [ -n "${GC_SAN_PROBE_LIB:-}" ] || skip "no probe library built"
}

@test "reset: the log directory starts empty" {
    rm -rf "$GC_SANITIZER_LOGS"
    mkdir -p "$GC_SANITIZER_LOGS"
    [ -z "$(ls -A "$GC_SANITIZER_LOGS")" ]
}

@test "probe: a planted bug in a library preloaded like libgraceclose is reported to log_path" {
    local preload=${GC_PRELOAD%"$GC_LIB"}$GC_SAN_PROBE_LIB dir=$T/logs opts
    mkdir -p "$dir"
    # The suite's options with log_path pointing here instead.
    opts=$(printf '%s' "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" | sed "s|log_path=[^:]*|log_path=$dir/report|")
    run timeout 20 env "LD_PRELOAD=$preload" GC_SAN_PROBE=1 "ASAN_OPTIONS=$opts" "UBSAN_OPTIONS=$opts" \
        "$(h exit_with)" 0
    echo "status $status: $output; logs: $(ls "$dir")"
    ls "$dir"/report.* >/dev/null
    grep -Eq 'heap-buffer-overflow|runtime error: signed integer overflow' "$dir"/report.*
}

@test "check: no sanitizer report was written during the run" {
    local f found=0
    for f in "$GC_SANITIZER_LOGS"/*; do
        [ -e "$f" ] || continue
        found=1
        echo "=== $f"
        head -n 40 "$f"
    done
    [ -d "$GC_SANITIZER_LOGS" ]
    [ "$found" -eq 0 ]
}
