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

# --- SIGCHLD storm after a close the library hands to its helper (a child
# of the program, exit signal 0): wait() must neither see nor wait for it

@test "SIGCHLD storm after an at-stake close, SA_RESTART, wait(): 50 reaped, then ECHILD at once; the peer gets every byte" {
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "$(n chldstorm)" restart PORT
    [[ $(nw_out without) == *"input_queued=1 errno=EDOM send=1000000 errno=EDOM close=0 errno=EDOM last_wait=-1 errno=ECHILD reap_under_1s=1 errno=EDOM reaped=50 errno=EDOM status_7=50 errno=EDOM sigchld_seen=1 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
    nw_same rc out err
}

@test "SIGCHLD storm after an at-stake close, no SA_RESTART, waitpid(-1, 0): 50 reaped, then ECHILD at once; the peer gets every byte" {
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "$(n chldstorm)" norestart PORT
    [[ $(nw_out without) == *"close=0 errno=EDOM last_wait=-1 errno=ECHILD reap_under_1s=1 errno=EDOM reaped=50 errno=EDOM status_7=50 errno=EDOM sigchld_seen=1 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
    nw_same rc out err
}

@test "SIGCHLD storm after an at-stake close, the handler reaps with waitpid(WNOHANG): 50 reaped, then ECHILD; the peer gets every byte" {
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "$(n chldstorm)" handler PORT
    [[ $(nw_out without) == *"close=0 errno=EDOM last_wait=-1 errno=ECHILD reap_under_1s=1 errno=EDOM reaped=50 errno=EDOM status_7=50 errno=EDOM sigchld_seen=1 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
    nw_same rc out err
}

# --- /proc hidden: an empty tmpfs over /proc in a mount namespace of the
# test's own (the library reads /proc/self/status and /proc/self/fd)

# Skips the test unless a private mount namespace with /proc hidden works.
proc_hidden_or_skip() {
    skip_under_asan "ASan's own runtime needs /proc"
    [ "$(id -u)" = 0 ] || skip "needs root (a mount namespace and a tmpfs over /proc)"
    timeout 10 unshare -m sh -c 'mount -t tmpfs none /proc && [ ! -e /proc/self ]' 2>/dev/null ||
        skip "unshare -m with a tmpfs mounted over /proc failed here"
}
HIDE_PROC=(unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' sh)

@test "/proc hidden, the seed case: return values and exit status unchanged; the peer gets every byte and the end of stream" {
    proc_hidden_or_skip
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "${HIDE_PROC[@]}" "$(n atstake)" seed PORT
    [[ $(nw_out without) == *"proc_self_status_visible=0 errno=ENOENT input_queued=1 errno=EDOM send=1000000 errno=EDOM close=0 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    nw_same rc out err
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
}

@test "/proc hidden, the program exits with the socket open: exit status unchanged; the exit sweep still lingers (a program that made no thread is alone without asking /proc)" {
    proc_hidden_or_skip
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "${HIDE_PROC[@]}" "$(n atstake)" exit PORT
    [[ $(nw_out without) == *"proc_self_status_visible=0 errno=ENOENT input_queued=1 errno=EDOM send=1000000 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    nw_same rc out err
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
}

@test "/proc hidden, a fork child holds the socket while the parent closes: return values unchanged; the peer gets every byte" {
    proc_hidden_or_skip
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "${HIDE_PROC[@]}" "$(n atstake)" fork PORT
    [[ $(nw_out without) == *"proc_self_status_visible=0 errno=ENOENT input_queued=1 errno=EDOM send=1000000 errno=EDOM parent_close=0 errno=EDOM child_close=0 errno=EDOM waitpid=1 errno=EDOM child_status=0 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    nw_same rc out err
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
}

# --- a descriptor that only looks like the count table

# An empty memfd with the count table's name, inherited over exec: not one
# of ours (no seals, no size), so the library makes its own table.  Mapped
# and read as a table, its first access would fault (SIGBUS).
IMPOSTOR=(python3 -c 'import os, sys
fd = os.memfd_create("graceclose-owners", 0)
os.set_inheritable(fd, True)
os.execv(sys.argv[1], sys.argv[1:])')

@test "an inherited empty memfd named like the count table: the seed case's return values and exit status unchanged; the peer gets every byte" {
    nw_both greet -- GRACECLOSE_TIMEOUT=3s "${IMPOSTOR[@]}" "$(n atstake)" seed PORT
    [[ $(nw_out without) == *"input_queued=1 errno=EDOM send=1000000 errno=EDOM close=0 errno=EDOM"* ]]
    lost "$(cat "$T/without.peer")"
    nw_same rc out err
    [ "$(cat "$T/with.peer")" = "peer bytes=1000000 end=eof" ]
}

# --- TCP_REPAIR: a close in repair mode sends nothing, and must stay so

@test "TCP_REPAIR on, then close: the peer sees neither FIN nor reset for 500 ms, and no process holds the socket after, with the library as without" {
    nw_both quiet -- "$(n repair)" PORT
    if grep -q '^tcp_repair=-1 errno=EPERM' "$T/without.out"; then
        skip "TCP_REPAIR needs CAP_NET_ADMIN"
    fi
    [[ $(nw_out without) == *"input_queued=1 errno=EDOM send=1000 errno=EDOM tcp_repair=0 errno=EDOM close=0 errno=EDOM held_after_close=0 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=1000 end=none" ]
    nw_same
}

# --- the program shuts its own read side against a peer still uploading:
# the reply, then a reset within milliseconds (never a linger against a
# zero window until the timeout)

# upload_quick LABEL: the peer's upload ended less than 3 s after the reply.
upload_quick() {
    local ms
    ms=$(field ms_after_reply "$(cat "$T/$1.peererr")")
    ms_at_most "$ms" 3000 || {
        echo "$1: upload ended ${ms} ms after the reply" >&2
        return 1
    }
}

@test "the program reads 100 bytes of an upload, replies, shutdown(SHUT_RDWR), close: the reply, then EPIPE within 3 s" {
    nw_both upload -- "$(n shutrd)" rdwr PORT
    [[ $(nw_out without) == *"read=100 errno=EDOM send=100 errno=EDOM shutdown=0 errno=EDOM close=0 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer reply=100 end=epipe" ]
    upload_quick without
    upload_quick with
    nw_same
}

@test "the program reads 100 bytes of an upload, replies, shutdown(SHUT_RD), close: the reply, then a reset within 3 s" {
    nw_both upload -- "$(n shutrd)" rd PORT
    [[ $(nw_out without) == *"read=100 errno=EDOM send=100 errno=EDOM shutdown=0 errno=EDOM close=0 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer reply=100 end=reset" ]
    upload_quick without
    upload_quick with
    nw_same
}

# --- another thread of the program still reads the socket

@test "close() while another thread is blocked in recv(): no end of stream, and the thread gets what the peer sends next" {
    nw_both hello -- "$(n readerthread)" PORT
    [[ $(nw_out without) == *"reader_in_recv=1 errno=EDOM send=100000 errno=EDOM close=0 errno=EDOM reader_got=5 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=100000 eof_before_send=no sent=5 errno=0 end=eof" ]
    nw_same
}

# --- close(X) re-entered from a signal handler while the library is inside
# its close of X (see tests/neverworse/reclose.c for what is fair here)

@test "close(X) re-entered from a signal handler at the library's TCP_INFO: one close 0, one EBADF; the new socket at X's number is untouched" {
    nw_both count -- "$(n reclose)" tcp_info PORT DETAIL
    [[ $(nw_out without) == *"one_close_0_other_ebadf=1 errno=EDOM new_number_was_x=1 errno=EDOM dup2_to_100=1 errno=EDOM new_peer_quiet_500ms=1 errno=EDOM new_send_ping=4 errno=EDOM new_peer_got=4 errno=EDOM new_peer_send_pong=10 errno=EDOM new_got=4 errno=EDOM close_new=0 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=200000 end=eof" ]
    grep -qx 'main_close=0 errno=0' "$T/without.detail"
    grep -qx 'new_conn_after_close bytes=0 end=reset' "$T/without.detail"
    # The handler did run inside the library's close (else this tests nothing).
    grep -qx 'handler_inside_close=1' "$T/with.detail"
    nw_same
    # The library still works afterwards: the new connection's close, with
    # input unread, is graceful.
    grep -qx 'new_conn_after_close bytes=0 end=eof' "$T/with.detail"
}

@test "close(X) re-entered from a signal handler at the library's SO_COOKIE: one close 0, one EBADF; the new socket at X's number is untouched" {
    nw_both count -- "$(n reclose)" so_cookie PORT DETAIL
    [[ $(nw_out without) == *"one_close_0_other_ebadf=1 errno=EDOM new_number_was_x=1 errno=EDOM dup2_to_100=1 errno=EDOM new_peer_quiet_500ms=1 errno=EDOM"* ]]
    [ "$(cat "$T/without.peer")" = "peer bytes=200000 end=eof" ]
    grep -qx 'handler_inside_close=1' "$T/with.detail"
    nw_same
    grep -qx 'new_conn_after_close bytes=0 end=eof' "$T/with.detail"
}
