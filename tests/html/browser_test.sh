#!/bin/sh
# browser_test.sh - the html export's page rendered by headless Chromium.
#
#   browser_test.sh INGEST WCPROF DUMP WORK [OPTIONS [layout]]
#
# Writes DUMP's page (wcprof_export('html', FILE, OPTIONS)), has Chromium
# run it and dump the DOM, and checks what the script drew: one bar per op
# of the data (ops_shown), one critical-path segment per entry, the
# ranking's first class in the timeline's legend, and no element injected
# by the run's strings. Then, with a few lines of script added to a copy of
# the page, that the mouse wheel and the buttons zoom and Reset restores
# the view; and, with "layout", that the page reads at 1400 and at 800 px (a laptop's
# half-screen): nothing wider than the window, every table fits its
# section (the speed-up curves whole), and no class key broken inside one
# of its parts (it may break only after its ':', '.', '/'). Screenshots of
# both widths are left in WORK (NAME-1400.png, NAME-800.png).
#
# Exit status 77 (ctest: skipped) when there is no Chromium: set CHROMIUM,
# or install Debian's chromium package (./build.sh test does).
set -eu
ingest=$1 wcprof=$2 dump=$3 work=$4
opts=${5:-}
layout=${6:-}

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
    done
fi
if [ -z "$browser" ]; then
    echo "SKIPPED: no chromium (apt-get install chromium, or set CHROMIUM)"
    exit 77
fi

name=browser-$(basename "$dump" .dump)${opts:+-$(printf %s "$opts" | tr -c 'a-z0-9' _)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
db=$work/$name.db page=$work/$name.html dom=$work/$name.dom.html
rm -rf "$db" "$page" "$dom" "$work/$name.profile"
"$ingest" -q -o "$db" "$dump" 2>/dev/null
"$wcprof" "$db" "SELECT wcprof_export('html', '$page', '$opts')" >/dev/null

fail() { echo "FAIL: $*"; exit 1; }
# DUMP-DOM PAGE OUT [WIDTH]: the DOM after the page's scripts ran (5 s of
# virtual time) in a window WIDTH px wide (default 1400).
dump_dom() {
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --run-all-compositor-stages-before-draw --user-data-dir="$work/$name.profile" \
        --window-size="${3:-1400},1000" --hide-scrollbars \
        --virtual-time-budget=5000 --dump-dom "file://$1" >"$2" 2>"$2.stderr" ||
        { st=$?; cat "$2.stderr"; fail "$browser exited with $st"; }
}
# SHOT PAGE PNG WIDTH: a screenshot of the page's first 2400 px.
shot() {
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$work/$name.profile" --window-size="$3,2400" \
        --hide-scrollbars --virtual-time-budget=5000 --screenshot="$2" "file://$1" \
        >/dev/null 2>&1 || fail "$browser could not take $2"
}
# Text as the DOM serializer writes it in a text node.
esc() { printf %s "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }
# The integer value of "KEY": in the page's data.
datum() { grep -o "\"$1\":[0-9]*" "$page" | head -n 1 | cut -d: -f2; }

dump_dom "$page" "$dom"
shown=$(datum ops_shown) path=$(datum path_shown)
bars=$(grep -o '<rect class="op[ "]' "$dom" | wc -l)
segs=$(grep -o '<rect class="cp [a-z]*"' "$dom" | wc -l)
[ "$bars" -eq "$shown" ] || fail "$bars bars drawn, the data has $shown ops to show"
[ "$segs" -eq "$path" ] || fail "$segs critical-path segments drawn, the data has $path"
grep -q "<div id=\"tl\"[^>]* data-ops=\"$shown\"" "$dom" || fail "the timeline has no data-ops=\"$shown\""
top=$("$wcprof" -list "$db" \
    "SELECT class_key FROM whatif_rank('[0,0.25,0.5,0.75,0.9]', 0) WHERE rank = 1 LIMIT 1")
grep -o '<div id="tl-legend".*' "$dom" | grep -qF "$(esc "$top")" ||
    fail "the timeline's legend does not show the top class $top"
if grep -qiE '<(b|img|iframe)[ >]' "$dom"; then
    fail "an element came from the data: $(grep -oiE '<(b|img|iframe)[ >][^<]*' "$dom" | head -n 3)"
fi

# Zoom and Reset, driven by a script appended to a copy of the page.
zpage=$work/$name.zoom.html zdom=$work/$name.zoom.dom.html
cp "$page" "$zpage"
cat >>"$zpage" <<'EOF'
<script>
window.addEventListener('load', function () {
  var tl = document.getElementById('tl'), log = [];
  function span() { var v = tl.getAttribute('data-view').split(' '); return v[1] - v[0]; }
  function bar() {   // what is drawn: the axis's labels, the bars' places
    var t = [].map.call(tl.querySelectorAll('.tick text'), function (e) { return e.textContent; });
    var b = [].map.call(tl.querySelectorAll('rect.op'), function (e) {
      return e.getAttribute('display') || e.getAttribute('x') + '+' + e.getAttribute('width');
    });
    return t.join(',') + '|' + b.join(',');
  }
  function step(fns) {
    if (!fns.length) {
      var p = document.createElement('pre');
      p.id = 'zoom-check';
      p.textContent = log.join(' ');
      document.body.appendChild(p);
      return;
    }
    fns[0]();
    setTimeout(function () { step(fns.slice(1)); }, 200);
  }
  var r = tl.getBoundingClientRect(), initial = span(), first = bar(), before;
  step([
    function () {
      tl.dispatchEvent(new WheelEvent('wheel', { deltaY: -400, clientX: r.left + r.width / 3,
        clientY: r.top + 40, bubbles: true, cancelable: true }));
    },
    function () {
      log.push('wheel=' + (span() < initial ? 'in' : 'no'));
      before = span();
      document.getElementById('tl-in').click();
      log.push('button=' + (span() < before ? 'in' : 'no') + (bar() !== first ? ',moved' : ',still'));
      document.getElementById('tl-reset').click();
      log.push('reset=' + (span() === initial ? 'back' : 'no') + (bar() === first ? ',back' : ',moved'));
    }
  ]);
});
</script>
EOF
dump_dom "$zpage" "$zdom"
got=$(grep -o '<pre id="zoom-check">[^<]*' "$zdom" | sed 's/.*>//')
[ "$got" = "wheel=in button=in,moved reset=back,back" ] ||
    fail "zoom: expected the wheel and the button to zoom in and Reset to restore the view, got: $got"

if [ "$layout" != layout ]; then
    echo "ok: $bars bars, $segs critical-path segments, top class $top in the legend; $got"
    exit 0
fi

# The layout at 1400 and 800 px, measured in the page by a script.
lpage=$work/$name.layout.html
cp "$page" "$lpage"
cat >>"$lpage" <<'EOF'
<script>
window.addEventListener('load', function () {
  var bad = [], W = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > W)
    bad.push('page ' + document.documentElement.scrollWidth + ' px wide in ' + W);
  [].forEach.call(document.querySelectorAll('.scroll'), function (s) {
    if (s.scrollWidth > s.clientWidth + 1)
      bad.push(s.firstChild.id + ' table ' + s.scrollWidth + ' px wide in ' + s.clientWidth);
  });
  [].forEach.call(document.querySelectorAll('svg.curve'), function (c) {
    var r = c.getBoundingClientRect(), s = c.closest('.scroll').getBoundingClientRect();
    if (r.right > s.right + 1 || r.left < s.left - 1) bad.push('a curve cut at ' + s.right);
  });
  // each part of a key (a text node between <wbr>s) on one line
  [].forEach.call(document.querySelectorAll('td.key'), function (td) {
    var walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), t;
    while ((t = walk.nextNode())) {
      var rg = document.createRange(), tops = {};
      rg.selectNodeContents(t);
      [].forEach.call(rg.getClientRects(), function (q) {
        if (q.width > 0) tops[Math.round(q.top)] = 1;
      });
      if (Object.keys(tops).length > 1) bad.push('"' + t.data + '" broken in ' + td.textContent);
    }
  });
  var p = document.createElement('pre');
  p.id = 'layout-check';
  p.textContent = bad.length ? bad.slice(0, 5).join('; ') : 'fits';
  document.body.appendChild(p);
});
</script>
EOF
for w in 1400 800; do
    dump_dom "$lpage" "$work/$name.layout-$w.dom.html" "$w"
    lay=$(grep -o '<pre id="layout-check">[^<]*' "$work/$name.layout-$w.dom.html" | sed 's/.*>//')
    [ "$lay" = "fits" ] || fail "at $w px: $lay"
    shot "$page" "$work/$name-$w.png" "$w"
done

echo "ok: $bars bars, $segs critical-path segments, top class $top in the legend; $got; fits 1400 and 800 px"
