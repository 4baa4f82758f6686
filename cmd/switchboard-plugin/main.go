// Command switchboard-plugin is the tool a connector's publisher and a
// Switchboard admin use on plugins:
//
//	switchboard-plugin keygen [-dir DIR] PUBLISHER
//	switchboard-plugin pack [-o ARCHIVE] FOLDER
//	switchboard-plugin sign -key KEYFILE ARCHIVE|FOLDER
//	switchboard-plugin verify -trusted FILE [-platform GOOS/GOARCH] ARCHIVE|FOLDER
//	switchboard-plugin conformance [-settings JSON] [-bad-settings JSON] [-inbound-url URL] BINARY|ARCHIVE|FOLDER
//	switchboard-plugin install -trusted FILE -plugins DIR ARCHIVE|FOLDER
//
// docs/connectors.md walks through them from an empty folder to an
// installed connector. Exit status: 0 done, 1 refused or failed, 2 the
// command line was wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "switchboard-plugin:", err)
	var u usageError
	if errors.As(err, &u) {
		os.Exit(2)
	}
	os.Exit(1)
}

const usage = `usage:
  switchboard-plugin keygen [-dir DIR] PUBLISHER         make a publisher's key pair
  switchboard-plugin pack [-o ARCHIVE] FOLDER            pack a plugin folder into an archive
  switchboard-plugin sign -key KEYFILE ARCHIVE|FOLDER    sign its plugin.json
  switchboard-plugin verify -trusted FILE ARCHIVE|FOLDER check checksums and signature
  switchboard-plugin conformance [flags] BINARY|ARCHIVE|FOLDER
                                                         run the conformance kit
  switchboard-plugin install -trusted FILE -plugins DIR ARCHIVE|FOLDER
                                                         verify and install into a plugins folder
Run "switchboard-plugin COMMAND -h" for a command's flags.`

// usageError is a wrong command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	operands string // what follows the flags, for usage
	run      func(ctx context.Context, fs *flagSet, args []string, out io.Writer) error
}

// flagSet is a command's flags and what it says about its operands.
type flagSet struct {
	*flag.FlagSet
	command, operands string
}

var commands = map[string]command{
	"keygen":      {"PUBLISHER", keygen},
	"pack":        {"FOLDER", pack},
	"sign":        {"ARCHIVE|FOLDER", sign},
	"verify":      {"ARCHIVE|FOLDER", verify},
	"install":     {"ARCHIVE|FOLDER", install},
	"conformance": {"BINARY|ARCHIVE|FOLDER", conform},
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(out, usage)
		if len(args) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		return usagef("unknown command %q\n%s", args[0], usage)
	}
	fs := &flagSet{flag.NewFlagSet("switchboard-plugin "+args[0], flag.ContinueOnError), args[0], c.operands}
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "usage: switchboard-plugin %s [flags] %s\n", args[0], c.operands)
		fs.PrintDefaults()
	}
	return c.run(ctx, fs, args[1:], out)
}

// parse parses flags wherever they stand among the positional arguments
// ("verify x.tar.gz -trusted acme.pub" works too) and checks their number.
func (fs *flagSet) parse(args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) == 0 && want > 0:
		return nil, usagef("%s needs %s", fs.command, fs.operands)
	case len(pos) != want:
		return nil, usagef("%s takes one %s, got %d: %q", fs.command, fs.operands, len(pos), pos)
	}
	return pos, nil
}

// required refuses a flag left empty, saying what it is for.
func required(name, value, what string) error {
	if strings.TrimSpace(value) == "" {
		return usagef("-%s is required: %s", name, what)
	}
	return nil
}
