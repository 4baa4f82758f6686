package host_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/plugins/manifest"
)

func TestPluginsThatDoNotVerifyAreRefusedWithAReason(t *testing.T) {
	bin := buildConnector(t)
	stranger := newPublisher(t, "acme") // same name, key nobody trusts
	tests := []struct {
		name     string
		install  func(e *env, folder string)
		wantCode string
		wantText string
	}{
		{"a binary changed after signing has a bad checksum", func(e *env, folder string) {
			dir := writePlugin(t, e.plugins, folder, bin, e.pub, nil)
			f, err := os.OpenFile(filepath.Join(dir, filepath.Base(bin)), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte{0})
			f.Close()
		}, manifest.CodeBadChecksum, "SHA-256"},
		{"a manifest changed after signing has a bad signature", func(e *env, folder string) {
			dir := writePlugin(t, e.plugins, folder, bin, e.pub, nil)
			p := filepath.Join(dir, manifest.FileName)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"Echo"`, `"Evil echo"`, 1)), 0o644)
		}, manifest.CodeBadSignature, "changed after signing"},
		{"a manifest signed by an untrusted key has a bad signature", func(e *env, folder string) {
			writePlugin(t, e.plugins, folder, bin, stranger, nil)
		}, manifest.CodeBadSignature, "acme"},
		{"an unknown publisher is refused", func(e *env, folder string) {
			writePlugin(t, e.plugins, folder, bin, newPublisher(t, "nobody"), nil)
		}, manifest.CodeUnknownPublisher, `"nobody"`},
		{"a plugin speaking only protocol 2 is refused", func(e *env, folder string) {
			writePlugin(t, e.plugins, folder, bin, e.pub, func(m *manifest.Manifest) { m.ProtocolVersions = []int{2} })
		}, manifest.CodeProtocol, "protocol versions [2]"},
		{"a manifest that is not JSON is refused", func(e *env, folder string) {
			dir := filepath.Join(e.plugins, folder)
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, manifest.FileName), []byte(`{"id": "echo",`), 0o644)
		}, manifest.CodeMalformed, "not valid"},
		{"a manifest with an unknown field is refused", func(e *env, folder string) {
			dir := filepath.Join(e.plugins, folder)
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, manifest.FileName), []byte(`{"id": "echo", "run_as_root": true}`), 0o644)
		}, manifest.CodeMalformed, "run_as_root"},
		{"a manifest with a wrongly typed field is refused", func(e *env, folder string) {
			dir := filepath.Join(e.plugins, folder)
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, manifest.FileName), []byte(`{"id": 7}`), 0o644)
		}, manifest.CodeMalformed, `"id"`},
		{"an executable path leaving the folder is refused", func(e *env, folder string) {
			writePlugin(t, e.plugins, folder, bin, e.pub, func(m *manifest.Manifest) {
				m.Executables[platform] = manifest.Executable{Path: "../../bin/sh", SHA256: strings.Repeat("0", 64)}
			})
		}, manifest.CodePathEscapes, "leaves the plugin folder"},
		{"a plugin without this platform's executable is refused", func(e *env, folder string) {
			writePlugin(t, e.plugins, folder, bin, e.pub, func(m *manifest.Manifest) {
				m.Executables = map[string]manifest.Executable{"plan9/386": m.Executables[platform]}
			})
		}, manifest.CodeNoExecutable, platform},
		{"a folder without plugin.json is refused", func(e *env, folder string) {
			os.MkdirAll(filepath.Join(e.plugins, folder), 0o755)
		}, manifest.CodeUnreadable, "plugin.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			tt.install(e, "p")
			h := e.start()
			if got := h.Plugins(); len(got) != 0 {
				t.Fatalf("Plugins() = %v, want none", got)
			}
			err := h.Refusals()["p"]
			if err == nil {
				t.Fatalf("Refusals()[p] = nil, want %s", tt.wantCode)
			}
			if got := manifest.CodeOf(err); got != tt.wantCode {
				t.Errorf("refusal code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("refusal %q does not mention %q", err, tt.wantText)
			}
		})
	}
}

func TestAVerifiedPluginIsListed(t *testing.T) {
	e := newEnv(t, nil)
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	h := e.start()
	got := h.Plugins()
	if len(got) != 1 || got[0].ID != "echo" || got[0].Version != "1.0.0" {
		t.Fatalf("Plugins() = %+v, want echo 1.0.0", got)
	}
	if len(h.Refusals()) != 0 {
		t.Fatalf("Refusals() = %v, want none", h.Refusals())
	}
}

func TestStaleSocketsAreRemovedOnStart(t *testing.T) {
	e := newEnv(t, nil)
	stale := filepath.Join(e.data, "sock", "plugin-dir123")
	if err := os.MkdirAll(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(stale, "plugin456"), nil, 0o600)
	e.start()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale socket folder still there: %v", err)
	}
}
