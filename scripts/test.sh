#!/bin/sh
# Installs what is missing (Debian 12, as root), builds, and runs the whole
# test suite.  Extra arguments go to `meson test` (for example a test name).
# Exit status: that of `meson test`.
set -eu

cd "$(dirname "$0")/.."

missing=
for tool in meson ninja bats cc strace python3 ip ps; do
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
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        meson ninja-build bats gcc libc6-dev strace python3 iproute2 procps
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
