#!/usr/bin/env bats
# One deadline bounds a graceful close (issue 2): with GRACECLOSE_TIMEOUT=2s,
# a peer that keeps sending and never closes, and a peer that never reads
# (zero window), each keep the linger going for the timeout and no longer.
# close() itself returns at once (issue 8): the linger goes on in the helper
# process, so the bound shows in how long a process still holds the
# connection after the program's close (ss -p), here measured from the
# program's end, which comes right after its close.

load lib/common

setup() {
    gc_setup
}

# bound_run PEER_MODE CLOSER_MODE PREFIX...: sets OUT to the closer's output
# and MS to its close_ms.
# held_ms PORT: how long, from now, some process still holds our end of a
# connection to 127.0.0.1:PORT (polled every 25 ms, at most 10 s).
held_ms() {
    local t0 i
    t0=$(date +%s%N)
    for ((i = 0; i < 400; i++)); do
        ss -Htnp state all "( dport = :$1 )" | grep -q 'users:' || break
        sleep 0.025
    done
    echo $((($(date +%s%N) - t0) / 1000000))
}

bound_run() {
    local peer=$1 closer=$2
    shift 2
    start_server peer "$(h bound_peer)" -t 15 "$peer"
    OUT=$(timeout 30 "$@" "$(h timed_close)" "$closer" "$PORT")
    MS=$(held_ms "$PORT")
    stop_server peer
    echo "$peer/$closer: $OUT"
    CLOSE_MS=$(field close_ms "$(grep '^close=' <<<"$OUT")")
    echo "close_ms=$CLOSE_MS held_ms=$MS"
    grep -q '^close=0 errno=unchanged ' <<<"$OUT"
    # close() never waits for the linger
    ms_at_most "$CLOSE_MS" 250
}

@test "bound: a peer that keeps sending and never closes keeps the linger for the timeout, no longer; close() returns at once" {
    bound_run flood small env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s
    ms_at_most "$MS" 4000
    # it really lingered (the drain never sees an end): the bound is what stopped it
    ms_at_least "$MS" 1900
}

@test "bound: a peer that never reads (zero window) keeps the linger for the timeout, no longer; close() returns at once" {
    bound_run stall fill env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s
    # the buffers really were full: more than the peer's initial window
    [ "$(field queued "$OUT")" -gt 131072 ]
    ms_at_most "$MS" 4000
    ms_at_least "$MS" 1900
}

@test "bound: a different timeout (1s) moves the bound with it" {
    bound_run stall fill env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=1s
    ms_at_most "$MS" 3000
    ms_at_least "$MS" 900
}
