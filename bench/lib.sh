# bench/lib.sh - what every row shares: paths, starting and stopping
# processes (always bounded, always killed at the end), with/without the
# library, statistics, and the result lines the table is printed from.
# Sourced by bench/run and by each bench/rows/NN-*.sh (each row runs in its
# own bash, so its EXIT trap cleans up exactly what it started).

set -u

BENCH_SRC=${BENCH_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
GC_BUILD=$(cd "${GC_BUILD:-$BENCH_SRC/../build}" 2>/dev/null && pwd || echo "${GC_BUILD:-build}")
GC_LIB=${GC_LIB:-$GC_BUILD/src/libgraceclose.so}
PROGS=${PROGS:-$GC_BUILD/bench/progs}
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_LOGS=${BENCH_LOGS:-$GC_BUILD/bench-logs}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_LOGS/results.tsv}
# The idle time the library is told to use where a row depends on it (row 2).
GC_BENCH_IDLE_MS=${GC_BENCH_IDLE_MS:-500}
export BENCH_SRC GC_BUILD GC_LIB PROGS BENCH_QUICK BENCH_LOGS BENCH_RESULTS GC_BENCH_IDLE_MS

# quick N_FULL N_QUICK: the value for this mode.
quick() { if [ "$BENCH_QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }

log() { printf '  [%s] %s\n' "${ROW_NAME:-bench}" "$*" >&2; }

# ---- processes -----------------------------------------------------------

# row_init NAME: a fresh log folder for the row and the cleanup trap.
row_init() {
    ROW_NAME=$1
    ROW_DIR=$BENCH_LOGS/$1
    rm -rf "$ROW_DIR"
    mkdir -p "$ROW_DIR"
    SPAWNED=()
    trap cleanup EXIT
    trap 'exit 143' TERM INT HUP
    ulimit -n 20000 2>/dev/null || true
}

# spawn NAME on|off CMD...: starts CMD in its own process group (setsid),
# with the library preloaded when the second word is "on".  Output goes to
# $ROW_DIR/NAME.out and .err; the group id is left in LAST_PID.
spawn() {
    local name=$1 lib=$2
    shift 2
    if [ "$lib" = on ]; then
        setsid env LD_PRELOAD="$GC_LIB${LD_PRELOAD:+:$LD_PRELOAD}" "$@" \
            >"$ROW_DIR/$name.out" 2>"$ROW_DIR/$name.err" </dev/null &
    else
        setsid "$@" >"$ROW_DIR/$name.out" 2>"$ROW_DIR/$name.err" </dev/null &
    fi
    LAST_PID=$!
    SPAWNED+=("$LAST_PID")
}

# run_lib on|off CMD...: runs CMD in the foreground, with or without the library.
run_lib() {
    local lib=$1
    shift
    if [ "$lib" = on ]; then
        LD_PRELOAD="$GC_LIB${LD_PRELOAD:+:$LD_PRELOAD}" "$@"
    else
        "$@"
    fi
}

# stop PGID: TERM to the whole group, KILL after 2 s; bounded.
stop() {
    local pid=$1 i
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${SPAWNED[@]:-}"; do
        [ -n "$pid" ] && stop "$pid"
    done
    SPAWNED=()
}

# port_of NAME: waits (at most 5 s) for "port=N" in NAME.out and prints N.
port_of() {
    local f=$ROW_DIR/$1.out i p
    for i in $(seq 100); do
        p=$(sed -n 's/^port=\([0-9]*\)$/\1/p' "$f" 2>/dev/null | head -1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.05
    done
    log "no port from $1: $(head -c 300 "$ROW_DIR/$1.err" 2>/dev/null)"
    return 1
}

# listening PORT: true when something listens on 127.0.0.1:PORT (read from
# /proc/net/tcp, so checking opens no connection).
listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# wait_listen PORT [TRIES]: waits up to TRIES*50 ms (default 5 s).
wait_listen() {
    local i
    for i in $(seq "${2:-100}"); do
        listening "$1" && return 0
        sleep 0.05
    done
    return 1
}

free_port() { "$PROGS/freeport"; }

# bg_start N: N idle background processes with 20-100 descriptors each;
# waits (bounded) until all are set up.  bg_stop kills them.
bg_start() {
    spawn bgprocs off "$PROGS/bgprocs" "$1" 900
    BG_PID=$LAST_PID
    local i
    for i in $(seq 600); do
        grep -q '^ready' "$ROW_DIR/bgprocs.out" 2>/dev/null && break
        sleep 0.05
    done
    log "background: $(cat "$ROW_DIR/bgprocs.out" 2>/dev/null) processes ($(ls /proc | grep -c '^[0-9]') on the machine)"
}
bg_stop() { [ -n "${BG_PID:-}" ] && stop "$BG_PID"; BG_PID=; }

# ---- statistics ----------------------------------------------------------

# pct P: the P-th percentile (0..100) of the numbers on stdin.
# (nearest rank; lines that are not numbers are skipped; "nan" if none).
pct() {
    sort -g | awk -v q="$1" '$1 ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ { v[++n] = $1 }
        END { if (n == 0) { print "nan"; exit }
              k = int(q / 100 * n + 0.999999); if (k < 1) k = 1; if (k > n) k = n; print v[k] }'
}

# spread: per-repeat values on stdin -> "MEDIAN (MIN..MAX)" with FMT (printf).
# A repeat that gave no number makes it "nan (...; K of N repeats gave none)".
spread() {
    local fmt=${1:-%.2f}
    sort -g | awk -v f="$fmt" '
        $1 ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ { v[++n] = $1; next } { bad++ }
        END { if (n == 0) { print "no data"; exit }
              m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
              s = (n == 1) ? sprintf(f, m) : sprintf(f " (" f ".." f ")", m, v[1], v[n])
              if (bad) s = "nan; " s " from " n " of " n + bad " repeats, the others gave no number"
              print s }'
}

# median: the middle value of the numbers on stdin; "nan" if there are none
# or if any line is not a number (a failed repeat must not pass).
median() {
    sort -g | awk '$1 ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ { v[++n] = $1; next } { bad++ }
        END { if (n == 0 || bad) { print "nan"; exit }
              print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

# calc EXPR: floating point arithmetic; "nan" when an operand is missing or
# not a number (so a run that produced nothing can never pass a target).
calc() {
    local e="$*"
    case $e in *nan* | *inf* | *[!-0-9.e+*/\ ]*) echo nan; return ;; esac
    if [[ $e =~ ^[[:space:]]*[-+*/][[:space:]] || $e =~ [-+*/][[:space:]]*$ || $e =~ [-+*/][[:space:]]+[-+*/][[:space:]] ]]; then
        echo nan
        return
    fi
    awk "BEGIN { x = $e; print x }"
}

# ---- verdicts and the table ----------------------------------------------

# le VALUE LIMIT / ge VALUE LIMIT: PASS or MISS (MISS when VALUE is not a number).
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ && a + 0 <= b + 0) ? "PASS" : "MISS" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ && a + 0 >= b + 0) ? "PASS" : "MISS" }'; }

# both V1 V2...: PASS only if every argument is PASS.
both() { local v; for v in "$@"; do [ "$v" = PASS ] || { echo MISS; return; }; done; echo PASS; }

# result ROW WHAT VALUE TARGET VERDICT: one line of the final table.
result() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_RESULTS"
    log "$2: $3  [target $4] $5"
}

# need TOOL...: true when every tool is there; else records a SKIP line for
# row ROW_ID and returns false (run bench/setup to install them).
need() {
    local t missing=
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
    [ -z "$missing" ] && return 0
    result "$ROW_ID" "(row not run)" "missing:$missing - run bench/setup" "-" SKIP
    return 1
}

# fmt FORMAT NUMBER: printf through awk (keeps "nan" as it is).
fmt() { awk -v f="$1" -v x="$2" 'BEGIN { if (x ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) printf f "\n", x; else print x }'; }

# pair_order R: "off on" for odd repeats, "on off" for even ones - runs go
# A/B, B/A, A/B... so a drift in the machine's load or a second-run effect
# does not always fall on the same side.
pair_order() { if [ $(($1 % 2)) = 1 ]; then echo "off on"; else echo "on off"; fi; }
