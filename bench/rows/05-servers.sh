# Row 5: real servers under load - ab (apache2-utils), 8 concurrent clients,
# keep-alive off (each client closes after reading its reply), a 1 KiB
# reply.  Each server runs twice side by side, without and with the library;
# ab runs against the two in turn (A/B, B/A, ...: 10 pairs of 2 s; --quick
# 4 of 1 s), quiet and then with 2,000 idle background processes.
# Result: req/s with / without per pair.
#   busybox httpd            fork per connection
#   tcpserver + svc          fork+exec per connection (ucspi-tcp)
#   python3 -m http.server   a thread per connection
#   httpd1                   one-thread accept loop (bench/progs)
# Targets: >= 0.95 for the fork servers, >= 0.90 for the others; 0 failed.
. "$BENCH_SRC/lib.sh"
ROW_ID=5
row_init 05-servers
need ab busybox tcpserver python3 || exit 0
R=$(quick 10 4)
SECS=${GC_BENCH_AB_SECS:-$(quick 2 1)}
BG=${GC_BENCH_BG:-2000}
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3)
DOC=$ROW_DIR/www
mkdir -p "$DOC"
head -c 1024 /dev/zero | tr '\0' 'b' >"$DOC/index.html"

# start NAME on|off: one server instance; its port in PORT_<NAME>_<on|off>.
start() {
    local name=$1 lib=$2 port try
    for try in 1 2 3; do
        port=$(free_port)
        case $name in
        busybox) spawn "$name-$lib" $lib busybox httpd -f -p "127.0.0.1:$port" -h "$DOC" ;;
        tcpserver) spawn "$name-$lib" $lib tcpserver -q -R -H -l 0 -c 200 -b 200 127.0.0.1 "$port" "$PROGS/svc" ;;
        python) spawn "$name-$lib" $lib "$PY" -m http.server -b 127.0.0.1 -d "$DOC" "$port" ;;
        httpd1) spawn "$name-$lib" $lib "$PROGS/httpd1" 1800; port=$(port_of "$name-$lib") ;;
        esac
        if wait_listen "$port"; then
            printf -v "PORT_${name}_$lib" %s "$port"
            return 0
        fi
        stop "$LAST_PID"
    done
    log "$name ($lib) did not start: $(tail -c 300 "$ROW_DIR/$name-$lib.err")"
    return 1
}

# load PORT OUT: one ab run; prints "RPS FAILED" (failed = failed + non-2xx
# + connection errors; "nan" req/s when ab gave none).
load() {
    echo "$(date +%T) threads on the machine: $(cut -d' ' -f4 /proc/loadavg)" >>"$ROW_DIR/machine.log"
    ab -q -t "$SECS" -n 1000000 -c 8 -r -s 10 "http://127.0.0.1:$1/index.html" >"$2" 2>&1
    awk '/^Requests per second:/ { rps = $4 } /^Failed requests:/ { f += $3 }
         /^Non-2xx responses:/ { f += $3 } /apr_socket|apr_pollset/ { e++ }
         END { printf "%s %d\n", (rps == "" ? "nan" : rps), f + e }' "$2"
}

SERVERS="busybox tcpserver python httpd1"
for s in $SERVERS; do
    start "$s" off; start "$s" on
done

for procs in 0 "$BG"; do
    [ "$procs" != 0 ] && bg_start "$procs"
    for s in $SERVERS; do
        po=PORT_${s}_off pn=PORT_${s}_on
        if [ -z "${!po:-}" ] || [ -z "${!pn:-}" ]; then
            result 5 "$s: did not start" "see $ROW_DIR" "-" ERROR
            continue
        fi
        : >"$ROW_DIR/ratio.$s.$procs"
        fail_on=0 fail_off=0
        for r in $(seq "$R"); do
            for lib in $(pair_order "$r"); do
                if [ $lib = off ]; then
                    read -r rps_off f_off < <(load "${!po}" "$ROW_DIR/ab.$s.$procs.off.$r")
                else
                    read -r rps_on f_on < <(load "${!pn}" "$ROW_DIR/ab.$s.$procs.on.$r")
                fi
            done
            fail_on=$((fail_on + f_on)) fail_off=$((fail_off + f_off))
            echo "$rps_off" >>"$ROW_DIR/rps.$s.$procs.off"
            echo "$rps_on" >>"$ROW_DIR/rps.$s.$procs.on"
            calc "$rps_on / $rps_off" >>"$ROW_DIR/ratio.$s.$procs" # nan if ab gave no rate
        done
        case $s in
        busybox) label="busybox httpd (fork)"; min=0.95 ;;
        tcpserver) label="tcpserver + svc (fork+exec)"; min=0.95 ;;
        python) label="python3 http.server (threads)"; min=0.90 ;;
        httpd1) label="one-thread accept loop"; min=0.90 ;;
        esac
        # Failures without the library too (seen here when the machine ran out
        # of processes for a moment: busybox resets what it cannot fork for)
        # point at the machine, not the library.
        note=
        [ "$fail_off" != 0 ] && note=" - failures without the library too: trouble on the machine, rerun"
        med=$(median <"$ROW_DIR/ratio.$s.$procs")
        v=$(both "$(ge "$med" $min)" "$( [ $fail_on = 0 ] && echo PASS || echo MISS)")
        result 5 "$label, $procs background processes: req/s with / without; failed requests" \
            "$(spread %.3f <"$ROW_DIR/ratio.$s.$procs"); $(fmt %.0f "$(median <"$ROW_DIR/rps.$s.$procs.off")") -> $(fmt %.0f "$(median <"$ROW_DIR/rps.$s.$procs.on")") req/s; failed $fail_on with, $fail_off without$note" \
            ">= $min, 0 failed" "$v"
    done
    [ "$procs" != 0 ] && bg_stop
done
