#!/usr/bin/env bats
# The config file in a running program (issue 4): one program on two ports
# gets a different policy on each from its rules; the environment overrides
# the file; program lists exclude a program; a bad file never hurts the
# program; a setuid program ignores GRACECLOSE_CONFIG.
#
# cfg_server (tests/unit) listens on two ports, writes the config from a
# template naming them, re-execs itself so the library reads that file at
# start, then writes 1,000,000 bytes to each client without reading its
# greeting, and closes.  cfg_client reads everything and prints
# "bytes=N end=eof|reset".  A plain close loses the tail (the "off" port
# shows it in the same run); a graceful close delivers every byte.

bats_require_minimum_version 1.5.0

load lib/common

U=${GC_HELPERS%/helpers}/unit

setup() {
    gc_clean_env
    T=$BATS_TEST_TMPDIR
    [ -x "$U/cfg_server" ] && [ -x "$U/cfg_client" ] || {
        echo "config helpers not built in $U" >&2
        return 1
    }
    [ -f "$GC_LIB" ] || {
        echo "library not built: GC_LIB=$GC_LIB" >&2
        return 1
    }
}

teardown() {
    [ -n "${SECDIR:-}" ] && rm -rf "$SECDIR"
    return 0
}

# serve_two TEMPLATE [VAR=VALUE...]: runs cfg_server with the library and
# GRACECLOSE_CONFIG=$T/run.conf (written from TEMPLATE), one client per
# port, one after the other.  Sets R1 and R2 to the clients' result lines
# and CLIENT_ARGS (e.g. "100 quiet") is passed to both clients.
serve_two() {
    local tpl=$1 i p=""
    shift
    rm -f "$T/srv.out"
    : >"$T/run.conf" # read (empty) before the re-exec: no "no such file" line
    timeout 60 env "LD_PRELOAD=$GC_PRELOAD" "GRACECLOSE_CONFIG=$T/run.conf" "$@" \
        "$U/cfg_server" -t "$tpl" -o "$T/run.conf" >"$T/srv.out" 2>"$T/srv.err" &
    local pid=$!
    for ((i = 0; i < 100; i++)); do
        p=$(sed -n 's/^ports=//p' "$T/srv.out" 2>/dev/null || true) # may not exist yet
        [ -n "$p" ] && break
        sleep 0.05
    done
    [ -n "$p" ] || { echo "cfg_server gave no ports: $(cat "$T/srv.err")"; kill "$pid"; return 1; }
    R1=$(timeout 20 "$U/cfg_client" "${p%,*}" ${CLIENT_ARGS:-})
    R2=$(timeout 20 "$U/cfg_client" "${p#*,}" ${CLIENT_ARGS:-})
    local rc=0
    wait "$pid" || rc=$?
    echo "config:"; cat -v "$T/run.conf"
    echo "port ${p%,*}: $R1"; echo "port ${p#*,}: $R2"
    echo "server: $(cat "$T/srv.out")"; echo "server stderr: $(cat "$T/srv.err")"
    return $rc
}

@test "one program, two ports, two rules: policy off loses the tail, linger delivers all" {
    printf '[default]\ntimeout = 5s\n[plain]\nlocal_port = @PORT1@\npolicy = off\n[graceful]\nlocal_port = @PORT2@\npolicy = linger\n' >"$T/tpl"
    serve_two "$T/tpl"
    lost "$R1"
    complete "$R2"
    # The other way round: it is the rule for the port, not the order.
    printf '[graceful]\nlocal_port = @PORT1@\npolicy = linger\n[plain]\nlocal_port = @PORT2@\npolicy = off\n' >"$T/tpl"
    serve_two "$T/tpl"
    complete "$R1"
    lost "$R2"
}

@test "policy = reset in a rule: its port's peer gets a reset even with nothing unread" {
    printf '[abort]\nlocal_port = @PORT1@\npolicy = reset\n' >"$T/tpl"
    CLIENT_ARGS="100 quiet" serve_two "$T/tpl"
    [[ $R1 == *" end=reset" ]]
    complete "$R2" # no rule, no unread data: a normal end
}

@test "remote_addr and role rules in a running program: the loopback peer matches 127.0.0.0/8, not ::1" {
    printf '[peer]\nremote_addr = 127.0.0.0/8\nrole = accepted\npolicy = off\n' >"$T/tpl"
    serve_two "$T/tpl"
    lost "$R1"
    lost "$R2"
    printf '[peer6]\nremote_addr = ::1\npolicy = off\n[connected]\nrole = connected\npolicy = off\n' >"$T/tpl"
    serve_two "$T/tpl"
    complete "$R1"
    complete "$R2"
}

@test "environment overrides the file: GRACECLOSE_POLICY=linger over a file saying off" {
    printf '[default]\npolicy = off\n[p1]\nlocal_port = @PORT1@\ntimeout = 5s\n' >"$T/tpl"
    serve_two "$T/tpl"
    lost "$R1"
    lost "$R2"
    serve_two "$T/tpl" GRACECLOSE_POLICY=linger
    complete "$R1"
    complete "$R2"
    # ... and the kill switch beats a rule asking for linger.
    printf '[p1]\nlocal_port = @PORT1@\npolicy = linger\n' >"$T/tpl"
    serve_two "$T/tpl" GRACECLOSE_POLICY=off
    lost "$R1"
    lost "$R2"
}

@test "skip_programs leaves the program alone; only_programs naming it does not" {
    printf '[default]\nskip_programs = cfg_server\n[p1]\nlocal_port = @PORT1@\npolicy = linger\n' >"$T/tpl"
    serve_two "$T/tpl"
    lost "$R1"
    lost "$R2"
    printf '[default]\nonly_programs = cfg_server\n' >"$T/tpl"
    serve_two "$T/tpl"
    complete "$R1"
    complete "$R2"
    printf '[default]\nonly_programs = some-other-program\n' >"$T/tpl"
    serve_two "$T/tpl"
    lost "$R1"
    lost "$R2"
}

@test "a bad file never hurts the program: bad lines are reported with file:line, the rest applies" {
    printf '[default]\ncolour = blue\ntimeout = forever\n[plain]\nlocal_port = @PORT1@\npolicy = off\n' >"$T/tpl"
    serve_two "$T/tpl"
    lost "$R1"     # the good rule still applies
    complete "$R2" # defaults elsewhere
    grep -q "$T/run.conf:2: unknown key 'colour'" "$T/srv.err"
    grep -q "$T/run.conf:3: timeout 'forever' is not a duration" "$T/srv.err"
    [ "$(wc -l <"$T/srv.err")" -eq 2 ] # one line per problem, nothing else
}

@test "a binary config file: one line on stderr, built-in defaults, the program runs on" {
    printf '[default]\npolicy = off\n\000\001\002\n' >"$T/tpl"
    serve_two "$T/tpl"
    complete "$R1"
    complete "$R2"
    [ "$(grep -c 'contains a NUL byte' "$T/srv.err")" -eq 1 ]
    grep -q "^.*$T/run.conf:3: contains a NUL byte" "$T/srv.err"
}

# Secure execution: a setuid program (here set-user-ID 'nobody', run by
# root) must ignore GRACECLOSE_CONFIG.  The loader drops LD_PRELOAD there, so
# this uses cfg_server_linked, which has the library as a needed library.
@test "secure execution (setuid): GRACECLOSE_CONFIG is ignored" {
    [ "$(id -u)" -eq 0 ] || skip "needs root to make a set-user-ID test binary"
    skip_under_asan "a set-user-ID program linked with an ASan library (libasan not first) does not start"
    id nobody >/dev/null 2>&1 || skip "no user 'nobody' to own the set-user-ID binary"
    [ -x "$U/cfg_server_linked" ] || skip "cfg_server_linked not built"
    SECDIR=$(mktemp -d /tmp/gc-secure.XXXXXX)
    chmod 755 "$SECDIR"
    findmnt -no OPTIONS -T "$SECDIR" | grep -qw nosuid && skip "/tmp is mounted nosuid"
    # The system file counts in secure mode: the test needs it absent.
    sys=$(timeout 10 env -u GRACECLOSE_CONFIG "$GC_CMD" check 2>&1 | sed -n 's/^graceclose check: \(.*\): no such file.*/\1/p')
    [ -n "$sys" ] || skip "a system config file exists; secure mode would read it"

    printf '[default]\npolicy = off\n' >"$SECDIR/off.conf"
    chmod 644 "$SECDIR/off.conf"
    cp "$U/cfg_server_linked" "$SECDIR/plain_server"
    cp "$U/cfg_server_linked" "$SECDIR/suid_server"
    chown nobody:nogroup "$SECDIR/suid_server"
    chmod 4755 "$SECDIR/suid_server"

    run_linked() { # BINARY: serve two clients, config from GRACECLOSE_CONFIG
        local p="" i
        rm -f "$T/srv.out" # no stale "ports=" line from the run before
        timeout 60 env "GRACECLOSE_CONFIG=$SECDIR/off.conf" "$1" >"$T/srv.out" 2>"$T/srv.err" &
        local pid=$!
        for ((i = 0; i < 100; i++)); do
            p=$(sed -n 's/^ports=//p' "$T/srv.out" 2>/dev/null || true) # may not exist yet
            [ -n "$p" ] && break
            sleep 0.05
        done
        [ -n "$p" ] || { kill "$pid"; echo "no ports: $(cat "$T/srv.err")"; return 1; }
        R1=$(timeout 20 "$U/cfg_client" "${p%,*}")
        R2=$(timeout 20 "$U/cfg_client" "${p#*,}")
        wait "$pid"
        echo "$1: $R1 / $R2; stderr: $(cat "$T/srv.err")"
    }
    # Not setuid: the file is read, policy off, the tail is lost.
    run_linked "$SECDIR/plain_server"
    lost "$R1"
    lost "$R2"
    # Setuid: the file is ignored; the library (still loaded) lingers.
    run_linked "$SECDIR/suid_server"
    complete "$R1"
    complete "$R2"
}
