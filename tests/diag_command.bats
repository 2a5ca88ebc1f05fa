#!/usr/bin/env bats
# The command's diagnostics options (issue 9, item 5): --log, --log-level,
# --json, --audit; the one-line warnings before running a program graceclose
# cannot work in (static, Go, setuid/setgid).

bats_require_minimum_version 1.5.0

load lib/diag

setup() {
    diag_setup
}

gc() { timeout 30 "$GC_CMD" "$@"; }

@test "--log, --log-level and --json reach the program's environment; a relative --log becomes absolute" {
    cd "$T"
    run -0 gc --log rel.log --log-level debug --json -- env
    grep -qx "GRACECLOSE_LOG=$T/rel.log" <<<"$output"
    grep -qx "GRACECLOSE_LOG_LEVEL=debug" <<<"$output"
    grep -qx "GRACECLOSE_LOG_FORMAT=json" <<<"$output"
    run -0 gc --log=syslog --log-level=info -- env
    grep -qx "GRACECLOSE_LOG=syslog" <<<"$output"
}

@test "bad values: one line naming the option, exit 2; --audit with a non-file --log or another policy" {
    run -2 gc --log-level loud -- true
    [ "$output" = "graceclose: --log-level 'loud' is not a log level (error, warn, info or debug)" ]
    run -2 gc --log -- true
    run -2 gc --audit --log syslog -- true
    grep -q "audit keeps its records in a file" <<<"$output"
    run -2 gc --audit --policy linger -- true
    grep -q "cannot be combined with --policy linger" <<<"$output"
}

@test "--help lists the new options" {
    run -0 gc --help
    for o in --log --log-level --json --audit; do grep -q -- "  $o " <<<"$output"; done
    grep -q 'linger (default), off, reset or audit' <<<"$output"
}

@test "--log-level info: every close of the run in one file, with the summary" {
    start_server receiver "$(h receiver)"
    run -0 gc --log "$T/run.log" --log-level info -- "$(h sender)" "$PORT"
    finish_server receiver
    complete "$LAST_LINE"
    record_with "$T/run.log" close "program=sender .*outcome=peer-eof"
    record_with "$T/run.log" summary "program=sender closes=1 "
}

@test "before the run: a static binary, a Go binary and a setuid program are named, one line each" {
    gcc -static -o "$T/static_prog" -x c - <<<'int main(void) { return 0; }' 2>/dev/null ||
        skip "no static libc to build a static test program"
    run -0 gc -- "$T/static_prog"
    [ "$output" = "graceclose: $T/static_prog is statically linked: LD_PRELOAD cannot reach it, so graceclose cannot act in it" ]
    run -0 gc -- "$(d gofake)"
    [ "$output" = "graceclose: $(d gofake) is a Go program: Go closes sockets with raw system calls, never through libc, so graceclose cannot act in it" ]
    cp "$(d gofake)" "$T/setuid_prog"
    chmod 4755 "$T/setuid_prog"
    if [ "$(id -u)" = 0 ]; then
        chown nobody "$T/setuid_prog" && chmod 4755 "$T/setuid_prog"
    fi
    run -0 gc -- "$T/setuid_prog"
    echo "$output"
    if [ "$(stat -c %u "$T/setuid_prog")" != "$(id -u)" ]; then
        grep -q "setuid_prog is setuid: the loader ignores LD_PRELOAD for it" <<<"$output"
    fi
    # A dynamically linked program, and a script run by one: nothing.
    run -0 gc -- /bin/true
    [ -z "$output" ]
    printf '#!/bin/sh\nexit 0\n' >"$T/script.sh"
    chmod +x "$T/script.sh"
    run -0 gc -- "$T/script.sh"
    [ -z "$output" ]
    # A script whose interpreter is static is judged by the interpreter.
    printf '#!%s\n' "$T/static_prog" >"$T/s2"
    chmod +x "$T/s2"
    run -0 gc -- "$T/s2"
    grep -q "s2 (run by $T/static_prog) is statically linked" <<<"$output"
}
