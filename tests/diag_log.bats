#!/usr/bin/env bats
# Logging (issue 9, item 1): GRACECLOSE_LOG (off, stderr, syslog, a file),
# GRACECLOSE_LOG_LEVEL, GRACECLOSE_LOG_FORMAT and the same keys in the
# config file; bounded output by default; a destination that fails or is
# slow never blocks or breaks the program; records from many processes in
# one file are never torn.

bats_require_minimum_version 1.5.0

load lib/diag

setup() {
    diag_setup
    LOG=$T/gc.log
}

teardown() {
    [ -z "${HOLD_PID:-}" ] || kill "$HOLD_PID" 2>/dev/null || true
}

@test "file: created 0600, appended to, held at a high close-on-exec descriptor" {
    timeout 10 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" sleep 2 &
    HOLD_PID=$!
    sleep 0.5
    pid=$(pgrep -P "$HOLD_PID" sleep)
    ls -l "/proc/$pid/fd"
    fd=$(find "/proc/$pid/fd" -lname "$LOG" -printf '%f\n')
    [ -n "$fd" ]
    [ "$fd" -ge 500 ]
    flags=$(awk '/^flags:/ { print $2 }' "/proc/$pid/fdinfo/$fd")
    echo "fd $fd flags $flags"
    (( (8#$flags & 8#2000000) != 0 ))   # O_CLOEXEC
    (( (8#$flags & 8#2000) != 0 ))      # O_APPEND
    [ "$(stat -c %a "$LOG")" = 600 ]
    wait "$HOLD_PID"
    HOLD_PID=
    seed_once env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" GRACECLOSE_LOG_LEVEL=info >/dev/null
    seed_once env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" GRACECLOSE_LOG_LEVEL=info >/dev/null
    [ "$(records "$LOG" close | wc -l)" -eq 2 ]
}

@test "a config file with 1,000 bad lines: 3 lines and a count, and a stderr pipe nobody reads does not hang the program" {
    for i in $(seq 1 1000); do echo "this is bad line $i"; done >"$T/bad.conf"
    mkfifo "$T/err.fifo"
    exec 8<>"$T/err.fifo" # held open, read only after the program ended
    start=$(date +%s%N)
    timeout 10 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$T/bad.conf" /bin/true 2>"$T/err.fifo"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    timeout 1 cat <&8 >"$T/err.txt" || true
    exec 8<&-
    cat "$T/err.txt"
    echo "took ${ms} ms"
    [ "$ms" -lt 5000 ]
    [ "$(wc -l <"$T/err.txt")" -eq 4 ]
    grep -q "bad.conf:1: expected 'key = value'" "$T/err.txt"
    grep -q "bad.conf:3: expected" "$T/err.txt"
    grep -q "\.\.\. and 997 more problems in this config file; 'graceclose check $T/bad.conf' lists them all" "$T/err.txt"
}

@test "/dev/full as the log: one message, the program runs on and its closes stay graceful" {
    result=$(seed_once env "LD_PRELOAD=$GC_LIB" GRACECLOSE_LOG=/dev/full GRACECLOSE_LOG_LEVEL=info)
    cat "$T/sender.err"
    complete "$result"
    grep -q '^close=0 errno=unchanged ' "$T/sender.out"
    [ "$(wc -l <"$T/sender.err")" -eq 1 ]
    grep -q "error: log /dev/full: ENOSPC (no space left on device); records of this process are no longer written" "$T/sender.err"
}

@test "a full tmpfs as the log: no hang, no crash, one message" {
    timeout 10 unshare -m true 2>/dev/null || skip "no private mount namespace here"
    mkdir "$T/small"
    run timeout 60 unshare -m bash -c '
        mount -t tmpfs -o size=16k tmpfs "$1" || exit 77
        head -c 16384 /dev/zero >"$1/fill" 2>/dev/null
        BATS_TEST_DIRNAME=$2 T=$3; source "$2/lib/diag.bash"
        seed_once env "LD_PRELOAD=$4" GRACECLOSE_LOG="$1/gc.log" GRACECLOSE_LOG_LEVEL=info
        cat "$T/sender.err"' _ "$T/small" "$BATS_TEST_DIRNAME" "$T" "$GC_LIB"
    [ "$status" -ne 77 ] || skip "cannot mount a tmpfs here"
    echo "$output"
    [ "$status" -eq 0 ]
    grep -q '^bytes=1000000 end=eof$' <<<"$output"
    [ "$(grep -c 'error: log ' <<<"$output")" -eq 1 ]
    grep -q "ENOSPC\|EDQUOT" <<<"$output"
}

@test "a FIFO nobody reads as the log: no hang, one message" {
    mkfifo "$T/log.fifo"
    run -0 timeout 10 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$T/log.fifo" GRACECLOSE_LOG_LEVEL=info \
        /bin/true
    echo "$output"
    grep -q "error: log $T/log.fifo: ENXIO (no reader)" <<<"$output"
}

@test "stderr on a pipe that is never read: records are dropped, the program is never blocked" {
    mkfifo "$T/err.fifo"
    exec 8<>"$T/err.fifo"
    rc=0
    timeout 60 env "LD_PRELOAD=$GC_LIB" GRACECLOSE_LOG_LEVEL=info "$(d logstorm)" 2 150 \
        >"$T/out" 2>"$T/err.fifo" || rc=$?
    exec 8<&-
    cat "$T/out"
    [ "$rc" -eq 0 ]
    grep -q '^served=300$' "$T/out"
}

@test "one log file shared by a forking server and its clients: every record whole" {
    run -0 timeout 60 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" GRACECLOSE_LOG_LEVEL=info \
        GRACECLOSE_LOG_FORMAT=json "$(d logstorm)" 6 40
    grep -q '^served=240$' <<<"$output"
    # 240 server children + 240 parent closes + 240 client closes.
    lines_reach "$LOG" 720 '"event":"close"'
    lines=$(json_lines "$LOG")
    pids=$(grep -o '"pid":[0-9]*' "$LOG" | sort -u | wc -l)
    echo "lines=$lines pids=$pids"
    [ "$pids" -ge 247 ]
    # The same in text form: every line is one whole record.
    rm "$LOG"
    run -0 timeout 60 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" GRACECLOSE_LOG_LEVEL=info \
        "$(d logstorm)" 6 40
    lines_reach "$LOG" 720 '\]: [a-z]+: close '
    bad=$(grep -Ev '^20[0-9-]{8}T[0-9:.]{12}Z graceclose\[[0-9]+\]: info: (close|summary|outcome) program=[a-z]+ .*[0-9a-z"]$' "$LOG" || true)
    [ -z "$bad" ] || { echo "not whole records: $bad" | head -5; false; }
}

@test "a program that closes every descriptor and reuses the log's number: the record still reaches the log" {
    start_server receiver "$(h receiver)"
    run -0 timeout 20 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$LOG" GRACECLOSE_LOG_LEVEL=info \
        "$(d fdsteal)" "$T/victim" "$PORT"
    finish_server receiver || true
    cat "$LOG"
    [ ! -s "$T/victim" ]
    record_with "$LOG" close "program=fdsteal .*outcome=peer-eof"
}

@test "levels: error shows nothing for warnings, off shows nothing at all, and a bad value is one line" {
    run -0 timeout 10 env "LD_PRELOAD=$GC_LIB" GRACECLOSE_TIMEOUT=abc GRACECLOSE_LOG_LEVEL=error /bin/true
    [ -z "$output" ]
    run -0 timeout 10 env "LD_PRELOAD=$GC_LIB" GRACECLOSE_TIMEOUT=abc GRACECLOSE_LOG=off /bin/true
    [ -z "$output" ]
    for v in GRACECLOSE_LOG=relative/file GRACECLOSE_LOG=syslg GRACECLOSE_LOG_LEVEL=verbose \
        GRACECLOSE_LOG_FORMAT=xml; do
        run -0 timeout 10 env "LD_PRELOAD=$GC_LIB" "$v" /bin/true
        echo "$v: $output"
        [ "${#lines[@]}" -eq 1 ]
        [[ $output == *"${v%%=*}='${v#*=}' is not "*"; ignored" ]]
    done
}

@test "config file: log, log_level, log_format in [default]; the environment wins; not in a rule" {
    printf '[default]\nlog = %s\nlog_level = info\nlog_format = json\n' "$LOG" >"$T/g.conf"
    seed_once env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$T/g.conf" >/dev/null
    [ "$(json_lines "$LOG")" -eq 3 ]
    rm "$LOG"
    seed_once env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$T/g.conf" GRACECLOSE_LOG_FORMAT=text >/dev/null
    record_with "$LOG" close "program=sender "
    printf '[web]\nlocal_port = 80\nlog_level = debug\n' >"$T/r.conf"
    run -1 timeout 10 "$GC_CMD" check "$T/r.conf"
    grep -q "r.conf:3: log_level applies to the whole process and belongs in \[default\], not in a rule; ignored" <<<"$output"
    printf '[default]\nlog = stderr\nLog_Level = info\n' >"$T/h.conf"
    run -1 timeout 10 "$GC_CMD" check "$T/h.conf"
    grep -q "unknown key 'Log_Level' (did you mean 'log_level'?)" <<<"$output"
}

# need_fake_syslog: skips the test when with_fake_syslog cannot work.  In
# the test's own shell: a skip inside `run` would end only its subshell.
need_fake_syslog() {
    command -v socat >/dev/null || skip "socat is not installed"
    timeout 10 unshare -m true 2>/dev/null || skip "no private mount namespace here"
}

# with_fake_syslog CMD...: runs CMD in a private mount namespace whose /dev
# holds a datagram socket "log" read by socat into $T/syslog.txt.
with_fake_syslog() {
    mkdir -p "$T/dev"
    : >"$T/dev/null"
    timeout 20 socat -u UNIX-RECV:"$T/dev/log" OPEN:"$T/syslog.txt",creat,append &
    HOLD_PID=$!
    for _ in $(seq 1 50); do [ -S "$T/dev/log" ] && break; sleep 0.05; done
    timeout 30 unshare -m bash -c 'mount --bind /dev/null "$1/null" && mount --bind "$1" /dev && shift && exec "$@"' \
        _ "$T/dev" "$@"
}

@test "syslog: one datagram per record to /dev/log, with priority and tag" {
    need_fake_syslog
    run with_fake_syslog env "LD_PRELOAD=$GC_LIB" GRACECLOSE_LOG=syslog GRACECLOSE_TIMEOUT=abc /bin/true
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    sleep 0.2
    cat "$T/syslog.txt"
    grep -Eq "^<12>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} graceclose\[[0-9]+\]: warn: GRACECLOSE_TIMEOUT='abc' is not a duration" "$T/syslog.txt"
}

@test "fd 2 is a socket (an inetd service's client): warnings go to syslog, never to the client" {
    need_fake_syslog
    start_server receiver "$(h receiver)" -n -s
    run with_fake_syslog "$(h as_service)" "$PORT" env "LD_PRELOAD=$GC_LIB" GRACECLOSE_TIMEOUT=abc /bin/true
    finish_server receiver || true
    cat "$T/receiver.out"
    grep -q '^bytes=0 ' "$T/receiver.out"
    sleep 0.2
    cat "$T/syslog.txt"
    grep -q "graceclose\[[0-9]*\]: warn: GRACECLOSE_TIMEOUT='abc'" "$T/syslog.txt"
}

@test "syslog with no syslog daemon: one message on stderr, the program runs on" {
    timeout 10 unshare -m true 2>/dev/null || skip "no private mount namespace here"
    mkdir -p "$T/dev" && : >"$T/dev/null"
    run timeout 30 unshare -m bash -c 'mount --bind /dev/null "$1/null" && mount --bind "$1" /dev && shift && exec "$@"' \
        _ "$T/dev" env "LD_PRELOAD=$GC_LIB" GRACECLOSE_LOG=syslog GRACECLOSE_TIMEOUT=abc sh -c 'exit 7'
    echo "$output"
    [ "$status" -eq 7 ]
    [ "${#lines[@]}" -eq 1 ]
    grep -q "error: log syslog (/dev/log): ENOENT" <<<"$output"
}
