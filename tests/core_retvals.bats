#!/usr/bin/env bats
# close() returns what the real close returned, with its errno, and leaves
# errno alone on success (issue 2): the retvals helper's report must be the
# same byte for byte without and with the library.

load lib/common

setup() {
    gc_setup
}

@test "retvals: the report itself is meaningful (errors and untouched errno both occur)" {
    run timeout 30 "$(h retvals)"
    [ "$status" -eq 0 ]
    echo "$output"
    [[ $output == *"close(-1)              ret=-1 errno=EBADF"* ]]
    [[ $output == *"file                   ret=0 errno=1234"* ]]
    [[ $output == *"file-again             ret=-1 errno=EBADF"* ]]
    [[ $output == *"tcp-connected          ret=0 errno=1234"* ]]
}

@test "retvals: close() results and errno are identical without and with graceclose" {
    timeout 30 "$(h retvals)" >"$T/without.txt"
    # short bounds: one close in the report lingers while its peer is still open
    timeout 30 env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=1s GRACECLOSE_IDLE=200ms \
        "$(h retvals)" >"$T/with.txt"
    diff -u "$T/without.txt" "$T/with.txt"
    [ "$(wc -l <"$T/with.txt")" -ge 15 ]
}

@test "retvals: identical too with the kill switch (GRACECLOSE_POLICY=off)" {
    timeout 30 "$(h retvals)" >"$T/without.txt"
    timeout 30 env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_POLICY=off "$(h retvals)" >"$T/off.txt"
    diff -u "$T/without.txt" "$T/off.txt"
}
