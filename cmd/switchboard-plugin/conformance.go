package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"switchboard/plugins/bundle"
	"switchboard/plugins/conformance"
	"switchboard/plugins/manifest"
)

// conform runs the kit on a binary, or on this platform's executable of
// a plugin folder or archive, and prints a line per requirement.
func conform(ctx context.Context, fs *flagSet, args []string, out io.Writer) error {
	settings := fs.String("settings", "{}", "settings JSON the connector must accept")
	bad := fs.String("bad-settings", "", "settings JSON the connector must refuse with field errors")
	inbound := fs.String("inbound-url", "", "URL to POST the form field text=... to, making the channel receive a message;\nwithout it the receive and send requirements are skipped")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of each requirement")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	for name, v := range map[string]string{"settings": *settings, "bad-settings": *bad} {
		if v != "" && !json.Valid([]byte(v)) {
			return usagef("-%s is not JSON: %s", name, v)
		}
	}
	opts := conformance.Options{Settings: []byte(*settings), Timeout: *timeout}
	if *bad != "" {
		opts.BadSettings = []byte(*bad)
	}
	if *inbound != "" {
		u, err := url.Parse(*inbound)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("-inbound-url %q is not an http(s) URL", *inbound)
		}
		opts.Inbound = postInbound(*inbound)
	}
	binary, done, err := executable(pos[0])
	if err != nil {
		return err
	}
	defer done()
	failed := 0
	for _, r := range conformance.Check(ctx, binary, opts) {
		fmt.Fprintln(out, r)
		if !r.Passed && !r.Skipped {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d requirement(s) failed", failed)
	}
	return nil
}

// executable returns the binary to check: path itself, or this platform's
// executable of the plugin folder or archive at path.
func executable(path string) (string, func(), error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", nil, err
	}
	if !fi.IsDir() && !strings.HasSuffix(path, bundle.Ext) {
		return path, func() {}, nil
	}
	dir, done, err := bundle.Open(path)
	if err != nil {
		return "", nil, err
	}
	m, err := bundle.Draft(dir)
	if err != nil {
		done()
		return "", nil, err
	}
	platform := manifest.Platform(runtime.GOOS, runtime.GOARCH)
	e, ok := m.Executables[platform]
	if !ok || !filepath.IsLocal(e.Path) {
		done()
		return "", nil, fmt.Errorf("%s has no executable for %s, this machine; run the kit where the plugin runs", path, platform)
	}
	return filepath.Join(dir, filepath.FromSlash(e.Path)), done, nil
}

// postInbound makes the channel receive n messages by POSTing the form
// field text to url, as a customer of a chat-like channel would.
func postInbound(target string) func(ctx context.Context, n int) error {
	return func(ctx context.Context, n int) error {
		for i := range n {
			form := url.Values{"text": {fmt.Sprintf("conformance %d", i)}}
			req, err := http.NewRequestWithContext(ctx, "POST", target, strings.NewReader(form.Encode()))
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
				return fmt.Errorf("POST %s: %s", target, resp.Status)
			}
		}
		return nil
	}
}
