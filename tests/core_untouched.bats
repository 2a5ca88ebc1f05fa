#!/usr/bin/env bats
# What graceclose must never touch (issue 2, item 3): with the library
# preloaded, closing these makes no shutdown and no drain (traced with strace:
# the library shuts down with shutdown() and drains with recvfrom()), and the
# peers see exactly what they would see without it.

load lib/common

setup() {
    gc_setup
    TRACE=$T/trace
}

# untouched_case CASE: runs the helper under strace with the library; sets
# OUT (its output) and HITS (the shutdown/recvfrom calls traced).
untouched_case() {
    OUT=$(traced "$TRACE" -E "LD_PRELOAD=$GC_PRELOAD" "$(h untouched)" "$1")
    HITS=$(strace_hits "$TRACE")
    echo "output: $OUT"
    echo "traced: $HITS"
}

@test "control: strace does show the library's shutdown and drain on a connected TCP socket" {
    GRACECLOSE_TIMEOUT=500ms untouched_case tcp
    grep -q '^shutdown(' <<<"$HITS"
    grep -q '^recvfrom(' <<<"$HITS"
    # and nothing of the kind without the library
    timeout 30 strace -o "$TRACE" -e trace=shutdown,recvfrom "$(h untouched)" tcp
    [ -z "$(strace_hits "$TRACE")" ]
}

@test "untouched: UDP socket, pipe, file, AF_UNIX stream, never-connected TCP socket" {
    for c in udp pipe file unix unconnected; do
        untouched_case "$c"
        [ -z "$HITS" ]
        # every close returned 0, left errno alone, and did not wait
        n=0
        while read -r name ret err ms; do
            [ "$ret" = close=0 ]
            [ "$err" = errno=unchanged ]
            ms_at_most "${ms#close_ms=}" 250
            n=$((n + 1))
        done <<<"$OUT"
        [ "$n" -ge 1 ]
    done
}

@test "untouched: a listening socket (with a connection queued) closes at once" {
    untouched_case listen
    [ -z "$HITS" ]
    line=$(grep '^listen ' <<<"$OUT")
    [[ $line == "listen close=0 errno=unchanged "* ]]
    ms_at_most "$(field close_ms "$line")" 250
    # the queued connection it reset is no longer connected: plain close too
    line=$(grep '^reset ' <<<"$OUT")
    [[ $line == "reset close=0 errno=unchanged "* ]]
    ms_at_most "$(field close_ms "$line")" 250
}

@test "untouched: SO_LINGER {1,0} still resets with the library (and a normal close does not)" {
    # No greeting: the only reason for a reset is the program's own SO_LINGER {1,0}.
    RECEIVER_ARGS=-n SENDER_ARGS="-e linger0"
    result=$(seed_once "${WITHOUT_LIB[@]}")
    echo "linger0 without: $result"
    [[ $result == *" end=reset" ]]
    result=$(seed_once strace -o "$TRACE" -e trace=shutdown,recvfrom -E "LD_PRELOAD=$GC_PRELOAD")
    echo "linger0 with: $result; traced: $(strace_hits "$TRACE")"
    [[ $result == *" end=reset" ]]
    [ -z "$(strace_hits "$TRACE")" ]
    # control: the same connection closed normally ends cleanly
    SENDER_ARGS="-e close"
    result=$(seed_once "${WITH_LIB[@]}")
    echo "close with: $result"
    complete "$result"
}

# share_run MODE PREFIX...: receiver with greeting + share_sender MODE under PREFIX.
share_run() {
    local mode=$1
    shift
    start_server receiver "$(h receiver)"
    SHARE_RC=0
    timeout 30 "$@" "$(h share_sender)" "$mode" "$PORT" >"$T/share.out" 2>"$T/share.err" ||
        SHARE_RC=$?
    finish_server receiver
    RESULT=$LAST_LINE
    echo "$mode: sender($SHARE_RC): $(tr '\n' ' ' <"$T/share.out") $(cat "$T/share.err")"
    echo "$mode: receiver: $RESULT"
}

@test "dup'd socket: closing one copy leaves the other working; closing the last is graceful" {
    for mode in dup dup2 dup3 dupfd dupfd-cloexec; do
        share_run "$mode" strace -o "$TRACE" -e trace=shutdown,recvfrom -E "LD_PRELOAD=$GC_PRELOAD"
        [ "$SHARE_RC" -eq 0 ]
        first=$(field fds "$(grep '^fds=' "$T/share.out")")
        first=${first%%,*}
        # the first close neither shut down nor drained nor waited
        echo "traced: $(strace_hits "$TRACE")"
        [ -z "$(strace_hits "$TRACE" | grep -E "^(shutdown|recvfrom)\\($first," || true)" ]
        ms_at_most "$(field close_ms "$(grep '^first_close=' "$T/share.out")")" 250
        grep -q '^first_close=0 ' "$T/share.out"
        # data written on the copy afterwards all arrives, and the last close
        # (greeting still unread) ends cleanly instead of resetting
        grep -qx 'sent=1000000' "$T/share.out"
        complete "$RESULT"
    done
}

@test "dup'd socket without the library: the last close resets (what the test above guards)" {
    share_run dup "${WITHOUT_LIB[@]}"
    lost "$RESULT"
}

@test "fork: the parent closing its copy does not disturb the child's conversation" {
    for i in 1 2 3; do
        # strace without -f: the trace is the parent's alone
        share_run fork strace -o "$TRACE" -e trace=shutdown,recvfrom -E "LD_PRELOAD=$GC_PRELOAD"
        [ "$SHARE_RC" -eq 0 ]
        echo "parent traced: $(strace_hits "$TRACE")"
        [ -z "$(strace_hits "$TRACE")" ]
        grep -q '^first_close=0 ' "$T/share.out"
        ms_at_most "$(field close_ms "$(grep '^first_close=' "$T/share.out")")" 250
        # the child still reads the greeting (nothing drained it away) ...
        grep -qF 'greeting="220 Welcome\r\n"' "$T/share.out"
        # ... and everything it writes after the parent's close arrives
        grep -qx 'sent=1000000' "$T/share.out"
        complete "$RESULT"
    done
}
