# nostall.bash - shared pieces of the never-stall suites (tests/nostall_*.bats,
# issue 8: close() returns at once, the linger goes on elsewhere and only
# when something is at stake).  Builds on lib/shapes (which loads
# lib/common).  Every process goes through `timeout`; every loop is bounded.
#
# Time bounds here are generous on purpose (a shared 2-core machine): a
# close "returns at once" when it takes < 200 ms while the linger it starts
# runs for seconds; most checks are orderings on CLOCK_MONOTONIC stamps that
# the program and its peer both print.

# shellcheck source=tests/lib/shapes.bash
source "$BATS_TEST_DIRNAME/lib/shapes.bash"

GC_NOSTALL=${GC_NOSTALL:-$GC_HELPERS/../nostall}

# With the library: a 3 s linger bound and a 1 s idle rule (set explicitly so
# the tests do not depend on the defaults).
WITH_NS=(env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=3s GRACECLOSE_IDLE=1s)

# need_or_skip PROGRAM PACKAGE: skips the test, naming the Debian package,
# when PROGRAM is not installed (these suites never install anything).
need_or_skip() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (Debian package $2)"
}

nostall_setup() {
    shapes_setup
    [ -x "$GC_NOSTALL/lclose" ] || { echo "never-stall helpers not built in $GC_NOSTALL" >&2; return 1; }
    PY3=/usr/bin/python3
    [ -x "$PY3" ] || PY3=$(command -v python3)
}

# ns_path NAME: path of a built never-stall helper.
ns_path() { printf '%s/%s' "$GC_NOSTALL" "$1"; }

# lrun COUNT PREFIX... :: ARGS...: starts lpeer (expecting COUNT connections),
# runs "lclose ARGS... PORT" under PREFIX, waits for the peer.  Output in
# $T/lclose.out and $T/lpeer.out.  (PROG=NAME runs another helper instead of
# lclose.)
lrun() {
    local count=$1 prefix=() rc=0
    shift
    while [ "$1" != :: ]; do prefix+=("$1"); shift; done
    shift
    start_server lpeer "$(ns_path lpeer)" "$count" || return 1
    timeout 40 "${prefix[@]}" "$(ns_path "${PROG:-lclose}")" "$@" "$PORT" \
        >"$T/lclose.out" 2>"$T/lclose.err" || rc=$?
    LRUN_RC=$rc
    if [ "$rc" -ge 124 ]; then
        stop_server lpeer || true # the program was killed or timed out: do not wait for the peer
    else
        finish_server lpeer 12 || true
    fi
    echo "  program: $(tr '\n' ' ' <"$T/lclose.out") $(head -c 300 "$T/lclose.err")"
    echo "  peer:    $(grep -v '^port=' "$T/lpeer.out" | tr '\n' ' ')"
}

# val FILE LINE_PREFIX KEY: value of KEY=... on the first line of FILE that
# starts with LINE_PREFIX.
val() {
    local line
    line=$(grep -m1 -- "^$2" "$1") || { echo "no line '$2' in $1" >&2; return 1; }
    field "$3" "$line"
}

# holds 'EXPR': an awk condition on numbers, e.g. holds "$a < $b + 200".
holds() {
    awk "BEGIN { exit !($1) }" || { echo "does not hold: $1" >&2; return 1; }
}

# A's result: whole reply (every byte lclose wrote) and its end.
a_whole() {
    local sent got
    sent=$(val "$T/lclose.out" "A id=${1:-0} " sent)
    got=$(val "$T/lpeer.out" "A id=${1:-0} " got)
    [ -n "$sent" ] && [ "$got" = "$sent" ] || { echo "A${1:-0}: sent $sent, peer got $got" >&2; return 1; }
}
a_end() { val "$T/lpeer.out" "A id=${1:-0} " end; }
close_ms() { val "$T/lclose.out" "close id=${1:-0} " ms; }
close_at() { val "$T/lclose.out" "close id=${1:-0} " at; }
