#!/usr/bin/env bats
# Never worse than without graceclose (issue 3): a connection that another
# process keeps using after one holder lets go of it.  Each case runs the
# same program without and with the library; the peer (the core receiver,
# which greets and records what arrives) must see exactly the same in both
# runs: the whole conversation and a clean end of stream, never an early EOF,
# a reset or a stolen greeting.

load lib/shapes

setup() {
    shapes_setup
}

# hold_once MODE PREFIX...: runs "holder MODE" (or HOLDER_PROG, with
# HOLDER_ARGS) under PREFIX against a receiver; prints the receiver's result
# line (the program's lines in $T/holder.out).
hold_once() {
    local mode=$1
    shift
    start_server receiver "$(h receiver)" -s -t 5 || return 1
    timeout 20 "$@" "$(sh_path "${HOLDER_PROG:-holder}")" -b 1000 ${HOLDER_ARGS:-} "$mode" "$PORT" \
        >"$T/holder.out" 2>"$T/holder.err"
    server_result receiver 10
}

# same_as_without MODE EXPECTED_DATA_PREFIX: the with-library run sees what
# the run without sees, and that is the whole conversation.
same_as_without() {
    local without with
    without=$(hold_once "$1" "${WITHOUT[@]}")
    echo "without: $without"
    echo "  holder: $(tr '\n' ' ' <"$T/holder.out")"
    with=$(hold_once "$1" "${WITH[@]}")
    echo "with:    $with"
    echo "  holder: $(tr '\n' ' ' <"$T/holder.out") $(cat "$T/holder.err")"
    [[ $without == *" end=eof data=\"$2"* ]]
    [ "$with" = "$without" ]
    ! grep -q 'send=E' "$T/holder.out" || false
    ! grep -q 'greeting=""' "$T/holder.out"
}

@test "fork: the parent closes its copy at once, the child still reads the greeting and writes everything" {
    same_as_without fork 'child\nxxxx'
    grep -q '^bytes=1006 end=eof' "$T/receiver.out"
}

@test "a forked child discards the inherited connection with dup2(/dev/null) and exits: the parent's connection keeps working" {
    same_as_without child-dup2 'xxxx'
    grep -q '^bytes=1005 end=eof' "$T/receiver.out"
    grep -q 'xlate\\n"$' "$T/receiver.out"
}

@test "a forked child exits holding the inherited connection: the parent's connection keeps working" {
    same_as_without child-exit 'xxxx'
    grep -q '^bytes=1005 end=eof' "$T/receiver.out"
}

@test "SCM_RIGHTS: the sender closes its copy after handing the socket over (child acknowledged), the receiver goes on" {
    HOLDER_PROG=passfd HOLDER_ARGS=-a
    same_as_without child 'passed\nxxxx'
    grep -q '^bytes=1007 end=eof' "$T/receiver.out"
}

@test "SCM_RIGHTS: the sender closes its copy right after sendmsg, the receiving process goes on" {
    HOLDER_PROG=passfd
    same_as_without child 'passed\nxxxx'
    grep -q '^bytes=1007 end=eof' "$T/receiver.out"
}

@test "SCM_RIGHTS to an unrelated process (over an AF_UNIX path): the sender closes at once, the recipient goes on" {
    local without with i run
    for run in without with; do
        declare -n prefix=$(echo "$run" | tr a-z A-Z)
        rm -f "$T/pass.sock"
        timeout 20 "${prefix[@]}" "$(sh_path passfd)" -b 1000 -u "$T/pass.sock" recv 0 \
            >"$T/recipient.out" 2>&1 &
        for ((i = 0; i < 100; i++)); do
            grep -qs '^ready' "$T/recipient.out" && break
            sleep 0.05
        done
        start_server receiver "$(h receiver)" -s -t 5
        timeout 20 "${prefix[@]}" "$(sh_path passfd)" -u "$T/pass.sock" send "$PORT" \
            >"$T/holder.out" 2>&1
        server_result receiver 10 >"$T/result" || true
        printf -v "$run" '%s' "$(cat "$T/result")"
        wait
        echo "$run: ${!run:0:70}"
        echo "  sender: $(tr '\n' ' ' <"$T/holder.out") recipient: $(tr '\n' ' ' <"$T/recipient.out")"
        unset -n prefix
        ! grep -q 'send=E' "$T/recipient.out" || false
        grep -q 'greeting="220 Welcome' "$T/recipient.out"
    done
    [[ $without == 'bytes=1007 end=eof data="passed\nxxxx'* ]]
    [ "$with" = "$without" ]
}

@test "double fork: an orphaned grandchild writes after the parent closed its copy" {
    same_as_without orphan 'early\nlate\n"'
}

@test "daemon(): the original process exits, the daemon keeps using the connection" {
    same_as_without daemon 'daemon\nxxxx'
    grep -q '^bytes=1007 end=eof' "$T/receiver.out"
}

@test "system(): a background shell writes to the socket after the program closed its copy" {
    same_as_without system 'early\nlate\n"'
}

@test "popen(): the child writes to the socket after the program closed its copy" {
    same_as_without popen 'early\nlate\n"'
}

@test "vfork + exec: the child's shell writes to the socket after the parent closed its copy" {
    same_as_without vfork 'early\nfrom-child\n"'
}

@test "calls that close nothing: dup2(fd, fd) and close_range(CLOSE_RANGE_CLOEXEC) leave the connection working" {
    same_as_without noclose 'after\nxxxx'
    grep -q 'dup2_same=0 close_range_cloexec=0' "$T/holder.out"
}

@test "vfork child whose exec fails calls _exit(127): it leaves the socket alone and the parent's close still delivers everything" {
    local without with i
    without=$(HOLDER_ARGS="-b 1000000" hold_once vfork-exit "${WITHOUT[@]}")
    echo "without: ${without:0:40}"
    [[ $without =~ ^bytes=([0-9]+)\ end=([a-z]+) ]]
    [ "${BASH_REMATCH[1]}" -lt 1000000 ] || [ "${BASH_REMATCH[2]}" != eof ]
    for i in 1 2 3; do
        with=$(HOLDER_ARGS="-b 1000000" hold_once vfork-exit "${WITH[@]}")
        echo "with, run $i: ${with:0:40} / holder: $(tr '\n' ' ' <"$T/holder.out")"
        [[ $with == 'bytes=1000000 end=eof '* ]]
    done
}
