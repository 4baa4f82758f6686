package manifest_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"switchboard/plugins/manifest"
)

func sample() manifest.Manifest {
	return manifest.Manifest{ID: "webchat", Name: "Website chat", Version: "1.0.0", Publisher: "switchboard",
		ProtocolVersions: []int{1}, Executables: map[string]manifest.Executable{
			"linux/amd64":   {Path: "webchat", SHA256: strings.Repeat("a", 64)},
			"windows/amd64": {Path: "bin/webchat.exe", SHA256: strings.Repeat("b", 64)},
		}}
}

func TestASignedManifestVerifiesAndAnyChangeBreaksIt(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	trusted := manifest.TrustedKeys{"switchboard": {pub}}
	m := sample()
	manifest.Sign(&m, key)
	parsed, err := manifest.Parse(strings.NewReader(string(m.Encode())))
	if err != nil {
		t.Fatalf("Parse(Encode()) = %v", err)
	}
	if err := manifest.VerifySignature(parsed, trusted); err != nil {
		t.Fatalf("VerifySignature = %v, want nil", err)
	}
	changes := map[string]func(*manifest.Manifest){
		"version": func(m *manifest.Manifest) { m.Version = "1.0.1" },
		"checksum": func(m *manifest.Manifest) {
			m.Executables["linux/amd64"] = manifest.Executable{Path: "webchat", SHA256: strings.Repeat("c", 64)}
		},
		"protocol": func(m *manifest.Manifest) { m.ProtocolVersions = []int{1, 2} },
		"platform": func(m *manifest.Manifest) { delete(m.Executables, "windows/amd64") },
	}
	for name, change := range changes {
		t.Run("changing the "+name+" breaks the signature", func(t *testing.T) {
			c := parsed
			c.Executables = map[string]manifest.Executable{}
			for k, v := range parsed.Executables {
				c.Executables[k] = v
			}
			change(&c)
			if code := manifest.CodeOf(manifest.VerifySignature(c, trusted)); code != manifest.CodeBadSignature {
				t.Fatalf("VerifySignature after changing %s: code %q, want %q", name, code, manifest.CodeBadSignature)
			}
		})
	}
}

func TestInvalidManifestsSayWhatIsWrong(t *testing.T) {
	tests := []struct {
		name, json, code, text string
	}{
		{"an upper-case id", `{"id":"Web","name":"n","version":"1","publisher":"p","protocol_versions":[1],"executables":{"linux/amd64":{"path":"x","sha256":"` + strings.Repeat("a", 64) + `"}}}`, manifest.CodeInvalid, "id"},
		{"a publisher of two words", `{"id":"w","name":"n","version":"1","publisher":"Acme Inc","protocol_versions":[1],"executables":{"linux/amd64":{"path":"x","sha256":"` + strings.Repeat("a", 64) + `"}}}`, manifest.CodeInvalid, `publisher "Acme Inc" must be one word`},
		{"no executables", `{"id":"w","name":"n","version":"1","publisher":"p","protocol_versions":[1],"executables":{}}`, manifest.CodeInvalid, "executables is empty"},
		{"an absolute path", `{"id":"w","name":"n","version":"1","publisher":"p","protocol_versions":[1],"executables":{"linux/amd64":{"path":"/bin/sh","sha256":"` + strings.Repeat("a", 64) + `"}}}`, manifest.CodePathEscapes, "relative"},
		{"a short checksum", `{"id":"w","name":"n","version":"1","publisher":"p","protocol_versions":[1],"executables":{"linux/amd64":{"path":"x","sha256":"ab"}}}`, manifest.CodeInvalid, "64 hex"},
		{"two JSON objects", `{} {}`, manifest.CodeMalformed, "after its JSON object"},
		{"a syntax error", `{"id" "w"}`, manifest.CodeMalformed, "syntax error at byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := manifest.Parse(strings.NewReader(tt.json))
			if manifest.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Parse = %v, want code %s mentioning %q", err, tt.code, tt.text)
			}
		})
	}
}
