# Row 1: close() of a file and of a pipe - what the library adds where no
# socket is involved.  Instructions: callgrind counts only inside the
# program's close_all() (N closes), exact and noise-free.  System calls:
# strace -f, counted between the program's markers around the close loop.
# Added = with library - without, per close.  Target: 0 syscalls, <= 20
# instructions.
. "$BENCH_SRC/lib.sh"
ROW_ID=1
row_init 01-nonsocket
need valgrind strace || exit 0
N=$(quick 2000 1000)

# instructions inside close_all() divided by N
instr() { # on|off kind
    local out=$ROW_DIR/cg.$1.$2
    run_lib "$1" valgrind --tool=callgrind --callgrind-out-file="$out" \
        --collect-atstart=no --toggle-collect=close_all "$PROGS/nsclose" "$2" "$N" \
        >/dev/null 2>"$out.log" || { echo nan; return; }
    awk -v n="$N" '/^(summary|totals):/ { printf "%.1f\n", $2 / n; exit }' "$out"
}

# system calls (any thread) between the begin and end markers, per close
syscalls() { # on|off kind
    local out=$ROW_DIR/st.$1.$2
    run_lib "$1" strace -f -qq -o "$out" "$PROGS/nsclose" "$2" "$N" >/dev/null 2>&1 || { echo nan; return; }
    awk -v n="$N" '/gc-bench-mark-begin/ { on = 1; next } /gc-bench-mark-end/ { on = 0; next }
        on && !/resumed>/ && !/^[0-9]* *(\+\+\+|---)/ { c++ }
        END { printf "%.2f\n", c / n }' "$out"
}

for kind in file pipe; do
    i_off=$(instr off $kind); i_on=$(instr on $kind)
    s_off=$(syscalls off $kind); s_on=$(syscalls on $kind)
    ai=$(calc "$i_on - $i_off"); as=$(calc "$s_on - $s_off")
    result 1 "close of a $kind: added instructions per close (callgrind, $N closes)" \
        "+$ai ($i_off -> $i_on)" "<= 20" "$(le "$ai" 20)"
    result 1 "close of a $kind: added syscalls per close (strace -f)" \
        "+$as ($s_off -> $s_on)" "0" "$(le "$as" 0)"
done
