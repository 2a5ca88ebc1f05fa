# diag.bash - shared pieces of the diagnostics suites (tests/diag_*.bats,
# issue 9): logging, per-close records, audit mode, the summary, the
# command's audit table.  Builds on lib/common.bash (start_server, seed_once,
# field, h ...).  Every process goes through `timeout`; loops are bounded.

# shellcheck source=tests/lib/common.bash
source "$BATS_TEST_DIRNAME/lib/common.bash"

GC_DIAG=${GC_DIAG:-$GC_HELPERS/../diag}
GC_SHAPES=${GC_SHAPES:-$GC_HELPERS/../shapes}

diag_setup() {
    gc_setup
    [ -x "$GC_DIAG/riskmix" ] || { echo "diag helpers not built in $GC_DIAG" >&2; return 1; }
}

# d NAME: path of a built diag helper.
d() { printf '%s/%s' "$GC_DIAG" "$1"; }

# records FILE EVENT: the text lines of FILE for EVENT (close, summary, outcome).
records() { grep -E "\]: [a-z]+: $2 " "$1" || true; }

# lines_reach FILE N PATTERN: waits (up to 8 s) until N lines of FILE match
# the extended regex PATTERN (lingered closes are recorded by the helper
# when their lingers end, after the program has gone); prints the count;
# fails if it is not N then.
lines_reach() {
    local i n
    for ((i = 0; i < 160; i++)); do
        n=$(grep -cE -- "$3" "$1" || true)
        [ "$n" -ge "$2" ] && break
        sleep 0.05
    done
    echo "lines matching '$3': $n (want $2)"
    [ "$n" -eq "$2" ]
}

# record_with FILE EVENT PATTERN: exactly one EVENT line of FILE matches the
# extended regex PATTERN; prints it.  A lingered close is recorded by the
# helper process when its linger ends, after the program has gone: wait
# for the line (up to 8 s).
record_with() {
    local hits i
    for ((i = 0; i < 160; i++)); do
        hits=$(records "$1" "$2" | grep -E -- "$3" || true)
        [ -n "$hits" ] && break
        sleep 0.05
    done
    if [ -z "$hits" ] || [ "$(wc -l <<<"$hits")" -ne 1 ]; then
        echo "want one '$2' record matching '$3' in $1; got: ${hits:-none}; file:" >&2
        cat "$1" >&2
        return 1
    fi
    printf '%s\n' "$hits"
}

# json_lines FILE: every line of FILE is one JSON object (prints the count).
json_lines() {
    python3 - "$1" <<'PY'
import json, sys
n = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON (%s): %r" % (i, e, line[:200]))
    if not isinstance(obj, dict) or "event" not in obj or "pid" not in obj:
        sys.exit("line %d is no record: %r" % (i, line[:200]))
    n += 1
print(n)
PY
}

# netstat_counter NAME: a TcpExt or Tcp counter of this network namespace.
netstat_counter() {
    awk -v want="$1" '
        $1 == "TcpExt:" || $1 == "Tcp:" {
            if (!(FILENAME SUBSEP $1 in seen)) { seen[FILENAME SUBSEP $1] = 1; for (i = 2; i <= NF; i++) name[$1, i] = $i; next }
            for (i = 2; i <= NF; i++) if (name[$1, i] == want) print $i
        }' /proc/net/netstat /proc/net/snmp
}

# in_netns CMD...: runs CMD in a private network namespace with loopback up;
# skips the test (with the reason) when one cannot be made here.
can_netns() {
    timeout 10 unshare -n sh -c 'ip link set lo up' 2>"$T/netns.err"
}
