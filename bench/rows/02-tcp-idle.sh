# Row 2: close() of a TCP socket with nothing at stake, two cases:
#   peerclosed - the peer closed first (its FIN is here, nothing unread);
#   idle       - greeting read, our 100 bytes read and acknowledged by the
#                peer, then GC_BENCH_IDLE_MS + 200 ms of quiet (the library
#                runs with GRACECLOSE_IDLE=GC_BENCH_IDLE_MS, default 500 ms,
#                so the peer has been idle longer than the idle time).
# Time: each close() timed alone; per repeat, median with library - median
# without (runs alternate).  Syscalls: strace -f between the markers around
# the close loop, per close, with - without.  Target: <= 3 syscalls, <= 2 us.
. "$BENCH_SRC/lib.sh"
ROW_ID=2
row_init 02-tcp-idle
need strace || exit 0
R=$(quick 5 2)
BUDGET=$(quick 3000 1500)
WAIT=$((GC_BENCH_IDLE_MS + 200))
export GRACECLOSE_IDLE=${GC_BENCH_IDLE_MS}ms

# peer modes: "close" closes at once; "sit" greets, reads, and closes only
# 3 s after our FIN (a client that does not react at once).
spawn peer-peerclosed off "$PROGS/peer" close -t 900
spawn peer-idle off "$PROGS/peer" sit -g 100 -l 3000 -t 900
P_peerclosed=$(port_of peer-peerclosed) || exit 1
P_idle=$(port_of peer-idle) || exit 1

for cs in peerclosed idle; do
    port=P_$cs
    n=$(if [ $cs = idle ]; then quick 40 20; else quick 400 200; fi)
    : >"$ROW_DIR/added.$cs"
    for r in $(seq "$R"); do
        for lib in $(pair_order "$r"); do
            run_lib $lib "$PROGS/tclose" $cs "${!port}" "$n" "$BUDGET" "$WAIT" \
                >"$ROW_DIR/t.$cs.$lib.$r" 2>>"$ROW_DIR/tclose.err"
        done
        m_off=$(sed -n 's/^us=//p' "$ROW_DIR/t.$cs.off.$r" | median)
        m_on=$(sed -n 's/^us=//p' "$ROW_DIR/t.$cs.on.$r" | median)
        calc "$m_on - $m_off" >>"$ROW_DIR/added.$cs"
        echo "$m_off" >>"$ROW_DIR/base.$cs"
        echo "$m_on" >>"$ROW_DIR/with.$cs"
    done
    closes_on=$(cat "$ROW_DIR"/t.$cs.on.* | grep -c '^us=')

    # syscalls: a few closes under strace, with and without
    for lib in off on; do
        run_lib $lib strace -f -qq -o "$ROW_DIR/st.$cs.$lib" \
            "$PROGS/tclose" $cs "${!port}" 10 "$BUDGET" "$WAIT" >"$ROW_DIR/st.$cs.$lib.out" 2>&1
        k=$(grep -c '^us=' "$ROW_DIR/st.$cs.$lib.out")
        awk -v n="$k" '/gc-bench-mark-begin/ { on = 1; next } /gc-bench-mark-end/ { on = 0; next }
            on && !/resumed>/ && !/^[0-9]* *(\+\+\+|---)/ { c++ }
            END { printf "%.2f\n", n ? c / n : -1 }' "$ROW_DIR/st.$cs.$lib" >"$ROW_DIR/sc.$cs.$lib"
    done
    sc_off=$(cat "$ROW_DIR/sc.$cs.off"); sc_on=$(cat "$ROW_DIR/sc.$cs.on")
    sc_add=$(calc "$sc_on - $sc_off")
    label=$( [ $cs = idle ] && echo "peer idle > idle time, nothing unread, all acked" || echo "peer closed first")
    added=$(spread '%+.1f' <"$ROW_DIR/added.$cs")
    med=$(median <"$ROW_DIR/added.$cs")
    result 2 "TCP close, $label: added us per close (median of each run)" \
        "$added us; without $(fmt %.1f "$(median <"$ROW_DIR/base.$cs")") us, with $(fmt %.1f "$(median <"$ROW_DIR/with.$cs")") us; $closes_on closes with" \
        "<= 2 us" "$(le "$med" 2)"
    result 2 "TCP close, $label: added syscalls per close (strace -f)" \
        "+$sc_add ($sc_off -> $sc_on)" "<= 3" "$(le "$sc_add" 3)"
done
