# robust.bash - pieces of tests/robust.bats (load after lib/common): run one
# scenario program without and with the library, and the CLOSE_WAIT run
# inside a private network namespace.  Every process goes through `timeout`;
# every wait loop is bounded.

RB_HELPERS=${RB_HELPERS:-$(dirname "$GC_HELPERS")/robust}
RB_LIB_FILE=${BASH_SOURCE[0]}

# Results of the last rb_once runs (see there).
rb_rc_without='' rb_rc_with='' rb_out_without='' rb_out_with=''

# r NAME: path of a built robustness helper.
r() { printf '%s/%s' "$RB_HELPERS" "$1"; }

# rb_setup: gc_setup plus a check that the robustness helpers are built.
rb_setup() {
    gc_setup || return 1
    [ -x "$(r altstack)" ] || {
        echo "robustness helpers not built in RB_HELPERS=$RB_HELPERS" >&2
        return 1
    }
}

# rb_once without|with [VAR=VALUE...] PROG [ARG...]
#   Runs PROG under `timeout 20 env` (with LD_PRELOAD for "with"), stdout to
#   $T/LABEL.out, stderr to $T/LABEL.err.  Sets rb_rc_LABEL to the exit status
#   and rb_out_LABEL to stdout (newlines as spaces), and echoes both (shown
#   when a test fails).  Always succeeds: the test asserts on the results.
rb_once() {
    local label=$1 rc=0
    shift
    local pre=(env)
    [ "$label" = with ] && pre=(env "LD_PRELOAD=$GC_PRELOAD")
    timeout 20 "${pre[@]}" "$@" >"$T/$label.out" 2>"$T/$label.err" || rc=$?
    printf -v "rb_rc_$label" '%s' "$rc"
    printf -v "rb_out_$label" '%s' "$(tr '\n' ' ' <"$T/$label.out")"
    echo "$label: rc=$rc out: $(tr '\n' ' ' <"$T/$label.out") err: $(head -c 300 "$T/$label.err" | tr '\n' ' ')"
}

# rb_both [VAR=VALUE...] PROG [ARG...]: rb_once without, then with.
rb_both() {
    rb_once without "$@"
    rb_once with "$@"
}

# same_result: the program ended the same way and printed the same, with
# and without the library.
same_result() {
    [ "$rb_rc_without" = "$rb_rc_with" ] || {
        echo "exit status differs: without $rb_rc_without, with $rb_rc_with" >&2
        return 1
    }
    [ "$rb_out_without" = "$rb_out_with" ] || {
        echo "output differs" >&2
        return 1
    }
}

# rb_peer_once LABEL MODE [ARG...] -- [VAR=VALUE...] PROG [ARG...]
#   Starts rb_peer (MODE ARGS, no preload), runs PROG PORT... as rb_once
#   LABEL (the word PORT among PROG's arguments is replaced by the peer's
#   port), then stops the peer.
rb_peer_once() {
    local label=$1 a
    shift
    local peer=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        peer+=("$1")
        shift
    done
    shift
    start_server peer "$(r rb_peer)" -t 8 "${peer[@]}" || return 1
    local cmd=()
    for a in "$@"; do
        # shellcheck disable=SC2153 # PORT is set by start_server (lib/common)
        [ "$a" = PORT ] && a=$PORT
        cmd+=("$a")
    done
    rb_once "$label" "${cmd[@]}"
    stop_server peer
}

# closewait_in_netns with|without [VAR=VALUE...]: the CLOSE_WAIT scenario
# in a fresh network namespace, whose TCP counters count this run alone; the
# closer runs with the VAR=VALUE settings.  Prints the peer's line, the
# closer's line and "abort_on_close=N".  Status 77 when a private network
# namespace cannot be made here.
closewait_in_netns() {
    local label=$1 lib=
    shift
    [ "$label" = with ] && lib=$GC_PRELOAD
    timeout 30 unshare -n true 2>/dev/null || return 77
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 30 unshare -n bash -c '. "$1" && shift && cw_netns_body "$@"' \
        _ "$RB_LIB_FILE" "$RB_HELPERS" "$lib" "$T/ns-$label" "$@"
}

# cw_netns_body HELPERS LIB DIR [VAR=VALUE...]: runs inside the namespace
# (see above).
cw_netns_body() {
    local helpers=$1 lib=$2 dir=$3 port='' i
    shift 3
    mkdir -p "$dir"
    ip link set lo up || return 90
    : >"$dir/peer.out"
    timeout 15 "$helpers/rb_peer" -t 8 finsend 100000 >"$dir/peer.out" 2>"$dir/peer.err" &
    local peer_pid=$!
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n 's/^port=//p' "$dir/peer.out")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || return 91
    timeout 15 env ${lib:+"LD_PRELOAD=$lib"} "$@" "$helpers/closewait" "$port" \
        >"$dir/closer.out" 2>"$dir/closer.err"
    wait "$peer_pid"
    echo "$(tail -n 1 "$dir/peer.out") $(cat "$dir/closer.out") abort_on_close=$(tcpext TCPAbortOnClose)"
}

# tcpext NAME: a TcpExt counter of this network namespace.
tcpext() {
    awk -v want="$1" '$1 == "TcpExt:" {
        if (!seen) { for (i = 2; i <= NF; i++) name[i] = $i; seen = 1 }
        else { for (i = 2; i <= NF; i++) if (name[i] == want) print $i }
    }' /proc/net/netstat
}

# proc_opens_in_close TRACE: the /proc opens a reset_close trace shows
# between its two markers (the close itself).
proc_opens_in_close() {
    sed -n '/gc-robust-marker\/before/,/gc-robust-marker\/after/p' "$1" | grep '"/proc/' || true
}
