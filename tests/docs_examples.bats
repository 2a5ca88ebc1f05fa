#!/usr/bin/env bats
# Every configuration example of the README and of conf/ is run (issue 9,
# item 7): the inetd.conf line, the systemd drop-ins, the example config
# files, the check/explain command lines, and the "Finding lost data"
# walkthrough.  Paths of an installed system are replaced by the build's.

bats_require_minimum_version 1.5.0

load lib/diag

README=$GC_SRCDIR/README.md
INSTALLED_LIB=/usr/local/lib/x86_64-linux-gnu/libgraceclose.so

setup() {
    diag_setup
}

teardown() {
    [ -z "${SERVER_PID:-}" ] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; } || true
    [ -z "${W:-}" ] || rm -rf "$W"
}

# block_after TEXT: the first fenced code block after the line containing TEXT.
block_after() {
    awk -v want="$1" 'found == 0 && index($0, want) { found = 1; next }
        found == 1 && /^```/ { found = 2; next }
        found == 2 && /^```/ { exit }
        found == 2 { print }' "$README"
}

# env_of FILE: the Environment= assignments of a systemd unit fragment, one
# per line, with the installed library replaced by the build's.
env_of() {
    sed -n 's/^Environment=//p' "$1" | sed "s|$INSTALLED_LIB|$GC_LIB|"
}

# seed_with ASSIGNMENT...: the seed scenario with these variables set.
seed_with() {
    seed_once env "$@"
}

@test "README: the systemd drop-in's variables make the seed scenario complete" {
    block_after 'For a systemd service, a drop-in' >"$T/dropin.conf"
    cat "$T/dropin.conf"
    grep -q '^\[Service\]$' "$T/dropin.conf"
    mapfile -t vars < <(env_of "$T/dropin.conf")
    [ "${#vars[@]}" -ge 2 ]
    result=$(seed_with "${vars[@]}")
    complete "$result"
    [ ! -s "$T/sender.err" ]
}

@test "conf/legacy-ftpd.service.d: its variables work, and so does the explain line of its comment" {
    f=$GC_SRCDIR/conf/legacy-ftpd.service.d/graceclose.conf
    cp "$GC_SRCDIR/conf/graceclose.conf" "$T/legacy-ftpd.conf"
    mapfile -t vars < <(env_of "$f" | sed "s|/etc/graceclose/legacy-ftpd.conf|$T/legacy-ftpd.conf|")
    printf '%s\n' "${vars[@]}"
    result=$(seed_with "${vars[@]}")
    complete "$result"
    [ ! -s "$T/sender.err" ]
    # The command in the comment, continued over two lines.
    cmd=$(sed -n '/graceclose explain/,/--role/p' "$f" | sed 's/^#[[:space:]]*//; s/\\$//' | tr '\n' ' ')
    cmd=${cmd//\/etc\/graceclose\/legacy-ftpd.conf/$T/legacy-ftpd.conf}
    cmd=${cmd//graceclose explain/$GC_CMD explain}
    echo "$cmd"
    # "same file, same variables": the service's GRACECLOSE_* around it.
    mapfile -t gcvars < <(printf '%s\n' "${vars[@]}" | grep '^GRACECLOSE_')
    run -0 timeout 10 env "${gcvars[@]}" $cmd
    echo "$output"
    grep -Eq '^timeout += 10s +\(environment GRACECLOSE_TIMEOUT\)$' <<<"$output"
}

@test "conf/*.conf: clean for check, silent and effective in a running program" {
    for f in "$GC_SRCDIR"/conf/*.conf; do
        run -0 timeout 10 "$GC_CMD" check "$f"
        echo "$output"
        [[ ${lines[-1]} == "$f: "*", no problems" ]]
        result=$(seed_with "LD_PRELOAD=$GC_LIB" "GRACECLOSE_CONFIG=$f")
        echo "$f: $result"
        complete "$result"
        [ ! -s "$T/sender.err" ]
    done
}

@test "README: the check and explain command lines of 'Configuration file'" {
    block_after '## Configuration file' >/dev/null
    block=$(awk '/^## Configuration file/ { on = 1 } on && /^```sh/ { grab = 1; next } grab && /^```/ { exit } grab { print }' "$README")
    echo "$block"
    [ "$(wc -l <<<"$block")" -eq 2 ]
    while read -r line; do
        line=${line//\/etc\/graceclose.conf/$GC_SRCDIR/conf/graceclose.conf}
        read -ra words <<<"$line"
        [ "${words[0]}" = graceclose ]
        run -0 timeout 10 env "GRACECLOSE_CONFIG=$GC_SRCDIR/conf/graceclose.conf" "$GC_CMD" "${words[@]:1}"
        echo "$output"
    done <<<"$block"
}

# A document root and a library copy that the user nobody can read.
nobody_site() {
    W=$(mktemp -d /tmp/gc-docs.XXXXXX)
    chmod 1777 "$W"
    mkdir "$W/www"
    echo hello >"$W/www/index.html"
    head -c 3000000 /dev/zero | tr '\0' b >"$W/www/big.txt"
    cp "$GC_LIB" "$W/libgraceclose.so"
    chmod 755 "$W/www" "$W/libgraceclose.so"
    chmod 644 "$W/www/index.html" "$W/www/big.txt"
}

# run_inetd LINE: openbsd-inetd in the foreground with that one line.
run_inetd() {
    printf '%s\n' "$1" >"$W/inetd.conf"
    timeout 60 inetd -i "$W/inetd.conf" >"$T/inetd.out" 2>"$T/inetd.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        grep -q " $(printf '0100007F:%04X 00000000:0000 0A' "$PORT") " /proc/net/tcp && return 0
        sleep 0.05
    done
    return 1
}

@test "README: the inetd.conf line serves its document root (env's arguments in order), and is not silent" {
    command -v inetd >/dev/null || skip "openbsd-inetd is not installed"
    command -v micro-httpd >/dev/null || skip "micro-httpd is not installed"
    [ "$(id -u)" = 0 ] || skip "the line runs the service as nobody: needs root"
    nobody_site
    line=$(block_after 'or per service in `inetd.conf`:')
    echo "README: $line"
    [ "$(wc -l <<<"$line")" -eq 1 ]
    PORT=$(timeout 5 "$GC_SHAPES/freeport")
    line=$(sed -e "s|^8080 |127.0.0.1:$PORT |" -e "s|$INSTALLED_LIB|$W/libgraceclose.so|" \
        -e "s|/srv/www|$W/www|" <<<"$line")
    run_inetd "$line"
    run -0 timeout 10 "$GC_SHAPES/upclient" -q 'GET /index.html HTTP/1.0\r\n\r\n' -b 0 "$PORT"
    echo "$output"
    answered "$output" 200
    [ "$(field body "$output")" = 6 ]
    kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
    # The same line with a log: the service's closes are reported.
    line=${line/LD_PRELOAD=/GRACECLOSE_LOG=$W/gc.log GRACECLOSE_LOG_LEVEL=info LD_PRELOAD=}
    run_inetd "$line"
    timeout 30 "$GC_SHAPES/upclient" -w 200 -q 'GET /big.txt HTTP/1.0\r\n\r\n' -b 20000 "$PORT" || true
    sleep 0.5
    cat "$W/gc.log"
    grep -q 'close program=micro-httpd .*role=inherited' "$W/gc.log"
    if grep -q 'outcome=undecided' "$W/gc.log"; then
        grep -q 'warn: close program=micro-httpd .*outcome=undecided why=' "$W/gc.log"
    fi
}

# answered LINE CODE: as in lib/shapes.bash.
answered() {
    [[ $1 == *" end=eof "* && $1 == *"status=\"HTTP/1."?" $2 "* ]]
}

@test "README: the 'Finding lost data' walkthrough, with Python's http.server" {
    command -v python3 >/dev/null || skip "python3 is not installed"
    # Debian's python3 rather than a version manager's shim (a shell script
    # that runs many processes, which the table would count too).
    [ ! -x /usr/bin/python3 ] || PATH=/usr/bin:$PATH
    mkdir "$T/www"
    cd "$T/www"
    PORT=$(timeout 5 "$GC_SHAPES/freeport")
    block_after 'A real case: Python' | sed -n '/^cat >post.py/,/^PY$/p' | sed "s/8080/$PORT/" >"$T/mk.sh"
    (cd "$T" && bash "$T/mk.sh")
    cat "$T/post.py"
    # serve LABEL PREFIX...: the server under PREFIX, one upload, then ^C (SIGINT).
    serve() {
        local label=$1 pid
        shift
        timeout 60 "$@" python3 -m http.server --bind 127.0.0.1 "$PORT" \
            >"$T/$label.out" 2>"$T/$label.err" &
        pid=$!
        wait_listening "$PORT"
        timeout 30 python3 "$T/post.py" >"$T/$label.client" 2>&1 || true
        # Ctrl-C reaches the server once; timeout(1) would pass a SIGINT
        # on twice (to its child and to its process group).
        kill -INT "$(descendant "$pid" python3)"
        wait "$pid" || true
        echo "== $label: client: $(tail -n 1 "$T/$label.client")"
        cat "$T/$label.err"
    }
    # descendant PID NAME: the process called NAME below PID (by parent ids).
    descendant() {
        local p=$1 c
        for _ in 1 2 3 4; do
            for c in $(pgrep -P "$p"); do
                if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$2" ]; then echo "$c"; return 0; fi
            done
            p=$(pgrep -P "$p" | head -n 1)
            [ -n "$p" ] || return 1
        done
        return 1
    }
    wait_listening() {
        for _ in $(seq 1 100); do
            grep -q " $(printf '0100007F:%04X 00000000:0000 0A' "$1") " /proc/net/tcp && return 0
            sleep 0.05
        done
        return 1
    }
    serve plain env
    grep -Eq '^(BrokenPipeError|ConnectionResetError)' "$T/plain.client"
    serve audit "$GC_CMD" --audit --
    grep -Eq '^(BrokenPipeError|ConnectionResetError)' "$T/audit.client"
    # The reply may or may not be acknowledged yet when the server closes.
    grep -Eq '^graceclose audit: [0-9]+ process(es)?, 1 TCP close, 1 at risk \(1 reset for certain\), [0-9]+ bytes at risk$' "$T/audit.err"
    grep -Eq "^  python3 +127\.0\.0\.1 -> :$PORT +1 +1 +1 +0 +[0-9]+$" "$T/audit.err"
    serve fixed "$GC_CMD" --log-level info --max-drain 64m --
    [ "$(tail -n 1 "$T/fixed.client")" = 501 ]
    grep -q "info: close program=python3 .*role=accepted path=close .*outcome=peer-eof" "$T/fixed.err"
    # The README shows these very lines.
    grep -q '^graceclose audit: 1 process, 1 TCP close, 1 at risk (1 reset for certain), 0 bytes at risk$' "$README"
    grep -q 'info: close program=python3 .*outcome=peer-eof' "$README"
}
