# neverworse.bash - pieces of tests/neverworse.bats (load after lib/common):
# run one scenario program without and with the library, each time against
# a fresh peer process (never preloaded), and compare everything observable:
# exit status, stdout (the transcript of every call), stderr, and what the
# peer saw.  Every process goes through `timeout`; every wait is bounded.

NW_HELPERS=${NW_HELPERS:-$(dirname "$GC_HELPERS")/neverworse}

# n NAME: path of a built never-worse program.
n() { printf '%s/%s' "$NW_HELPERS" "$1"; }

nw_setup() {
    gc_setup || return 1
    [ -x "$(n nw_peer)" ] || {
        echo "never-worse programs not built in NW_HELPERS=$NW_HELPERS" >&2
        return 1
    }
}

# nw_once without|with [PEER_ARG... --] [VAR=VALUE...] PROG [ARG...]
#   With peer arguments (anything before a "--"), starts nw_peer with them
#   first and replaces the word PORT among PROG's arguments by its port; the
#   peer's output is kept once it has ended (at most 10 s after PROG; an
#   idle peer is stopped at once).
#   The word DETAIL among PROG's arguments becomes $T/LABEL.detail (a file
#   for what a program reports but the runs need not share, such as times).
#   PROG runs under `timeout 30 env` (plus the preload for "with").  Files:
#   $T/LABEL.rc, .out, .err, .peer, and .peererr (the peer's stderr, not
#   compared).  Always succeeds; prints a summary that bats shows when a
#   test fails.
nw_once() {
    local label=$1 a rc=0 peer=() cmd=()
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do
            peer+=("$1")
            shift
        done
        shift
    fi
    : >"$T/$label.peer"
    : >"$T/$label.peererr"
    if [ ${#peer[@]} -gt 0 ]; then
        start_server peer "$(n nw_peer)" -t 8 "${peer[@]}" || return 1
    fi
    for a in "$@"; do
        # shellcheck disable=SC2153 # PORT is set by start_server (lib/common)
        [ "$a" = PORT ] && a=$PORT
        [ "$a" = DETAIL ] && a=$T/$label.detail
        cmd+=("$a")
    done
    local pre=(env)
    [ "$label" = with ] && pre=(env "LD_PRELOAD=$GC_PRELOAD")
    timeout 30 "${pre[@]}" "${cmd[@]}" >"$T/$label.out" 2>"$T/$label.err" || rc=$?
    echo "$rc" >"$T/$label.rc"
    if [ ${#peer[@]} -gt 0 ]; then
        if [ "${peer[-1]}" = idle ]; then
            stop_server peer
        else
            finish_server peer 10 || true
        fi
        grep -v '^port=' "$T/peer.out" >"$T/$label.peer" || true
        cp "$T/peer.err" "$T/$label.peererr"
    fi
    echo "--- $label: rc=$rc"
    echo "out: $(cat "$T/$label.out")"
    echo "err: $(head -c 400 "$T/$label.err")"
    echo "peer: $(cat "$T/$label.peer")"
}

# nw_both ARGS...: nw_once without, then with, with the same arguments.
nw_both() {
    nw_once without "$@" && nw_once with "$@"
}

# nw_same [PART...]: both runs ended alike, printed alike, and their peers
# saw alike; with PARTs (rc out err peer), only those are compared.
nw_same() {
    local part ok=0 parts=("$@")
    [ ${#parts[@]} -gt 0 ] || parts=(rc out err peer)
    for part in "${parts[@]}"; do
        if ! cmp -s "$T/without.$part" "$T/with.$part"; then
            echo "$part differs: without [$(cat "$T/without.$part")] with [$(cat "$T/with.$part")]" >&2
            ok=1
        fi
    done
    return $ok
}

# nw_out LABEL: the transcript of a run, newlines as spaces.
nw_out() { tr '\n' ' ' <"$T/$1.out"; }
