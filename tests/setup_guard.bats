#!/usr/bin/env bats
# scripts/install-packages.sh (used by test.sh and the suites that need a
# server package) must never change the machine beyond adding packages: no
# package removed, no daemon started, no service left enabled that was not
# enabled before.  Run against a stand-in apt-get and dpkg-query and a
# scratch tree for /etc and /usr/sbin/policy-rc.d, so nothing real changes.

setup() {
    T=$BATS_TEST_TMPDIR
    SCRIPT=$BATS_TEST_DIRNAME/../scripts/install-packages.sh
    export GC_ROOT=$T/root FAKE_LOG=$T/apt.log FAKE_INSTALLED="coreutils" FAKE_CONFLICTS=""
    mkdir -p "$GC_ROOT/etc/systemd/system/multi-user.target.wants" "$GC_ROOT/etc/rc2.d" \
        "$GC_ROOT/usr/sbin" "$T/bin"
    ln -s /lib/systemd/system/old.service "$GC_ROOT/etc/systemd/system/multi-user.target.wants/old.service"
    ln -s ../init.d/old "$GC_ROOT/etc/rc2.d/S01old"
    printf 'old stream tcp nowait root /usr/sbin/old old\n#disabled stream tcp nowait root /x x\n' \
        >"$GC_ROOT/etc/inetd.conf"
    : >"$FAKE_LOG"
    # dpkg-query: what FAKE_INSTALLED lists is installed.
    cat >"$T/bin/dpkg-query" <<'EOF'
#!/bin/bash
pkg=${!#}
[[ " $FAKE_INSTALLED " == *" $pkg "* ]] && printf installed && exit 0
exit 1
EOF
    # apt-get: "-s install" prints Inst lines and, for a package named in
    # FAKE_CONFLICTS as PKG:VICTIM, "Remv VICTIM"; a real install records its
    # options and whether policy-rc.d refuses starts, then enables a
    # service of each package three ways (systemd, rc2.d, inetd.conf).
    cat >"$T/bin/apt-get" <<'EOF'
#!/bin/bash
echo "apt-get $*" >>"$FAKE_LOG"
[ "$1" = update ] && exit 0
pkgs=()
for a in "$@"; do [[ $a == -* || $a == install ]] || pkgs+=("$a"); done
if [[ " $* " == *" -s "* ]]; then
    for p in "${pkgs[@]}"; do
        for c in $FAKE_CONFLICTS; do
            [ "${c%%:*}" = "$p" ] && echo "Remv ${c#*:} [1.0]"
        done
        echo "Inst $p (1.0 Debian:12)"
    done
    exit 0
fi
"$GC_ROOT/usr/sbin/policy-rc.d" x start; echo "policy-rc.d=$?" >>"$FAKE_LOG"
for p in "${pkgs[@]}"; do
    ln -s "/lib/systemd/system/$p.service" "$GC_ROOT/etc/systemd/system/multi-user.target.wants/$p.service"
    ln -s "../init.d/$p" "$GC_ROOT/etc/rc2.d/S01$p"
    echo "$p stream tcp nowait root /usr/sbin/$p $p" >>"$GC_ROOT/etc/inetd.conf"
done
EOF
    chmod +x "$T/bin/apt-get" "$T/bin/dpkg-query"
    export GC_APT_GET=$T/bin/apt-get GC_DPKG_QUERY=$T/bin/dpkg-query
    [ "$(id -u)" -eq 0 ] || skip "the script runs as root (or through sudo)"
}

@test "nothing missing: apt-get is not run at all" {
    run timeout 30 "$SCRIPT" coreutils
    [ "$status" -eq 0 ]
    [ ! -s "$FAKE_LOG" ]
}

@test "a package whose install would remove another is refused and named; the rest installs with --no-remove" {
    FAKE_CONFLICTS="openbsd-inetd:xinetd" run timeout 30 "$SCRIPT" openbsd-inetd busybox
    echo "$output"
    [ "$status" -eq 3 ]
    [[ $output == *"refusing openbsd-inetd: installing it would remove xinetd"* ]]
    grep -q '^apt-get install -y -q --no-remove --no-install-recommends busybox$' "$FAKE_LOG"
    ! grep -v -- ' -s ' "$FAKE_LOG" | grep -q 'install.*openbsd-inetd'
}

@test "only conflicting packages: nothing is installed" {
    FAKE_CONFLICTS="openbsd-inetd:xinetd" run timeout 30 "$SCRIPT" openbsd-inetd
    [ "$status" -eq 3 ]
    ! grep -q -- '--no-remove' "$FAKE_LOG"
}

@test "no daemon starts during the install; no policy-rc.d is left behind" {
    run timeout 30 "$SCRIPT" busybox
    [ "$status" -eq 0 ]
    grep -q '^policy-rc.d=101$' "$FAKE_LOG"
    [ ! -e "$GC_ROOT/usr/sbin/policy-rc.d" ]
}

@test "the machine's own policy-rc.d is put back unchanged" {
    printf '#!/bin/sh\nexit 0\n' >"$GC_ROOT/usr/sbin/policy-rc.d"
    chmod 700 "$GC_ROOT/usr/sbin/policy-rc.d"
    run timeout 30 "$SCRIPT" busybox
    [ "$status" -eq 0 ]
    grep -q '^policy-rc.d=101$' "$FAKE_LOG"
    [ "$(cat "$GC_ROOT/usr/sbin/policy-rc.d")" = "$(printf '#!/bin/sh\nexit 0')" ]
    [ "$(stat -c %a "$GC_ROOT/usr/sbin/policy-rc.d")" = 700 ]
}

@test "services the install enabled are disabled again; those enabled before stay" {
    run timeout 30 "$SCRIPT" micro-httpd
    echo "$output"
    [ "$status" -eq 0 ]
    [ ! -e "$GC_ROOT/etc/systemd/system/multi-user.target.wants/micro-httpd.service" ]
    [ ! -L "$GC_ROOT/etc/rc2.d/S01micro-httpd" ]
    grep -qx '#<off># micro-httpd stream tcp nowait root /usr/sbin/micro-httpd micro-httpd' \
        "$GC_ROOT/etc/inetd.conf"
    [ -L "$GC_ROOT/etc/systemd/system/multi-user.target.wants/old.service" ]
    [ -L "$GC_ROOT/etc/rc2.d/S01old" ]
    grep -qx 'old stream tcp nowait root /usr/sbin/old old' "$GC_ROOT/etc/inetd.conf"
    grep -qx '#disabled stream tcp nowait root /x x' "$GC_ROOT/etc/inetd.conf"
}
