package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"switchboard/plugins/manifest"
)

func TestKeygenSignAndVerifyAPluginFolder(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "acme.key")
	var out bytes.Buffer
	if err := run([]string{"keygen", keyFile}, &out); err != nil {
		t.Fatalf("keygen: %v", err)
	}
	pub := strings.TrimSpace(out.String())
	if err := run([]string{"keygen", keyFile}, &out); err == nil {
		t.Fatal("keygen over an existing key succeeded; it must never overwrite one")
	}

	plugin := filepath.Join(dir, "echo")
	os.MkdirAll(plugin, 0o755)
	self, _ := os.Executable() // any executable file will do
	b, _ := os.ReadFile(self)
	os.WriteFile(filepath.Join(plugin, "echo"), b, 0o755)
	platform := manifest.Platform(runtime.GOOS, runtime.GOARCH)
	os.WriteFile(filepath.Join(plugin, manifest.FileName), []byte(`{"id":"echo","name":"Echo","version":"1.0.0",
		"publisher":"acme","protocol_versions":[1],"executables":{"`+platform+`":{"path":"echo","sha256":""}}}`), 0o644)

	out.Reset()
	if err := run([]string{"sign", keyFile, plugin}, &out); err != nil {
		t.Fatalf("sign: %v", err)
	}
	out.Reset()
	if err := run([]string{"verify", pub, plugin}, &out); err != nil || !strings.HasPrefix(out.String(), "ok echo 1.0.0") {
		t.Fatalf("verify = %q, %v", out.String(), err)
	}
	os.WriteFile(filepath.Join(plugin, "echo"), append(b, 0), 0o755)
	if err := run([]string{"verify", pub, plugin}, &out); manifest.CodeOf(err) != manifest.CodeBadChecksum {
		t.Fatalf("verify after changing the binary = %v, want %s", err, manifest.CodeBadChecksum)
	}
}
