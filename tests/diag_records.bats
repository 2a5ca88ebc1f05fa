#!/usr/bin/env bats
# One record per handled close and a summary at exit (issue 9, items 2 and
# 4), each outcome produced by a real run on loopback: the record names the
# program, the addresses, the TCP state, unread and unacknowledged bytes at
# entry, the path that closed, the steps, bytes drained, time and outcome;
# the summary counts each outcome with its bytes and times.

bats_require_minimum_version 1.5.0

load lib/diag

setup() {
    diag_setup
    LOG=$T/gc.log
    INFO=(env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" GRACECLOSE_LOG_LEVEL=info)
}

# outcome_line PROGRAM OUTCOME: the summary's line for that outcome.  A
# close whose linger went to the helper counts there as handed-off; its
# ending is in the close record, which the helper writes.
outcome_line() { record_with "$LOG" outcome "program=$1 outcome=$2 "; }

# mix_once PLAN: one riskmix run with the library at info against a
# riskpeer serving one connection; shows the log.
mix_once() {
    start_server peer "$(d riskpeer)" 1
    timeout 20 "${INFO[@]}" "$(d riskmix)" "$PORT" "$1" >"$T/mix.out"
    finish_server peer
    cat "$LOG"
}

@test "peer-eof: the seed sender's record has every field, and the summary counts it" {
    result=$(seed_once "${INFO[@]}")
    complete "$result"
    rec=$(record_with "$LOG" close "program=sender ")
    echo "$rec"
    [[ $rec =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z\ graceclose\[[0-9]+\]:\ info:\ close\  ]]
    [ "$(field fd "$rec")" -ge 3 ]
    [[ $(field local "$rec") =~ ^127\.0\.0\.1:[0-9]+$ ]]
    [[ $(field peer "$rec") =~ ^127\.0\.0\.1:[0-9]+$ ]]
    [ "$(field state "$rec")" = ESTABLISHED ]
    [ "$(field role "$rec")" = connected ]
    [ "$(field path "$rec")" = close ]
    [ "$(field unread "$rec")" = 13 ]
    [ "$(field unacked "$rec")" -gt 0 ]
    [ "$(field steps "$rec")" = shutdown,drain,outq ]
    [ "$(field drained "$rec")" = 13 ]
    [ "$(field outcome "$rec")" = peer-eof ]
    ms_at_least "$(field ms "$rec")" 0.001
    sum=$(record_with "$LOG" summary "program=sender ")
    [ "$(field closes "$sum")" = 1 ]
    o=$(outcome_line sender handed-off)
    [ "$(field count "$o")" = 1 ]
}

@test "acked and done: the steps taken are the steps asked for" {
    # 1000 bytes: acknowledged at once, long before the receiver (200 ms
    # late) reads them and closes.
    SENDER_ARGS="-b 1000" SEED_BYTES=1000 seed_once "${INFO[@]}" GRACECLOSE_STEPS=shutdown,outq >/dev/null
    rec=$(record_with "$LOG" close "program=sender ")
    [ "$(field steps "$rec")" = shutdown,outq ]
    [ "$(field outcome "$rec")" = acked ]
    [ "$(field drained "$rec")" = 0 ]
    outcome_line sender handed-off
    rm "$LOG"
    SENDER_ARGS="-b 1000" SEED_BYTES=1000 seed_once "${INFO[@]}" GRACECLOSE_STEPS=shutdown >/dev/null
    [ "$(field outcome "$(record_with "$LOG" close "program=sender ")")" = done ]
}

@test "clean: nothing at stake when the peer has finished and everything was read" {
    mix_once C
    rec=$(record_with "$LOG" close "program=riskmix ")
    echo "$rec"
    [ "$(field outcome "$rec")" = clean ]
    [ "$(field state "$rec")" = CLOSE_WAIT ]
    [ "$(field unread "$rec")" = 0 ]
    outcome_line riskmix clean
}

@test "idle: our data acknowledged, the peer connected and silent for the idle time" {
    start_server sink "${INFO[@]}" GRACECLOSE_IDLE=200ms "$(d sinkserver)" quiet 1
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; sleep 1.5"
    finish_server sink
    rec=$(record_with "$LOG" close "program=sinkserver ")
    echo "$rec"
    [ "$(field outcome "$rec")" = idle ]
    [ "$(field role "$rec")" = accepted ]
    ms_at_least "$(field ms "$rec")" 190
    ms_at_most "$(field ms "$rec")" 1000
}

@test "timeout and byte-cap: against a peer that never stops sending" {
    start_server peer "$(h bound_peer)" -t 8 flood
    timeout 20 "${INFO[@]}" GRACECLOSE_TIMEOUT=300ms "$(h timed_close)" small "$PORT" >/dev/null
    rec=$(record_with "$LOG" close "program=timed_close ")
    stop_server peer || true
    echo "$rec"
    [ "$(field outcome "$rec")" = timeout ]
    [ "$(field drained "$rec")" -gt 0 ]
    ms_at_least "$(field ms "$rec")" 290
    rm "$LOG"
    start_server peer "$(h bound_peer)" -t 8 flood
    timeout 20 "${INFO[@]}" GRACECLOSE_MAX_DRAIN=16k "$(h timed_close)" small "$PORT" >/dev/null
    rec=$(record_with "$LOG" close "program=timed_close ")
    stop_server peer || true
    echo "$rec"
    [ "$(field outcome "$rec")" = byte-cap ]
    [ "$(field drained "$rec")" = 16384 ]
    outcome_line timed_close handed-off
}

@test "peer-reset: the peer resets while we linger" {
    start_server sink "$(d sinkserver)" rst 1
    timeout 20 "${INFO[@]}" "$(h timed_close)" small "$PORT" >/dev/null
    finish_server sink
    rec=$(record_with "$LOG" close "program=timed_close ")
    echo "$rec"
    [ "$(field outcome "$rec")" = peer-reset ]
}

@test "reset-by-policy and abortive: resets chosen by the policy and by the program" {
    seed_once "${INFO[@]}" GRACECLOSE_POLICY=reset >/dev/null
    [ "$(field outcome "$(record_with "$LOG" close "program=sender ")")" = reset-by-policy ]
    rm "$LOG"
    SENDER_ARGS="-e linger0" seed_once "${INFO[@]}" >/dev/null
    rec=$(record_with "$LOG" close "program=sender ")
    [ "$(field outcome "$rec")" = abortive ]
    [[ $rec == *'why="the program set SO_LINGER {1,0}"'* ]]
}

@test "shared: a close that is not the last holder's says so; the last one lingers" {
    mix_once D
    rec=$(record_with "$LOG" close "outcome=shared")
    [[ $rec == *'why="another descriptor of the family holds the socket"'* ]]
    rec=$(record_with "$LOG" close "outcome=peer-eof")
    [ "$(field unread "$rec")" = 13 ]
    outcome_line riskmix shared
}

@test "shared: a copy closed after its connection ended is still a shared close, not 'not connected'" {
    # (A fork server's parent closing its copy while the child's linger has
    # just ended the connection: the record must not drop to debug.)
    mix_once E
    rec=$(record_with "$LOG" close "outcome=shared")
    [ "$(field state "$rec")" = CLOSE ]
    [[ $rec == *'why="another descriptor of the family holds the socket"'* ]]
}

@test "every close path is named: fclose, dup2, dup3, close_range, closefrom, exit, return, _exit" {
    for mode in fclose dup2 dup3 close_range closefrom exit return _exit; do
        rm -f "$LOG"
        result=$(SENDER_ARGS="-e $mode" seed_once "${INFO[@]}")
        rec=$(record_with "$LOG" close "program=sender ")
        echo "$mode: $result / $rec"
        complete "$result"
        case $mode in
        exit | return) want=exit ;;
        _exit) want=_exit ;;
        *) want=$mode ;;
        esac
        [ "$(field path "$rec")" = "$want" ]
    done
}

@test "debug adds the passed-through closes and why; info does not" {
    start_server sink "${INFO[@]}" GRACECLOSE_LOG_LEVEL=debug "$(d sinkserver)" clean 1
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; read -r line <&3; sleep 0.2"
    finish_server sink
    cat "$LOG"
    record_with "$LOG" close "program=sinkserver .*outcome=clean"
    # The listener is no connected TCP socket: passed through, and why.
    rec=$(record_with "$LOG" close "program=sinkserver .*outcome=passed")
    [[ $rec == *' debug: close '*' state=LISTEN '*'why="not connected (listening, connecting or closed)" verdict=not-connected' ]]
    rm "$LOG"
    start_server sink "${INFO[@]}" "$(d sinkserver)" clean 1
    timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; read -r line <&3; sleep 0.2"
    finish_server sink
    record_with "$LOG" close "outcome=clean"
    ! grep -q 'outcome=passed' "$LOG"
}

@test "JSON Lines: the same records, one object per line, and the summary" {
    seed_once "${INFO[@]}" GRACECLOSE_LOG_FORMAT=json >/dev/null
    cat "$LOG"
    [ "$(json_lines "$LOG")" -eq 3 ]
    python3 - "$LOG" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
close = [r for r in recs if r["event"] == "close"][0]
assert close["program"] == "sender" and close["outcome"] == "peer-eof", close
assert close["unread"] == 13 and close["drained"] == 13 and close["path"] == "close", close
assert close["local"].startswith("127.0.0.1:") and close["level"] == "info", close
summary = [r for r in recs if r["event"] == "summary"][0]
assert summary["closes"] == 1 and summary["pid"] == close["pid"], summary
PY
}

@test "nothing at all by default when nothing is wrong" {
    result=$(seed_once env "LD_PRELOAD=$GC_LIB")
    complete "$result"
    [ ! -s "$T/sender.err" ]
    [ ! -s "$T/receiver.err" ]
}
