// A batch engram written with bubu-sdk-go v0.1.5, for the Story runner tests: it greets
// `name` (from its inputs), or fails when `fail` is true.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	sdk "github.com/bubustack/bubu-sdk-go"
	"github.com/bubustack/bubu-sdk-go/engram"
)

type Config struct{}

type Inputs struct {
	Name string `mapstructure:"name"`
	Fail bool   `mapstructure:"fail"`
}

type Hello struct{}

func (e *Hello) Init(ctx context.Context, cfg Config, secrets *engram.Secrets) error { return nil }

func (e *Hello) Process(ctx context.Context, execCtx *engram.ExecutionContext, inputs Inputs) (*engram.Result, error) {
	if inputs.Fail {
		return nil, fmt.Errorf("asked to fail")
	}
	return engram.NewResultFrom(map[string]any{"message": fmt.Sprintf("Hello, %s!", inputs.Name)}), nil
}

func main() {
	if err := sdk.StartBatch(context.Background(), &Hello{}); err != nil {
		log.Printf("engram failed: %v", err)
		os.Exit(sdk.BatchExitCode(err))
	}
}
