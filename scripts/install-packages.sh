#!/bin/sh
# install-packages.sh PKG... - installs the Debian packages among PKG that
# are not installed yet, without changing anything else on the machine:
#   - never removes a package: each missing package is first tried with
#     `apt-get install -s` (a dry run); one whose install would remove
#     another (a conflict, e.g. openbsd-inetd vs xinetd) is refused and
#     named, and the real install runs with --no-remove;
#   - starts no daemon: a policy-rc.d that refuses every start is in place
#     for the install (an existing one is put back afterwards);
#   - leaves no service enabled that was not enabled before: systemd
#     .wants links, /etc/rcN.d start links and /etc/inetd.conf services that
#     the install added are disabled again (inetd lines the update-inetd way,
#     "#<off># ", so `update-inetd --enable` can undo it).
# Runs as root, or through sudo.  Exit status: 0 when every PKG is
# installed; 3 when some were refused or failed (the others are installed);
# 1 when nothing could be done (not root, apt-get failed).
#
# For tests: GC_APT_GET, GC_DPKG_QUERY (commands) and GC_ROOT (the tree whose
# /etc and /usr/sbin/policy-rc.d are looked at, default /) can be replaced.
set -eu

APT=${GC_APT_GET:-apt-get}
DPKG_QUERY=${GC_DPKG_QUERY:-dpkg-query}
ROOT=${GC_ROOT:-}
ROOT=${ROOT%/}
say() { echo "install-packages: $*" >&2; }

installed() {
    # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
    [ "$($DPKG_QUERY -W -f '${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# removals PKG...: the packages a dry-run install of PKG... would remove.
removals() {
    DEBIAN_FRONTEND=noninteractive $APT install -s -y --no-install-recommends "$@" 2>/dev/null |
        awk '$1 == "Remv" { printf "%s%s", sep, $2; sep = " " }'
}

# enabled: one line per enabled service entry under ROOT, sorted.
enabled() {
    {
        for l in "$ROOT"/etc/systemd/system/*.wants/* "$ROOT"/etc/rc[2-5].d/S*; do
            if [ -e "$l" ] || [ -L "$l" ]; then echo "link $l"; fi
        done
        if [ -f "$ROOT/etc/inetd.conf" ]; then
            awk '/^[^#[:space:]]/ { print "inetd " $1 }' "$ROOT/etc/inetd.conf"
        fi
    } | LC_ALL=C sort -u
}

# disable_new BEFORE_FILE: disables every entry not listed in BEFORE_FILE.
disable_new() {
    enabled | LC_ALL=C comm -13 "$1" - | while read -r kind what; do
        case $kind in
        link)
            $as_root rm -f "$what"
            say "disabled $what (the install enabled it)" ;;
        inetd)
            conf=$ROOT/etc/inetd.conf
            awk -v n="$what" '$1 == n { $0 = "#<off># " $0 } { print }' "$conf" >"$before.inetd"
            $as_root cp "$before.inetd" "$conf"
            rm -f "$before.inetd"
            say "disabled inetd service $what in $ROOT/etc/inetd.conf (the install enabled it)" ;;
        esac
    done
}

missing=
for p in "$@"; do
    installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif command -v sudo >/dev/null 2>&1; then
    as_root=sudo
else
    say "missing:$missing; not root and no sudo: cannot install"
    exit 1
fi

say "missing:$missing"
$as_root env DEBIAN_FRONTEND=noninteractive "$APT" update -q >/dev/null || {
    say "apt-get update failed"
    exit 1
}

# The dry runs: one package at a time, then the survivors together.
ok="" refused=""
for p in $missing; do
    gone=$(removals "$p")
    if [ -n "$gone" ]; then
        say "refusing $p: installing it would remove $gone (a conflict); tests that need $p skip"
        refused="$refused $p"
    else
        ok="$ok $p"
    fi
done
# shellcheck disable=SC2086 # word lists
if [ -n "$ok" ] && gone=$(removals $ok) && [ -n "$gone" ]; then
    say "refusing$ok: installing them together would remove $gone"
    refused="$refused$ok"
    ok=
fi
[ -z "$ok" ] && exit 3

# No daemon may start during the install; put the machine's own
# policy-rc.d back afterwards.
guard=$ROOT/usr/sbin/policy-rc.d
saved=$(mktemp)
before=$(mktemp)
had_guard=0
if [ -e "$guard" ]; then
    had_guard=1
    cp -p "$guard" "$saved"
fi
# shellcheck disable=SC2317 # called by the trap
restore() {
    if [ "$had_guard" -eq 1 ]; then
        $as_root cp -p "$saved" "$guard"
    else
        $as_root rm -f "$guard"
    fi
    rm -f "$saved" "$before"
}
trap restore EXIT
trap 'exit 1' INT TERM HUP
printf '#!/bin/sh\n# install-packages.sh: no daemon starts during the install\nexit 101\n' |
    $as_root tee "$guard" >/dev/null
$as_root chmod 755 "$guard"
enabled >"$before"

status=0
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive $APT install -y -q --no-remove --no-install-recommends $ok ||
    status=3
disable_new "$before"
[ -n "$refused" ] && status=3
exit "$status"
