#!/usr/bin/env bats
# An inetd-style service under a real super-server (issue 3): openbsd-inetd
# from Debian's packages, run in the foreground (-i) with its own
# configuration file on a free loopback port, keeping its environment (-E)
# so the service inherits LD_PRELOAD.  The service is a /bin/sh script that
# never reads its input; its header is written by the shell (printf), its
# body by a child pipeline (head | tr).  Without graceclose the client's
# upload fails or the reply ends in a reset; with it everything arrives.

load lib/shapes

setup() {
    shapes_setup
    need_program inetd openbsd-inetd
    cat >"$T/svc.sh" <<'SH'
#!/bin/sh
# answers without reading the request; the body comes from child processes
printf 'HTTP/1.0 413 Payload Too Large\r\nContent-Length: %s\r\n\r\n' "$1"
head -c "$1" /dev/zero | tr '\0' r
SH
    cat >"$T/bg.sh" <<'SH'
#!/bin/sh
# the script exits at once; a background job writes the body afterwards
printf 'HTTP/1.0 200 OK\r\nContent-Length: %s\r\n\r\n' "$1"
(sleep 0.2; head -c "$1" /dev/zero | tr '\0' r) &
exit 0
SH
    chmod +x "$T/svc.sh" "$T/bg.sh"
}

teardown() {
    [ -z "${INETD_PID:-}" ] || stop_pid "$INETD_PID"
}

# run_inetd PREFIX... :: SERVER_PROGRAM_AND_ARGS: writes the configuration
# for a free port (sets PORT) and starts inetd under PREFIX.
run_inetd() {
    local prefix=() line
    while [ "$1" != :: ]; do prefix+=("$1"); shift; done
    shift
    PORT=$(free_port)
    # fields: [address:]service socket-type protocol wait user program argv...
    line="127.0.0.1:$PORT stream tcp4 nowait $(id -un) $*"
    printf '%s\n' "$line" >"$T/inetd.conf"
    timeout 60 "${prefix[@]}" inetd -i -E "$T/inetd.conf" >"$T/inetd.out" 2>"$T/inetd.err" &
    INETD_PID=$!
    wait_listen "$PORT"
}

stop_inetd() {
    stop_pid "$INETD_PID"
    INETD_PID=
}

@test "inetd service, early 4 KB answer to an 8 MB upload: the upload fails without, goes through with graceclose" {
    local out i
    run_inetd env :: "$T/svc.sh" svc.sh 4000
    out=$(timeout 30 "$(sh_path upclient)" -b 8000000 "$PORT")
    echo "without: $out"
    reply_lost "$out"
    stop_inetd
    run_inetd timeout 30 "${GC_CMD_RUN[@]}" --timeout 2s -- :: "$T/svc.sh" svc.sh 4000
    for i in 1 2 3; do
        out=$(timeout 30 "$(sh_path upclient)" -b 8000000 "$PORT")
        echo "with (graceclose -- inetd), connection $i: $out"
        reply_complete "$out"
    done
}

@test "inetd service, 3 MB answer from a child pipeline, request not fully read: reset without, complete with" {
    local out i
    run_inetd env :: "$T/svc.sh" svc.sh 3000000
    for i in 1 2; do
        out=$(timeout 30 "$(sh_path upclient)" -w 200 -q 'GET / HTTP/1.0\r\n\r\n' -b 20000 "$PORT")
        echo "without, connection $i: $out"
        reply_lost "$out"
    done
    stop_inetd
    run_inetd env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s :: "$T/svc.sh" svc.sh 3000000
    for i in 1 2 3; do
        out=$(timeout 30 "$(sh_path upclient)" -w 200 -q 'GET / HTTP/1.0\r\n\r\n' -b 20000 "$PORT")
        echo "with (LD_PRELOAD in inetd's environment), connection $i: $out"
        reply_complete "$out"
    done
}

@test "inetd service with the preload set in inetd.conf only (inetd itself runs without it): complete" {
    local out
    run_inetd env :: /usr/bin/env env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s "$T/svc.sh" 3000000
    out=$(timeout 30 "$(sh_path upclient)" -w 200 -q 'GET / HTTP/1.0\r\n\r\n' -b 20000 "$PORT")
    echo "with (env in inetd.conf), 3 MB answer: $out"
    reply_complete "$out"
}

@test "inetd service whose body is written by a background job after the script has exited: reset without, complete with" {
    local out i
    run_inetd env :: "$T/bg.sh" bg.sh 3000000
    out=$(timeout 30 "$(sh_path upclient)" -w 200 -q 'GET / HTTP/1.0\r\n\r\n' -b 20000 "$PORT")
    echo "without: $out"
    reply_lost "$out"
    stop_inetd
    run_inetd env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s :: "$T/bg.sh" bg.sh 3000000
    for i in 1 2; do
        out=$(timeout 30 "$(sh_path upclient)" -w 200 -q 'GET / HTTP/1.0\r\n\r\n' -b 20000 "$PORT")
        echo "with, connection $i: $out"
        reply_complete "$out"
    done
}
