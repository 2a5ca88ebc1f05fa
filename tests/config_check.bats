#!/usr/bin/env bats
# 'graceclose check' and 'graceclose explain' (issue 4, item 4): every
# problem of a config file printed as FILE:LINE: reason with the right exit
# status, and the effective settings of a socket with where each came from.
# The fixtures' "#@ TEXT" comments name the diagnostics each must give.

bats_require_minimum_version 1.5.0

load lib/common

FIX=$GC_SRCDIR/tests/fixtures/conf

setup() {
    gc_clean_env
    [ -x "$GC_CMD" ] || skip "graceclose command not built: GC_CMD=$GC_CMD"
    T=$BATS_TEST_TMPDIR
}

gc() {
    timeout 10 "$GC_CMD" "$@"
}

# expected_diags FILE: "LINE<TAB>TEXT" for every "#@ TEXT" comment in FILE.
expected_diags() {
    awk '{ i = index($0, "#@ "); if (i) { t = substr($0, i + 3); sub(/\r$/, "", t); print NR "\t" t } }' "$1"
}

# check_fixture NAME: check prints exactly the annotated problems of the fixture.
check_fixture() {
    local file=$FIX/$1 want n=0 line text
    run -1 gc check "$file"
    echo "$output"
    want=$(expected_diags "$file" | wc -l)
    [ "$want" -gt 0 ]
    while IFS=$'\t' read -r line text; do
        n=$((n + 1))
        grep -qF -- "$file:$line: " <<<"$output" || { echo "no diagnostic for line $line"; false; }
        grep -F -- "$file:$line: " <<<"$output" | grep -qF -- "$text" ||
            { echo "line $line: missing '$text'"; false; }
    done < <(expected_diags "$file")
    # One line per problem, plus the summary that counts them.
    [ "$(grep -c "^$file:[0-9]*: " <<<"$output")" -eq "$want" ]
    [[ ${lines[-1]} =~ ^"$file: "[0-9]+" rules"?", $want problem"s?$ ]]
}

# only_ok FILE SUMMARY: the output is SUMMARY, after nothing but notes and
# warnings about program names (which depend on what is installed here and
# are no problems).
only_ok() {
    [ "${lines[-1]}" = "$2" ] || return 1
    ! grep -v -e "^$2\$" -e "^warning: program '[^']*' (line [0-9]*) matches nothing installed" \
        -e "^note: program '[^']*' (line [0-9]*): " <<<"$output"
}

@test "check: a clean file gives one OK line and exit 0" {
    run -0 gc check "$FIX/good.conf"
    only_ok "$FIX/good.conf" "$FIX/good.conf: 6 rules, no problems"
    run -0 gc check "$FIX/crlf.conf"
    [ "$output" = "$FIX/crlf.conf: 1 rule, no problems" ]
}

@test "check: the shipped example files are clean" {
    run -0 gc check "$GC_SRCDIR/conf/graceclose.conf"
    [[ $output == *": 7 rules, no problems" ]]
    run -0 gc check "$GC_SRCDIR/conf/system-wide.conf"
    [[ $output == *", no problems" ]]
}

@test "check: unknown keys are named, with a hint for Timeout and GRACECLOSE_IDLE" {
    check_fixture unknown-key.conf
}

@test "check: bad values (abc, -5s, 1e99, empty, huge, no unit) each give FILE:LINE and the reason" {
    check_fixture bad-value.conf
}

@test "check: rules that can never match are reported and disabled" {
    check_fixture never-match.conf
    grep -q "rule \[port-zero\] is disabled" <<<"$output"
}

@test "check: broken lines, odd sections and repeated keys; the rest still counts" {
    check_fixture structure.conf
}

@test "check: a binary file is one problem at the line of its first NUL byte" {
    run -1 gc check "$FIX/binary.conf"
    echo "$output"
    [ "${#lines[@]}" -eq 1 ]
    [[ ${lines[0]} == "$FIX/binary.conf:3: contains a NUL byte"*"whole file is ignored"* ]]
}

@test "check: a 1 MiB line is reported at its line and skipped; later lines still checked" {
    { printf '[default]\ntimeout = 2s\nidle = '; head -c 1048576 /dev/zero | tr '\0' 9
      printf 's\ncolour = red\n'; } >"$T/long.conf"
    run -1 timeout 10 "$GC_CMD" check "$T/long.conf"
    echo "$output"
    [ "${lines[0]}" = "$T/long.conf:3: line is longer than 4095 bytes; skipped" ]
    [[ ${lines[1]} == "$T/long.conf:4: unknown key 'colour'"* ]]
    [ "${lines[2]}" = "$T/long.conf: 0 rules, 2 problems" ]
}

@test "check: a directory, a missing file, a FIFO: exit 2 with the reason" {
    run -2 gc check "$T"
    [[ $output == "$T: is a directory, not a config file"* ]]
    run -2 gc check "$T/nope.conf"
    [[ $output == *"$T/nope.conf: no such file"* ]]
    mkfifo "$T/fifo"
    run -2 gc check "$T/fifo"
    [[ $output == "$T/fifo: is not a regular file"* ]]
}

@test "check: an unreadable file: exit 2, 'Permission denied'" {
    printf '[default]\npolicy = off\n' >"$T/secret.conf"
    chmod 600 "$T/secret.conf"
    if [ "$(id -u)" -ne 0 ]; then
        chmod 000 "$T/secret.conf"
        run -2 gc check "$T/secret.conf"
    else
        # root reads every file: read it as 'nobody' instead.
        command -v setpriv >/dev/null || skip "setpriv is missing: cannot drop root to test an unreadable file"
        chmod 755 "$T"
        setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$GC_CMD" ||
            skip "nobody cannot run $GC_CMD (its directories are closed)"
        run -2 timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$GC_CMD" check "$T/secret.conf"
    fi
    echo "$output"
    [ "$output" = "$T/secret.conf: cannot open: Permission denied; built-in defaults apply" ]
}

@test "check: without FILE it checks \$GRACECLOSE_CONFIG; usage errors exit 2" {
    GRACECLOSE_CONFIG=$FIX/good.conf run -0 gc check
    only_ok "$FIX/good.conf" "$FIX/good.conf: 6 rules, no problems"
    GRACECLOSE_CONFIG=$FIX/unknown-key.conf run -1 gc check
    run -2 gc check "$FIX/good.conf" "$FIX/crlf.conf"
    [[ $output == *"one FILE at a time"* ]]
    run -2 gc check --frobnicate
    run -0 gc check --help
    [[ $output == *"Usage: graceclose check"* ]]
}

@test "explain: every setting with its value and its source" {
    run -0 gc explain --config "$GC_SRCDIR/conf/graceclose.conf" --program vsftpd \
        --local-port 20050 --peer 192.0.2.7:40000 --role accepted
    echo "$output"
    f=$GC_SRCDIR/conf/graceclose.conf
    line_of() { grep -n "^\[$1\]" "$f" | cut -d: -f1; }
    [[ $output == *"matching rules: [ftp] at line $(line_of ftp), [ftp-data] at line $(line_of ftp-data)"* ]]
    grep -Eq "^policy += linger +\(\[default\] at $f:[0-9]+\)$" <<<"$output"
    grep -Eq "^timeout += 30s +\(rule \[ftp\] at $f:$(line_of ftp)\)$" <<<"$output"
    grep -Eq "^idle += 5s +\(rule \[ftp\] at $f:$(line_of ftp)\)$" <<<"$output"
    grep -Eq "^max_drain += 64m +\(rule \[ftp-data\] at $f:$(line_of ftp-data)\)$" <<<"$output"
    grep -Eq "^steps += shutdown,drain,outq +\(\[default\] at $f:[0-9]+\)$" <<<"$output"
}

@test "explain: no config file means built-in defaults for every setting" {
    run -0 gc explain --program x
    echo "$output"
    GRACECLOSE_CONFIG=/nonexistent/graceclose.conf run -2 gc explain
    cat >"$T/empty.conf" <<<"# nothing"
    run -0 gc explain --config "$T/empty.conf"
    for k in policy steps timeout idle max_drain; do
        grep -Eq "^$k += [^ ]+ +\(default\)$" <<<"$output"
    done
    grep -Eq "^timeout += 5s " <<<"$output"
}

@test "explain: GRACECLOSE_* override the file; a bad variable is reported and ignored" {
    printf '[default]\ntimeout = 4s\n[web]\nlocal_port = 80\ntimeout = 9s\nidle = 1s\n' >"$T/g.conf"
    GRACECLOSE_TIMEOUT=250ms GRACECLOSE_IDLE=abc run -0 gc explain --config "$T/g.conf" --local-port 80
    echo "$output"
    grep -Eq "^timeout += 250ms +\(environment GRACECLOSE_TIMEOUT\)$" <<<"$output"
    grep -Eq "^idle += 1s +\(rule \[web\] at $T/g.conf:3\)$" <<<"$output"
    grep -q "GRACECLOSE_IDLE='abc' is not a duration" <<<"$output"
    # Without the variable, the rule; on another port, [default].
    run -0 gc explain --config "$T/g.conf" --local-port 81
    grep -Eq "^timeout += 4s +\(\[default\] at $T/g.conf:2\)$" <<<"$output"
    # GRACECLOSE_CONFIG is the default file for explain, as for the library.
    GRACECLOSE_CONFIG=$T/g.conf run -0 gc explain --local-port 80
    grep -Eq "^timeout += 9s +\(rule \[web\]" <<<"$output"
}

@test "explain: IPv6 peers in [ADDR]:PORT, IPv4-mapped peers match IPv4 rules" {
    printf '[v4]\nremote_addr = 198.51.100.0/24\npolicy = reset\n[v6]\nremote_addr = 2001:db8::/32\ntimeout = 1s\n' >"$T/a.conf"
    run -0 gc explain --config "$T/a.conf" --peer '[2001:db8::7]:443'
    echo "$output"
    [[ $output == *"peer=[2001:db8::7]:443"* ]]
    grep -Eq "^timeout += 1s +\(rule \[v6\]" <<<"$output"
    grep -Eq "^policy += linger +\(default\)" <<<"$output"
    run -0 gc explain --config "$T/a.conf" --peer '[::ffff:198.51.100.9]:5000'
    echo "$output"
    grep -Eq "^policy += reset +\(rule \[v4\]" <<<"$output"
    run -0 gc explain --config "$T/a.conf" --peer 198.51.101.9:5000
    grep -Eq "^policy += linger +\(default\)" <<<"$output"
}

@test "explain: the more specific rule wins, ties go to the later rule" {
    printf '[both]\nprogram = ftpd\nlocal_port = 21\ntimeout = 30s\n[prog]\nprogram = ftpd\ntimeout = 10s\nidle = 3s\n[port]\nlocal_port = 21\nidle = 4s\n' >"$T/s.conf"
    run -0 gc explain --config "$T/s.conf" --program ftpd --local-port 21
    echo "$output"
    grep -Eq "^timeout += 30s +\(rule \[both\]" <<<"$output"
    grep -Eq "^idle += 4s +\(rule \[port\]" <<<"$output"
}

@test "explain: a skipped program shows policy off and the list that skips it" {
    run -0 gc explain --config "$GC_SRCDIR/conf/system-wide.conf" --program sshd
    echo "$output"
    grep -Eq "^policy += off +\(program excluded by skip_programs at .*system-wide.conf:[0-9]+\)$" <<<"$output"
}

@test "explain: bad arguments are usage errors (exit 2)" {
    run -2 gc explain --local-port 0
    run -2 gc explain --local-port 70000
    run -2 gc explain --peer 1.2.3.4:http
    run -2 gc explain --peer '[::1'
    run -2 gc explain --role listener
    run -2 gc explain --program /usr/sbin/x
    run -2 gc explain --frobnicate
    run -2 gc explain --config "$T/missing.conf"
    run -0 gc explain --help
    [[ $output == *"Usage: graceclose explain"* ]]
}
