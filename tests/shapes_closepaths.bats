#!/usr/bin/env bats
# Every way the seed sender can end its connection (issue 3): it writes
# 1,000,000 bytes after the receiver's greeting (unread) and then ends by
# exit(), return from main, _exit(), _Exit(), fclose() of an fdopen()
# stream, exit() with its tail in stdout's buffer, dup2()/dup3() of
# /dev/null onto the socket, close_range() or closefrom().  Without
# graceclose the receiver loses data or sees a reset; with it every byte
# arrives, then a clean end of stream.

load lib/shapes

setup() {
    shapes_setup
}

# ends_cleanly MODE: 2 runs without the library (loss each time), 3 with
# (every byte each time).
ends_cleanly() {
    local result i
    SENDER_ARGS="-e $1"
    for i in 1 2; do
        result=$(seed_once "${WITHOUT[@]}")
        echo "without, run $i: $result / sender: $(tr '\n' ' ' <"$T/sender.out")"
        lost "$result"
    done
    for i in 1 2 3; do
        result=$(seed_once "${WITH[@]}")
        echo "with, run $i: $result / sender: $(tr '\n' ' ' <"$T/sender.out")"
        complete "$result"
    done
}

@test "sender ends with exit(): loss without graceclose, every byte with it" {
    ends_cleanly exit
}

@test "sender returns from main: loss without graceclose, every byte with it" {
    ends_cleanly return
}

@test "sender ends with _exit(): loss without graceclose, every byte with it" {
    ends_cleanly _exit
}

@test "sender ends with _Exit(): loss without graceclose, every byte with it" {
    ends_cleanly _Exit
}

@test "sender ends with fclose() of an fdopen() stream: loss without graceclose, every byte with it" {
    ends_cleanly fclose
}

@test "sender writes through stdio and exit() flushes the tail: loss without, every byte with" {
    ends_cleanly exit-stdio
}

@test "sender's stdout is the socket (an inetd service) and exit() flushes its tail: loss without, every byte with" {
    ends_cleanly exit-stdout
}

@test "sender ends with dup2(/dev/null, sock): loss without graceclose, every byte with it" {
    ends_cleanly dup2
    grep -q '^dup2=0 ' "$T/sender.out"
}

@test "sender ends with dup3(/dev/null, sock, O_CLOEXEC): loss without graceclose, every byte with it" {
    ends_cleanly dup3
    grep -q '^dup3=0 ' "$T/sender.out"
}

@test "sender ends with close_range(sock, ~0U, 0): loss without graceclose, every byte with it" {
    ends_cleanly close_range
    grep -q '^close_range=0 ' "$T/sender.out"
}

@test "sender ends with closefrom(sock): loss without graceclose, every byte with it" {
    ends_cleanly closefrom
}

@test "exit sweep: three connections whose peers never stop sending linger under ONE deadline (1s), not one each" {
    local ports=() i t0 t1 ms filter
    for i in 1 2 3; do
        start_server "peer$i" "$(h bound_peer)" -t 8 flood
        ports+=("$PORT")
    done
    run timeout 20 env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=1s "$(sh_path exitmany)" "${ports[@]}"
    [ "$status" -eq 0 ]
    [ "$output" = "connections=3" ]
    # The program ends at once; the helper lingers on the three.  How long
    # does some process still hold one of them?  (bounded: 10 s)
    filter="( dport = :${ports[0]} or dport = :${ports[1]} or dport = :${ports[2]} )"
    t0=$(date +%s%N)
    for ((i = 0; i < 400; i++)); do
        ss -Htnp state all "$filter" | grep -q 'users:' || break
        sleep 0.025
    done
    t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
    echo "held ${ms} ms after the program's end"
    for i in 1 2 3; do stop_pid "$(eval echo \$peer${i}_pid)"; done
    # one bound (less the program's own 100 ms) plus margin; three bounds
    # one after the other would take more than 3 s
    [ "$ms" -ge 700 ]  # the lingers did wait (the peers never close)
    [ "$ms" -le 2000 ]
}
