// compare: every number of one run, as the reference analyzer prints it
// (refan -selfmap, JSON) and as wcprof computes it (compare.sh's queries,
// a stream of JSON arrays), compared one by one. Standard library only:
// run it with `go run compare.go REF.json WCPROF.json`.
//
// Prints each difference (up to -max of them) and, last, one line:
// "numbers N differences D". Exit status 0 with no differences, 1 with some,
// 2 when an input cannot be read.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

type row = map[string]any

var (
	numbers, differences int
	maxShown             = flag.Int("max", 20, "differences printed at most")
	label                = flag.String("label", "", "printed before each difference")
)

func differ(what string, want, got any) {
	numbers++
	if fmt.Sprint(want) == fmt.Sprint(got) {
		return
	}
	differences++
	if differences <= *maxShown {
		fmt.Printf("%s%s: reference %v, wcprof %v\n", *label, what, want, got)
	}
}

// num renders a JSON number (float64 or json.Number) as an integer string.
func num(v any) string {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case nil:
		return "(none)"
	default:
		return fmt.Sprint(x)
	}
}

func main() {
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: compare [-max N] [-label S] REF.json WCPROF.json")
		os.Exit(2)
	}
	ref := map[string]any{}
	if err := decodeFile(flag.Arg(0), func(d *json.Decoder) error { return d.Decode(&ref) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// runs, replay_summary, ops, class_stats, whatif_rank, blocking_chain,
	// dead_air, the work types of the classes that have several: each
	// result followed by a separator row {"sep": 1}, since an empty result
	// prints nothing
	var res [][]row
	err := decodeFile(flag.Arg(1), func(d *json.Decoder) error {
		var cur []row
		for {
			var r []row
			if err := d.Decode(&r); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if len(r) == 1 && r[0]["sep"] != nil {
				res = append(res, cur)
				cur = nil
				continue
			}
			cur = append(cur, r...)
		}
	})
	if err == nil && len(res) != 8 {
		err = fmt.Errorf("%s: %d results, want 8", flag.Arg(1), len(res))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	one := func(r []row) row {
		if len(r) == 1 {
			return r[0]
		}
		return row{}
	}

	// summary
	run, sum := one(res[0]), one(res[1])
	for _, p := range [][2]string{{"ops", "ops"}, {"roots", "roots"}, {"open_ops", "open_ops"},
		{"orphan_waits", "orphan_waits"}, {"dropped_events", "dropped_events"},
		{"reparented_ops", "reparented_ops"}, {"actual_makespan_ns", "makespan_ns"}} {
		differ(p[0], num(ref[p[0]]), num(run[p[1]]))
	}
	for _, p := range [][2]string{{"baseline_makespan_ns", "baseline_ns"},
		{"baseline_cycle_warnings", "cycles_broken"}, {"baseline_fallback_anchors", "fallback_anchors"}} {
		differ(p[0], num(ref[p[0]]), num(sum[p[1]]))
	}

	// self time per op
	self, _ := ref["self_ns_by_op"].(map[string]any)
	seen := map[string]bool{}
	for _, r := range res[2] {
		id := num(r["id"])
		seen[id] = true
		differ("self_ns of op "+id, num(self[id]), num(r["self_ns"]))
	}
	for _, id := range sortedKeys(self) {
		if !seen[id] {
			differ("self_ns of op "+id, num(self[id]), "(no op)")
		}
	}

	// class stats
	classes, _ := ref["classes"].(map[string]any)
	mixed := map[string]map[string]bool{}
	for _, r := range res[7] {
		set := map[string]bool{}
		for _, w := range strings.Split(fmt.Sprint(r["work_types"]), ",") {
			set[w] = true
		}
		mixed[fmt.Sprint(r["class_key"])] = set
	}
	seen = map[string]bool{}
	for _, r := range res[3] {
		key := fmt.Sprint(r["class_key"])
		seen[key] = true
		c, _ := classes[key].(map[string]any)
		if c == nil {
			differ("class "+key, "(none)", "present")
			continue
		}
		for _, col := range []string{"count", "total_self_ns", "total_wall_ns", "p50_self_ns",
			"p95_self_ns", "max_self_ns", "dup_executed"} {
			differ(key+" "+col, num(c[col]), num(r[col]))
		}
		// a class whose ops have several work types: the reference takes the
		// first op's in its map order (random); the spec fixes the most
		// common one (ties: alphabetical), so any of them is the reference's
		if mixed[key] != nil && mixed[key][fmt.Sprint(c["work_type"])] {
			numbers++ // compared: the reference's is one of the class's
		} else {
			differ(key+" work_type", c["work_type"], r["work_type"])
		}
		var oc map[string]any
		if s, ok := r["outcomes"].(string); ok {
			_ = json.Unmarshal([]byte(s), &oc)
		}
		want, _ := c["outcomes"].(map[string]any)
		for _, o := range sortedKeys(want) {
			differ(key+" outcome "+strconv.Quote(o), num(want[o]), num(oc[o]))
		}
		for _, o := range sortedKeys(oc) {
			if _, ok := want[o]; !ok {
				differ(key+" outcome "+strconv.Quote(o), "(none)", num(oc[o]))
			}
		}
	}
	for _, key := range sortedKeys(classes) {
		if !seen[key] {
			differ("class "+key, "present", "(none)")
		}
	}

	// what-if savings: the classes the reference ranks (it caps them at 200)
	got := map[string]string{}
	for _, r := range res[4] {
		f, _ := strconv.ParseFloat(num(r["factor"]), 64)
		got[fmt.Sprint(r["class_key"])+"@"+strconv.FormatFloat(f, 'g', -1, 64)] = num(r["saved_ns"])
	}
	whatifs, _ := ref["whatifs"].(map[string]any)
	for _, key := range sortedKeys(whatifs) {
		fs, _ := whatifs[key].(map[string]any)
		for _, f := range sortedKeys(fs) {
			g, ok := got[key+"@"+f]
			if !ok {
				g = "(not ranked)"
			}
			differ("saved_ns of "+key+" at "+f, num(fs[f]), g)
		}
	}

	// blocking chain, dead air
	chain, _ := ref["blocking_chain"].([]any)
	for k := 0; k < len(chain) || k < len(res[5]); k++ {
		var w, g any = "(end)", "(end)"
		if k < len(chain) {
			w = num(chain[k])
		}
		if k < len(res[5]) {
			g = num(res[5][k]["op_id"])
		}
		differ(fmt.Sprintf("blocking_chain[%d]", k), w, g)
	}
	air, _ := ref["dead_air"].([]any)
	for k := 0; k < len(air) || k < len(res[6]); k++ {
		var w, g any = "(none)", "(none)"
		if k < len(air) {
			if a, ok := air[k].([]any); ok && len(a) == 2 {
				w = num(a[0]) + "-" + num(a[1])
			}
		}
		if k < len(res[6]) {
			g = num(res[6][k]["start_ns"]) + "-" + num(res[6][k]["end_ns"])
		}
		differ(fmt.Sprintf("dead_air[%d]", k), w, g)
	}

	fmt.Printf("numbers %d differences %d\n", numbers, differences)
	if differences > 0 {
		os.Exit(1)
	}
}

func decodeFile(path string, f func(*json.Decoder) error) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	d := json.NewDecoder(fh)
	d.UseNumber()
	if err := f(d); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
