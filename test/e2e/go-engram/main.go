// A batch engram on bubu-sdk-go v0.1.5 that mirrors engrams/e2e-engram.ts mode by mode, so the
// same Story can run either and the two SDKs' API requests can be compared (parity.test.ts), and
// so a Story can mix the two (mixed-story.test.ts). The mode is the config's (`with`) "mode":
//
//	ok        {"message": "hello <name>"}
//	fail      an error whose text carries a password=… pair (the SDK must redact it)
//	unicode   a non-ASCII output
//	hang      waits until the step deadline cancels the context, then returns ctx.Err()
//	inputs    echoes the typed input "name" (a string field: weakly typed in Go)
//	big       {"big": <size × "x">, "size": size}: over BUBU_MAX_INLINE_SIZE it is offloaded
//	consume   {"length": len(data)} of the (hydrated) input "data"
//	signals   two "progress" signals, then {"ok": true}
//	effects   one recorded effect and one ExecuteEffectOnce, then {"ok": true}
//	mixed     {"by": "go", "got": <input "from">, "upper": <upper-cased input "text">}
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	sdk "github.com/bubustack/bubu-sdk-go"
	"github.com/bubustack/bubu-sdk-go/engram"
)

type config struct {
	Mode string `mapstructure:"mode"`
	Size int    `mapstructure:"size"`
}

type inputs struct {
	Name string `mapstructure:"name"`
	Data string `mapstructure:"data"`
	From any    `mapstructure:"from"`
	Text string `mapstructure:"text"`
}

type goEngram struct{ cfg config }

func (g *goEngram) Init(_ context.Context, cfg config, _ *engram.Secrets) error {
	g.cfg = cfg
	return nil
}

func (g *goEngram) Process(ctx context.Context, _ *engram.ExecutionContext, in inputs) (*engram.Result, error) {
	switch g.cfg.Mode {
	case "ok":
		return engram.NewResultFrom(map[string]any{"message": "hello " + in.Name}), nil
	case "fail":
		return nil, fmt.Errorf("upstream login failed: password=hunter2 user=%s", in.Name)
	case "unicode":
		return engram.NewResultFrom(map[string]any{"text": "héllo wörld — 日本語 🌍 \u2028 <&>"}), nil
	case "hang":
		<-ctx.Done()
		return nil, ctx.Err()
	case "inputs":
		return engram.NewResultFrom(map[string]any{"name": in.Name}), nil
	case "big":
		return engram.NewResultFrom(map[string]any{"big": strings.Repeat("x", g.cfg.Size), "size": g.cfg.Size}), nil
	case "consume":
		return engram.NewResultFrom(map[string]any{"length": len(in.Data)}), nil
	case "signals":
		if err := sdk.EmitSignal(ctx, "progress", map[string]any{"pct": 50}); err != nil {
			return nil, err
		}
		if err := sdk.EmitSignal(ctx, "progress", map[string]any{"pct": 100}); err != nil {
			return nil, err
		}
		return engram.NewResultFrom(map[string]any{"ok": true}), nil
	case "effects":
		if err := sdk.RecordEffect(ctx, "email:welcome", "succeeded", map[string]any{"to": "ada"}); err != nil {
			return nil, err
		}
		_, _, err := sdk.ExecuteEffectOnce(ctx, "charge", func(context.Context) (any, error) {
			return map[string]any{"amount": 42}, nil
		})
		if err != nil && !errors.Is(err, sdk.ErrEffectAlreadyRecorded) {
			return nil, err
		}
		return engram.NewResultFrom(map[string]any{"ok": true}), nil
	case "mixed":
		return engram.NewResultFrom(map[string]any{"by": "go", "got": in.From, "upper": strings.ToUpper(in.Text)}), nil
	default:
		return nil, fmt.Errorf("unknown mode %q", g.cfg.Mode)
	}
}

func main() {
	if err := sdk.StartBatch(context.Background(), &goEngram{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
