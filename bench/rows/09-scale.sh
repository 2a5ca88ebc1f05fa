# Row 9: scale.
#  exit: a process with 1,000 sockets at risk (unread input from a peer that
#    keeps sending every 200 ms and never closes) returns from main; the
#    time from then to its end, with - without the library, must be within
#    one timeout (GRACECLOSE_TIMEOUT, 5 s unless set).
#  leak: a one-thread server with the library answers 10,000 sequential
#    connections (ab -c 1; --quick: 2,000); after it settles (at most the
#    timeout + 1 s) it must hold no more descriptors or threads than after a
#    100-request warm-up, and no connection of its port may be left in any
#    state but TIME_WAIT (which a graceful close leaves by design).
. "$BENCH_SRC/lib.sh"
ROW_ID=9
row_init 09-scale
need ab || exit 0
NSOCK=1000
NCONN=$(quick 10000 2000)
TO_MS=$(echo "${GRACECLOSE_TIMEOUT:-5s}" | awk '/ms$/ { print $1 + 0; next } /s$/ { print $1 * 1000; next } /m$/ { print $1 * 60000; next } { print 5000 }')

# --- exit with 1,000 sockets at risk
spawn peer off "$PROGS/peer" trickle -l 60000 -t 900
PEER=$LAST_PID
PORT=$(port_of peer) || exit 1
for lib in off on; do
    run_lib $lib "$PROGS/exitmany" "$PORT" $NSOCK >"$ROW_DIR/exit.$lib" 2>&1
done
e_off=$(sed -n 's/^exit_ms=\([0-9.]*\).*/\1/p' "$ROW_DIR/exit.off")
e_on=$(sed -n 's/^exit_ms=\([0-9.]*\).*/\1/p' "$ROW_DIR/exit.on")
ready=$(sed -n 's/.*ready=\([0-9]*\).*/\1/p' "$ROW_DIR/exit.on")
added=$(calc "${e_on:-nan} - ${e_off:-0}")
result 9 "exit with $NSOCK sockets at risk (peer never quiet): added time to the end" \
    "$(fmt %.2f "$(calc "$added / 1000")") s (without $(fmt %.2f "$(calc "${e_off:-nan} / 1000")") s, with $(fmt %.2f "$(calc "${e_on:-nan} / 1000")") s; $ready sockets had input queued)" \
    "<= $(calc "$TO_MS / 1000") s (one timeout)" "$(both "$(le "$added" "$TO_MS")" "$( [ "${ready:-0}" = $NSOCK ] && echo PASS || echo MISS)")"
stop "$PEER"

# --- 10,000 sequential connections
spawn srv on "$PROGS/httpd1" 1800
SRV=$LAST_PID
SPORT=$(port_of srv) || exit 1
HEX=$(printf '%04X' "$SPORT")
fds() { ls "/proc/$SRV/fd" 2>/dev/null | wc -l; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$SRV/status" 2>/dev/null; }
# connections of the server's port in any state but LISTEN and TIME_WAIT
socks() {
    awk -v p=":$HEX" 'NR > 1 && (substr($2, length($2) - 4) == p) && $4 != "0A" && $4 != "06" { n++ }
        END { print n + 0 }' /proc/net/tcp
}
ab -q -n 100 -c 1 -s 10 "http://127.0.0.1:$SPORT/" >"$ROW_DIR/ab.warm" 2>&1
sleep 0.5
f0=$(fds) t0=$(threads)
ab -q -n "$NCONN" -c 1 -r -s 10 "http://127.0.0.1:$SPORT/" >"$ROW_DIR/ab.main" 2>&1
failed=$(awk '/^Failed requests:/ { f += $3 } /^Non-2xx/ { f += $3 } END { print f + 0 }' "$ROW_DIR/ab.main")
done_n=$(awk '/^Complete requests:/ { print $3 }' "$ROW_DIR/ab.main")
end=$(( $(date +%s%N) / 1000000 + TO_MS + 1000 ))
while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
    [ "$(fds)" -le "$f0" ] && [ "$(threads)" -le "$t0" ] && [ "$(socks)" = 0 ] && break
    sleep 0.1
done
f1=$(fds) t1=$(threads) s1=$(socks)
ok=$( [ "$f1" -le "$f0" ] && [ "$t1" -le "$t0" ] && [ "$s1" = 0 ] && [ "$failed" = 0 ] && [ "${done_n:-0}" = "$NCONN" ] && echo PASS || echo MISS)
result 9 "$NCONN sequential connections to a one-thread server with the library: left behind" \
    "descriptors $f0 -> $f1, threads $t0 -> $t1, connections not closed: $s1; $done_n done, $failed failed" \
    "none left, 0 failed" "$ok"
