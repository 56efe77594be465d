#!/bin/sh
# readme_examples.sh - runs the README's shell examples as written, on the
# database they name.
#
#   readme_examples.sh SOURCE_DIR BIN_DIR LIB_DIR
#
# Every command of a ```sh block of README.md that starts with
# build/bin/wcprof... or sqlite3 and names run.db runs in a fresh folder
# laid out as the README assumes (build/bin, build/lib, db/reports, and
# run.db ingested from run.dump, here samples/sample.dump); a line ending
# in \ goes on, a "  # ..." comment is dropped. It must exit 0. Commands
# on other databases (big.db: a clang trace the repository does not ship)
# and pipes into tools that are not installed are listed as skipped. The
# ```python example runs too.
# $WCPROF_SQLITE3_PRELOAD (sanitizer builds): the runtime sqlite3 and python
# need preloaded to load the sanitized module.
set -u
src=$1
bin=$2
lib=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wcprof-readme.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/build/bin" "$tmp/build/lib"
for f in "$bin"/*; do ln -s "$f" "$tmp/build/bin/"; done
ln -s "$lib/wcprof.so" "$tmp/build/lib/wcprof.so"
ln -s "$src/db" "$tmp/db"
cp "$src/samples/sample.dump" "$tmp/run.dump"
cd "$tmp" || exit 1

# the commands, one a line (continuations joined)
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0; next }
     on { line = cur $0; if (line ~ /\\$/) { sub(/\\$/, "", line); cur = line; next }
          cur = ""; print line }' "$src/README.md" |
    grep -E '^(build/bin/wcprof|sqlite3 )' | sed 's/  *# .*$//' >commands

fail=0 ran=0
while IFS= read -r cmd; do
    case "$cmd" in
    *run.db* | *run.dump*) ;;
    *) echo "skipped (another database): $cmd"; continue ;;
    esac
    case "$cmd" in
    *"| "*)
        tool=$(printf '%s\n' "$cmd" | sed 's/.*| *\([^ ]*\).*/\1/')
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "skipped ($tool is not installed): $cmd"
            continue
        fi ;;
    esac
    ran=$((ran + 1))
    case "$cmd" in
    sqlite3*) pre=${WCPROF_SQLITE3_PRELOAD:-} ;;
    *) pre= ;;
    esac
    if ! LD_PRELOAD=$pre ASAN_OPTIONS=${pre:+detect_leaks=0} sh -c "$cmd" >out 2>err </dev/null; then
        echo "FAILED: $cmd"
        cat out err
        fail=1
    fi
done <commands
# the Python example, with whichever python3 there is (it works with and
# without enable_load_extension)
awk '/^```python$/ { on = 1; next } /^```/ { on = 0; next } on' "$src/README.md" >example.py
if [ -s example.py ] && command -v python3 >/dev/null 2>&1; then
    ran=$((ran + 1))
    pre=${WCPROF_SQLITE3_PRELOAD:-}
    if ! LD_PRELOAD=$pre ASAN_OPTIONS=${pre:+detect_leaks=0} python3 example.py >out 2>err ||
        ! grep -q "call_exec:Container.from" out; then
        echo "FAILED: the Python example"
        cat out err
        fail=1
    fi
fi
echo "$ran README examples ran"
[ "$ran" -gt 10 ] || { echo "too few examples found"; fail=1; }
exit $fail
