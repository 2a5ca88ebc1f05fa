#!/usr/bin/env bats
# Real servers from Debian's packages, run the way a new user would (issue 3):
#   busybox httpd (forks per connection) under `graceclose -- ...`;
#   micro-httpd as an inetd service of openbsd-inetd (inetd preloaded);
#   micro-httpd under ucspi-tcp's tcpserver (forks per connection).
# Each is tried with (a) an early reply to a large upload: an 8 MB POST that
# the server refuses (501) without reading it, and (b) a large reply to a
# request that was not fully read: GET of a 3,000,000-byte file followed by
# 20,000 bytes the server never reads, by a client that starts reading 200 ms
# late and reads slowly.  Without graceclose (a) fails the upload (EPIPE /
# ECONNRESET) and (b) ends in a reset, the reply cut short; with it both
# arrive whole.
# (mini-httpd was tried too: it drains by itself, so there is no loss to fix.)

load lib/shapes

setup() {
    shapes_setup
    make_site "$T/www"
}

teardown() {
    [ -z "${SERVER_PID:-}" ] || stop_pid "$SERVER_PID"
}

# launch PREFIX... :: SERVER... : starts the server (PORT must be set), waits
# until it listens.
launch() {
    local prefix=()
    while [ "$1" != :: ]; do prefix+=("$1"); shift; done
    shift
    timeout 60 "${prefix[@]}" "$@" >"$T/server.out" 2>"$T/server.err" &
    SERVER_PID=$!
    wait_listen "$PORT"
}

halt() {
    stop_pid "$SERVER_PID"
    SERVER_PID=
}

upload() { timeout 30 "$(sh_path upclient)" -b 8000000 "$PORT"; }
big_get() { timeout 30 "$(sh_path upclient)" -w 200 -q 'GET /big.txt HTTP/1.0\r\n\r\n' -b 20000 "$PORT"; }

# try_server STARTER WITH_PREFIX...: runs "STARTER env" (a free PORT is set
# first), checks the loss in (a) and (b); then "STARTER WITH_PREFIX...", and
# checks that both arrive whole.  STARTER PREFIX... starts the server under
# PREFIX with launch.
try_server() {
    local starter=$1 out
    shift
    PORT=$(free_port)
    "$starter" env
    out=$(upload)
    echo "without, (a) 8 MB POST: $out"
    reply_lost "$out"
    out=$(big_get)
    echo "without, (b) GET 3 MB + 20 KB unread: $out"
    reply_lost "$out"
    halt
    PORT=$(free_port)
    "$starter" "$@"
    out=$(upload)
    echo "with, (a) 8 MB POST: $out"
    answered "$out" 501
    out=$(big_get)
    echo "with, (b) GET 3 MB + 20 KB unread: $out"
    answered "$out" 200
    [ "$(field body "$out")" = 3000000 ]
}

start_busybox() {
    launch "$@" :: busybox httpd -f -p "127.0.0.1:$PORT" -h "$T/www"
}

# openbsd-inetd in the foreground with a one-line configuration.
start_inetd_micro() {
    printf '127.0.0.1:%s stream tcp4 nowait %s %s micro-httpd %s\n' \
        "$PORT" "$(id -un)" "$(command -v micro-httpd)" "$T/www" >"$T/inetd.conf"
    launch "$@" :: inetd -i -E "$T/inetd.conf"
}

start_tcpserver_micro() {
    launch "$@" :: tcpserver -R -H -l 0 127.0.0.1 "$PORT" "$(command -v micro-httpd)" "$T/www"
}

@test "busybox httpd (fork per connection) under graceclose: early 501 and a 3 MB reply arrive whole" {
    need_program busybox busybox
    try_server start_busybox timeout 40 "$GC_CMD" --timeout 2s --
}

@test "micro-httpd as an openbsd-inetd service (inetd preloaded): early 501 and a 3 MB reply arrive whole" {
    need_program inetd openbsd-inetd
    need_program micro-httpd micro-httpd
    try_server start_inetd_micro env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s
}

@test "micro-httpd under tcpserver (ucspi-tcp) run by graceclose: early 501 and a 3 MB reply arrive whole" {
    need_program tcpserver ucspi-tcp
    need_program micro-httpd micro-httpd
    try_server start_tcpserver_micro timeout 40 "$GC_CMD" --timeout 2s --
}
