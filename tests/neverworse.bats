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

# --- other families: the library leaves them alone or treats them as TCP

@test "UNIX stream socketpair: closing with input unread, the other end reads the data then ECONNRESET" {
    nw_both "$(n family)" unix-stream
    [[ $(nw_out without) == *"close_a=0 errno=EDOM read_total=5 errno=ECONNRESET"* ]]
    nw_same
}

@test "UNIX datagram socketpair: send, close, receive" {
    nw_both "$(n family)" unix-dgram
    [[ $(nw_out without) == *"close_a=0 errno=EDOM read_total=5"* ]]
    nw_same
}

@test "UDP on 127.0.0.1: three datagrams, close, all three received" {
    nw_both "$(n family)" udp
    [[ $(nw_out without) == *"close=0 errno=EDOM read_total=24"* ]]
    nw_same
}

@test "TCP over IPv6 [::1]: every byte, then end of stream, close = 0" {
    nw_both -6 count -- GRACECLOSE_TIMEOUT=2s "$(n family)" tcp6 PORT
    [ "$(cat "$T/without.peer")" = "peer bytes=200000 end=eof" ]
    [[ $(nw_out without) == *"close=0 errno=EDOM"* ]]
    nw_same
}

@test "TCP through a v4-mapped address (AF_INET6 socket to ::ffff:127.0.0.1): every byte, end of stream" {
    nw_both count -- GRACECLOSE_TIMEOUT=2s "$(n family)" mapped PORT
    [ "$(cat "$T/without.peer")" = "peer bytes=200000 end=eof" ]
    [[ $(nw_out without) == *"close=0 errno=EDOM"* ]]
    nw_same
}

# --- descriptor limits: the library must not use up the program's descriptors

@test "EMFILE under RLIMIT_NOFILE 16: as many sockets open before EMFILE, with and without" {
    nw_both count -- GRACECLOSE_TIMEOUT=2s "$(n fdlimit)" emfile PORT
    [[ $(nw_out without) == *"opened_until_error="*" errno=EMFILE close_failures=0"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=100000 end=eof" ]
    nw_same
}

@test "RLIMIT_NOFILE with one descriptor free: it works, and is free again after close" {
    nw_both count -- GRACECLOSE_TIMEOUT=2s "$(n fdlimit)" tiny PORT
    [[ $(nw_out without) == *"conn_fd_is_the_free_one=1 errno="*"close=0 errno=EDOM new_fd_is_the_free_one=1"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=100000 end=eof" ]
    nw_same
}

# --- signals around a close that has something to wait for

@test "SIGALRM every 200 us with SA_RESTART: close = 0, errno untouched, every byte delivered" {
    nw_both count -- GRACECLOSE_TIMEOUT=3s "$(n storm)" restart PORT
    [[ $(nw_out without) == *"send=1000000 errno=EDOM close=0 errno=EDOM storm_ran=1"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=1000000 end=eof" ]
    nw_same
}

@test "SIGALRM every 200 us without SA_RESTART: close = 0 (never EINTR), every byte delivered" {
    nw_both count -- GRACECLOSE_TIMEOUT=3s "$(n storm)" norestart PORT
    [[ $(nw_out without) == *"send=1000000 errno=EDOM close=0 errno=EDOM storm_ran=1"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=1000000 end=eof" ]
    nw_same
}

# --- sockets the program closes in a way of its own

@test "SO_LINGER {1, 0}: the peer gets the bytes and a reset, with the library as without" {
    nw_both count -- "$(n linger0)" PORT
    [ "$(cat "$T/without.peer")" = "peer bytes=1000 end=reset" ]
    [[ $(nw_out without) == *"so_linger=0 errno=EDOM close=0 errno=EDOM"* ]]
    nw_same
}

@test "a non-blocking connect still in progress: EINPROGRESS, then close = 0 at once" {
    nw_both "$(n nbconnect)"
    [[ $(nw_out without) == *"connect=-1 errno=EINPROGRESS close=0 errno=EDOM close_fast=1"* ]]
    nw_same
}

@test "vfork + exec with the connection open: the child runs, the parent's close delivers everything" {
    nw_both count -- GRACECLOSE_TIMEOUT=2s "$(n vforkexec)" PORT
    [[ $(nw_out without) == *"child_status=0 errno=EDOM send=100000 errno=EDOM close=0 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=100000 end=eof" ]
    nw_same
}
