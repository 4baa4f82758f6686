package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/plugins/conformance"
)

// requirements in the order the kit prints them.
var requirements = []string{conformance.ReqHandshake, conformance.ReqDescribe, conformance.ReqSettings,
	conformance.ReqResume, conformance.ReqSend, conformance.ReqBadInput, conformance.ReqOutward, conformance.ReqShutdown}

// conformanceArgs are the flags for a connector that serves the inbound
// endpoint path on the listen address of its settings.
func conformanceArgs(t *testing.T, path string) []string {
	addr := freeAddr(t)
	return []string{"conformance", "-settings", fmt.Sprintf(`{"listen":%q}`, addr), "-bad-settings", `{"listen":"nowhere"}`,
		"-inbound-url", "http://" + addr + path}
}

// verdicts checks the kit printed one line per requirement with the verdict
// of want (requirement -> verdict, PASS when absent).
func verdicts(t *testing.T, r result, want map[string]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(requirements) {
		t.Fatalf("conformance printed %d lines, want %d:\n%v", len(lines), len(requirements), r)
	}
	for i, req := range requirements {
		verdict := want[req]
		if verdict == "" {
			verdict = "PASS"
		}
		if !strings.HasPrefix(lines[i], verdict+"  "+req) {
			t.Errorf("line %d = %q, want %s  %s", i+1, lines[i], verdict, req)
		}
	}
}

func TestTheExampleAndWebchatPassConformance(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	archive := signedArchive(t, root)
	for name, args := range map[string][]string{
		"the example binary":  append(conformanceArgs(t, "/messages"), bin.httpchat),
		"the example archive": append(conformanceArgs(t, "/messages"), archive),
		"webchat":             append(conformanceArgs(t, "/api/messages"), bin.webchat),
	} {
		t.Run(name, func(t *testing.T) {
			r := runTool(t, root, args...)
			if r.code != 0 {
				t.Errorf("conformance exited %d, want 0", r.code)
			}
			verdicts(t, r, nil)
		})
	}
}

func TestTheBrokenConnectorFailsOnTheResumeLine(t *testing.T) {
	t.Parallel()
	r := runTool(t, t.TempDir(), append(conformanceArgs(t, "/messages"), bin.broken)...)
	if r.code != 1 || !strings.Contains(r.stderr, "1 requirement(s) failed") {
		t.Errorf("conformance on the broken connector: %v; want exit 1 saying one requirement failed", r)
	}
	verdicts(t, r, map[string]string{conformance.ReqResume: "FAIL"})
	if !strings.Contains(r.stdout, "after a restart from cursor") {
		t.Errorf("the failed line does not say what went wrong:\n%s", r.stdout)
	}
}

func TestConformanceWithoutInboundSkipsAndSaysWhy(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	r := runTool(t, t.TempDir(), "conformance", "-settings", fmt.Sprintf(`{"listen":%q}`, addr), bin.httpchat)
	if r.code != 0 {
		t.Errorf("conformance without -bad-settings and -inbound-url: %v", r)
	}
	verdicts(t, r, map[string]string{conformance.ReqSettings: "SKIP", conformance.ReqResume: "SKIP", conformance.ReqSend: "SKIP"})
	if !strings.Contains(r.stdout, "-inbound-url") {
		t.Errorf("the skipped lines do not say how to run them:\n%s", r.stdout)
	}
	r = runTool(t, t.TempDir(), "conformance", filepath.Join(t.TempDir(), "missing"))
	if r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("conformance on a missing binary: %v", r)
	}
}
