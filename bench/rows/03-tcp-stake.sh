# Row 3: close() of a TCP socket with something at stake - time until
# close() returns to the program, two cases:
#   unread  - the peer's 1,000-byte greeting is still unread; the peer reads
#             what we send and closes 3 s after our FIN;
#   sending - the peer is still sending (it never reads: an uploader).
# Per repeat: p99 with library - p99 without (runs alternate).  Each run
# stops after its time budget, so a close that blocks long yields few
# samples (the count is shown).  Target: <= 20 us added at p99.
. "$BENCH_SRC/lib.sh"
ROW_ID=3
row_init 03-tcp-stake
R=$(quick 5 2)
BUDGET=$(quick 3000 1500)
N=$(quick 1000 300)

spawn peer-unread off "$PROGS/peer" sit -g 1000 -l 3000 -t 900
spawn peer-sending off "$PROGS/peer" flood -t 900
P_unread=$(port_of peer-unread) || exit 1
P_sending=$(port_of peer-sending) || exit 1

for cs in unread sending; do
    port=P_$cs
    for r in $(seq "$R"); do
        for lib in $(pair_order "$r"); do
            run_lib $lib "$PROGS/tclose" $cs "${!port}" "$N" "$BUDGET" \
                >"$ROW_DIR/t.$cs.$lib.$r" 2>>"$ROW_DIR/tclose.err"
        done
        p_off=$(sed -n 's/^us=//p' "$ROW_DIR/t.$cs.off.$r" | pct 99)
        p_on=$(sed -n 's/^us=//p' "$ROW_DIR/t.$cs.on.$r" | pct 99)
        calc "$p_on - $p_off" >>"$ROW_DIR/added.$cs"
        echo "$p_off" >>"$ROW_DIR/base.$cs"
        echo "$p_on" >>"$ROW_DIR/with.$cs"
    done
    closes_on=$(cat "$ROW_DIR"/t.$cs.on.* | grep -c '^us=')
    closes_off=$(cat "$ROW_DIR"/t.$cs.off.* | grep -c '^us=')
    label=$( [ $cs = unread ] && echo "unread input, peer stays open" || echo "peer still sending")
    med=$(median <"$ROW_DIR/added.$cs")
    result 3 "TCP close, $label: added us at p99 until close() returns" \
        "$(spread '%+.1f' <"$ROW_DIR/added.$cs") us; p99 without $(fmt %.1f "$(median <"$ROW_DIR/base.$cs")") us, with $(fmt %.1f "$(median <"$ROW_DIR/with.$cs")") us; closes $closes_off without, $closes_on with" \
        "<= 20 us" "$(le "$med" 20)"
done
