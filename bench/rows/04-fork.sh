# Row 4: a fork child's close() of a connection whose peer is still open,
# with 0 and with 2,000 idle background processes (20-100 descriptors each,
# started here).  The parent closes its copy first; the child, now the last
# holder, writes 16 KiB and closes with the peer's 16-byte greeting unread -
# a plain close resets, so the peer's view tells a decided graceful close
# from an undecided (plain) one: with the library every connection must end
# with all 16,384 bytes and a clean EOF.  Per repeat: median with - median
# without (runs alternate).  Target: <= 20 us added at both, never undecided.
. "$BENCH_SRC/lib.sh"
ROW_ID=4
row_init 04-fork
R=$(quick 5 2)
N=$(quick 100 40)
BUDGET=$(quick 3000 1500)
BG=${GC_BENCH_BG:-2000}

spawn peer off "$PROGS/peer" sit -g 16 -l 0 -t 900
PORT=$(port_of peer) || exit 1

# peer_wait K: waits (at most 8 s) until the peer has reported K endings.
peer_wait() {
    local i
    for i in $(seq 160); do
        [ "$(grep -c '^end=' "$ROW_DIR/peer.out")" -ge "$1" ] && return 0
        sleep 0.05
    done
}

for procs in 0 "$BG"; do
    [ "$procs" != 0 ] && bg_start "$procs"
    : >"$ROW_DIR/added.$procs"
    bad=0 total_on=0 bad_off=0 total_off=0
    for r in $(seq "$R"); do
        for lib in $(pair_order "$r"); do
            seen=$(grep -c '^end=' "$ROW_DIR/peer.out")
            lines=$(wc -l <"$ROW_DIR/peer.out")
            run_lib $lib "$PROGS/forkclose" "$PORT" "$N" "$BUDGET" \
                >"$ROW_DIR/f.$procs.$lib.$r" 2>>"$ROW_DIR/forkclose.err"
            k=$(grep -c '^us=' "$ROW_DIR/f.$procs.$lib.$r")
            peer_wait $((seen + k))
            # endings of this run: anything but all bytes with a clean EOF
            miss=$(tail -n +$((lines + 1)) "$ROW_DIR/peer.out" | grep '^end=' | grep -vc '^end=eof bytes=16384$')
            if [ $lib = on ]; then bad=$((bad + miss)); total_on=$((total_on + k))
            else bad_off=$((bad_off + miss)); total_off=$((total_off + k)); fi
        done
        m_off=$(sed -n 's/^us=//p' "$ROW_DIR/f.$procs.off.$r" | median)
        m_on=$(sed -n 's/^us=//p' "$ROW_DIR/f.$procs.on.$r" | median)
        calc "$m_on - $m_off" >>"$ROW_DIR/added.$procs"
        echo "$m_off" >>"$ROW_DIR/base.$procs"
        echo "$m_on" >>"$ROW_DIR/with.$procs"
    done
    [ "$procs" != 0 ] && bg_stop
    med=$(median <"$ROW_DIR/added.$procs")
    result 4 "fork child's close, peer open, $procs background processes: added us (median)" \
        "$(spread '%+.1f' <"$ROW_DIR/added.$procs") us; without $(fmt %.1f "$(median <"$ROW_DIR/base.$procs")") us, with $(fmt %.1f "$(median <"$ROW_DIR/with.$procs")") us" \
        "<= 20 us" "$(le "$med" 20)"
    result 4 "fork child's close, $procs background processes: undecided (reset or short at the peer)" \
        "with: $bad of $total_on; without: $bad_off of $total_off" "0" "$( [ "$bad" = 0 ] && [ "$total_on" -gt 0 ] && echo PASS || echo MISS)"
done
