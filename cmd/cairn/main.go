// Command cairn is the Cairn server and its operator tools.
//
//	cairn serve [flags]   start the server (see cairn serve -h)
//	cairn ingest FILE...  send CloudTrail records to a server (see cairn ingest -h)
//	cairn validate-logs   check a trail's log files against its digests (see cairn validate-logs -h)
//	cairn version         print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/cairnhq/cairn/internal/app"
	"github.com/cairnhq/cairn/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		usage()
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:])
	case "ingest":
		return runIngest(args[1:])
	case "validate-logs":
		return runValidate(args[1:])
	case "version", "--version", "-v":
		fmt.Println("cairn", version)
		return 0
	case "help", "-h", "--help":
		usage()
		return 0
	}
	fmt.Fprintf(os.Stderr, "cairn: unknown command %q\n", args[0])
	usage()
	return 2
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage: cairn <command> [flags]

Commands:
  serve     start the CloudTrail-compatible server
  ingest    send CloudTrail records (log files, JSON) to a server
  validate-logs  check a trail's log files against its signed digest files
  version   print the version

Run 'cairn serve -h' for the server's flags.
`)
}

func serve(args []string) int {
	cfg, err := config.Load(args, os.Getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "cairn serve:", err)
		return 2
	}
	logger := newLogger(cfg.LogLevel)
	if os.Getenv("GOGC") == "" {
		// Cairn's live heap is small and request garbage dominates; fewer
		// collections buy throughput and tail latency for little memory.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	srv, err := app.Start(ctx, cfg, app.Options{Logger: logger, Version: version})
	if err != nil {
		logger.Error("cairn could not start", "error", err)
		return 1
	}
	logger.Info("cairn is serving", "address", srv.Addr(), "data_dir", cfg.DataDir, "auth", cfg.Auth, "version", version)
	select {
	case <-ctx.Done():
	case err := <-srv.Done():
		if err != nil {
			logger.Error("server stopped", "error", err)
			return 1
		}
	}
	stop() // a second signal now ends the process at once
	logger.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Error("shutdown", "error", err)
		return 1
	}
	logger.Info("stopped cleanly")
	return 0
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
