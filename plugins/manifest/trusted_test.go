package manifest_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"switchboard/plugins/manifest"
)

func TestTrustedPublishersFile(t *testing.T) {
	pub1, _, _ := ed25519.GenerateKey(rand.Reader)
	pub2, _, _ := ed25519.GenerateKey(rand.Reader)
	file := "# who we trust\n\n" + manifest.KeyLine("acme", pub1) + "  " + manifest.KeyLine("acme", pub2)
	keys, err := manifest.ParseTrusted(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys["acme"]) != 2 || !keys["acme"][0].Equal(pub1) || !keys["acme"][1].Equal(pub2) {
		t.Fatalf("keys = %v, want acme's two keys in order", keys)
	}
	for name, bad := range map[string]string{
		"one word":  "acme\n",
		"bad key":   "acme not-base64!\n",
		"short key": "acme AAAA\n",
	} {
		if _, err := manifest.ParseTrusted(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%s: err = %v, want one naming line 1", name, err)
		}
	}
	if keys, err := manifest.LoadTrusted(t.TempDir() + "/none"); err != nil || len(keys) != 0 {
		t.Errorf("missing file = %v, %v; want no keys and no error", keys, err)
	}
}
