#!/usr/bin/env bats
# Fork-per-connection server (issue 3): the parent accepts, forks and closes
# its copy; the child answers "413" before reading an upload and ends the
# connection by close(), exit(), return from main, shutdown(SHUT_WR) +
# _exit() or plain _exit().  The client sends its whole upload before it
# reads.  Without graceclose the upload fails (EPIPE / ECONNRESET) or the
# reply is cut; with it the upload goes through and the whole reply arrives.

load lib/shapes

setup() {
    shapes_setup
}

# serve MODE BODY CLIENT_ARGS PREFIX...: one connection to a forkserver run
# under PREFIX; prints the client's line (server's lines in $T/forkserver.out).
serve() {
    local mode=$1 body=$2 cargs=$3
    shift 3
    start_server forkserver "$@" "$(sh_path forkserver)" -e "$mode" -s "$body" -r 64 || return 1
    timeout 30 "$(sh_path upclient)" $cargs "$PORT"
    server_result forkserver >/dev/null
}

# early_reply MODE: 8 MB upload, 4 KB reply, client reads after sending.
early_reply() {
    local out
    out=$(serve "$1" 4096 "-b 8000000" "${WITHOUT[@]}")
    echo "without: $out / server: $(tr '\n' ' ' <"$T/forkserver.out")"
    reply_lost "$out"
    for i in 1 2 3; do
        out=$(serve "$1" 4096 "-b 8000000" "${WITH[@]}")
        echo "with, run $i: $out / server: $(tr '\n' ' ' <"$T/forkserver.out")"
        reply_complete "$out"
        grep -qx 'served=1' "$T/forkserver.out"
    done
}

@test "fork server, child ends with close(): upload fails without graceclose, full 413 reply with it" {
    early_reply close
}

@test "fork server, child ends with exit(): upload fails without graceclose, full 413 reply with it" {
    early_reply exit
}

@test "fork server, child returns from main: upload fails without graceclose, full 413 reply with it" {
    early_reply return
}

@test "fork server, child ends with shutdown(SHUT_WR) + _exit(): upload fails without, full reply with" {
    early_reply shutdown_exit
}

@test "fork server, child ends with _exit(): upload fails without graceclose, full 413 reply with it" {
    early_reply _exit
}

@test "fork server, 2 MB reply to a client that reads while it uploads: cut or reset without, complete with" {
    local out mode
    for mode in close exit shutdown_exit; do
        out=$(serve "$mode" 2000000 "-d -b 8000000" "${WITHOUT[@]}")
        echo "$mode without: $out"
        reply_lost "$out"
        out=$(serve "$mode" 2000000 "-d -b 8000000" "${WITH[@]}")
        echo "$mode with: $out"
        reply_complete "$out"
    done
}

@test "fork server under the graceclose command, three connections in a row, all complete" {
    local out i
    start_server forkserver timeout 30 "$GC_CMD" --timeout 2s -- \
        "$(sh_path forkserver)" -n 3 -e exit -s 4096 -r 64
    for i in 1 2 3; do
        out=$(timeout 30 "$(sh_path upclient)" -b 4000000 "$PORT")
        echo "connection $i: $out"
        reply_complete "$out"
    done
    server_result forkserver
    grep -qx 'served=3' "$T/forkserver.out"
}
