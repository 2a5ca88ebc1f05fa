# Row 10: early replies under load, from a fork-per-connection server.
# tcpserver (ucspi-tcp) runs bench/progs/svc for each connection (fork+exec;
# svc answers a POST with 413 before reading its body and exits).  Each
# round, bench/progs/upflood opens 200 connections at once, each sends a
# 4 MB body and only then reads its reply.  Meanwhile the machine is busy:
# one busy loop per CPU and 1,000 idle background processes with 20-100
# descriptors each.  20 rounds with the library (--quick: 5); one round
# without it shows the loss the library prevents.
# Target: with the library, every reply complete and 0 resets.
. "$BENCH_SRC/lib.sh"
ROW_ID=10
row_init 10-load
need tcpserver || exit 0
R=$(quick 20 5)
P=${GC_BENCH_LOAD_CONNS:-200}
BYTES=4000000
BG=${GC_BENCH_LOAD_BG:-1000}
CPUS=$(nproc 2>/dev/null || echo 2)

# start on|off: the server; its port in PORT_<on|off>.
start() {
    local lib=$1 port try
    for try in 1 2 3; do
        port=$(free_port)
        spawn "tcpserver-$lib" $lib tcpserver -q -R -H -l 0 -c $((P + 50)) -b $((P + 50)) \
            127.0.0.1 "$port" "$PROGS/svc"
        if wait_listen "$port"; then
            printf -v "PORT_$lib" %s "$port"
            return 0
        fi
        stop "$LAST_PID"
    done
    log "tcpserver ($lib) did not start: $(tail -c 300 "$ROW_DIR/tcpserver-$lib.err")"
    return 1
}
start off || exit 1
start on || exit 1

bg_start "$BG"
BURN=()
for i in $(seq "$CPUS"); do
    spawn "burn$i" off timeout 900 sh -c 'while :; do :; done'
    BURN+=("$LAST_PID")
done
log "load: $CPUS busy loops, $(cut -d' ' -f1-3 /proc/loadavg) load average"

# round LIB: one round of P uploads; appends upflood's line to flood.LIB.
round() {
    local port=PORT_$1
    timeout 200 "$PROGS/upflood" "${!port}" "$P" "$BYTES" 180 >>"$ROW_DIR/flood.$1" \
        2>>"$ROW_DIR/upflood.err" || echo "failed" >>"$ROW_DIR/flood.$1"
}
round off
for r in $(seq "$R"); do
    round on
done
log "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) load average"
for pid in "${BURN[@]}"; do stop "$pid"; done
bg_stop

# sum LIB FIELD: the field summed over that side's rounds.
sum() { grep -o "$2=[0-9]*" "$ROW_DIR/flood.$1" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }'; }
describe() {
    echo "delivered $(sum "$1" delivered) of $(sum "$1" conns), reset $(sum "$1" reset), short $(sum "$1" short), unfinished $(sum "$1" unfinished)"
}
conns_on=$(sum on conns)
ok=$( [ "$conns_on" = $((R * P)) ] && [ "$(sum on delivered)" = "$conns_on" ] &&
    ! grep -q failed "$ROW_DIR/flood.on" && echo PASS || echo MISS)
result 10 "fork server (tcpserver + svc), $P concurrent 4 MB uploads with an early 413, $CPUS busy loops, $BG background processes; $R rounds with the library, 1 without" \
    "with: $(describe on); without: $(describe off)" "every reply, 0 resets (with)" "$ok"
