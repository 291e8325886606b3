// Command airlock is the whole of Airlock: the server, its migrations, token
// management, a simulated device fleet and a benchmark.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

var version = "dev"

const usage = `airlock — approved container updates for IoT fleets

Usage:
  airlock serve    [flags]   run the server (SQLite at ./airlock.db by default)
  airlock migrate  [flags]   apply database migrations and exit
  airlock token create --name NAME --role admin|approver|viewer
  airlock bench [--devices N] [--rounds R] [--engines sqlite,postgres --postgres-url URL] [--json] [--merge A.json,B.json]
  airlock agent    --server URL --token ADMIN --devices N --image REF   simulate a device fleet
  airlock version

Run "airlock COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp): // -h: the flags were printed as asked
	case err != nil:
		fmt.Fprintln(os.Stderr, "airlock:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest)
	case "migrate":
		return migrate(ctx, rest)
	case "token":
		return token(ctx, rest)
	case "bench":
		return benchCmd(ctx, rest)
	case "agent":
		return agentCmd(ctx, rest)
	case "version":
		fmt.Println("airlock", version)
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
