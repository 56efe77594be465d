#!/bin/sh
# build.sh - install what wcprof needs on Debian, build it, and run it.
#
#   ./build.sh demo    ingest the bundled sample dump and print its report
#   ./build.sh test    build and run every test (ctest)
#   ./build.sh asan    the same tests built with AddressSanitizer + UBSan
#   ./build.sh tsan    the recorder's concurrency tests under ThreadSanitizer
#   ./build.sh deps    only install the Debian packages (those to build)
#
# test and asan also install TEST_PKGS: Chromium, which renders the html
# export's page in tests/html, clang, whose -ftime-trace output the Chrome
# import test reads, and clang-format, which checks the code style (those
# tests are skipped where they are missing).
#
# Build trees: build/ (release with debug info), build-asan/, build-tsan/.
# Set WCPROF_WERROR=1 to turn warnings into errors (CI does).
set -eu
cd "$(dirname "$0")"

PKGS="gcc make cmake pkg-config sqlite3 libsqlite3-dev libjansson-dev libreadline-dev libcmocka-dev"
TEST_PKGS="chromium clang clang-format"
JOBS=$(nproc 2>/dev/null || echo 2)

# deps [EXTRA PACKAGES...]: installs what is missing of PKGS and the extras.
deps() {
    missing=""
    for p in $PKGS "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "build.sh: installing Debian packages:$missing" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# configure_build DIR [CMAKE ARGS...]
configure_build() {
    dir=$1; shift
    werror=OFF
    [ -n "${WCPROF_WERROR:-}" ] && werror=ON
    cmake -S . -B "$dir" -DWCPROF_WERROR=$werror "$@" >/dev/null
    cmake --build "$dir" -j "$JOBS"
}

cmd=${1:-}
case "$cmd" in
deps)
    deps ;;
demo)
    deps
    configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    rm -f build/sample.db
    build/bin/wcprof-ingest -q -o build/sample.db samples/sample.dump
    build/bin/wcprof build/sample.db .report ;;
test)
    deps $TEST_PKGS
    configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ctest --test-dir build --output-on-failure -j "$JOBS" ;;
asan)
    deps $TEST_PKGS
    configure_build build-asan -DCMAKE_BUILD_TYPE=Debug -DWCPROF_SANITIZE=address,undefined
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --test-dir build-asan --output-on-failure -j "$JOBS" ;;
tsan)
    deps
    configure_build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWCPROF_SANITIZE=thread
    TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -j "$JOBS" -L tsan ;;
*)
    echo "usage: ./build.sh demo|test|asan|tsan|deps" >&2
    exit 2 ;;
esac
