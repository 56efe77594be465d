#!/bin/sh
# install_test.sh - wcprof installed as a library is installed: one step of
# three, each a ctest test (tests/install/CMakeLists.txt):
#
#   tree          `cmake --install BUILD --prefix WORK/prefix`, then every
#                 file a user needs is there (the programs and nothing else
#                 in bin/, libwcprof.a, libwcprof.so with its SONAME,
#                 wcprof.h, the SQLite module, the reports, the CMake
#                 package, wcprof.pc); libwcprof.so exports only what
#                 wcprof.h declares, the module only its entry point
#   find_package  app/, a project of its own, configured against the prefix:
#                 find_package(wcprof), wcprof::wcprof and wcprof::wcprof_static
#   pkg_config    app/main.c compiled with `pkg-config wcprof`, linked shared,
#                 and static (-lwcprof as -l:libwcprof.a, --static for the rest)
#
# Each program built runs with WCPROF=1, and the installed wcprof-ingest
# must load its dump: 6 ops, 3 waits. The static programs must not need
# libwcprof.so, the shared ones must.
#
# usage: install_test.sh STEP BUILD_DIR WORK_DIR SOURCE_DIR CC "CFLAGS" "LDFLAGS"
# with LIBDIR, BINDIR, INCLUDEDIR and DATADIR (the install's relative
# directories) in the environment. CFLAGS and LDFLAGS are those the tree was
# built with (sanitizers, say), so that its libraries link.
set -eu
step=$1 build=$2 work=$3 src=$4 cc=$5 cflags=$6 ldflags=$7
prefix=$work/prefix
lib=$prefix/$LIBDIR

fail() { echo "FAIL: $*"; exit 1; }

# run_app NAME PROGRAM: records, ingests with the installed wcprof-ingest,
# and checks what arrived.
run_app() {
    rm -f "$work/$1.dump" "$work/$1.db"
    WCPROF=1 WCPROF_OUT="$work/$1.dump" "$2" || fail "$1 exited with status $? (recording off?)"
    [ -s "$work/$1.dump" ] || fail "$1 wrote no dump"
    "$prefix/$BINDIR/wcprof-ingest" -q -o "$work/$1.db" "$work/$1.dump" || fail "$1's dump was refused"
    got=$("$prefix/$BINDIR/wcprof" -list "$work/$1.db" \
          "SELECT (SELECT count(*) FROM ops) || ' ops, ' || (SELECT count(*) FROM waits) || ' waits'")
    [ "$got" = "6 ops, 3 waits" ] || fail "$1's dump holds $got, want 6 ops, 3 waits"
    echo "ok: $1: $got"
}

# linked NAME PROGRAM yes|no: whether PROGRAM needs libwcprof.so.
linked() {
    if readelf -d "$2" | grep -q 'NEEDED.*\[libwcprof\.so'; then has=yes; else has=no; fi
    [ "$has" = "$3" ] || fail "$1: needs libwcprof.so: $has, want $3"
}

case "$step" in
tree)
    rm -rf "$prefix"
    mkdir -p "$work"
    cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
    for f in "$BINDIR/wcprof" "$BINDIR/wcprof-ingest" "$INCLUDEDIR/wcprof.h" \
             "$LIBDIR/libwcprof.a" "$LIBDIR/libwcprof.so" "$LIBDIR/libwcprof.so.0" \
             "$LIBDIR/wcprof/wcprof.so" "$DATADIR/wcprof/reports/summary.sql" \
             "$LIBDIR/cmake/wcprof/wcprofConfig.cmake" "$LIBDIR/cmake/wcprof/wcprofConfigVersion.cmake" \
             "$LIBDIR/pkgconfig/wcprof.pc"; do
        [ -e "$prefix/$f" ] || fail "not installed: $f"
    done
    progs=$(ls "$prefix/$BINDIR" | tr '\n' ' ')
    [ "$progs" = "wcprof wcprof-ingest " ] || fail "$BINDIR/ holds: $progs(want wcprof wcprof-ingest)"
    soname=$(readelf -d "$lib/libwcprof.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
    [ "$soname" = libwcprof.so.0 ] || fail "SONAME is '$soname', want libwcprof.so.0"
    # Every symbol libwcprof.so defines for others is named in wcprof.h.
    nm -D --defined-only "$lib/libwcprof.so" | awk '{print $3}' >"$work/exported"
    [ -s "$work/exported" ] || fail "libwcprof.so exports nothing"
    while read -r sym; do
        grep -qw -- "$sym" "$prefix/$INCLUDEDIR/wcprof.h" || fail "libwcprof.so exports $sym, which wcprof.h does not declare"
    done <"$work/exported"
    # The SQLite module exports its entry point alone.
    module=$(nm -D --defined-only "$lib/wcprof/wcprof.so" | awk '{print $3}' | tr '\n' ' ')
    case "$module" in
    "sqlite3_wcprof_init "|"sqlite3_extension_init sqlite3_wcprof_init ") ;;
    *) fail "the module exports: $module(want sqlite3_wcprof_init alone)" ;;
    esac
    echo "ok: installed in $prefix; libwcprof.so ($soname) exports $(wc -l <"$work/exported") symbols, all from wcprof.h; the module exports $module" ;;
find_package)
    rm -rf "$work/cmake-app"
    cmake -S "$src/app" -B "$work/cmake-app" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
          -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >"$work/cmake-app.log" 2>&1 ||
        { cat "$work/cmake-app.log"; fail "find_package(wcprof) project did not configure"; }
    cmake --build "$work/cmake-app" >>"$work/cmake-app.log" 2>&1 || { cat "$work/cmake-app.log"; fail "build"; }
    grep -qx "wcprof_MODULE=$lib/wcprof/wcprof.so" "$work/cmake-app/package-vars.txt" ||
        { cat "$work/cmake-app/package-vars.txt"; fail "wcprof_MODULE"; }
    linked cmake-shared "$work/cmake-app/app_shared" yes
    linked cmake-static "$work/cmake-app/app_static" no
    run_app cmake-shared "$work/cmake-app/app_shared"
    run_app cmake-static "$work/cmake-app/app_static" ;;
pkg_config)
    export PKG_CONFIG_PATH="$lib/pkgconfig"
    case " $(pkg-config --static --libs wcprof) " in
    *" -lpthread "*) ;;
    *) fail "pkg-config --static --libs wcprof lacks -lpthread: $(pkg-config --static --libs wcprof)" ;;
    esac
    libdir=$(pkg-config --variable=libdir wcprof)
    # shellcheck disable=SC2046,SC2086
    "$cc" $cflags -o "$work/pc-shared" "$src/app/main.c" $(pkg-config --cflags --libs wcprof) \
        -Wl,-rpath,"$libdir" $ldflags || fail "cc with pkg-config wcprof"
    # shellcheck disable=SC2046,SC2086
    "$cc" $cflags -o "$work/pc-static" "$src/app/main.c" $(pkg-config --cflags wcprof) \
        $(pkg-config --static --libs wcprof | sed 's/-lwcprof\b/-l:libwcprof.a/') $ldflags ||
        fail "cc with pkg-config --static wcprof"
    linked pc-shared "$work/pc-shared" yes
    linked pc-static "$work/pc-static" no
    run_app pc-shared "$work/pc-shared"
    run_app pc-static "$work/pc-static" ;;
*)
    echo "usage: install_test.sh tree|find_package|pkg_config BUILD WORK SRC CC CFLAGS LDFLAGS" >&2
    exit 2 ;;
esac
