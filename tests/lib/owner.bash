# owner.bash - shared pieces of the ownership suites (tests/owner_*.bats,
# issue 7: the last holder of a socket, and only it, lingers).  Builds on
# lib/shapes (which loads lib/common).  Every process goes through
# `timeout`; every wait loop is bounded.

# shellcheck source=tests/lib/shapes.bash
source "$BATS_TEST_DIRNAME/lib/shapes.bash"

GC_OWN=${GC_OWN:-$GC_HELPERS/../own}

# need_or_skip PROGRAM PACKAGE: skips the test, naming the Debian package,
# when PROGRAM is not installed (these suites never install anything).
need_or_skip() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (Debian package $2)"
}

owner_setup() {
    shapes_setup
    [ -x "$GC_OWN/own" ] || { echo "ownership helpers not built in $GC_OWN" >&2; return 1; }
}

# own_path NAME: path of a built ownership helper.
own_path() { printf '%s/%s' "$GC_OWN" "$1"; }

# The client of every "own" run: a request header plus 20,000 bytes of body
# that the server reads only in part (5,000), so the last close has unread
# input; it starts reading 200 ms late and reads slowly, so the 3 MB tail of
# the reply is still queued on the server's side when that close happens.
own_client() {
    timeout 30 "$(sh_path upclient)" -w 200 -q 'GET / HTTP/1.0\r\n\r\n' -b 20000 "$1"
}

# own_once MAKER FIRST END PREFIX...: one connection to "own -m MAKER -f FIRST
# -e END" run under PREFIX; prints the client's line.  The holders' lines are
# in $T/own.out.
own_once() {
    local maker=$1 first=$2 end=$3
    shift 3
    start_server own "$@" "$(own_path own)" -m "$maker" -f "$first" -e "$end" || return 1
    own_client "$PORT"
    server_result own >/dev/null
}

# holders_ok: both holders' writes went through and the second one read the
# 5,000 body bytes it asked for (nobody shut the socket down or drained it
# under it), and the parent finished.
holders_ok() {
    grep -Eq '^(parent|child) first wrote=1044 send=ok$' "$T/own.out" &&
        grep -Eq '^(parent|child) second read=5000 wrote=3000000 send=ok$' "$T/own.out" &&
        grep -qx done "$T/own.out"
}

# show_holders: the holders' lines on one line, for the test log.
show_holders() { grep -v '^port=' "$T/own.out" | tr '\n' ' '; }

# without_loses MAKER FIRST END: the run without the library shows the loss
# (the last close resets: the 3 MB tail is cut) while both holders worked.
without_loses() {
    local out
    out=$(own_once "$1" "$2" "$3" "${WITHOUT[@]}")
    echo "without ($1, $2 first, child ends by $3): $out | $(show_holders)"
    reply_lost "$out"
    holders_ok
}

# with_delivers MAKER FIRST END [RUNS]: with the library, every run delivers
# the whole reply, clean end of stream, and neither holder was harmed.
with_delivers() {
    local out i
    for ((i = 1; i <= ${4:-1}; i++)); do
        out=$(own_once "$1" "$2" "$3" "${WITH[@]}")
        echo "with ($1, $2 first, child ends by $3), run $i: $out | $(show_holders)"
        holders_ok
        reply_complete "$out"
    done
}

# never_worse MAKER FIRST END: with the library neither holder is harmed
# (no EPIPE, no stolen bytes); the reply is either whole (the library
# counted the holder) or ends as it does without (a plain close).
never_worse() {
    local out
    out=$(own_once "$1" "$2" "$3" "${WITH[@]}")
    echo "with ($1, $2 first, child ends by $3): $out | $(show_holders)"
    holders_ok
    [ "$(field reply_bytes "$out")" -gt 1044 ] # more than the first holder's part
}
