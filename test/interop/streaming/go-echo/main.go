// A minimal echo engram on bubu-sdk-go v0.1.5: every inbound message is sent back unchanged
// (kind, id, metadata, payload, frames) and then marked done. Used by the interop tests to run
// the Go SDK against our fake connector, so the fake stays honest.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	sdk "github.com/bubustack/bubu-sdk-go"
	"github.com/bubustack/bubu-sdk-go/engram"
)

type config struct{}

type echo struct{}

func (echo) Init(context.Context, config, *engram.Secrets) error { return nil }

func (echo) Stream(ctx context.Context, in <-chan engram.InboundMessage, out chan<- engram.StreamMessage) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case msg, ok := <-in:
			if !ok {
				return nil
			}
			reply := msg.StreamMessage
			reply.Envelope = nil
			select {
			case out <- reply:
			case <-ctx.Done():
				return nil
			}
			msg.Done()
		}
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := sdk.StartStreaming[config](ctx, echo{}); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "go echo engram:", err)
		os.Exit(1)
	}
}
