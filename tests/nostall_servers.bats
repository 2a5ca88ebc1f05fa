#!/usr/bin/env bats
# Issue 8 with event-loop servers: while the server drops idle clients (its
# own idle timeouts) and refuses misbehaving ones (junk or an oversized
# request, then they sit and keep sending a byte every 100 ms), a healthy
# client's requests must keep being answered promptly.  Today graceclose
# lingers inside close() and freezes the whole loop for up to the timeout
# per close.  probe (tests/nostall/probe.c) asks every 20-50 ms for 4 s;
# the bound is a generous 1 s per answer (the issue's figure is 50 ms, for
# the benchmark).  Each run without the library shows the baseline.
# Also: a poll() server under a flood of 500 misbehaving clients keeps a
# bounded descriptor count, and refused 20 MB / 100 MB uploads get their
# reply (no byte cap).

load lib/nostall

setup() {
    nostall_setup
}

teardown() {
    [ -z "${SERVER_PID:-}" ] || stop_pid "$SERVER_PID"
    local p
    for p in ${PESTER_PIDS:-}; do stop_pid "$p"; done
    return 0
}

# launch PREFIX... :: SERVER...: starts the server (PORT set), waits until it
# listens.
launch() {
    local prefix=()
    while [ "$1" != :: ]; do prefix+=("$1"); shift; done
    shift
    timeout 60 "${prefix[@]}" "$@" >"$T/server.out" 2>"$T/server.err" &
    SERVER_PID=$!
    wait_listen "$PORT"
}

halt() { stop_pid "$SERVER_PID"; SERVER_PID=; }

# pester_bg NAME ARGS...: misbehaving or idle clients in the background.
pester_bg() {
    local name=$1
    shift
    timeout 30 "$(ns_path pester)" "$@" -s 4 "$PORT" >"$T/pester.$name" 2>&1 &
    PESTER_PIDS="${PESTER_PIDS:-} $!"
}

# freeze_run STARTER PREFIX... ;; PROBE_ARGS... ;; BAD_ARGS...
#   Starts the server with "STARTER PREFIX...", 5 idle clients (connect, send
#   IDLE_Q if set (a keep-alive request: pooled clients), then sit),
#   misbehaving clients (pester BAD_ARGS: one every 700 ms, each keeps
#   sending a byte every 100 ms) and the probe; prints the probe's line.
freeze_run() {
    local starter=$1 prefix=() probe_args=() bad_args=() out
    shift
    while [ "$1" != ';;' ]; do prefix+=("$1"); shift; done
    shift
    while [ "$1" != ';;' ]; do probe_args+=("$1"); shift; done
    shift
    bad_args=("$@")
    PORT=$(free_port)
    "$starter" "${prefix[@]}" >&2
    PESTER_PIDS=
    pester_bg idle -c 5 -q "${IDLE_Q:-}"
    pester_bg bad -c 5 -e 700 -k 100 "${bad_args[@]}"
    out=$(timeout 30 "$(ns_path probe)" -d 4 "${probe_args[@]}" "$PORT")
    wait $PESTER_PIDS 2>/dev/null || true
    PESTER_PIDS=
    halt >&2
    echo "$out idle:[$(cat "$T/pester.idle")] bad:[$(cat "$T/pester.bad")]"
}

# prompt LINE: every probe answered, none slower than 1 s.
prompt() {
    local probes answered
    probes=$(field probes "$1")
    answered=$(field answered "$1")
    [ "${probes:-0}" -ge 20 ] && [ "$answered" = "$probes" ] &&
        [ "$(field slow "$1")" = 0 ] && holds "$(field max_ms "$1") < 1000"
}

# no_freeze STARTER PROBE_ARGS... ;; BAD_ARGS...: the baseline without the
# library, then the same with it.
no_freeze() {
    local starter=$1 out
    shift
    out=$(freeze_run "$starter" "${WITHOUT[@]}" ';;' "$@")
    echo "without: $out"
    prompt "$out"
    out=$(freeze_run "$starter" "${WITH_NS[@]}" ';;' "$@")
    echo "with:    $out"
    prompt "$out"
}

start_redis() {
    launch "$@" :: redis-server --port "$PORT" --bind 127.0.0.1 --timeout 1 --save '' \
        --appendonly no --daemonize no --dir "$T" --protected-mode no --logfile ''
}

@test "redis-server (timeout 1): protocol errors and idle clients are dropped, a healthy client's PINGs are answered within 1 s" {
    need_or_skip redis-server redis-server
    no_freeze start_redis -i 20 -q 'PING\r\n' -x '+PONG' ';;' -q '*abc\r\n' -b 20000
}

start_memcached() {
    local user=()
    [ "$(id -u)" = 0 ] && user=(-u root)
    launch "$@" :: memcached -p "$PORT" -l 127.0.0.1 -U 0 -t 1 -o idle_timeout=1 "${user[@]}"
}

@test "memcached (one worker thread, idle_timeout=1): oversized lines and idle clients dropped, version answered within 1 s" {
    need_or_skip memcached memcached
    no_freeze start_memcached -i 20 -q 'version\r\n' -x VERSION ';;' -q '' -b 20000
}

start_nginx() {
    mkdir -p "$T/nginx/www" "$T/nginx/tmp"
    echo ok >"$T/nginx/www/index.html"
    cat >"$T/nginx/nginx.conf" <<EOC
daemon off;
worker_processes 1;
$([ "$(id -u)" = 0 ] && echo 'user root;')
error_log $T/nginx/error.log;
pid $T/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp;
    proxy_temp_path $T/nginx/tmp;
    fastcgi_temp_path $T/nginx/tmp;
    uwsgi_temp_path $T/nginx/tmp;
    scgi_temp_path $T/nginx/tmp;
    lingering_close off;
    keepalive_timeout 1;
    client_header_timeout 1;
    client_body_timeout 1;
    client_max_body_size 1k;
    server {
        listen 127.0.0.1:$PORT;
        root $T/nginx/www;
    }
}
EOC
    launch "$@" :: nginx -p "$T/nginx" -c "$T/nginx/nginx.conf"
}

POST_20K='POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n'

@test "nginx (lingering_close off, timeouts 1 s): refused uploads and idle clients dropped, GETs answered within 1 s" {
    need_or_skip nginx nginx-light
    IDLE_Q='GET / HTTP/1.1\r\nHost: x\r\n\r\n'
    no_freeze start_nginx -n -i 50 -q 'GET / HTTP/1.0\r\n\r\n' -x ' 200 ' ';;' -q "$POST_20K" -b 20000
}

start_lighttpd() {
    mkdir -p "$T/lighttpd"
    echo ok >"$T/lighttpd/index.html"
    cat >"$T/lighttpd.conf" <<EOC
server.document-root = "$T/lighttpd"
server.port = $PORT
server.bind = "127.0.0.1"
server.errorlog = "$T/lighttpd.err"
server.max-request-size = 1
server.max-keep-alive-idle = 1
server.max-read-idle = 1
index-file.names = ( "index.html" )
EOC
    launch "$@" :: lighttpd -D -f "$T/lighttpd.conf"
}

@test "lighttpd (max-request-size 1 KB, idle 1 s): refused uploads and idle clients dropped, GETs answered within 1 s" {
    need_or_skip lighttpd lighttpd
    IDLE_Q='GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n'
    no_freeze start_lighttpd -n -i 50 -q 'GET /index.html HTTP/1.0\r\n\r\n' -x ' 200 ' ';;' -q "$POST_20K" -b 20000
}

start_asyncio() {
    cat >"$T/aserver.py" <<'PY'
import asyncio, sys
async def handle(r, w):
    try:
        while True:
            line = await asyncio.wait_for(r.readline(), 1.0)   # idle clients: dropped after 1 s
            if not line:
                break
            if line.strip() == b"PING":
                w.write(b"PONG\n")
                await w.drain()
            else:
                w.write(b"500 go away\r\n")                    # junk: refused, rest unread
                break
    except (asyncio.TimeoutError, ValueError, ConnectionError):
        pass
    w.close()
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
PY
    launch "$@" :: "$PY3" "$T/aserver.py" "$PORT"
}

@test "asyncio server (python3): junk and idle clients dropped, a healthy client's PINGs answered within 1 s" {
    no_freeze start_asyncio -i 20 -q 'PING\n' -x PONG ';;' -q 'junk\n' -b 20000
}

start_aiosmtpd() {
    launch "$@" :: "$PY3" -m aiosmtpd -n -l "127.0.0.1:$PORT"
}

@test "aiosmtpd (asyncio SMTP): clients sending junk are dropped after 10 bad commands, NOOPs answered within 1 s" {
    "$PY3" -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is not installed"
    local junk='' i
    for ((i = 0; i < 11; i++)); do junk+='junk\r\n'; done
    no_freeze start_aiosmtpd -g 220 -i 20 -q 'NOOP\r\n' -x 250 ';;' -q "$junk" -b 20000
}

# flood_run PREFIX...: pollsrv (descriptor limit 512) under 500 misbehaving
# clients and a healthy one; prints "probe | server | flood" lines.
flood_run() {
    start_server pollsrv bash -c 'ulimit -n 512 && exec "$@"' _ "$@" "$(ns_path pollsrv)" -t 6
    timeout 30 "$(ns_path pester)" -c 500 -e 4 -q 'BAD\n' -b 10000 -k 200 -s 5 "$PORT" \
        >"$T/flood.out" 2>&1 &
    local fpid=$! out
    out=$(timeout 30 "$(ns_path probe)" -d 5 -i 50 -q 'PING\n' -x PONG "$PORT")
    wait "$fpid" || true
    finish_server pollsrv 10 || true
    echo "$out | $(cat "$T/pollsrv.out" | grep -v port=) | $(cat "$T/flood.out")"
}

@test "flood: 500 misbehaving clients held open against a poll() server: its descriptors stay bounded, it answers everyone, the healthy client promptly" {
    local out
    out=$(flood_run "${WITHOUT[@]}")
    echo "without: $out"
    prompt "$out"
    out=$(flood_run "${WITH_NS[@]}")
    echo "with:    $out"
    prompt "$out"
    [ "$(field accept_errors "$out")" = 0 ]
    [ "$(field refused "$out")" = 500 ]
    holds "$(field max_fds "$out") <= 300" # 256 lingers in flight at most, plus the loop's own
    [[ $out == *"pester conns=500 answered=500 "* ]]
}

# refused_upload STARTER CODE: 20 MB and 100 MB uploads refused early: the
# upload fails (EPIPE / reset) without, the whole reply arrives with.
refused_upload() {
    local starter=$1 code=$2 out b
    PORT=$(free_port)
    "$starter" env
    out=$(timeout 60 "$(sh_path upclient)" -t 30 -b 20000000 "$PORT")
    echo "without, 20 MB: $out"
    reply_lost "$out"
    halt
    PORT=$(free_port)
    "$starter" "${WITH_NS[@]}"
    for b in 20000000 100000000; do
        out=$(timeout 60 "$(sh_path upclient)" -t 30 -b "$b" "$PORT")
        echo "with, $b bytes: $out"
        answered "$out" "$code"
    done
}

start_pyhttp() {
    mkdir -p "$T/www"
    echo hi >"$T/www/index.html"
    launch "$@" :: "$PY3" -m http.server --bind 127.0.0.1 --directory "$T/www" "$PORT"
}

start_busybox() {
    make_site "$T/bb"
    launch "$@" :: busybox httpd -f -p "127.0.0.1:$PORT" -h "$T/bb"
}

@test "python3 -m http.server refuses 20 MB and 100 MB uploads (501): BrokenPipe without, the reply with (no byte cap)" {
    refused_upload start_pyhttp 501
}

@test "busybox httpd refuses 20 MB and 100 MB uploads: BrokenPipe without, the reply with (no byte cap)" {
    need_or_skip busybox busybox
    refused_upload start_busybox 501
}
