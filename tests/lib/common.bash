# common.bash - shared pieces of the core bats suites (load with
# `load lib/common`).  Every process a test starts goes through `timeout`;
# every wait loop here is bounded.
#
# meson test passes GC_LIB, GC_CMD, GC_HELPERS and GC_SRCDIR; when bats is run
# by hand they default to the build tree in GC_BUILD (default <repo>/build).

GC_SRCDIR=${GC_SRCDIR:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
GC_BUILD=${GC_BUILD:-$GC_SRCDIR/build}
GC_LIB=${GC_LIB:-$GC_BUILD/src/libgraceclose.so}
GC_CMD=${GC_CMD:-$GC_BUILD/src/graceclose}
GC_HELPERS=${GC_HELPERS:-$GC_BUILD/tests/helpers}
# What LD_PRELOAD gets for a run with the library: the library alone, or
# (sanitizer setups, see tests/meson.build) its runtime first, then the library.
GC_PRELOAD=${GC_PRELOAD:-$GC_LIB}

# Start every test from a known environment: no preload, no GRACECLOSE_*.
gc_clean_env() {
    local v
    unset LD_PRELOAD
    for v in $(compgen -e); do
        [[ $v == GRACECLOSE_* ]] && unset "$v"
    done
    return 0
}

# To be called from setup(): checks the build and cleans the environment.
gc_setup() {
    gc_clean_env
    [ -x "$GC_HELPERS/receiver" ] || {
        echo "test helpers not built in GC_HELPERS=$GC_HELPERS" >&2
        return 1
    }
    [ -f "$GC_LIB" ] || {
        echo "library not built: GC_LIB=$GC_LIB" >&2
        return 1
    }
    T=$BATS_TEST_TMPDIR
}

# Prefix that runs a command with the library preloaded, and without (used by the suites).
# shellcheck disable=SC2034
WITH_LIB=(env "LD_PRELOAD=$GC_PRELOAD")
# shellcheck disable=SC2034
WITHOUT_LIB=(env)

# Prefix that runs the graceclose command.  Under ASan the sanitizer runtime
# must come first in LD_PRELOAD of whatever the command starts: the command
# keeps a preload that already lists the library, so it gets it in order.
# Without it, a program whose own libraries call a wrapped function from
# their constructors (inetd: libcap calls prctl) runs instrumented code
# before the runtime is up, and crashes.
# shellcheck disable=SC2034
if [ "$GC_PRELOAD" != "$GC_LIB" ]; then
    GC_CMD_RUN=(env "LD_PRELOAD=$GC_PRELOAD" "$GC_CMD")
else
    GC_CMD_RUN=("$GC_CMD")
fi

# skip_under_asan REASON: skips a test in an ASan build (-Dsanitize=address),
# where the sanitizer runtime must be preloaded ahead of the library.
skip_under_asan() {
    if [ "$GC_PRELOAD" != "$GC_LIB" ]; then skip "under ASan: $1"; fi
}

# h NAME: path of a built helper.
h() { printf '%s/%s' "$GC_HELPERS" "$1"; }

# start_server NAME CMD [ARG...]
#   Starts "timeout 60 CMD" in the background, stdout to $T/NAME.out, stderr to
#   $T/NAME.err; waits (at most 5 s) for its "port=N" line.  Sets PORT and
#   NAME_pid.  Call it directly, not under `run` (the process must be our child).
start_server() {
    local name=$1 i p
    shift
    # Emptied first: the background redirection may happen after our first
    # look, which must not find the port of an earlier server of that name.
    : >"$T/$name.out"
    : >"$T/$name.err"
    timeout 60 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    printf -v "${name}_pid" '%s' "$!"
    for ((i = 0; i < 100; i++)); do
        # (the file may not exist yet: the redirection happens in the child)
        p=$(sed -n 's/^port=//p' "$T/$name.out" 2>/dev/null || true)
        if [ -n "$p" ]; then
            PORT=$p
            return 0
        fi
        sleep 0.05
    done
    echo "$name did not report its port; stderr:" >&2
    cat "$T/$name.err" >&2
    return 1
}

# finish_server NAME [SECS]: waits (bounded) for the server to end; returns
# its exit status and sets LAST_LINE to its last stdout line.  A server still
# running after SECS (default 15) is killed and reported as status 124.
# Call it in the shell that started the server (not inside $(...)).
finish_server() {
    local name=$1 secs=${2:-15} pid i
    pid=${name}_pid
    pid=${!pid}
    for ((i = 0; i < secs * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null || true
        echo "$name still running after ${secs}s: killed" >&2
        return 124
    fi
    local rc=0
    wait "$pid" || rc=$?
    LAST_LINE=$(tail -n 1 "$T/$name.out")
    return $rc
}

# stop_server NAME: ends a server that would otherwise live to its deadline.
stop_server() {
    local pid=${1}_pid
    pid=${!pid}
    kill "$pid" 2>/dev/null || true # it may have ended by itself
    wait "$pid" 2>/dev/null || true
    return 0
}

# seed_once [PREFIX...]
#   One run of the seed scenario: receiver B (args in RECEIVER_ARGS), sender A
#   (args in SENDER_ARGS) run under PREFIX (e.g. "${WITH_LIB[@]}").  Prints the
#   receiver's result line ("bytes=N end=..."); the sender's output is in
#   $T/sender.out.  Fails if a helper fails.
# RECEIVER_ARGS / SENDER_ARGS are word-split on purpose (several options).
# shellcheck disable=SC2086
seed_once() {
    start_server receiver "$(h receiver)" ${RECEIVER_ARGS:-} || return 1
    local rc=0
    timeout 30 "$@" "$(h sender)" ${SENDER_ARGS:-} "$PORT" >"$T/sender.out" 2>"$T/sender.err" ||
        rc=$?
    if [ $rc -ne 0 ]; then
        echo "sender failed ($rc): $(cat "$T/sender.out" "$T/sender.err")" >&2
        stop_server receiver
        return 1
    fi
    finish_server receiver || return 1
    printf '%s\n' "$LAST_LINE"
}

# lost RESULT: true when the receiver's line shows loss or a reset.
lost() {
    [[ $1 =~ bytes=([0-9]+)\ end=([a-z:A-Z]+) ]] || return 1
    [ "${BASH_REMATCH[1]}" -lt "${SEED_BYTES:-1000000}" ] || [ "${BASH_REMATCH[2]}" != eof ]
}

# complete RESULT: true when every byte arrived followed by a clean end of stream.
complete() {
    [ "$1" = "bytes=${SEED_BYTES:-1000000} end=eof" ]
}

# field NAME TEXT: value of NAME=value in TEXT (first match).
field() {
    [[ $2 =~ (^|[[:space:]])$1=([^[:space:]]*) ]] && printf '%s' "${BASH_REMATCH[2]}"
}

# ms_at_most MS LIMIT / ms_at_least MS LIMIT: compare a decimal millisecond
# value; a missing or non-numeric MS fails.
is_ms() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "not a time in ms: '$1'" >&2; return 1; }; }
ms_at_most() { is_ms "$1" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
ms_at_least() { is_ms "$1" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# traced FILE [PREFIX...] CMD...: runs CMD under strace, recording the
# shutdown and recvfrom calls of the first process only (no -f) in FILE.
# The preload goes through strace -E so strace itself runs without it.
traced() {
    local file=$1
    shift
    # -f: the library lingers on a thread of its own
    timeout 60 strace -f -o "$file" -e trace=shutdown,recvfrom "$@"
}

# strace_hits FILE: the shutdown/recvfrom calls recorded in FILE.
strace_hits() {
    # SHUT_RD: the library's own hand-off channel, closed for new hand-offs
    # at exit; it never shuts the read side of a connection.
    grep -E '^(\[pid +[0-9]+\] )?[0-9]*[[:space:]]*(shutdown|recvfrom)\(' "$1" |
        grep -v 'SHUT_RD)' |
        sed -E 's/^(\[pid +[0-9]+\] )?[0-9]*[[:space:]]*//' || true
}
