#!/bin/sh
# Installs what is missing (Debian 12, as root), builds, and runs the whole
# test suite.  Extra arguments go to `meson test` (for example a test name).
# Exit status: that of `meson test`.
set -eu

cd "$(dirname "$0")/.."

# Tools the build and the suites use; inetd, busybox, micro-httpd and
# tcpserver are the real servers the process-shape suites run (openbsd-inetd,
# busybox httpd, micro-httpd, ucspi-tcp's tcpserver); socat gives the
# diagnostics suites a fake syslog.
missing=
for tool in meson ninja bats cc strace python3 ip ps nstat inetd busybox micro-httpd tcpserver socat; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done

# Installs the packages, as root directly or through sudo.
install_packages() {
    if [ "$(id -u)" -eq 0 ]; then
        as_root=
    elif command -v sudo >/dev/null 2>&1; then
        as_root=sudo
    else
        echo "test.sh: not root and no sudo: cannot install packages" >&2
        return 1
    fi
    # The servers are only run by the tests, on loopback: keep their
    # packages from starting system-wide daemons (micro-httpd registers an
    # inetd service on port 80) by a policy-rc.d for the install.
    guard=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        guard=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $as_root tee "$guard" >/dev/null
        $as_root chmod +x "$guard"
    fi
    status=0
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get update || status=$?
    [ "$status" -eq 0 ] && {
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            meson ninja-build bats gcc libc6-dev strace python3 iproute2 procps \
            openbsd-inetd busybox micro-httpd ucspi-tcp socat || status=$?
    }
    [ -n "$guard" ] && $as_root rm -f "$guard"
    return "$status"
}

if [ -n "$missing" ]; then
    echo "test.sh: missing:$missing; installing with apt-get"
    install_packages
elif [ "${CI:-}" = true ]; then
    install_packages || echo "test.sh: package install failed; every tool is present, going on" >&2
fi

if [ -d build/meson-private ]; then
    meson setup --reconfigure build
else
    meson setup build
fi
meson compile -C build
exec meson test -C build --print-errorlogs "$@"
