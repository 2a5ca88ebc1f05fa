#!/usr/bin/env bats
# The library under valgrind's memcheck in real programs, and the parsers
# (unit tests, the graceclose command) under it: no invalid read or write,
# no use of uninitialised memory, no bad free.  Run by
# `meson test --setup valgrind` (a build without -Dsanitize).  Every
# program's errors make valgrind exit 99; its log is shown on failure.

load lib/common

setup() {
    gc_setup
    command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed (Debian package valgrind)"
    VG=(valgrind -q --error-exitcode=99 --trace-children=yes --vgdb=no
        "--suppressions=$GC_SRCDIR/tests/valgrind.supp" "--log-file=$T/vg.%p")
    [ -x "${GC_UNIT:-}/test_config" ] || skip "unit tests not built in GC_UNIT=${GC_UNIT:-}"
}

# vg_clean: no valgrind log has an error in it.
vg_clean() {
    local f bad=0
    for f in "$T"/vg.*; do
        [ -s "$f" ] || continue
        echo "=== $f"
        head -n 60 "$f"
        bad=1
    done
    return $bad
}

@test "the config parser's unit tests under memcheck" {
    run timeout 300 "${VG[@]}" "$GC_UNIT/test_config" "$GC_SRCDIR/tests/fixtures/conf" \
        "$GC_SRCDIR/conf/graceclose.conf" "$GC_SRCDIR/conf/system-wide.conf"
    echo "$output" | tail -n 5
    [ "$status" -eq 0 ]
    vg_clean
}

@test "the rule matcher's unit tests under memcheck" {
    run timeout 300 "${VG[@]}" "$GC_UNIT/test_rules"
    echo "$output" | tail -n 5
    [ "$status" -eq 0 ]
    vg_clean
}

@test "graceclose check and explain under memcheck" {
    run timeout 120 "${VG[@]}" "$GC_CMD" check "$GC_SRCDIR/conf/graceclose.conf"
    [ "$status" -eq 0 ]
    run timeout 120 "${VG[@]}" "$GC_CMD" check "$GC_SRCDIR/tests/fixtures/conf/bad-value.conf"
    [ "$status" -eq 1 ]
    run timeout 120 env "GRACECLOSE_CONFIG=$GC_SRCDIR/conf/graceclose.conf" "${VG[@]}" "$GC_CMD" \
        explain --program vsftpd --local-port 21 --peer 127.0.0.1:40000
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *timeout* ]]
    vg_clean
}

# seed_vg MODE: the seed scenario with the sender under memcheck and the
# library; every byte must still arrive.  (valgrind.supp: the one known
# false report, the drain's recv into a NULL buffer with MSG_TRUNC.)
seed_vg() {
    local result
    SENDER_ARGS="-e $1"
    result=$(seed_once env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=5s "${VG[@]}") || {
        vg_clean
        return 1
    }
    echo "sender ends with $1: $result / $(tr '\n' ' ' <"$T/sender.out")"
    complete "$result"
    vg_clean
}

@test "the library under memcheck: sender ends with close()" { seed_vg close; }
@test "the library under memcheck: sender ends with exit()" { seed_vg exit; }
@test "the library under memcheck: sender ends with _exit()" { seed_vg _exit; }
@test "the library under memcheck: sender ends with fclose()" { seed_vg fclose; }
@test "the library under memcheck: sender ends with exit() flushing stdio" { seed_vg exit-stdio; }
@test "the library under memcheck: sender ends with dup2()" { seed_vg dup2; }
@test "the library under memcheck: sender ends with close_range()" { seed_vg close_range; }

@test "the library under memcheck: a fork-per-connection server" {
    local sh_dir
    sh_dir=$(dirname "$GC_HELPERS")/shapes
    start_server srv env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=5s "${VG[@]}" \
        "$sh_dir/forkserver" -n 2 -e close
    run timeout 60 "$sh_dir/upclient" "$PORT"
    echo "client 1: $output"
    run timeout 60 "$sh_dir/upclient" "$PORT"
    echo "client 2: $output"
    finish_server srv 60
    echo "server: $LAST_LINE"
    [ "$LAST_LINE" = "served=2" ]
    vg_clean
}
