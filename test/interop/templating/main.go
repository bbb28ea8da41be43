// Command templating-golden evaluates template cases with the real BubuStack engines
// (github.com/bubustack/core/templating and github.com/bubustack/bubu-sdk-go/cel) and prints one
// JSON result per case. It is the reference the TypeScript engine in src/templating/ is compared with.
//
// Usage:
//
//	go run . < cases.json          # a JSON array of cases on stdin, a JSON array of results on stdout
//	go run . -lines                 # JSON-lines protocol: one case per input line, one result per line
//
// A case: {"name", "op", "value", "vars", "timeoutMs", "maxOutputBytes", "maxInputBytes", "deterministic"}.
// op is "resolve" (core Evaluator.ResolveValue, the default), "sdk" (the bubu-sdk-go batch glue:
// input-size checks, normalizeCELVars, ResolveValue; re-implemented here because it is unexported),
// "expression", "condition" or "template" (the public bubu-sdk-go cel package).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"time"

	sdkcel "github.com/bubustack/bubu-sdk-go/cel"
	"github.com/bubustack/core/templating"
)

type testCase struct {
	Name           string         `json:"name"`
	Op             string         `json:"op,omitempty"`
	Value          any            `json:"value"`
	Vars           map[string]any `json:"vars"`
	TimeoutMs      int            `json:"timeoutMs,omitempty"`
	MaxOutputBytes *int           `json:"maxOutputBytes,omitempty"`
	MaxInputBytes  int            `json:"maxInputBytes,omitempty"`
	Deterministic  bool           `json:"deterministic,omitempty"`
}

type caseError struct {
	Class   string `json:"class"`
	Message string `json:"message"`
}

type result struct {
	Name  string     `json:"name"`
	Value any        `json:"value"`
	Error *caseError `json:"error,omitempty"`
}

func main() {
	lines := flag.Bool("lines", false, "read and write JSON lines")
	bench := flag.Int("bench", 0, "evaluate the single case on stdin this many times and print templates/s")
	flag.Parse()
	// Dates render in Local: pin it so golden files do not depend on the machine's zone.
	time.Local = time.UTC
	if *lines {
		runLines(os.Stdin, os.Stdout)
		return
	}
	if *bench > 0 {
		runBench(*bench)
		return
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var corpus struct {
		DefaultVars map[string]any `json:"defaultVars"`
		Cases       []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(raw, &corpus); err != nil {
		fail(err)
	}
	out := make([]result, 0, len(corpus.Cases))
	for _, rawCase := range corpus.Cases {
		out = append(out, run(decodeCase(rawCase, corpus.DefaultVars)))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

func runLines(in io.Reader, w io.Writer) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := enc.Encode(run(decodeCase([]byte(line), nil))); err != nil {
			fail(err)
		}
	}
}

// decodeCase reads one case; a case without "vars" uses the corpus default.
func decodeCase(raw []byte, defaultVars map[string]any) testCase {
	var c testCase
	if err := json.Unmarshal(raw, &c); err != nil {
		fail(err)
	}
	var probe map[string]json.RawMessage
	_ = json.Unmarshal(raw, &probe)
	if _, ok := probe["vars"]; !ok {
		c.Vars = defaultVars
	}
	return c
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}

func run(c testCase) (res result) {
	res.Name = c.Name
	defer func() {
		if r := recover(); r != nil {
			res.Value = nil
			res.Error = &caseError{Class: "panic", Message: fmt.Sprint(r)}
		}
	}()
	cfg := templating.Config{
		EvaluationTimeout: 10 * time.Second,
		MaxOutputBytes:    1 << 20,
		Deterministic:     c.Deterministic,
	}
	if c.TimeoutMs > 0 {
		cfg.EvaluationTimeout = time.Duration(c.TimeoutMs) * time.Millisecond
	}
	if c.MaxOutputBytes != nil {
		cfg.MaxOutputBytes = *c.MaxOutputBytes
	}
	ctx := context.Background()
	var value any
	var err error
	switch c.Op {
	case "", "resolve", "sdk":
		eval, e := templating.New(cfg)
		if e != nil {
			fail(e)
		}
		defer eval.Close()
		vars := c.Vars
		if c.Op == "sdk" {
			value, err = sdkResolve(ctx, eval, c, vars)
		} else {
			value, err = eval.ResolveValue(ctx, c.Value, vars)
		}
	case "expression", "condition", "template":
		eval, e := sdkcel.NewEvaluator(nil, cfg)
		if e != nil {
			fail(e)
		}
		defer eval.Close()
		switch c.Op {
		case "expression":
			s, _ := c.Value.(string)
			value, err = eval.EvaluateExpression(ctx, s, c.Vars)
		case "condition":
			s, _ := c.Value.(string)
			value, err = eval.EvaluateCondition(ctx, s, c.Vars)
		default:
			value, err = eval.ResolveTemplate(ctx, c.Value, c.Vars)
		}
	default:
		fail(fmt.Errorf("unknown op %q", c.Op))
	}
	if err != nil {
		return result{Name: c.Name, Error: &caseError{Class: classify(err), Message: err.Error()}}
	}
	// Round-trip through JSON so that Go-only types (int, []string…) print as the wire would see them.
	res.Value = value
	return res
}

// sdkResolve mirrors bubu-sdk-go cel_templates.go resolveTemplates without a storage manager:
// the payload and context size checks, then normalizeCELVars, then ResolveValue.
func sdkResolve(ctx context.Context, eval *templating.Evaluator, c testCase, vars map[string]any) (any, error) {
	if c.Value == nil {
		return nil, nil
	}
	maxInput := c.MaxInputBytes
	if maxInput == 0 {
		maxInput = 8 << 20
	}
	if err := checkSize("payload", c.Value, maxInput); err != nil {
		return nil, err
	}
	normalized := map[string]any{"inputs": map[string]any{}, "steps": map[string]any{}}
	maps.Copy(normalized, vars)
	if normalized["inputs"] == nil {
		normalized["inputs"] = map[string]any{}
	}
	if normalized["steps"] == nil {
		normalized["steps"] = map[string]any{}
	}
	if err := checkSize("context", normalized, maxInput); err != nil {
		return nil, err
	}
	return eval.ResolveValue(ctx, c.Value, normalized)
}

func checkSize(scope string, v any, max int) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("template %s size check failed: %w", scope, err)
	}
	if len(raw) <= max {
		return nil
	}
	return fmt.Errorf("template %s exceeds max input bytes (%d > %d)", scope, len(raw), max)
}

// classify maps an engine error to the coarse class both engines must agree on.
func classify(err error) string {
	var blocked *templating.ErrEvaluationBlocked
	var offloaded *templating.ErrOffloadedDataUsage
	msg := err.Error()
	switch {
	case errors.As(err, &blocked):
		return "blocked"
	case errors.As(err, &offloaded):
		return "offloaded"
	case strings.Contains(msg, "template evaluation timed out"):
		return "timeout"
	case strings.Contains(msg, "template output exceeds max bytes"):
		return "output_limit"
	case strings.Contains(msg, "exceeds max input bytes"):
		return "input_limit"
	case strings.Contains(msg, "exceeded max resolve depth"):
		return "depth"
	case strings.Contains(msg, "cyclic template value"):
		return "cycle"
	case strings.HasPrefix(msg, "missing key at") || strings.Contains(msg, ": missing key at"):
		return "missing_key"
	case strings.Contains(msg, "$bubuTemplate must be a string") || strings.Contains(msg, "$bubuTemplateVars must be an object"):
		return "shape"
	case strings.Contains(msg, "condition did not resolve"):
		return "condition"
	case strings.Contains(msg, "executing \""):
		return "exec"
	case strings.HasPrefix(msg, "template: ") || strings.Contains(msg, ": template: "):
		return "parse"
	case strings.Contains(msg, "cannot index into") || strings.Contains(msg, "cannot access key"):
		return "path"
	default:
		return "other"
	}
}

// runBench times core ResolveValue on one case (one evaluator, warm parse cache).
func runBench(n int) {
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	c := decodeCase(raw, nil)
	eval, err := templating.New(templating.Config{EvaluationTimeout: 30 * time.Second, MaxOutputBytes: 1 << 20})
	if err != nil {
		fail(err)
	}
	defer eval.Close()
	ctx := context.Background()
	if _, err := eval.ResolveValue(ctx, c.Value, c.Vars); err != nil {
		fail(err)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := eval.ResolveValue(ctx, c.Value, c.Vars); err != nil {
			fail(err)
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("go: %d configs in %s: %.0f configs/s\n", n, elapsed, float64(n)/elapsed.Seconds())
}
