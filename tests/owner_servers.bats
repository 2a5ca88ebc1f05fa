#!/usr/bin/env bats
# Issue 7 with real servers whose process shapes defeat a /proc walk:
# - vsftpd 3.0.3 with Debian's defaults (isolate=YES): the listener makes each
#   session with syscall(__NR_clone, ...), which no fork wrapper sees.  Today
#   the listener's close shuts the socket down under the session (no 220
#   greeting): every session broken.  Run standalone on a loopback port from
#   a temporary configuration (listen=YES, anonymous, a temporary anon root).
# - openbsd-inetd (foreground, -d) serving micro-httpd as user nobody: the
#   service cannot read root inetd's /proc/PID/fd.  Expectations:
#     inetd itself under graceclose (with -E, or inetd launders LD_PRELOAD
#     out of the services' environment): the family's shared count is
#     inherited through fork and exec (inetd's closefrom(3) in the child must
#     not close the library's own descriptor), so the reply is delivered;
#     the preload only in the service line (inetd runs without the library):
#     per the design the service cannot tell whether inetd still holds the
#     socket, so the close is plain, as without graceclose, and counted as
#     "undecided: holder unreadable".  That test asserts only "never worse".

load lib/owner

setup() {
    owner_setup
    PY3=/usr/bin/python3
    [ -x "$PY3" ] || PY3=$(command -v python3)
}

teardown() {
    [ -z "${SERVER_PID:-}" ] || stop_pid "$SERVER_PID"
    [ -z "${PUBDIR:-}" ] || rm -rf "$PUBDIR"
    return 0
}

# launch PREFIX... :: SERVER...: starts the server (PORT must be set) and
# waits until it listens.
launch() {
    local prefix=()
    while [ "$1" != :: ]; do prefix+=("$1"); shift; done
    shift
    timeout 60 "${prefix[@]}" "$@" >"$T/server.out" 2>"$T/server.err" &
    SERVER_PID=$!
    wait_listen "$PORT"
}

halt() { stop_pid "$SERVER_PID"; SERVER_PID=; }

# A directory other users can read (the test's own tmpdir is private).
public_dir() {
    PUBDIR=$(mktemp -d /tmp/gc-owner.XXXXXX)
    chmod 755 "$PUBDIR"
}

# ---- vsftpd ---------------------------------------------------------------

vsftpd_conf() {
    cat >"$T/vsftpd.conf" <<EOC
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$PORT
background=NO
anonymous_enable=YES
local_enable=NO
no_anon_password=YES
anon_root=$PUBDIR/ftp
write_enable=NO
pasv_enable=YES
pasv_address=127.0.0.1
xferlog_enable=NO
secure_chroot_dir=/var/run/vsftpd/empty
EOC
}

# ftp_sessions N: N sessions one after the other (login, NLST, RETR of a
# 3 MB file and of a small one, QUIT); prints one line per session.
ftp_sessions() {
    timeout 60 "$PY3" - "$PORT" "$1" <<'PY'
import ftplib, io, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    try:
        f = ftplib.FTP()
        f.connect("127.0.0.1", port, timeout=5)
        welcome = f.getwelcome().split()[0]
        f.login()
        names = sorted(f.nlst())
        big, small = io.BytesIO(), io.BytesIO()
        f.retrbinary("RETR big.bin", big.write)
        f.retrbinary("RETR file.txt", small.write)
        f.quit()
        print("session=%d ok welcome=%s names=%s big=%d small=%d"
              % (i, welcome, ",".join(names), len(big.getvalue()), len(small.getvalue())))
    except Exception as e:
        print("session=%d failed %r" % (i, e))
PY
}

@test "vsftpd with Debian's defaults (isolate=YES, sessions made by raw clone): every session works under graceclose, downloads complete" {
    need_or_skip vsftpd vsftpd
    [ -d /var/run/vsftpd/empty ] || skip "vsftpd's secure_chroot_dir /var/run/vsftpd/empty is missing"
    [ "$(id -u)" = 0 ] || skip "vsftpd's standalone mode needs root"
    local out
    public_dir
    mkdir "$PUBDIR/ftp"
    echo hello-ftp >"$PUBDIR/ftp/file.txt"
    head -c 3000000 /dev/zero | tr '\0' f >"$PUBDIR/ftp/big.bin"
    chmod 755 "$PUBDIR/ftp"
    chmod 644 "$PUBDIR/ftp/"*
    PORT=$(free_port)
    vsftpd_conf
    launch env :: vsftpd "$T/vsftpd.conf"
    out=$(ftp_sessions 1)
    echo "without: $out"
    [[ $out == *"session=0 ok "* ]] || skip "vsftpd does not serve here without graceclose: $out $(cat "$T/server.err")"
    halt
    PORT=$(free_port)
    vsftpd_conf
    launch timeout 60 "$GC_CMD" --timeout 2s -- :: vsftpd "$T/vsftpd.conf"
    out=$(ftp_sessions 3)
    echo "with: $out"
    echo "vsftpd stderr: $(cat "$T/server.err")"
    [ "$(grep -c ' ok welcome=220 names=big.bin,file.txt big=3000000 small=10$' <<<"$out")" -eq 3 ]
}

# ---- openbsd-inetd, service as nobody --------------------------------------

# inetd_conf PROGRAM ARGV...: one line, the service as nobody on PORT.
inetd_conf() {
    printf '127.0.0.1:%s stream tcp4 nowait nobody %s\n' "$PORT" "$*" >"$T/inetd.conf"
}

nobody_setup() {
    need_or_skip inetd openbsd-inetd
    need_or_skip micro-httpd micro-httpd
    [ "$(id -u)" = 0 ] || skip "running a service as nobody needs root"
    id nobody >/dev/null 2>&1 || skip "no user nobody"
    public_dir
    make_site "$PUBDIR/www"
    command -v setpriv >/dev/null &&
        { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups test -r "$GC_LIB" ||
            skip "user nobody cannot read the library at $GC_LIB"; }
    PORT=$(free_port)
}

big_get() { timeout 30 "$(sh_path upclient)" -w 200 -q 'GET /big.txt HTTP/1.0\r\n\r\n' -b 20000 "$PORT"; }

@test "inetd + micro-httpd as nobody, without graceclose: the 3 MB reply is cut by a reset (the loss the next tests fix)" {
    nobody_setup
    local out
    inetd_conf "$(command -v micro-httpd)" micro-httpd "$PUBDIR/www"
    launch env :: inetd -d "$T/inetd.conf"
    out=$(big_get)
    echo "without: $out"
    reply_lost "$out"
}

@test "inetd itself under graceclose (-d -E), micro-httpd as nobody: the reply is delivered" {
    nobody_setup
    local out i
    inetd_conf "$(command -v micro-httpd)" micro-httpd "$PUBDIR/www"
    launch timeout 60 "$GC_CMD" --timeout 2s -- :: inetd -d -E "$T/inetd.conf"
    for i in 1 2 3; do
        out=$(big_get)
        echo "with (graceclose -- inetd -d -E), connection $i: $out"
        answered "$out" 200
        [ "$(field body "$out")" = 3000000 ]
    done
}

@test "inetd without the library, LD_PRELOAD only in the nobody service's line: never worse (plain close per the design)" {
    nobody_setup
    local out
    # The service cannot read root inetd's /proc/PID/fd, so the design makes
    # this close plain ("undecided: holder unreadable") and the README says to
    # put graceclose in front of inetd itself.  The reply may still be cut,
    # as without; what must hold is that the service answers and is not
    # harmed (status line and headers arrive, no hang).
    inetd_conf /usr/bin/env env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s \
        "$(command -v micro-httpd)" "$PUBDIR/www"
    launch env :: inetd -d "$T/inetd.conf"
    out=$(big_get)
    echo "service-only preload: $out"
    [[ $out == *'status="HTTP/1.0 200 Ok"'* ]]
    [ "$(field clen "$out")" = 3000000 ]
}
