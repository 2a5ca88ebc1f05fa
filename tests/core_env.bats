#!/usr/bin/env bats
# Environment variables (issue 2, item 6): a bad value gives exactly one line
# on stderr naming the variable and the value, the knob keeps its default,
# the host program runs on with its own exit status; nothing is written when
# fd 2 is a socket; GRACECLOSE_POLICY=off is a kill switch.

load lib/common

setup() {
    gc_setup
}

# bad_value VAR VALUE: runs exit_with 7 with the library and VAR=VALUE;
# checks status, stdout and the single stderr line.
bad_value() {
    local var=$1 value=$2 err
    timeout 10 env "LD_PRELOAD=$GC_PRELOAD" "$var=$value" "$(h exit_with)" 7 \
        >"$T/out" 2>"$T/err" && rc=0 || rc=$?
    err=$(cat "$T/err")
    echo "$var='$value': status $rc, stdout '$(cat "$T/out")', stderr: $err"
    [ "$rc" -eq 7 ]
    [ "$(cat "$T/out")" = ran ]
    [ "$(wc -l <"$T/err")" -eq 1 ]
    [[ $err == *"$var"* ]]
    if [ -n "$value" ]; then
        [[ $err == *"$value"* ]]
    else
        [[ $err == *"''"* || $err == *'""'* ]]
    fi
}

@test "env: without the library the host program prints nothing on stderr (control)" {
    timeout 10 env GRACECLOSE_TIMEOUT=abc "$(h exit_with)" 7 >"$T/out" 2>"$T/err" && rc=0 || rc=$?
    [ "$rc" -eq 7 ]
    [ ! -s "$T/err" ]
}

@test "env: good values give no message at all" {
    timeout 10 env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=250ms GRACECLOSE_IDLE=2s \
        GRACECLOSE_STEPS=shutdown,drain GRACECLOSE_POLICY=linger GRACECLOSE_MAX_DRAIN=64k \
        "$(h exit_with)" 7 >"$T/out" 2>"$T/err" && rc=0 || rc=$?
    [ "$rc" -eq 7 ]
    [ ! -s "$T/err" ]
}

@test "env: bad GRACECLOSE_TIMEOUT values: abc, -5, 1e99, empty, 99999999999999999999" {
    for v in abc -5 1e99 "" 99999999999999999999; do
        bad_value GRACECLOSE_TIMEOUT "$v"
    done
}

@test "env: bad GRACECLOSE_STEPS, GRACECLOSE_POLICY, GRACECLOSE_IDLE, GRACECLOSE_MAX_DRAIN" {
    bad_value GRACECLOSE_STEPS bogus
    bad_value GRACECLOSE_POLICY maybe
    bad_value GRACECLOSE_IDLE 3parsecs
    bad_value GRACECLOSE_MAX_DRAIN lots
}

@test "env: a bad value keeps the default, so the seed scenario is still fixed" {
    for setting in GRACECLOSE_POLICY=maybe GRACECLOSE_STEPS=bogus GRACECLOSE_TIMEOUT=abc; do
        result=$(seed_once env "LD_PRELOAD=$GC_PRELOAD" "$setting")
        echo "$setting: $result"
        complete "$result"
        grep -q "${setting%%=*}" "$T/sender.err"
    done
}

@test "env: when fd 2 is a socket the line is not written: the peer gets only the program's own output" {
    start_server peer "$(h receiver)" -n -s
    timeout 10 "$(h as_service)" "$PORT" env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=abc \
        "$(h exit_with)" 7 'service says hi
' >"$T/out" && rc=0 || rc=$?
    finish_server peer
    echo "status $rc, peer: $LAST_LINE"
    [ "$rc" -eq 7 ]
    [ "$(cat "$T/out")" = ran ]
    [ "$LAST_LINE" = 'bytes=16 end=eof data="service says hi\n"' ]
}

@test "env: GRACECLOSE_POLICY=off passes through: the seed scenario loses data again" {
    for i in 1 2 3; do
        result=$(seed_once env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_POLICY=off)
        echo "run $i: $result"
        lost "$result"
    done
}

# stderr on a pipe whose reader is gone: the line's write gets EPIPE, and a
# plain write(2) would raise SIGPIPE and kill the program before main.
@test "env: a bad value with stderr on a pipe nobody reads does not kill the program" {
    for lib in "" "$GC_PRELOAD"; do
        (
            trap - PIPE
            sleep 0.3 # the reader below has exited by now
            rc=0
            env ${lib:+"LD_PRELOAD=$lib"} GRACECLOSE_TIMEOUT=abc timeout 10 "$(h exit_with)" 7 '' || rc=$?
            echo "$rc" >"$T/rc"
        ) 2>&1 >/dev/null | true
        echo "library '${lib}': status $(cat "$T/rc")"
        [ "$(cat "$T/rc")" -eq 7 ]
    done
}

@test "env: a long config path keeps the whole reason in the library's message" {
    dir=$T/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..60})
    mkdir -p "$dir"
    printf '[default]\nno_such_key = 1\n' >"$dir/graceclose.conf"
    run env "GRACECLOSE_CONFIG=$dir/graceclose.conf" "LD_PRELOAD=$GC_PRELOAD" timeout 10 "$(h exit_with)" 7 ''
    echo "$output"
    [ "$status" -eq 7 ]
    [[ "$output" == *"graceclose.conf:2: unknown key"* ]]
    [[ "$output" != *"..."* ]]
}
