#!/bin/sh
# style.sh - every C file of the repository is as .clang-format says: one
# code style. Names the files that are not, and how to fix them.
#
#   style.sh REPO CLANG_FORMAT
set -eu
repo=$1 cf=$2
cd "$repo"
files=$(git ls-files '*.c' '*.h' '*.cc' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
if ! out=$("$cf" --dry-run --Werror $files 2>&1); then
    bad=$(printf '%s\n' "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error:.*/\1/p' | sort -u | tr '\n' ' ')
    echo "not formatted as .clang-format says: $bad"
    echo "fix: clang-format -i $bad"
    exit 1
fi
