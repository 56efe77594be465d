#!/bin/sh
# links.sh - every link of every Markdown file in the tree works in a clone
# with nothing beside it: each relative link `[text](path)` or
# `[text](path#anchor)` names a file or folder that exists, and each
# anchor (`#anchor`, alone or after a .md path) names a heading of that
# file, spelt as GitHub makes anchors. A link out of the repository
# (a path climbing above its root) is broken even where that file exists. Links with a scheme (https:,
# mailto:) are not followed. Code (fenced blocks, `spans`) is not read.
#
# usage: links.sh [ROOT]       (default: the current folder)
# Prints one line per broken link, FILE:LINE: target: why; exits 1 if any.
set -eu
cd "${1:-.}"
export LC_ALL=C
root=$(pwd -P)

# The Markdown files: those git knows (tracked or not ignored), else every
# one outside .git and the build trees.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files -co --exclude-standard -- '*.md')
else
    files=$(find . \( -name .git -o -name 'build*' \) -prune -o -name '*.md' -print | sed 's|^\./||')
fi

# links FILE...: "FILE<TAB>LINE<TAB>TARGET" for every link outside code.
links() {
    awk '
    FNR == 1 { fence = 0 }
    /^[ \t]*(```|~~~)/ { fence = !fence; next }
    fence { next }
    {
        line = $0
        gsub(/`[^`]*`/, "", line)
        while (match(line, /\]\([^)]*\)/)) {
            t = substr(line, RSTART + 2, RLENGTH - 3)
            line = substr(line, RSTART + RLENGTH)
            sub(/^</, "", t); sub(/>$/, "", t); sub(/[ \t].*$/, "", t)
            printf "%s\t%d\t%s\n", FILENAME, FNR, t
        }
    }' "$@"
}

# anchors FILE: the anchors of FILE'\''s headings, one a line, as GitHub
# makes them (lower case, punctuation dropped, spaces to hyphens; a
# repeated heading gets -1, -2, ...).
anchors() {
    awk '
    /^[ \t]*(```|~~~)/ { fence = !fence; next }
    fence || !/^#+[ \t]/ { next }
    {
        a = tolower($0)
        sub(/^#+[ \t]+/, "", a); sub(/[ \t]+#*[ \t]*$/, "", a)
        gsub(/\342\200[\223\224]/, "", a)          # en and em dashes
        gsub(/[^a-z0-9 _\200-\377-]/, "", a)
        gsub(/ /, "-", a)
        if (a in seen) print a "-" seen[a]++; else { print a; seen[a] = 1 }
    }' "$1"
}

bad=0
tab=$(printf '\t')
# shellcheck disable=SC2086
links $files >"${TMPDIR:-/tmp}/wcprof-links.$$"
trap 'rm -f "${TMPDIR:-/tmp}/wcprof-links.$$"' EXIT
n=0
while IFS=$tab read -r file line target; do
    n=$((n + 1))
    case "$target" in
    *:*) continue ;;                         # https:, mailto:, ...
    esac
    path=${target%%#*}
    anchor=
    case "$target" in *"#"*) anchor=${target#*#} ;; esac
    if [ -z "$path" ]; then
        dest=$file
    else
        case "$file" in */*) dest=${file%/*}/$path ;; *) dest=$path ;; esac
        case "$path" in
        /* | *..*)
            case "$(realpath -m -- "$dest")/" in
            "$root"/*) ;;
            *) echo "$file:$line: $target: outside the repository"; bad=$((bad + 1)); continue ;;
            esac ;;
        esac
        if [ ! -e "$dest" ]; then
            echo "$file:$line: $target: no such file"; bad=$((bad + 1)); continue
        fi
    fi
    if [ -n "$anchor" ]; then
        case "$dest" in
        *.md)
            if ! anchors "$dest" | grep -qxF -- "$anchor"; then
                echo "$file:$line: $target: no heading with that anchor in $dest"; bad=$((bad + 1))
            fi ;;
        esac
    fi
done <"${TMPDIR:-/tmp}/wcprof-links.$$"
if [ "$bad" -ne 0 ]; then
    echo "$bad broken links (of $n)"; exit 1
fi
echo "ok: $n links in $(echo "$files" | wc -l) Markdown files"
