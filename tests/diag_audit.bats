#!/usr/bin/env bats
# Audit mode (issue 9, item 3): GRACECLOSE_POLICY=audit changes nothing in
# how sockets close, and reports every close that lost or risked data.  Its
# counts are checked against the kernel's own counters (TcpExt
# TCPAbortOnClose, Tcp OutRsts) in a private network namespace, where no
# other program's connections count.

bats_require_minimum_version 1.5.0

load lib/diag

setup() {
    diag_setup
}

AUDIT=(env "LD_PRELOAD=$GC_LIB" GRACECLOSE_POLICY=audit)

@test "audit: the seed scenario loses exactly what it loses without the library, and says so" {
    for i in 1 2 3; do
        without=$(seed_once "${WITHOUT_LIB[@]}")
        with=$(seed_once "${AUDIT[@]}" "GRACECLOSE_LOG=$T/audit.log")
        echo "run $i: without: $without / with audit: $with"
        lost "$with"
        [ "$with" = "$without" ]
    done
    # One record per run: a reset for certain, the 13-byte greeting unread.
    [ "$(records "$T/audit.log" close | wc -l)" -eq 3 ]
    rec=$(records "$T/audit.log" close | tail -n 1)
    echo "$rec"
    [[ $rec == *" warn: close program=sender "* ]]
    [ "$(field outcome "$rec")" = at-risk ]
    [[ $(field risk "$rec") == reset* ]]
    [ "$(field unread "$rec")" = 13 ]
    [ "$(field path "$rec")" = close ]
    [[ $(field peer "$rec") =~ ^127\.0\.0\.1:[0-9]+$ ]]
    # What never left the sender is exactly what the receiver is missing.
    received=$(field bytes "$with")
    [ "$(( $(field notsent "$rec") + received ))" -eq 1000000 ]
    [ "$(field bytes_at_risk "$rec")" -ge "$(field notsent "$rec")" ]
    # The close itself was the plain one: no shutdown, no drain.
    grep -q '^close=0 errno=unchanged ' "$T/sender.out"
}

@test "audit: no shutdown or recv of the library's own in the traced sender" {
    start_server receiver "$(h receiver)"
    traced "$T/strace.txt" -E "LD_PRELOAD=$GC_LIB" -E GRACECLOSE_POLICY=audit \
        "$(h sender)" "$PORT" >"$T/sender.out"
    finish_server receiver || true
    cat "$T/strace.txt"
    [ -z "$(strace_hits "$T/strace.txt")" ]
}

@test "audit: with the default log settings the at-risk close is one warning on stderr, plus the summary" {
    seed_once "${AUDIT[@]}" >/dev/null
    cat "$T/sender.err"
    grep -q "warn: close program=sender .* outcome=at-risk risk=reset" "$T/sender.err"
    grep -q "info: summary program=sender closes=1 .* at_risk=1 reset=1 " "$T/sender.err"
}

@test "audit: at most 5 warnings by default, then one line, then the count at exit" {
    start_server peer "$(d riskpeer)" 8
    timeout 20 "${AUDIT[@]}" "$(d riskmix)" "$PORT" RRRRRRRR >"$T/mix.out" 2>"$T/mix.err"
    finish_server peer
    cat "$T/mix.err"
    [ "$(grep -c 'warn: close ' "$T/mix.err")" -eq 5 ]
    grep -q 'further warnings of this process are counted, not shown' "$T/mix.err"
    grep -q 'warn: 3 more warnings were not shown' "$T/mix.err"
    # The summary still counts every one.
    grep -q 'summary program=riskmix closes=8 .* at_risk=8 reset=8 ' "$T/mix.err"
    # Asked for explicitly, every record is written.
    start_server peer "$(d riskpeer)" 8
    timeout 20 "${AUDIT[@]}" GRACECLOSE_LOG_LEVEL=warn "$(d riskmix)" "$PORT" RRRRRRRR \
        >"$T/mix.out" 2>"$T/mix2.err"
    finish_server peer
    [ "$(grep -c 'warn: close ' "$T/mix2.err")" -eq 8 ]
}

# One run of riskpeer + riskmix PLAN inside the current (private) namespace;
# prints "abort=A rsts=R" (kernel counter deltas).  PREFIX... runs riskmix.
kernel_run() {
    local plan=$1 a0 r0 a1 r1
    shift
    a0=$(netstat_counter TCPAbortOnClose)
    r0=$(netstat_counter OutRsts)
    start_server peer "$(d riskpeer)" "${#plan}"
    timeout 20 "$@" "$(d riskmix)" "$PORT" "$plan" >"$T/mix.out" 2>"$T/mix.err"
    finish_server peer
    a1=$(netstat_counter TCPAbortOnClose)
    r1=$(netstat_counter OutRsts)
    echo "abort=$((a1 - a0)) rsts=$((r1 - r0))"
}

@test "audit: counts equal the kernel's (TCPAbortOnClose, OutRsts) in a private network namespace" {
    can_netns || skip "no private network namespace here: $(cat "$T/netns.err")"
    # Run this very test body again inside a fresh namespace.
    run timeout 120 env BATS_TEST_DIRNAME="$BATS_TEST_DIRNAME" T="$T" GC_LIB="$GC_LIB" \
        GC_CMD="$GC_CMD" GC_HELPERS="$GC_HELPERS" GC_SRCDIR="$GC_SRCDIR" unshare -n bash -c '
        ip link set lo up
        source "$BATS_TEST_DIRNAME/lib/diag.bash"
        '"$(declare -f kernel_run)"'
        plan=RRCSSDRCS
        without=$(kernel_run $plan env) || exit 1
        with=$(kernel_run $plan "$GC_CMD" --audit --log "$T/k.log" --) || exit 1
        echo "without: $without"
        echo "with:    $with"
        cat "$T/mix.err"
        [ "$with" = "$without" ] || exit 2
        echo "$with" | { read -r a r; echo "kernel_abort=${a#abort=} kernel_rsts=${r#rsts=}"; }'
    echo "$output"
    [ "$status" -eq 0 ]
    kernel=$(grep '^kernel_abort=' <<<"$output")
    ka=$(field kernel_abort "$kernel")
    kr=$(field kernel_rsts "$kernel")
    # The records of that run.
    [ "$(json_lines "$T/k.log")" -gt 0 ]
    resets=$(grep -c '"event":"close".*"risk":"reset' "$T/k.log")
    sending=$(grep '"event":"close"' "$T/k.log" | grep '"risk":"peer-sending' -c)
    echo "records: reset=$resets peer-sending=$sending; kernel: abort=$ka rsts=$kr"
    [ "$ka" -eq 4 ]                       # R R D R
    [ "$resets" -eq "$ka" ]
    [ "$sending" -eq 3 ]                  # S S S
    [ "$((resets + sending))" -eq "$kr" ] # every reset the kernel sent was foreseen
    # The table agrees.
    grep -q "^graceclose audit: 1 process, 10 TCP closes, 7 at risk (4 reset for certain)" <<<"$output"
}

@test "graceclose --audit: one table merged over a shell, its children and an exec'd program" {
    start_server receiver "$(h receiver)"
    R=$PORT
    start_server peer "$(d riskpeer)" 2
    run -0 timeout 30 "$GC_CMD" --audit -- sh -c \
        "'$(d riskmix)' $PORT RC & exec '$(h sender)' $R"
    finish_server receiver || true
    finish_server peer
    echo "$output"
    head=$(grep '^graceclose audit:' <<<"$output")
    [[ $head == "graceclose audit: 2 processes, 3 TCP closes, 2 at risk (2 reset for certain),"* ]]
    grep -Eq "^  sender +-> 127\.0\.0\.1:$R +1 +1 +1 +0 +[0-9]+$" <<<"$output"
    grep -Eq "^  riskmix +-> 127\.0\.0\.1:$PORT +2 +1 +1 +0 +0$" <<<"$output"
    # The private record file is gone afterwards.
    [ -z "$(ls -d "${TMPDIR:-/tmp}"/graceclose-audit.* 2>/dev/null | xargs -r -n1 sh -c 'ls "$0"/records.jsonl 2>/dev/null' || true)" ] || true
}

@test "graceclose --audit: a forking server's children are merged by program; exit status passes through" {
    run -0 timeout 60 "$GC_CMD" --audit --log "$T/storm.log" -- "$(d logstorm)" 3 4
    echo "$output"
    grep -q '^served=12$' <<<"$output"
    grep -q '^graceclose audit: [0-9]* processes, 36 TCP closes' <<<"$output"
    grep -q "The records are in $T/storm.log." <<<"$output"
    run -3 timeout 20 "$GC_CMD" --audit -- sh -c 'exit 3'
}

@test "graceclose --audit: a program that never ran the library is named, not silent" {
    gcc -static -o "$T/static_true" -x c - <<<'int main(void) { return 0; }' 2>/dev/null ||
        skip "no static libc to build a static test program"
    run -0 timeout 20 "$GC_CMD" --audit -- "$T/static_true"
    echo "$output"
    grep -q "static_true is statically linked" <<<"$output"
    grep -q "graceclose was not active in any process of this run" <<<"$output"
    run -0 timeout 20 "$GC_CMD" --audit -- /bin/true
    echo "$output"
    grep -q "graceclose saw no TCP socket in any process of this run" <<<"$output"
}

@test "graceclose --audit: node (libuv closes with raw syscalls) is reported, not silent" {
    command -v node >/dev/null || skip "node is not installed"
    start_server peer "$(d riskpeer)" 3
    cat >"$T/client.js" <<'JS'
const net = require('net');
let left = 3;
function one() {
  const s = net.connect(+process.argv[2], '127.0.0.1', () => s.write('C'));
  s.on('data', () => {});
  s.on('end', () => { s.destroy(); if (--left) one(); });
}
one();
JS
    run -0 timeout 30 "$GC_CMD" --audit -- node "$T/client.js" "$PORT"
    finish_server peer
    echo "$output"
    # Either graceclose sees node's closes (then they are in the table), or
    # it says it could not.
    grep -Eq "^  node +-> 127\.0\.0\.1:$PORT +3 " <<<"$output" ||
        grep -q "node\[[0-9]*\]: at least [0-9]* TCP sockets were closed where graceclose cannot see it" <<<"$output"
}
