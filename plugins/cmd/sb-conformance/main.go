// Command sb-conformance runs the conformance kit against a connector
// binary and prints a PASS, FAIL or SKIP line per requirement.
//
//	sb-conformance -settings '{"token":"x"}' -bad-settings '{}' [-inbound-url URL] BINARY
//
// With -inbound-url, the kit makes the channel receive a message by POSTing
// the form field text to that URL (what the website chat's visitor endpoint
// accepts); without it the receive and send checks are skipped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"switchboard/plugins/conformance"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sb-conformance:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sb-conformance", flag.ContinueOnError)
	settings := fs.String("settings", "{}", "valid settings JSON")
	bad := fs.String("bad-settings", "", "settings JSON the connector must refuse")
	inbound := fs.String("inbound-url", "", "URL to POST text=... to make the channel receive a message")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: sb-conformance [flags] BINARY")
	}
	opts := conformance.Options{Settings: []byte(*settings)}
	if *bad != "" {
		opts.BadSettings = []byte(*bad)
	}
	if *inbound != "" {
		opts.Inbound = func(ctx context.Context, n int) error {
			for i := range n {
				form := url.Values{"text": {fmt.Sprintf("conformance %d", i)}}
				req, err := http.NewRequestWithContext(ctx, "POST", *inbound, strings.NewReader(form.Encode()))
				if err != nil {
					return err
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return err
				}
				resp.Body.Close()
				if resp.StatusCode >= 300 {
					return fmt.Errorf("POST %s: %s", *inbound, resp.Status)
				}
			}
			return nil
		}
	}
	failed := 0
	for _, r := range conformance.Check(ctx, fs.Arg(0), opts) {
		fmt.Fprintln(out, r)
		if !r.Passed && !r.Skipped {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d requirements failed", failed)
	}
	return nil
}
