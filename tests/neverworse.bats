#!/usr/bin/env bats
# Never worse than without the library (issue 10): each scenario is a real
# program on loopback, run without and with graceclose against a fresh peer;
# exit status, the result and errno of every call, stdout, stderr and what
# the peer received must be the same.  Each test also checks the run without
# the library for the expected result, so it cannot pass by asserting nothing.

load lib/common
load lib/neverworse

setup() {
    nw_setup
}

# --- fclose(): the result of the final flush

@test "fclose: peer gone, SIGPIPE ignored: -1 EPIPE with and without" {
    nw_both close -- GRACECLOSE_TIMEOUT=1s "$(n fclose_ret)" gone PORT
    [[ $(nw_out without) == *"fclose=-1 errno=EPIPE fcntl_after=-1 errno=EBADF"* ]]
    nw_same
}

@test "fclose: O_NONBLOCK stream that cannot flush: -1 EAGAIN with and without" {
    nw_both idle -- GRACECLOSE_TIMEOUT=1s "$(n fclose_ret)" full PORT
    [[ $(nw_out without) == *"fclose=-1 errno=EAGAIN fcntl_after=-1 errno=EBADF"* ]]
    nw_same
}

@test "fclose: a flush that succeeds: 0, errno untouched, the peer gets the tail" {
    nw_both count -- GRACECLOSE_TIMEOUT=1s "$(n fclose_ret)" ok PORT
    [[ $(nw_out without) == *"fclose=0 errno=EDOM fcntl_after=-1 errno=EBADF"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=14 end=eof" ]
    nw_same
}
