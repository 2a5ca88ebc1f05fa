#!/usr/bin/env bats
# The graceclose command: options, environment, LD_PRELOAD, exit status,
# and finding the library in the build tree and after `meson install`.
# Needs GC_CMD (the built command) and GC_LIB (the built library).
# Whether the preload really fixes the seed scenario is tested elsewhere.

bats_require_minimum_version 1.5.0 # run -N

setup() {
    [ -x "${GC_CMD:-}" ] || skip "GC_CMD is not set to the built graceclose command"
    [ -f "${GC_LIB:-}" ] || skip "GC_LIB is not set to the built libgraceclose.so"
    LIB=$(realpath "$GC_LIB")
    T=$BATS_TEST_TMPDIR
    # Start every test from a known environment.
    unset LD_PRELOAD GRACECLOSE_LIBRARY GRACECLOSE_POLICY GRACECLOSE_STEPS \
        GRACECLOSE_TIMEOUT GRACECLOSE_IDLE GRACECLOSE_MAX_DRAIN
}

# Every run is bounded in time.
gc() {
    timeout 10 "$GC_CMD" "$@"
}

@test "--help prints every option, variable and the exit status, and exits 0" {
    run gc --help
    [ "$status" -eq 0 ]
    for word in --timeout --idle --steps --policy --max-drain --version \
        GRACECLOSE_TIMEOUT GRACECLOSE_IDLE GRACECLOSE_STEPS GRACECLOSE_POLICY \
        GRACECLOSE_MAX_DRAIN "Exit status" "Examples"; do
        [[ "$output" == *"$word"* ]] || { echo "missing from --help: $word"; false; }
    done
}

@test "--help states the defaults that 'graceclose explain' reports (timeout, idle, max-drain)" {
    local help explain key val opt
    help=$(env -i PATH="$PATH" timeout 10 "$GC_CMD" --help)
    : >"$T/empty.conf"
    explain=$(env -i PATH="$PATH" GRACECLOSE_CONFIG="$T/empty.conf" timeout 10 "$GC_CMD" explain 2>&1)
    echo "$explain"
    for key in timeout idle max_drain; do
        val=$(awk -v k="$key" '$1 == k && $2 == "=" { print $3 }' <<<"$explain")
        [ -n "$val" ]
        opt=--${key//_/-}
        # the option's lines in --help, up to the next option
        awk -v o="$opt" '$1 == o { on = 1; print; next } on && $1 ~ /^--/ { on = 0 } on' <<<"$help" |
            tr '\n' ' ' | grep -q "(default $val[;)]" || {
            echo "--help does not say $opt defaults to $val"
            false
        }
    done
}

@test "--version prints the project's version and exits 0" {
    run gc --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^graceclose\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
    if [ -n "${GC_SRCDIR:-}" ]; then
        want=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$GC_SRCDIR/meson.build" | head -n 1)
        [ "$output" = "graceclose $want" ]
    fi
}

@test "a bad option value exits 2 with one line naming the option and the value" {
    local cases=(
        "--timeout|abc" "--timeout|-5" "--timeout|1e99" "--timeout|"
        "--timeout|99999999999999999999999s" "--timeout|2h" "--idle|5"
        "--steps|shutdown,bogus" "--policy|maybe" "--max-drain|5x" "--max-drain|2000g"
    )
    for c in "${cases[@]}"; do
        opt=${c%%|*} val=${c#*|}
        run gc "$opt" "$val" -- touch "$T/ran"
        echo "case: $opt '$val' -> status $status, output: $output"
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "${lines[0]}" == "graceclose: $opt '$val' "?* ]]
        [ ! -e "$T/ran" ]
    done
}

@test "--name=value is checked the same way" {
    run gc --timeout=abc -- touch "$T/ran"
    [ "$status" -eq 2 ]
    [ "$output" = "graceclose: --timeout 'abc' is not a duration (a whole number with a unit, like 250ms or 2s)" ]
    [ ! -e "$T/ran" ]
}

@test "usage errors exit 2: unknown option, missing value, no command" {
    run gc --bogus 1 -- touch "$T/ran"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--bogus"* ]]
    run gc --timeout
    [ "$status" -eq 2 ]
    [[ "$output" == *"--timeout needs a value"* ]]
    run gc --timeout 1s
    [ "$status" -eq 2 ]
    [[ "$output" == *"no COMMAND"* ]]
    [ ! -e "$T/ran" ]
}

@test "the options reach the command's environment" {
    run gc --timeout 250ms -- sh -c 'echo "$GRACECLOSE_TIMEOUT"'
    [ "$status" -eq 0 ]
    [ "$output" = "250ms" ]

    run gc --timeout 3s --idle=500ms --steps drain,outq --policy off --max-drain 64k -- \
        sh -c 'echo "$GRACECLOSE_TIMEOUT $GRACECLOSE_IDLE $GRACECLOSE_STEPS $GRACECLOSE_POLICY $GRACECLOSE_MAX_DRAIN"'
    [ "$status" -eq 0 ]
    # One line only: the library, loaded into sh, accepted every value too.
    [ "$output" = "3s 500ms drain,outq off 64k" ]
}

@test "COMMAND's exit status passes through" {
    run gc -- sh -c 'exit 7'
    [ "$status" -eq 7 ]
    run gc false
    [ "$status" -eq 1 ]
    run gc --timeout 1s true
    [ "$status" -eq 0 ]
    run gc -- sh -c 'echo out; echo err >&2; exit 3'
    [ "$status" -eq 3 ]
    [ "${lines[0]}" = "out" ]
    [ "${lines[1]}" = "err" ]
}

@test "a command that is not found exits 127, one that cannot run exits 126" {
    run -127 gc -- graceclose-no-such-command-here
    [[ "$output" == *"graceclose-no-such-command-here"* ]]
    printf 'not a program\n' >"$T/plain"
    chmod -x "$T/plain"
    run gc -- "$T/plain"
    [ "$status" -eq 126 ]
    [[ "$output" == *"$T/plain"* ]]
}

@test "LD_PRELOAD gets the library's absolute path" {
    run gc -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$LIB" ]
}

@test "an existing LD_PRELOAD is kept, after the library" {
    # libm is on every glibc system and harmless to preload.
    LD_PRELOAD=libm.so.6 run gc -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$LIB:libm.so.6" ]
}

@test "nested graceclose does not add the library twice" {
    run gc -- "$GC_CMD" -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$LIB" ]
    LD_PRELOAD=libm.so.6 run gc -- "$GC_CMD" -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$LIB:libm.so.6" ]
}

@test "an LD_PRELOAD entry named libgraceclose.so elsewhere counts as present" {
    # An ASan build's library must follow libasan, not libm.
    [ "${GC_PRELOAD:-$GC_LIB}" = "$GC_LIB" ] || skip "under ASan: the program gets the library behind libm"
    mkdir "$T/other"
    ln -s "$LIB" "$T/other/libgraceclose.so"
    want="libm.so.6 $T/other/libgraceclose.so"
    LD_PRELOAD=$want run gc -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$want" ]
}

@test "the library is found next to the real command, also through a symlink" {
    ln -s "$GC_CMD" "$T/graceclose-link"
    run timeout 10 "$T/graceclose-link" -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$LIB" ]
}

@test "GRACECLOSE_LIBRARY chooses the library; a missing one is an error" {
    mkdir "$T/lib"
    cp "$LIB" "$T/lib/libgc-copy.so"
    GRACECLOSE_LIBRARY=$T/lib/libgc-copy.so run gc -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [ "$output" = "$T/lib/libgc-copy.so" ]

    GRACECLOSE_LIBRARY=$T/lib/missing.so run -127 gc -- touch "$T/ran"
    [[ "$output" == *"$T/lib/missing.so"* ]]
    [ ! -e "$T/ran" ]
}

@test "a library path LD_PRELOAD cannot hold (a space) is refused, the command does not run" {
    mkdir -p "$T/with space"
    cp "$GC_LIB" "$T/with space/libgraceclose.so"
    GRACECLOSE_LIBRARY="$T/with space/libgraceclose.so" run -127 gc -- touch "$T/ran"
    echo "$output"
    [[ "$output" == *"contains a space, tab or ':'"* ]]
    [ ! -e "$T/ran" ]
}

@test "without a library next to it or installed, the command says where it looked" {
    mkdir "$T/bin"
    cp "$GC_CMD" "$T/bin/graceclose"
    if timeout 10 "$T/bin/graceclose" -- true 2>/dev/null; then
        skip "a libgraceclose.so is installed in the configured libdir"
    fi
    run -127 timeout 10 "$T/bin/graceclose" -- touch "$T/ran"
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"$T/bin/libgraceclose.so"* ]]
    [ ! -e "$T/ran" ]
}

@test "'graceclose check' is a subcommand; 'graceclose -- check' runs a program named check" {
    mkdir "$T/bin"
    printf '#!/bin/sh\necho "ran check $*"\n' >"$T/bin/check"
    chmod +x "$T/bin/check"
    PATH=$T/bin:$PATH run gc -- check a b
    [ "$status" -eq 0 ]
    [ "$output" = "ran check a b" ]
    PATH=$T/bin:$PATH run gc check
    [[ "$output" != *"ran check"* ]]
}

@test "an installed graceclose finds the installed library" {
    command -v meson >/dev/null || skip "meson is not installed"
    command -v ninja >/dev/null || skip "ninja is not installed"
    [ -f "${GC_SRCDIR:-}/meson.build" ] || skip "GC_SRCDIR is not set to the source tree"
    local build=$T/build prefix=$T/prefix

    run timeout 30 meson setup --prefix="$prefix" "$build" "$GC_SRCDIR"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run timeout 90 meson install -C "$build"
    [ "$status" -eq 0 ] || { echo "$output"; false; }

    run timeout 10 "$prefix/bin/graceclose" -- sh -c 'echo "$LD_PRELOAD"'
    [ "$status" -eq 0 ]
    [[ "$output" == "$prefix"/lib*/libgraceclose.so ]]
    [ -f "$output" ]
}
