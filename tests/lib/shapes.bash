# shapes.bash - shared pieces of the process-shape suites (tests/shapes_*.bats,
# issue 3): fork servers, inetd-style services, every close path, sockets
# with several holders, real servers from Debian's packages.  Self-contained
# (the core suites' lib/common.bash may change under us).  Every process goes
# through `timeout`; every wait loop here is bounded.
#
# meson test passes GC_LIB, GC_CMD, GC_HELPERS and GC_SRCDIR; when bats is run
# by hand they default to the build tree in GC_BUILD (default <repo>/build).

# The core suites' helpers (start_server, finish_server, seed_once, lost,
# complete, field, h, the GC_* defaults) are shared, not copied.
# shellcheck source=tests/lib/common.bash
source "$BATS_TEST_DIRNAME/lib/common.bash"

GC_SHAPES=${GC_SHAPES:-$GC_HELPERS/../shapes}

# Prefixes: with the library (a short bound so no wait can stall a test),
# and without it.
WITH=(env "LD_PRELOAD=$GC_PRELOAD" GRACECLOSE_TIMEOUT=2s)
WITHOUT=(env)

# To be called from setup(): no preload, no GRACECLOSE_* inherited; checks
# the build; T is the test's scratch directory.
shapes_setup() {
    gc_clean_env
    [ -f "$GC_LIB" ] || { echo "library not built: GC_LIB=$GC_LIB" >&2; return 1; }
    [ -x "$GC_HELPERS/receiver" ] || { echo "core helpers not built in $GC_HELPERS" >&2; return 1; }
    [ -x "$GC_SHAPES/forkserver" ] || { echo "shape helpers not built in $GC_SHAPES" >&2; return 1; }
    T=$BATS_TEST_TMPDIR
}

# sh_path NAME: path of a built shape helper (h NAME, from common: a core helper).
sh_path() { printf '%s/%s' "$GC_SHAPES" "$1"; }

# server_result NAME [SECS]: finish_server, then prints the server's last
# stdout line whatever its exit status; fails only when it had to be killed.
server_result() {
    local rc=0
    finish_server "$@" || rc=$?
    [ "$rc" -ne 124 ] || return 1
    printf '%s\n' "$LAST_LINE"
}

# reply_complete LINE: the upclient line shows the whole upload sent, the
# whole reply (Content-Length bytes of body) and a clean end of stream.
reply_complete() {
    local clen body
    [[ $1 == *" send=ok "* && $1 == *" end=eof "* ]] || return 1
    clen=$(field clen "$1")
    body=$(field body "$1")
    [[ $clen =~ ^[0-9]+$ ]] && [ "$body" = "$clen" ]
}

# reply_lost LINE: the client saw the problem: a failed upload (EPIPE or
# ECONNRESET), a reset, or a reply cut short.
reply_lost() {
    [[ $1 == sent=* ]] || return 1 # no line at all is a broken test, not a loss
    ! reply_complete "$1"
}

# free_port: a loopback TCP port that nothing listens on right now.
free_port() {
    timeout 5 "$(sh_path freeport)"
}

# wait_listen PORT: waits (at most 5 s) until something listens on
# 127.0.0.1:PORT, without connecting to it (reads /proc/net/tcp: local
# address 0100007F:PORT in hex, state 0A = LISTEN).
wait_listen() {
    local i want
    want=$(printf '0100007F:%04X 00000000:0000 0A' "$1")
    for ((i = 0; i < 100; i++)); do
        grep -q " $want " /proc/net/tcp && return 0
        sleep 0.05
    done
    echo "nothing listens on 127.0.0.1:$1 after 5 s" >&2
    return 1
}

# need_program PROGRAM PACKAGE: makes PROGRAM available, installing PACKAGE
# with scripts/install-packages.sh (never removes a package, starts no
# daemon) when running as root; otherwise skips the test, saying why.
need_program() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" != 0 ]; then
        skip "$1 (Debian package $2) is missing and installing it needs root"
    fi
    timeout 600 "$GC_SRCDIR/scripts/install-packages.sh" "$2" >"$T/apt.log" 2>&1 || true
    command -v "$1" >/dev/null 2>&1 ||
        skip "$1 (Debian package $2) could not be installed: $(tail -n 1 "$T/apt.log")"
}

# stop_pid PID: ends a background process this test started (bounded).
stop_pid() {
    kill "$1" 2>/dev/null || return 0
    local i
    for ((i = 0; i < 40; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    return 0
}

# answered LINE CODE: the upload went through and the reply with status CODE
# arrived whole (all Content-Length bytes when the server sent one), then a
# clean end of stream.
answered() {
    local clen body
    [[ $1 == *" send=ok "* && $1 == *" end=eof "* && $1 == *"status=\"HTTP/1."?" $2 "* ]] || return 1
    clen=$(field clen "$1")
    body=$(field body "$1")
    [ "$clen" = none ] || [ "$body" = "$clen" ]
}

# make_site DIR: a document root with index.html and big.txt (3,000,000 bytes).
make_site() {
    mkdir -p "$1"
    echo hello >"$1/index.html"
    head -c 3000000 /dev/zero | tr '\0' b >"$1/big.txt"
    chmod 755 "$1"
    chmod 644 "$1/index.html" "$1/big.txt"
}
