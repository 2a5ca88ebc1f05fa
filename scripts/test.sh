#!/bin/sh
# Installs what is missing (Debian 12, as root), builds, and runs the whole
# test suite.  Extra arguments go to `meson test` (for example a test name).
# Exit status: that of `meson test`, or 1 when a check named in GC_CHECKS
# (see the end) fails.
set -eu

cd "$(dirname "$0")/.."

# Packages the build and the suites need, and those some suites use when
# present (the real servers of the process-shape suites, valgrind for
# `meson test --setup valgrind`, clang's libFuzzer for the fuzz targets);
# tests whose package is missing skip and say so.
# scripts/install-packages.sh installs only what is missing and never
# removes a package, starts a daemon or leaves a new service enabled.
required="meson ninja-build bats gcc libc6-dev strace python3 iproute2 procps"
optional="openbsd-inetd busybox micro-httpd ucspi-tcp socat valgrind clang libclang-rt-14-dev vsftpd redis-server memcached nginx-light lighttpd python3-aiosmtpd liburing-dev pkg-config"
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

# configure DIR [OPTION...]: meson setup, or --reconfigure when DIR exists.
configure() {
    dir=$1
    shift
    if [ -d "$dir/meson-private" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
    meson compile -C "$dir"
}

configure build
status=0
meson test -C build --print-errorlogs "$@" || status=$?

# GC_CHECKS: more runs after the suite, a word list or "all" (CI sets
# "all"): asan, ubsan (the suite with the library built with that
# sanitizer, each in its own build directory), valgrind (memcheck.bats),
# fuzz (scripts/fuzz.sh, GC_FUZZ_SECONDS per target, default 20).
# GC_SAN_TESTS: the asan and ubsan runs take only these tests (names as
# `meson test --list` shows them), with the sanitizer report checks.
checks=${GC_CHECKS:-}
san_tests=
if [ -n "${GC_SAN_TESTS:-}" ]; then
    san_tests="sanitizer-reset sanitizer-probe $GC_SAN_TESTS sanitizer-check"
fi
[ "$checks" = all ] && checks="asan ubsan valgrind fuzz"
for check in $checks; do
    start=$(date +%s)
    rc=0
    # shellcheck disable=SC2086 # $san_tests is a word list
    case $check in
    asan)
        configure build-asan -Dsanitize=address &&
            meson test -C build-asan --setup asan --print-errorlogs $san_tests || rc=$? ;;
    ubsan)
        configure build-ubsan -Dsanitize=undefined &&
            meson test -C build-ubsan --setup ubsan --print-errorlogs $san_tests || rc=$? ;;
    valgrind)
        meson test -C build --setup valgrind --print-errorlogs || rc=$? ;;
    fuzz)
        ./scripts/fuzz.sh "${GC_FUZZ_SECONDS:-20}" || rc=$?
        # 77: clang or libFuzzer missing; said above, not a failure.
        [ "$rc" -eq 77 ] && rc=0 ;;
    *)
        echo "test.sh: unknown check '$check' in GC_CHECKS" >&2
        rc=2 ;;
    esac
    echo "test.sh: check $check: status $rc in $(($(date +%s) - start)) s"
    [ "$rc" -eq 0 ] || status=1
done
exit "$status"
