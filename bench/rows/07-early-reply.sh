# Row 7: early replies to uploads.  The server answers a POST with 413
# before reading its body, then closes (bench/progs/httpd1, one thread),
# run without and with the library, beside nginx from Debian (nginx-light,
# default lingering_close on) configured here on a loopback port as the
# current user: client_max_body_size 1k makes nginx send its 413 as soon as
# it has the head, before reading the body (it then lingers: reads and
# throws away the body, lingering_timeout 5 s / lingering_time 30 s).
#   delivered: the client sends the whole 1/10/100 MB body and only then
#     reads (like Python's http.client); counted when the whole reply and a
#     clean end arrive.
#   hold: the client sends 64 KiB of the body, reads the reply and keeps the
#     connection open; how long the server still holds its socket after the
#     reply (exact per-connection lookup, 10 ms steps, capped at 8 s).
# Target: every reply delivered (like nginx), hold <= 1.0 s (nginx's beside).
. "$BENCH_SRC/lib.sh"
ROW_ID=7
row_init 07-early-reply
need nginx || exit 0
N=$(quick 3 1)
P=$(quick 3 2)
SIZES="1000000 10000000 100000000"

spawn srv-off off "$PROGS/httpd1" 1800
spawn srv-on on "$PROGS/httpd1" 1800
P_off=$(port_of srv-off) || exit 1
P_on=$(port_of srv-on) || exit 1

# nginx: its own prefix, config, pid, logs and temp paths in the row folder;
# single process (master_process off) so nothing runs as another user.
NG=$ROW_DIR/nginx
mkdir -p "$NG/tmp"
for try in 1 2 3; do
    P_nginx=$(free_port)
    cat >"$NG/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    server {
        listen 127.0.0.1:$P_nginx;
        client_max_body_size 1k;
        location / { return 200 "ok\n"; }
    }
}
NGINX
    spawn nginx off nginx -p "$NG" -c "$NG/nginx.conf" -e stderr
    wait_listen "$P_nginx" && break
    stop "$LAST_PID"
    P_nginx=
done
[ -n "$P_nginx" ] || { log "nginx did not start: $(tail -c 300 "$ROW_DIR/nginx.err")"; exit 1; }

# delivered: N uploads of each size to each server, in turn
for r in $(seq "$N"); do
    for size in $SIZES; do
        for who in off on nginx; do
            port=P_$who
            res=$(timeout 70 "$PROGS/upcl" deliver "${!port}" "$size" 2>&1 | tail -1)
            echo "$size $res" >>"$ROW_DIR/deliver.$who"
        done
    done
done
delivered() { # WHO -> "K of T (1 MB a/n, 10 MB b/n, 100 MB c/n)"
    awk '{ t[$1]++; n++ } $2 == "result=delivered" { d[$1]++; k++ }
        END { printf "%d of %d (", k, n
              printf "1 MB %d/%d, 10 MB %d/%d, 100 MB %d/%d)", d[1000000], t[1000000], d[10000000], t[10000000], d[100000000], t[100000000] }' \
        "$ROW_DIR/deliver.$1"
}
k_on=$(grep -c 'result=delivered' "$ROW_DIR/deliver.on")
t_on=$(grep -c . "$ROW_DIR/deliver.on")
result 7 "early 413 to an upload, client reads after sending the whole body: replies delivered" \
    "with: $(delivered on); without: $(delivered off); nginx: $(delivered nginx)" \
    "all" "$( [ "$k_on" = "$t_on" ] && echo PASS || echo MISS)"

# hold: P clients at once per server
for who in off on nginx; do
    port=P_$who
    timeout 60 "$PROGS/upcl" hold "${!port}" "$P" 8000 >"$ROW_DIR/hold.$who" 2>&1
done
hold_s() { sed -n 's/^hold_ms=\([0-9]*\).*/\1/p' "$ROW_DIR/hold.$1" | awk '{ v = $1 / 1000; if (v > m) m = v } END { printf "%.2f", m }'; }
full_on=$(grep -c 'full=1' "$ROW_DIR/hold.on")
h_on=$(hold_s on)
result 7 "early 413, client keeps the connection open: longest hold of the socket after the reply (of $P)" \
    "with: $h_on s (replies complete $full_on/$P); nginx: $(hold_s nginx) s; without: $(hold_s off) s" \
    "<= 1.0 s, reply complete" "$(both "$(le "$h_on" 1.0)" "$( [ "$full_on" = "$P" ] && echo PASS || echo MISS)")"
