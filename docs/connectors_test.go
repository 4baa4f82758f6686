// Package docs holds the tests that keep the documentation true.
package docs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/manifest"
)

// block is a fenced code block of a markdown page.
type block struct {
	lang string
	line int // of the opening fence
	text string
}

func codeBlocks(t *testing.T, page string) []block {
	t.Helper()
	raw, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []block
	var cur *block
	for i, line := range strings.Split(string(raw), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &block{lang: strings.TrimPrefix(line, "```"), line: i + 1}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s: the code block at line %d is never closed", page, cur.line)
	}
	return blocks
}

// TestConnectorsPageQuotesTheExampleVerbatim: every go block of the page
// is a piece of the example connector as it is.
func TestConnectorsPageQuotesTheExampleVerbatim(t *testing.T) {
	var sources []string
	for _, f := range []string{"main.go", "conformance_test.go"} {
		b, err := os.ReadFile(filepath.Join("..", "plugins", "examples", "httpchat", f))
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, string(b))
	}
	n := 0
	for _, b := range codeBlocks(t, "connectors.md") {
		if b.lang != "go" {
			continue
		}
		n++
		found := false
		for _, s := range sources {
			found = found || strings.Contains(s, b.text)
		}
		if !found {
			t.Errorf("connectors.md:%d: this go block is not in plugins/examples/httpchat as written:\n%s", b.line, b.text)
		}
	}
	if n < 5 {
		t.Errorf("connectors.md quotes %d go blocks; the page explains the example through them", n)
	}
}

// TestConnectorsPageWalkthroughRuns runs every sh block of the page, in
// order, in one shell in an empty folder: a partner's walk from nothing to
// an installed connector, including builds for three platforms.
func TestConnectorsPageWalkthroughRuns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the page's commands are for a POSIX shell")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, b := range codeBlocks(t, "connectors.md") {
		if b.lang == "sh" {
			fmt.Fprintf(&script, "echo '### connectors.md:%d'\n%s", b.line, b.text)
		}
	}
	work := t.TempDir()
	gobin := filepath.Join(work, "bin")
	// The walk builds for three platforms from a cold cache: minutes on a
	// loaded machine. Bound it by the test binary's own deadline, keeping a
	// minute to report what ran.
	deadline := time.Now().Add(30 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-time.Minute)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SWITCHBOARD="+repo, "GOBIN="+gobin, "PATH="+gobin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOFLAGS=", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("the walkthrough of connectors.md failed (%v); the last ### line is the block that failed:\n%s", err, out.String())
	}
	t.Logf("the walkthrough took %v", time.Since(start).Round(time.Millisecond))

	// Where the page leaves things: the plugin installed, whole and
	// verifying against the publisher's key.
	trusted, err := manifest.ReadTrusted(filepath.Join(work, "trusted_publishers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, platform := range []string{"linux/amd64", "windows/amd64", "darwin/arm64"} {
		if _, err := manifest.Load(filepath.Join(work, "plugins", "httpchat"), trusted, []int{1}, platform); err != nil {
			t.Errorf("the installed plugin for %s: %v", platform, err)
		}
	}
	for _, want := range []string{"installed httpchat 1.0.0 by acme", "PASS  receive, ack and resume after a restart", "ok  \texample.com/httpchat"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the walkthrough's output does not say %q:\n%s", want, out.String())
		}
	}
}
