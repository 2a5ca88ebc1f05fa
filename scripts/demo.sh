#!/bin/sh
# demo.sh - shows the seed scenario losing data without graceclose and
# delivering every byte with it.  Loopback only; every step is bounded.
#
# Builds the project into <repo>/build first if needed (installing meson,
# ninja, a compiler and bats with apt-get when they are missing: run as root
# on a fresh Debian 12 machine).
#
# The scenario: B accepts a connection and writes "220 Welcome\r\n"; A
# connects, waits 100 ms, writes 1,000,000 bytes and closes without ever
# reading the greeting.  The unread greeting makes Linux reset the
# connection at A's close and throw away what A had not yet delivered.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
bytes=1000000

say() { printf '%s\n' "$*"; }

install_tools() {
    missing=
    command -v meson >/dev/null 2>&1 || missing="$missing meson"
    command -v ninja >/dev/null 2>&1 || missing="$missing ninja-build"
    command -v cc >/dev/null 2>&1 || missing="$missing gcc"
    command -v bats >/dev/null 2>&1 || missing="$missing bats"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "demo: missing:$missing; install them (as root: apt-get install -y$missing)" >&2
        exit 1
    fi
    say "demo: installing$missing"
    "$repo/scripts/install-packages.sh" meson ninja-build gcc libc6-dev bats
}

# quietly CMD...: runs CMD, showing its output only when it fails.
quietly() {
    "$@" >"${TMPDIR:-/tmp}/graceclose-demo-build.log" 2>&1 || {
        tail -n 30 "${TMPDIR:-/tmp}/graceclose-demo-build.log" >&2
        say "demo: failed: $*" >&2
        exit 1
    }
}

if [ ! -f "$build/build.ninja" ]; then
    install_tools
    say "demo: building graceclose in $build"
    if [ -d "$build" ]; then
        quietly meson setup --wipe "$build" "$repo"
    else
        quietly meson setup "$build" "$repo"
    fi
fi
quietly ninja -C "$build"

helpers=$build/tests/helpers
lib=$build/src/libgraceclose.so
cmd=$build/src/graceclose
for f in "$helpers/receiver" "$helpers/sender" "$lib"; do
    [ -e "$f" ] || { say "demo: $f was not built" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# run_once LABEL [PREFIX...]: one run of the scenario, A started under PREFIX.
# Prints one plain line and sets last_bytes / last_end.
run_once() {
    label=$1
    shift
    : >"$tmp/recv.out"
    timeout 30 "$helpers/receiver" >"$tmp/recv.out" 2>"$tmp/recv.err" &
    recv_pid=$!
    port=
    i=0
    while [ -z "$port" ] && [ $i -lt 100 ]; do
        port=$(sed -n 's/^port=//p' "$tmp/recv.out")
        [ -n "$port" ] || sleep 0.05
        i=$((i + 1))
    done
    if [ -z "$port" ]; then
        say "demo: the receiver did not start" >&2
        kill "$recv_pid" 2>/dev/null || true
        exit 1
    fi
    timeout 30 "$@" "$helpers/sender" -b "$bytes" "$port" >"$tmp/send.out" 2>"$tmp/send.err" || {
        say "demo: the sender failed: $(cat "$tmp/send.err")" >&2
        kill "$recv_pid" 2>/dev/null || true
        exit 1
    }
    wait "$recv_pid" || true
    result=$(tail -n 1 "$tmp/recv.out")
    last_bytes=$(printf '%s\n' "$result" | sed -n 's/^bytes=\([0-9]*\) .*/\1/p')
    last_end=$(printf '%s\n' "$result" | sed -n 's/.* end=\([^ ]*\).*/\1/p')
    case $last_end in
    eof) how="clean end of stream" ;;
    reset) how="connection reset by peer" ;;
    *) how="ended with: $last_end" ;;
    esac
    say "$label received ${last_bytes:-?} of $bytes bytes, $how"
}

say "Seed scenario: the receiver greets, the sender writes $bytes bytes and"
say "closes without reading the greeting (loopback, 127.0.0.1)."
say ""
run_once "without graceclose:"
without_bytes=$last_bytes without_end=$last_end

if [ -x "$cmd" ]; then
    run_once "with graceclose:   " "$cmd" --
else
    run_once "with graceclose:   " env "LD_PRELOAD=$lib"
fi

say ""
if [ "$last_bytes" = "$bytes" ] && [ "$last_end" = eof ]; then
    if [ "$without_bytes" != "$bytes" ] || [ "$without_end" != eof ]; then
        say "graceclose delivered every byte that a plain close() lost."
    else
        say "graceclose delivered every byte (this time the plain close() lost nothing)."
    fi
    exit 0
fi
say "demo: graceclose did not deliver every byte" >&2
exit 1
