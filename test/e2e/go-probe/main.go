// A batch engram on bubu-sdk-go v0.1.5 whose behaviour on each attempt of its StepRun comes from its
// config (`with`): {"attempts": ["throw-retryable" | "throw-terminal" | "hang" | "hang-hard" | "ok", ...]};
// attempt n uses attempts[n-1], the last entry once they run out. It shows what the Go SDK writes
// (and what the operator then does) on a retryable error, at the step timeout and on SIGTERM.
//   hang       returns ctx.Err() once the SDK's step deadline cancels the context
//   hang-hard  never returns (only SIGTERM/SIGKILL end it)
// The attempt number is counted in $BUBU_E2E_ATTEMPTS_DIR/<namespace>_<steprun> (the retried pod's
// env is identical to the first one's).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	runsv1alpha1 "github.com/bubustack/bobrapet/api/runs/v1alpha1"
	sdk "github.com/bubustack/bubu-sdk-go"
	"github.com/bubustack/bubu-sdk-go/engram"
)

type config struct {
	Attempts []string `json:"attempts"`
}

type probe struct{ cfg config }

func (p *probe) Init(_ context.Context, cfg config, _ *engram.Secrets) error {
	p.cfg = cfg
	return nil
}

func nextAttempt() (int, error) {
	dir := os.Getenv("BUBU_E2E_ATTEMPTS_DIR")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	file := filepath.Join(dir, os.Getenv("BUBU_STEPRUN_NAMESPACE")+"_"+os.Getenv("BUBU_STEPRUN_NAME"))
	n := 0
	if b, err := os.ReadFile(file); err == nil {
		n, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	n++
	return n, os.WriteFile(file, []byte(strconv.Itoa(n)), 0o644)
}

func (p *probe) Process(ctx context.Context, _ *engram.ExecutionContext, _ map[string]any) (*engram.Result, error) {
	attempt, err := nextAttempt()
	if err != nil {
		return nil, err
	}
	modes := p.cfg.Attempts
	if len(modes) == 0 {
		modes = []string{"ok"}
	}
	mode := modes[min(attempt, len(modes))-1]
	fmt.Printf("{\"msg\":\"go probe attempt\",\"attempt\":%d,\"mode\":%q}\n", attempt, mode)
	switch mode {
	case "throw-retryable":
		return nil, sdk.NewStructuredError(runsv1alpha1.StructuredErrorTypeExecution,
			fmt.Sprintf("transient failure on attempt %d", attempt), sdk.WithStructuredErrorRetryable(true))
	case "throw-terminal":
		return nil, fmt.Errorf("terminal failure on attempt %d", attempt)
	case "hang":
		<-ctx.Done()
		return nil, ctx.Err()
	case "hang-hard":
		select {}
	default:
		return engram.NewResultFrom(map[string]any{"attempt": attempt}), nil
	}
}

func main() {
	if err := sdk.StartBatch(context.Background(), &probe{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
