// hello-batch on bubu-sdk-go v0.1.5: the Go twin of examples/hello-batch/engram.ts (same config,
// inputs, output and signal), so bench/cluster-status.ts compares like with like.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	sdk "github.com/bubustack/bubu-sdk-go"
	"github.com/bubustack/bubu-sdk-go/engram"
)

type config struct {
	Greeting string `mapstructure:"greeting"`
	Excited  bool   `mapstructure:"excited"`
}

type inputs struct {
	Name  string `mapstructure:"name"`
	Times int    `mapstructure:"times"`
}

type hello struct{ cfg config }

func (h *hello) Init(_ context.Context, cfg config, _ *engram.Secrets) error {
	if cfg.Greeting == "" {
		cfg.Greeting = "Hello"
	}
	h.cfg = cfg
	return nil
}

func (h *hello) Process(ctx context.Context, ec *engram.ExecutionContext, in inputs) (*engram.Result, error) {
	times := max(in.Times, 1)
	mark := "."
	if h.cfg.Excited {
		mark = "!"
	}
	parts := make([]string, times)
	for i := range parts {
		parts[i] = fmt.Sprintf("%s, %s%s", h.cfg.Greeting, in.Name, mark)
	}
	message := strings.Join(parts, " ")
	ec.Logger().Info("greeted", "name", in.Name, "times", times)
	if err := sdk.EmitSignal(ctx, "greeted", map[string]any{"count": times}); err != nil {
		return nil, err
	}
	return engram.NewResultFrom(map[string]any{"message": message, "length": len(message)}), nil
}

func main() {
	if err := sdk.StartBatch(context.Background(), &hello{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
