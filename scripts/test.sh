#!/bin/sh
# Installs what is missing (Debian 12, as root), builds, and runs the whole
# test suite.  Extra arguments go to `meson test` (for example a test name).
# Exit status: that of `meson test`.
set -eu

cd "$(dirname "$0")/.."

# Packages the build and the suites need, and those some suites use when
# present (the real servers of the process-shape suites, valgrind for
# `meson test --setup valgrind`, clang's libFuzzer for the fuzz targets);
# tests whose package is missing skip and say so.
# scripts/install-packages.sh installs only what is missing and never
# removes a package, starts a daemon or leaves a new service enabled.
required="meson ninja-build bats gcc libc6-dev strace python3 iproute2 procps"
optional="openbsd-inetd busybox micro-httpd ucspi-tcp valgrind clang libclang-rt-14-dev"
status=0
# shellcheck disable=SC2086 # word lists
./scripts/install-packages.sh $required || status=$?
if [ "$status" -ne 0 ]; then
    for tool in meson ninja bats cc strace python3 ip ps nstat; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "test.sh: $tool is missing and could not be installed (status $status)" >&2
            exit 1
        }
    done
    echo "test.sh: package install incomplete (status $status); every tool is present, going on" >&2
fi
# shellcheck disable=SC2086
./scripts/install-packages.sh $optional ||
    echo "test.sh: some optional packages are not installed (see above); their tests skip" >&2

if [ -d build/meson-private ]; then
    meson setup --reconfigure build
else
    meson setup build
fi
meson compile -C build
exec meson test -C build --print-errorlogs "$@"
