#!/usr/bin/env bats
# One deadline bounds a graceful close (issue 2): with GRACECLOSE_TIMEOUT=2s,
# a peer that keeps sending and never closes, and a peer that never reads
# (zero window), each hold close() for the timeout and no longer.  The time
# is measured inside the closing program, around close() alone.

load lib/common

setup() {
    gc_setup
}

# bound_run PEER_MODE CLOSER_MODE PREFIX...: sets OUT to the closer's output
# and MS to its close_ms.
bound_run() {
    local peer=$1 closer=$2
    shift 2
    start_server peer "$(h bound_peer)" -t 15 "$peer"
    OUT=$(timeout 30 "$@" "$(h timed_close)" "$closer" "$PORT")
    stop_server peer
    echo "$peer/$closer: $OUT"
    MS=$(field close_ms "$(grep '^close=' <<<"$OUT")")
    grep -q '^close=0 errno=unchanged ' <<<"$OUT"
}

@test "bound: a peer that keeps sending and never closes holds close() for the timeout, no longer" {
    bound_run flood small env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s
    ms_at_most "$MS" 3500
    # it really lingered (the drain never sees an end): the bound is what stopped it
    ms_at_least "$MS" 1900
}

@test "bound: a peer that never reads (zero window) holds close() for the timeout, no longer" {
    bound_run stall fill env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s
    # the buffers really were full: more than the peer's initial window
    [ "$(field queued "$OUT")" -gt 131072 ]
    ms_at_most "$MS" 3500
    ms_at_least "$MS" 1900
}

@test "bound: a different timeout (1s) moves the bound with it" {
    bound_run stall fill env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=1s
    ms_at_most "$MS" 2500
    ms_at_least "$MS" 900
}
