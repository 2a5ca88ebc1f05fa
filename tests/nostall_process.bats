#!/usr/bin/env bats
# Issue 8: what the program does right after a close() whose linger goes on
# elsewhere: fork, exec, closefrom/close_range, dup2 over the library's
# copy, running at its descriptor limit, exiting, and running under seccomp.
# The program is tests/nostall/lclose.c (or emfile.c, scfilter.c), its peer
# lpeer (without the library).  The peer of A starts reading 300 ms late and
# keeps its side open, and A has 1,000 unread bytes: without graceclose the
# close resets and the tail of the reply is lost.

load lib/nostall

setup() {
    nostall_setup
}

# Shorter linger bound for these tests.
WITH2=(env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s GRACECLOSE_IDLE=1s)

@test "fork while a linger runs: the child does not hold the lingered socket, the peer sees the linger end while the child still lives" {
    lrun 1 "${WITHOUT[@]}" :: -r 1000000 upload fork
    grep -qx 'child held_now=no' "$T/lclose.out"
    lrun 1 "${WITH2[@]}" :: -r 1000000 upload fork
    local at fail child_exit
    at=$(close_at)
    fail=$(val "$T/lpeer.out" 'A id=0 ' fail_ms)
    child_exit=$(val "$T/lclose.out" 'child exit_ms' exit_ms)
    holds "$(close_ms) < 200"
    grep -qx 'child held_now=no' "$T/lclose.out"   # /proc/CHILD/fd right after fork
    grep -qx 'child held_later=no' "$T/lclose.out"
    holds "$fail >= $at + 1000"                    # the linger ran (peer kept sending)
    holds "$fail < $child_exit - 500"              # and ended while the child lived
    a_whole
}

@test "exec while a linger runs: the new program image holds no copy of the lingered socket" {
    lrun 1 "${WITH2[@]}" :: -d 300 -k 1500 -r 4000000 unread exec
    holds "$(close_ms) < 200"
    grep -qx 'exec held=no' "$T/lclose.out"
}

@test "exec while a linger runs: the linger is not cut by the exec (reset without, whole reply with)" {
    lrun 1 "${WITHOUT[@]}" :: -d 300 -k 1500 -r 4000000 unread exec
    [ "$(a_end)" = reset ]
    lrun 1 "${WITH2[@]}" :: -d 300 -k 1500 -r 4000000 unread exec
    grep -qx 'exec held=no' "$T/lclose.out"
    a_whole
    [ "$(a_end)" = eof ]
}

# mass_close ACTION: the program calls ACTION right after close(A), then uses
# a new connection C (the peer sends it 10,000 bytes): the linger completes
# and C is untouched.
mass_close() {
    lrun 2 "${WITHOUT[@]}" :: -d 300 -k 1500 -r 4000000 unread "$1"
    [ "$(a_end)" = reset ]
    [ "$(val "$T/lclose.out" 'C read' read)" = 10000 ]
    lrun 2 "${WITH2[@]}" :: -d 300 -k 1500 -r 4000000 unread "$1"
    holds "$(close_ms) < 200"
    grep -qx "$1 ret=0" "$T/lclose.out"
    [ "$(val "$T/lclose.out" 'C read' read)" = 10000 ] # no drain of an unrelated descriptor
    [ "$(val "$T/lpeer.out" 'C ' end)" = eof ]
    a_whole
    [ "$(a_end)" = eof ]
}

@test "closefrom(3) by the program while a linger runs: the linger completes, a new connection on a reused number is untouched" {
    mass_close closefrom
}

@test "close_range(3, ~0U, 0) by the program while a linger runs: the linger completes, the new connection is untouched" {
    mass_close close_range
}

@test "syscall(SYS_close_range, 3, ~0U, 0) while a linger runs: the linger completes, the new connection is untouched" {
    mass_close sys_close_range
}

@test "dup2 by the program onto the number of the library's copy: the program gets its number, the linger completes" {
    lrun 1 "${WITH2[@]}" :: -d 300 -k 1500 -r 4000000 unread dup2
    holds "$(close_ms) < 200"
    if grep -qx 'dup2 copy=none' "$T/lclose.out"; then
        echo "no copy of the socket in this process during the linger: nothing to dup2 onto"
    else
        local target
        target=$(val "$T/lclose.out" 'dup2 ' target)
        [ "$(val "$T/lclose.out" 'dup2 ' ret)" = "$target" ]
        [ "$(val "$T/lclose.out" 'dup2 ' now)" = /dev/null ]
    fi
    a_whole
    [ "$(a_end)" = eof ]
}

# emfile_run PREFIX... :: ARGS...: one run of the emfile program.
emfile_run() { PROG=emfile lrun 1 "$@"; }

@test "EMFILE: at RLIMIT_NOFILE (soft 64), the number freed by close() is at once reusable by the program's next socket()" {
    local run
    for run in WITHOUT WITH_NS; do
        declare -n prefix=$run
        emfile_run "${prefix[@]}" ::
        unset -n prefix
        grep -q '^filled=' "$T/lclose.out"
        grep -qx 'lost_slots=0' "$T/lclose.out"
        grep -Eq '^reopen=OK\(fd=([0-9]+),a=\1\)$' "$T/lclose.out"
    done
}

@test "EMFILE: one slot spare below the limit, then close(): the program can open both free slots" {
    local run
    for run in WITHOUT WITH_NS; do
        declare -n prefix=$run
        emfile_run "${prefix[@]}" :: -s 1
        unset -n prefix
        grep -qx 'lost_slots=0' "$T/lclose.out"
    done
}

@test "EMFILE: hard limit = soft limit = 64, one slot spare: the program can open both free slots" {
    local run
    for run in WITHOUT WITH_NS; do
        declare -n prefix=$run
        emfile_run "${prefix[@]}" :: -H -s 1
        unset -n prefix
        grep -qx 'lost_slots=0' "$T/lclose.out"
    done
}

@test "exit with two lingers in flight and one socket still open, peers never closing: every reply whole, all over within one GRACECLOSE_TIMEOUT" {
    lrun 3 "${WITHOUT[@]}" :: -n 3 -d 300 -r 4000000 upload exit
    ! { a_whole 0 && a_whole 1 && a_whole 2; } || false
    lrun 3 "${WITH2[@]}" :: -n 3 -d 300 -r 4000000 upload exit
    local first last i e
    first=$(close_at 0)
    last=0
    for i in 0 1 2; do
        a_whole "$i"
        e=$(val "$T/lpeer.out" "A id=$i " fail_ms)
        holds "$e > 0"
        last=$(awk -v a="$e" -v b="$last" 'BEGIN { print (a > b) ? a : b }')
    done
    holds "$(close_ms 0) < 200 && $(close_ms 1) < 200"
    holds "$last <= $first + 2000 + 1000" # one 2 s deadline for everything, 1 s of slack
    holds "$last >= $first + 1000"        # the lingers did run until the deadline
}

# sc_run KIND PREFIX...: one run of the seccomp program; sets SC_RC.
sc_run() {
    local kind=$1
    shift
    PROG=scfilter lrun 1 "$@" :: "$kind"
    SC_RC=$LRUN_RC
}

# seccomp_same KIND: the program is not killed and sees and causes what it
# does without the library (a plain close: the peer gets a reset).
seccomp_same() {
    sc_run "$1" "${WITHOUT[@]}"
    [ "$SC_RC" = 0 ]
    grep -q '^close ret=0 errno=0 ' "$T/lclose.out"
    [ "$(a_end)" = reset ]
    sc_run "$1" "${WITH2[@]}"
    echo "with: exit status $SC_RC"
    [ "$SC_RC" = 0 ] # 159 = killed by SIGSYS
    grep -q '^close ret=0 errno=0 ' "$T/lclose.out"
    holds "$(val "$T/lclose.out" 'close ' ms) < 200"
    [ "$(a_end)" = reset ]
}

@test "seccomp filter (prctl) that kills on ioctl and getsockopt, installed before a close: not killed, same result as without" {
    seccomp_same kill
}

@test "seccomp filter installed with syscall(SYS_seccomp), killing on ioctl and getsockopt: not killed, same result as without" {
    seccomp_same sys
}

@test "seccomp filter returning EPERM for ioctl: the close passes through at once, same result as without" {
    seccomp_same eperm
}

@test "seccomp allow-list (write, close, exit, exit_group, futex, rt_sigreturn; all else kills): not killed, same result as without" {
    skip_under_asan "ASan's own runtime makes system calls at exit that the allow-list kills"
    seccomp_same allow
}

@test "seccomp filter inherited across exec (the library loads under it, beside inherited sockets; the filter kills what a descriptor walk calls): not killed, same result as without" {
    seccomp_same inherit
}

@test "seccomp filter installed before a fork (it kills socketpair, as starting a helper would call): not killed, same result as without" {
    seccomp_same fork
}

@test "seccomp filter (it kills getsockopt) installed before an accept and a descriptor passed over SCM_RIGHTS: not killed, same result as without" {
    seccomp_same accept
}

@test "seccomp filter (it kills fcntl) installed before a dup2 onto the socket's number: not killed, same result as without" {
    seccomp_same dup2
}

@test "signals after a close whose linger goes on: SIGALRM still interrupts the program's own blocking call (EINTR)" {
    local run
    for run in WITHOUT WITH2; do
        declare -n prefix=$run
        lrun 1 "${prefix[@]}" :: -d 300 -k 1500 -r 4000000 unread eintr
        unset -n prefix
        [ "$LRUN_RC" = 0 ]
        grep -q '^eintr=yes ' "$T/lclose.out"
        holds "$(val "$T/lclose.out" eintr ms) < 1500"
    done
}

@test "signals after a close whose linger goes on: a SIGUSR1 the program blocks reaches its signalfd (no other thread takes it)" {
    local run
    for run in WITHOUT WITH2; do
        declare -n prefix=$run
        lrun 1 "${prefix[@]}" :: -d 300 -k 1500 -r 4000000 unread signalfd
        unset -n prefix
        [ "$LRUN_RC" = 0 ] # killed by SIGUSR1 otherwise
        grep -qx 'signalfd got=yes' "$T/lclose.out"
    done
}

@test "alarm + siglongjmp around a close (old-style timeout): the close has returned before the timer fires, no descriptor leaks" {
    local run
    for run in WITHOUT WITH2; do
        declare -n prefix=$run
        lrun 1 "${prefix[@]}" :: -J -d 300 -k 1500 -r 4000000 unread none
        unset -n prefix
        grep -qx 'longjmp jumped=no fd_open=no' "$T/lclose.out"
    done
    a_whole
    [ "$(a_end)" = eof ]
}

# The helper is started with a channel (a SOCK_SEQPACKET pair) as fd 3, as
# the library starts it; its scheduling policy is read from /proc/PID/stat.
@test "the helper runs as SCHED_BATCH: a hand-off wakes it without preempting the program that closed" {
    run timeout 20 python3 - "$(dirname "$GC_LIB")/graceclose-lingerd" <<'PY'
import os, socket, subprocess, sys, time
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
p = subprocess.Popen([sys.argv[1]], close_fds=False,
                     preexec_fn=lambda: os.dup2(theirs.fileno(), 3))
theirs.close()
policy = None
for _ in range(200):  # up to 2 s for the exec and the helper's first steps
    with open(f"/proc/{p.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    policy = int(fields[38])  # field 41: policy (3 = SCHED_BATCH)
    if policy == 3:
        break
    time.sleep(0.01)
ours.close()  # the channel's end: the helper ends
print(f"policy={policy} exit={p.wait(timeout=10)}")
PY
    echo "$output"
    [ "$status" = 0 ]
    [ "$output" = "policy=3 exit=0" ]
}

# exit_fin MODE: a fork+exec server (python under the library; for each
# connection a child execs `sh -c 'read; echo'` on it, the tcpserver shape).
# The first connection starts the helper; the test, a child subreaper, finds
# it among its children and stops it (SIGSTOP) for the second connection,
# then lets it go on.  MODE private: nothing more; anon: the child also
# inherits an eventfd over the exec (an anonymous inode, as an io_uring
# instance is); fork: the service runs /bin/true before it answers (a child
# gets a copy of its table).  Prints what the stopped-helper connection saw.
exit_fin() {
    timeout 30 "$PY3" - "$1" "$GC_PRELOAD" <<'PY'
import ctypes, os, signal, socket, subprocess, sys, time
mode, preload = sys.argv[1], sys.argv[2]
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
server = r'''
import os, socket, sys
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4)
print(ls.getsockname()[1], flush=True)
for _ in range(2):
    c, _ = ls.accept()
    pid = os.fork()
    if pid == 0:
        os.dup2(c.fileno(), 0)
        os.dup2(c.fileno(), 1)
        if sys.argv[1] == "anon":
            os.eventfd(0, 0)  # no close-on-exec: the service inherits it
        run = "/bin/true; " if sys.argv[1] == "fork" else ""  # sh forks for it
        os.execv("/bin/sh", ["sh", "-c", "read line; " + run + "echo reply-$line"])
    c.close()
    os.waitpid(pid, 0)
'''
env = dict(os.environ, LD_PRELOAD=preload, GRACECLOSE_TIMEOUT="3s", GRACECLOSE_IDLE="1s")
srv = subprocess.Popen([sys.executable, "-c", server, mode], stdout=subprocess.PIPE, env=env)
port = int(srv.stdout.readline())

def ask(word):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(word + b"\n")
    c.settimeout(0.05)
    return c

def read(c, got, secs):
    """Reads for at most secs; returns (got, True at end of stream)."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            b = c.recv(4096)
        except socket.timeout:
            continue
        if not b:
            return got, True
        got += b
    return got, False

def helper_pid():
    for _ in range(200):  # up to 2 s
        for d in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            comm, rest = st[st.index("(") + 1:st.rindex(")")], st.rsplit(")", 1)[1].split()
            if comm.startswith("graceclose-lin") and int(rest[1]) == os.getpid():
                return int(d)
        time.sleep(0.01)
    return None

c = ask(b"one")
first, eof1 = read(c, b"", 5)
c.close()
helper = helper_pid()
if helper:
    os.kill(helper, signal.SIGSTOP)
c = ask(b"two")
got, eof_stopped = read(c, b"", 1.5)
if helper:
    os.kill(helper, signal.SIGCONT)
got, eof_after = read(c, got, 5)
c.close()
srv.wait(timeout=10)
print(f"first={first!r} eof1={eof1} helper={bool(helper)} reply={got!r} "
      f"eof_while_stopped={eof_stopped} eof_after={eof_after}")
PY
}

# exit_fin_sees MODE YES|NO: both replies whole, and the end of the second
# seen while the helper was stopped (YES) or only once it went on (NO).
exit_fin_sees() {
    run exit_fin "$1"
    echo "$output"
    [ "$status" = 0 ]
    [[ $output == *"first=b'reply-one\n' eof1=True helper=True reply=b'reply-two\n'"* ]]
    local stopped=False
    [ "$2" = YES ] && stopped=True
    [[ $output == *"eof_while_stopped=$stopped eof_after=True"* ]]
}

@test "exit of an executed service (tcpserver shape) with its reply in flight: the service sends the FIN itself, the peer sees the end while the helper is stopped" {
    exit_fin_sees private YES
}

@test "the same service inheriting an anonymous inode (an io_uring instance may outlive it): the FIN waits for the helper's look, the end comes once the helper goes on" {
    exit_fin_sees anon NO
}

@test "the same service running a command before it answers (a child got a copy of its descriptors): the FIN waits for the helper's look" {
    exit_fin_sees fork NO
}

# child_asks MODE: a fork server (python under the library, under strace -f)
# whose children answer and close their connection themselves (the busybox
# httpd shape), three connections; MODE ring: the server made an io_uring
# instance before it forked (each child has a copy).  Prints the replies and
# how often a process (the helper) listed another process's /proc/PID/fd.
child_asks() {
    command -v strace >/dev/null || skip "strace not installed"
    timeout 40 strace -f -qq -e trace=openat -o "$T/asks.trace" env LD_PRELOAD="$GC_PRELOAD" \
        "$PY3" - "$1" >"$T/asks.out" 2>"$T/asks.err" <<'PY' || true
import ctypes, os, socket, sys
if sys.argv[1] == "ring":  # io_uring_setup(4, params): a ring, never used
    if ctypes.CDLL(None).syscall(425, 4, ctypes.create_string_buffer(120)) < 0:
        print("skip", flush=True)
        sys.exit(0)
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4)
for i in range(3):
    cl = socket.create_connection(ls.getsockname())
    c, _ = ls.accept()
    pid = os.fork()
    if pid == 0:
        c.sendall(b"reply-%d\n" % i)
        c.close()
        os._exit(0)
    c.close()
    os.waitpid(pid, 0)
    cl.settimeout(5)
    got = b""
    while True:
        b = cl.recv(100)
        if not b:
            break
        got += b
    print(got.decode().strip(), flush=True)
    cl.close()
PY
    grep -q '^skip' "$T/asks.out" && skip "io_uring_setup refused here"
    echo "replies: $(tr '\n' ' ' <"$T/asks.out")"
    echo "asks: $(grep -cE 'openat\(AT_FDCWD, "/proc/[0-9]+/fd"' "$T/asks.trace" || true)"
}

@test "a fork server's child (no exec) hands its connection off: its parent looked for io_uring just before the fork, so the helper lists no /proc/PID/fd" {
    run child_asks plain
    echo "$output"
    [[ $output == *"replies: reply-0 reply-1 reply-2 "* ]]
    [[ $output == *"asks: 0"* ]]
}

@test "the same fork server with an io_uring instance made before it forked (each child has a copy): the helper still looks at the child's descriptors" {
    run child_asks ring
    echo "$output"
    [[ $output == *"replies: reply-0 reply-1 reply-2 "* ]]
    [[ $output =~ asks:\ [1-9] ]]
}

# The helper ends after 10 s without lingers.  A fork server's parent hands
# nothing off itself (each close of its copy is shared): at its next fork it
# must see that the helper ended and start one, or each child would find
# the channel dead and start a helper of its own.  The test is a child
# subreaper: every helper comes to it, and stays as a zombie until the end.
@test "after the helper ended for want of work, a fork server's next children share one new helper (not one each)" {
    run timeout 60 "$PY3" - "$GC_PRELOAD" <<'PY'
import ctypes, os, socket, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
server = r'''
import os, socket
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(8)
print(ls.getsockname()[1], flush=True)
for _ in range(6):
    c, _ = ls.accept()
    if os.fork() == 0:
        c.recv(100)
        c.sendall(b"reply\n")
        os._exit(0)  # the child's exit hands its socket off
    c.close()
    os.waitpid(-1, 0)
'''
env = dict(os.environ, LD_PRELOAD=sys.argv[1], GRACECLOSE_TIMEOUT="3s", GRACECLOSE_IDLE="1s")
srv = subprocess.Popen([sys.executable, "-c", server], stdout=subprocess.PIPE, env=env)
port = int(srv.stdout.readline())

def ask():
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET\n")
    c.settimeout(5)
    got = b""
    while True:
        b = c.recv(100)
        if not b:
            break
        got += b
    c.close()
    return got

def helpers():
    """Our children named graceclose-lingerd: pid -> state (Z once ended)."""
    found = {}
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        rest = st.rsplit(")", 1)[1].split()
        if st[st.index("(") + 1:].startswith("graceclose-lin") and int(rest[1]) == os.getpid():
            found[int(d)] = rest[0]
    return found

replies = [ask()]
first = {}
for _ in range(200):  # up to 2 s for the helper to come to us
    first = helpers()
    if first:
        break
    time.sleep(0.01)
for _ in range(150):  # up to 15 s for it to end (10 s without lingers)
    if first and all(s == "Z" for s in helpers().values()):
        break
    time.sleep(0.1)
ended = bool(first) and all(s == "Z" for s in helpers().values())
replies += [ask() for _ in range(5)]
srv.wait(timeout=10)
time.sleep(0.5)
print(f"first={len(first)} ended={ended} replies={replies.count(b'reply' + bytes([10]))} "
      f"helpers_after={len(helpers()) - len(first)}")
PY
    echo "$output"
    [ "$status" = 0 ]
    [ "$output" = "first=1 ended=True replies=6 helpers_after=1" ]
}
