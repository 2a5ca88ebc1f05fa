#!/usr/bin/env bats
# Early reply to a large upload (issue 2): the server answers 413 before
# reading the body and closes; the client sends its whole 8 MB body with
# blocking writes and reads the reply only afterwards.  Without graceclose
# the client's send fails (reset) and it never sees the reply; with
# graceclose on the server it gets the whole reply and a clean end.

load lib/common

setup() {
    gc_setup
}

# upload_once SERVER_ARGS CLIENT_ARGS [PREFIX...]: prefix applies to the server.
# Leaves the client's output in $T/client.out, the server's in $T/server.out.
upload_once() {
    local sargs=$1 cargs=$2
    shift 2
    start_server server "$@" "$(h upload_server)" $sargs || return 1
    CLIENT_RC=0
    timeout 30 "$(h upload_client)" $cargs "$PORT" >"$T/client.out" 2>"$T/client.err" ||
        CLIENT_RC=$?
    finish_server server || return 1
    echo "server: $(cat "$T/server.out")"
    echo "client ($CLIENT_RC): $(cat "$T/client.out" "$T/client.err")"
}

# got_reply [BYTES]: the client sent everything (default 8 MiB), then received
# exactly the server's reply and EOF.
got_reply() {
    local reply bytes=${1:-8388608}
    reply=$(grep '^reply=' "$T/server.out")
    [ "$CLIENT_RC" -eq 0 ]
    grep -q "^sent=$bytes of=$bytes send=ok\$" "$T/client.out"
    grep -qF "end=eof $reply" "$T/client.out"
}

@test "early reply: without graceclose the uploading client gets a reset, not the reply" {
    for i in 1 2; do
        upload_once "" "" "${WITHOUT_LIB[@]}"
        [ "$CLIENT_RC" -ne 0 ]
        grep -Eq '^sent=[0-9]+ of=8388608 send=(EPIPE|ECONNRESET)$' "$T/client.out"
        [ "$(grep -c 'HTTP/1.1 413' "$T/client.out")" -eq 0 ]
    done
}

@test "early reply: with graceclose on the server the client gets the whole 413 reply" {
    for i in 1 2; do
        upload_once "" "" "${WITH_LIB[@]}"
        got_reply
        # The server's close stayed within the default bound (5 s) plus a margin.
        ms_at_most "$(field close_ms "$(tail -1 "$T/server.out")")" 6500
        grep -q '^close=0 errno=0 ' "$T/server.out"
    done
}

@test "early reply: server that reads nothing at all, over IPv6, with graceclose" {
    upload_once "-6 -r 0" "-6" "${WITH_LIB[@]}"
    got_reply
}

@test "early reply: a slower uploader (pauses between 64 KiB chunks) still gets the reply" {
    # 2 MiB in 32 chunks 50 ms apart: the drain must keep reading while data
    # keeps coming, not give up at the first quiet moment.
    upload_once "" "-b 2097152 -p 50" "${WITH_LIB[@]}"
    got_reply 2097152
}

# A stall mid-stream (the client's kernel waiting out retransmission timeouts
# on a loaded host or a lossy path looks the same to the server) is longer
# than the idle time (500 ms) but shorter than the allowance for a peer that
# was streaming (5 s, here bounded by the 5 s timeout).  3 s: longer than
# the 2 s earlier builds allowed, which reset it.
@test "early reply: an uploader that stalls 3 s after 2 MiB of its 4 MiB (held up mid-stream) still gets the reply; reset without" {
    upload_once "" "-b 4194304 -s 2097152:3000" "${WITHOUT_LIB[@]}"
    [ "$CLIENT_RC" -ne 0 ]
    upload_once "" "-b 4194304 -s 2097152:3000" "${WITH_LIB[@]}"
    got_reply 4194304
}

@test "early reply: an uploader that stalls 1 s after only 64 KiB is let go at the idle time (its send after the stall fails), not held for the streaming allowance" {
    upload_once "" "-b 4194304 -s 65536:1000" "${WITH_LIB[@]}"
    [ "$CLIENT_RC" -ne 0 ]
    grep -Eq '^sent=[0-9]+ of=4194304 send=(EPIPE|ECONNRESET)$' "$T/client.out"
}
