#!/usr/bin/env bats
# Program names (issue 9, item 6): rules and program lists match the name a
# user sees (the process name in ps, argv[0]'s base name) as well as the
# real executable; 'check' and 'explain' say which names a rule matches and
# warn about a name that matches nothing installed.

bats_require_minimum_version 1.5.0

load lib/diag

setup() {
    diag_setup
}

@test "a program started through a link: rules for the link's name and for the executable both match" {
    ln -s "$(h sender)" "$T/legacy-sender"
    for name in legacy-sender sender; do
        printf '[default]\nskip_programs = %s\n' "$name" >"$T/skip.conf"
        start_server receiver "$(h receiver)"
        timeout 30 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$T/skip.conf" \
            "$T/legacy-sender" "$PORT" >"$T/sender.out"
        finish_server receiver
        echo "skip_programs = $name: $LAST_LINE"
        lost "$LAST_LINE"
    done
    # Without the list the same program is graceful (the control).
    start_server receiver "$(h receiver)"
    timeout 30 env "LD_PRELOAD=$GC_LIB" "$T/legacy-sender" "$PORT" >"$T/sender.out"
    finish_server receiver
    complete "$LAST_LINE"
}

@test "without a config file, records still name a linked program's executable (read when the first record is written)" {
    ln -s "$(h sender)" "$T/legacy-sender"
    start_server receiver "$(h receiver)"
    timeout 30 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_LOG=$T/gc.log" GRACECLOSE_LOG_LEVEL=info \
        GRACECLOSE_LOG_FORMAT=json "$T/legacy-sender" "$PORT" >"$T/sender.out"
    finish_server receiver
    complete "$LAST_LINE"
    cat "$T/gc.log"
    grep -q '"program":"legacy-sender","exe":"sender","event":"summary"' "$T/gc.log"
}

@test "records name the program as ps does; a rule matches a script by its own name" {
    printf '#!/bin/bash\nexec 3<>/dev/tcp/127.0.0.1/$1\nprintf hello >&3\nexec 3>&-\n' \
        >"$T/fetch-greeting.sh"
    chmod +x "$T/fetch-greeting.sh"
    printf '[script]\nprogram = fetch-greeting.sh\npolicy = reset\n' >"$T/s.conf"
    start_server receiver "$(h receiver)"
    timeout 20 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$T/s.conf" "GRACECLOSE_LOG=$T/gc.log" \
        GRACECLOSE_LOG_LEVEL=info "$T/fetch-greeting.sh" "$PORT"
    finish_server receiver || true
    cat "$T/gc.log"
    rec=$(record_with "$T/gc.log" close "program=fetch-greeting.sh .*outcome=reset-by-policy")
}

@test "check: a name installed nowhere is a warning, not a problem; a link is explained" {
    mkdir "$T/bin"
    ln -s "$(h sender)" "$T/bin/legacy-ftpd"
    printf '[default]\nskip_programs = legacy-ftpd, no-such-daemon\n[x]\nprogram = receiver\ntimeout = 1s\n' \
        >"$T/n.conf"
    PATH=$T/bin:$PATH run -0 timeout 10 "$GC_CMD" check "$T/n.conf"
    echo "$output"
    grep -q "^warning: program 'no-such-daemon' (line 2) matches nothing installed" <<<"$output"
    grep -q "^note: program 'legacy-ftpd' (line 2): $T/bin/legacy-ftpd is a link to sender; graceclose matches the name a process was started by as well as its executable" <<<"$output"
    [ "${lines[-1]}" = "$T/n.conf: 1 rule, no problems" ]
}

@test "explain: a link's target name counts, as in the library" {
    mkdir "$T/bin"
    ln -s "$(h sender)" "$T/bin/legacy-ftpd"
    printf '[default]\nskip_programs = sender\n' >"$T/e.conf"
    PATH=$T/bin:$PATH run -0 timeout 10 "$GC_CMD" explain --config "$T/e.conf" --program legacy-ftpd
    echo "$output"
    grep -q "^program names: legacy-ftpd, sender ($T/bin/legacy-ftpd is a link to sender" <<<"$output"
    grep -Eq "^policy += off +\(program excluded by skip_programs at $T/e.conf:2\)$" <<<"$output"
    # And the library agrees: started as legacy-ftpd, it is skipped.
    start_server receiver "$(h receiver)"
    timeout 30 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$T/e.conf" PATH="$T/bin:$PATH" \
        legacy-ftpd "$PORT" >"$T/sender.out"
    finish_server receiver
    lost "$LAST_LINE"
}

@test "Debian's redis-server (a link to redis-check-rdb): skip_programs = redis-server really skips it" {
    command -v redis-server >/dev/null || skip "redis-server is not installed"
    target=$(basename "$(readlink -f "$(command -v redis-server)")")
    [ "$target" != redis-server ] || skip "redis-server is no link here"
    port=$(timeout 5 "$GC_SHAPES/freeport")
    run_redis() { # CONFIG: one connection, QUIT, then shutdown
        timeout 20 env "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$1" "GRACECLOSE_LOG=$T/r.log" \
            GRACECLOSE_LOG_LEVEL=info redis-server --port "$port" --bind 127.0.0.1 --save '' \
            --appendonly no --daemonize no >"$T/redis.out" 2>&1 &
        local pid=$! i
        for ((i = 0; i < 100; i++)); do
            timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && break
            sleep 0.05
        done
        timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'QUIT\r\n' >&3; cat <&3" || true
        kill "$pid"
        wait "$pid" || true
    }
    printf '[default]\nskip_programs = redis-server\n' >"$T/skip.conf"
    : >"$T/none.conf"
    run_redis "$T/none.conf"
    cat "$T/r.log"
    grep -q "close program=redis-server .*exe=\|close program=redis-server " "$T/r.log"
    rm "$T/r.log"
    run_redis "$T/skip.conf"
    [ ! -s "$T/r.log" ] || { cat "$T/r.log"; ! grep -q 'close program=' "$T/r.log"; }
    run -0 timeout 10 "$GC_CMD" check "$T/skip.conf"
    grep -q "note: program 'redis-server' (line 2): .* is a link to $target" <<<"$output"
}
