// A minimal echo engram on bubu-sdk-go v0.1.5: every inbound message is sent back unchanged
// (kind, id, metadata, payload, frames) and then marked done. Used by the interop tests to run
// the Go SDK against our fake connector, so the fake stays honest.
//
// Stream returns an error, never nil, when the session ends under it (ctx cancelled or `in`
// closed). With a nil return, v0.1.5 races: a session ended by the connector (Data EOF, a recv
// error) can be taken for a graceful finish when the send loop's context.Canceled reaches the
// errgroup first, and StartStreaming then returns nil instead of reconnecting (runTransportSession:
// `streamCompletedGracefully && errors.Is(err, context.Canceled)`). Seen in ~1 of 7 Data EOF runs.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	sdk "github.com/bubustack/bubu-sdk-go"
	"github.com/bubustack/bubu-sdk-go/engram"
)

type config struct{}

var errInboundClosed = errors.New("inbound stream closed")

type echo struct{}

func (echo) Init(context.Context, config, *engram.Secrets) error { return nil }

func (echo) Stream(ctx context.Context, in <-chan engram.InboundMessage, out chan<- engram.StreamMessage) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case msg, ok := <-in:
			if !ok {
				return errInboundClosed
			}
			reply := msg.StreamMessage
			reply.Envelope = nil
			select {
			case out <- reply:
			case <-ctx.Done():
				return ctx.Err()
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
