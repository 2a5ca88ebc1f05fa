# Row 6: an event loop - a one-thread poll() server (bench/progs/pollserver)
# with 50 good requests per second and 1 misbehaving client per second
# (POST with a 1 MB body declared, 64 KiB sent, gets the early 413 reply and
# stays open) for SECS seconds (20; --quick: 4; GC_BENCH_EVENTLOOP_SECS).
# The server runs twice side by side, without and with the library, and
# bench/progs/loadgen drives both at the same moments (request by request,
# alternating which goes first), so machine noise falls on both alike.
# Load is open-loop: a stalled loop shows as latency; a good request still
# unfinished DRAIN s after the end counts with the time it waited.
# Result: good clients' p99 with / without per repeat (p50 beside it), and
# whether each misbehaving client got its whole reply.
# Target: p99 <= 1.2x, every misbehaving client's reply complete.
. "$BENCH_SRC/lib.sh"
ROW_ID=6
row_init 06-eventloop
R=$(quick 3 2)
SECS=${GC_BENCH_EVENTLOOP_SECS:-$(quick 20 4)}
DRAIN=$(quick 5 3)

spawn srv-off off "$PROGS/pollserver" 1800
spawn srv-on on "$PROGS/pollserver" 1800
P_off=$(port_of srv-off) || exit 1
P_on=$(port_of srv-on) || exit 1

bad_full=0 bad_total=0 bad_full_off=0 bad_total_off=0 unfinished=0 bad_reset=0 bad_none=0
for r in $(seq "$R"); do
    out=$ROW_DIR/lg.$r
    "$PROGS/loadgen" "$P_off" "$P_on" "$SECS" 50 "$DRAIN" >"$out" 2>>"$ROW_DIR/loadgen.err"
    for v in 0 1; do
        lib=$( [ $v = 1 ] && echo on || echo off)
        sed -n "s/^ms$v=//p" "$out" | pct 99 >>"$ROW_DIR/p99.$lib"
        sed -n "s/^ms$v=//p" "$out" | pct 50 >>"$ROW_DIR/p50.$lib"
        sum=$(grep "^srv=$v " "$out")
        log "$lib run $r: $sum"
        b=$(echo "$sum" | sed -n 's/.* bad=\([0-9]*\).*/\1/p')
        f=$(echo "$sum" | sed -n 's/.* bad_full=\([0-9]*\).*/\1/p')
        u=$(echo "$sum" | sed -n 's/.* unfinished=\([0-9]*\).*/\1/p')
        x=$(echo "$sum" | sed -n 's/.* bad_reset=\([0-9]*\).*/\1/p')
        z=$(echo "$sum" | sed -n 's/.* bad_none=\([0-9]*\).*/\1/p')
        if [ $lib = on ]; then
            bad_total=$((bad_total + ${b:-0})) bad_full=$((bad_full + ${f:-0}))
            unfinished=$((unfinished + ${u:-0}))
            bad_reset=$((bad_reset + ${x:-0})) bad_none=$((bad_none + ${z:-0}))
        else
            bad_total_off=$((bad_total_off + ${b:-0})) bad_full_off=$((bad_full_off + ${f:-0}))
        fi
    done
    calc "$(sed -n "${r}p" "$ROW_DIR/p99.on") / $(sed -n "${r}p" "$ROW_DIR/p99.off")" >>"$ROW_DIR/ratio"
done
med=$(median <"$ROW_DIR/ratio")
result 6 "poll() loop, 50 good req/s + 1 early-reply-and-stay-open client/s, ${SECS} s: good clients' p99 with / without" \
    "$(spread %.2f <"$ROW_DIR/ratio")x; p99 $(fmt %.2f "$(median <"$ROW_DIR/p99.off")") -> $(fmt %.2f "$(median <"$ROW_DIR/p99.on")") ms, p50 $(fmt %.2f "$(median <"$ROW_DIR/p50.off")") -> $(fmt %.2f "$(median <"$ROW_DIR/p50.on")") ms; $unfinished unfinished with" \
    "<= 1.2x" "$(le "$med" 1.2)"
result 6 "poll() loop: misbehaving clients that got their whole reply" \
    "with: $bad_full of $bad_total ($bad_none never answered before the run ended, $bad_reset reset); without: $bad_full_off of $bad_total_off" "all" \
    "$( [ "$bad_total" -gt 0 ] && [ "$bad_full" = "$bad_total" ] && echo PASS || echo MISS)"
