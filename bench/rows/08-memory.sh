# Row 8: memory - what the library adds to every process and to every
# forked child.  bench/progs/memproc makes a TCP listener and one connected
# pair (so a library starts tracking) and pauses: that is "a process".  Run
# again with 200 forked children that pause: their average is "a child".
# Private_Dirty and Pss come from /proc/PID/smaps_rollup.  Runs alternate
# without / with; per repeat the difference.
# Target: <= 16 KiB per process, <= 8 KiB per child.  The verdict per process
# is on Private_Dirty: a lone process's Pss counts the library's code pages
# in full, though every process that loads the library shares them (shown
# beside it).  Per child both count: there Pss shares pages over 201.
. "$BENCH_SRC/lib.sh"
ROW_ID=8
row_init 08-memory
R=$(quick 3 2)
KIDS=200

# measure on|off R KIDS: prints "parent_pd parent_pss child_pd child_pss" (KiB)
measure() {
    local lib=$1 r=$2 kids=$3 i pids
    spawn "mem.$lib.$r" "$lib" "$PROGS/memproc" "$kids"
    for i in $(seq 200); do
        grep -q '^ready' "$ROW_DIR/mem.$lib.$r.out" 2>/dev/null && break
        sleep 0.05
    done
    sleep 0.3 # let the children settle (copy-on-write after fork)
    pids=$(sed -n 's/^pid=//p' "$ROW_DIR/mem.$lib.$r.out")
    for i in $pids; do
        awk -v pid="$i" '/^Private_Dirty:/ { pd = $2 } /^Pss:/ { pss = $2 } END { print pid, pd, pss }' \
            "/proc/$i/smaps_rollup" 2>/dev/null
    done >"$ROW_DIR/smaps.$lib.$r"
    stop "$LAST_PID"
    awk 'NR == 1 { ppd = $2; ppss = $3; next } { cpd += $2; cpss += $3; n++ }
        END { printf "%s %s %.2f %.2f\n", ppd, ppss, n ? cpd / n : -1, n ? cpss / n : -1 }' \
        "$ROW_DIR/smaps.$lib.$r"
}

for r in $(seq "$R"); do
    read -r a_pd a_pss _ _ < <(measure off "$r" 0)
    read -r b_pd b_pss _ _ < <(measure on "$r" 0)
    read -r _ _ a_cpd a_cpss < <(measure off "$r.k" $KIDS)
    read -r _ _ b_cpd b_cpss < <(measure on "$r.k" $KIDS)
    calc "$b_pd - $a_pd" >>"$ROW_DIR/proc_pd"
    calc "$b_pss - $a_pss" >>"$ROW_DIR/proc_pss"
    calc "$b_cpd - $a_cpd" >>"$ROW_DIR/child_pd"
    calc "$b_cpss - $a_cpss" >>"$ROW_DIR/child_pss"
    echo "$a_pd $b_pd $a_cpd $b_cpd" >>"$ROW_DIR/raw"
done
pd=$(median <"$ROW_DIR/proc_pd") cpd=$(median <"$ROW_DIR/child_pd")
pss=$(median <"$ROW_DIR/proc_pss") cpss=$(median <"$ROW_DIR/child_pss")
result 8 "memory added per process (smaps_rollup): Private_Dirty; Pss" \
    "$(spread '%+.0f' <"$ROW_DIR/proc_pd") KiB; Pss $(spread '%+.0f' <"$ROW_DIR/proc_pss") KiB" \
    "<= 16 KiB" "$(le "$pd" 16)"
result 8 "memory added per forked child ($KIDS children, average): Private_Dirty; Pss" \
    "$(spread '%+.1f' <"$ROW_DIR/child_pd") KiB; Pss $(spread '%+.1f' <"$ROW_DIR/child_pss") KiB" \
    "<= 8 KiB" "$(both "$(le "$cpd" 8)" "$(le "$cpss" 8)")"
