// Prints golden values for test/impulse/names.test.ts from the operator's own identity packages
// (bobrapet v0.1.13, core v0.1.6). Run: cd test/impulse/golden && GOFLAGS=-mod=mod go run . > golden.json
package main

import (
	"encoding/json"
	"os"
	"strings"

	runsidentity "github.com/bubustack/bobrapet/pkg/runs/identity"
	coreidentity "github.com/bubustack/core/runtime/identity"
)

func main() {
	long := strings.Repeat("a", 250)
	type trig struct{ Ns, Story, Key, Sub, Out string }
	type run struct{ Ns, Story, Token, Out string }
	type label struct{ In, Out string }
	type hash struct{ In, Out string }
	out := map[string]any{}
	var ts []trig
	for _, c := range [][4]string{
		{"default", "orders", "", "9b2f0a3e-1c1d-4f5e-8a7b-0c9d8e7f6a5b"},
		{"prod", "orders", "tok-1", "tok-1"},
		{"", "orders", "abc", "abc"},
		{"ns", long, "k", "k"},
		{"ns", strings.Repeat("b-", 130), "k", "k"},
		{"ns", "s", "", ""},
	} {
		ts = append(ts, trig{c[0], c[1], c[2], c[3], runsidentity.DeriveStoryTriggerName(c[0], c[1], c[2], c[3])})
	}
	out["triggerNames"] = ts
	var rs []run
	for _, c := range [][3]string{
		{"", "orders", "abc"},
		{"", "orders", "ABC_def"},
		{"prod", "orders", "abc"},
		{"prod", "orders", "!!!"},
		{"", "orders", "--a--b--"},
		{"ns", long, "tok"},
	} {
		rs = append(rs, run{c[0], c[1], c[2], runsidentity.DeriveStoryRunName(c[0], c[1], c[2])})
	}
	out["storyRunNames"] = rs
	var ls []label
	for _, in := range []string{"Simple", "  My Step_1.x  ", "", "___", "İstanbul-K\u212Aelvin", strings.Repeat("x", 70), "a." + strings.Repeat("y", 80), "日本語-run"} {
		ls = append(ls, label{in, coreidentity.SafeLabelValue(in)})
	}
	out["labels"] = ls
	var hs []hash
	for _, in := range []string{`{}`, ``, `{"b":1,"a":"<x&y>"}`, `{"n":1.5e300,"m":0.000001,"k":1e21,"s":"\u2028"}`, `{"a":[1,2,{"z":null,"y":true}]}`} {
		h, err := runsidentity.ComputeTriggerInputHash([]byte(in))
		if err != nil {
			panic(err)
		}
		hs = append(hs, hash{in, h})
	}
	out["inputHashes"] = hs
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(out)
}
