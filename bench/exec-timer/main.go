// exec-timer runs a command as its child and records, for bench/cluster-status.ts, the wall-clock
// time just before the child was started and the child's CPU time and peak RSS (from wait4's
// rusage, which is the child's VmHWM at exit). Used as a pod's entrypoint by the process kubelet:
//
//	exec-timer <command> [args...]
//
// The record goes to $BENCH_TIMER_DIR/<$BUBU_STEPRUN_NAME>.json; the exit code is the child's.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type record struct {
	StartUnixNano int64 `json:"startUnixNano"`
	EndUnixNano   int64 `json:"endUnixNano"`
	ExitCode      int   `json:"exitCode"`
	UserMicros    int64 `json:"userMicros"`
	SysMicros     int64 `json:"sysMicros"`
	MaxRSSKiB     int64 `json:"maxRssKiB"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exec-timer <command> [args...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// A pod's SIGTERM/SIGINT go on to the engram.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "exec-timer:", err)
		os.Exit(127)
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	_ = cmd.Wait()
	end := time.Now()
	rec := record{StartUnixNano: start.UnixNano(), EndUnixNano: end.UnixNano(), ExitCode: cmd.ProcessState.ExitCode()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		rec.ExitCode = 128 + int(ws.Signal())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rec.UserMicros = ru.Utime.Sec*1e6 + ru.Utime.Usec
		rec.SysMicros = ru.Stime.Sec*1e6 + ru.Stime.Usec
		rec.MaxRSSKiB = ru.Maxrss
	}
	if dir := os.Getenv("BENCH_TIMER_DIR"); dir != "" {
		b, _ := json.Marshal(rec)
		name := os.Getenv("BUBU_STEPRUN_NAME")
		if name == "" {
			name = fmt.Sprintf("pid-%d", os.Getpid())
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "exec-timer:", err)
		}
	}
	os.Exit(rec.ExitCode)
}
