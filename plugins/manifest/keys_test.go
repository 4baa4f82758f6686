package manifest_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"switchboard/plugins/manifest"
)

func TestKeyFilesRoundTripAndNameTheirPublisher(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, err := manifest.ParsePrivateKeyFile(manifest.KeyLine("acme", priv))
	if err != nil || key.Publisher != "acme" || !key.Key.Equal(priv) {
		t.Fatalf("ParsePrivateKeyFile(KeyLine(acme, priv)) = %v, %v", key.Publisher, err)
	}
	trusted, err := manifest.ParseTrusted(strings.NewReader(manifest.KeyLine("acme", pub)))
	if err != nil || len(trusted["acme"]) != 1 || !trusted["acme"][0].Equal(pub) {
		t.Fatalf("ParseTrusted(KeyLine(acme, pub)) = %v, %v", trusted, err)
	}
}

func TestATrustedPublishersFileMayHoldSeveralKeysAndComments(t *testing.T) {
	a1, _, _ := ed25519.GenerateKey(rand.Reader)
	a2, _, _ := ed25519.GenerateKey(rand.Reader)
	b, _, _ := ed25519.GenerateKey(rand.Reader)
	file := "# publishers we install plugins from\n\n" + manifest.KeyLine("acme", a1) +
		strings.TrimSpace(manifest.KeyLine("acme", a2)) + "   # acme's new key, 2027\n" + manifest.KeyLine("beta", b)
	trusted, err := manifest.ParseTrusted(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(trusted) != 2 || len(trusted["acme"]) != 2 || len(trusted["beta"]) != 1 {
		t.Fatalf("ParseTrusted = %v, want acme with two keys and beta with one", trusted)
	}
}

func TestBadKeyFilesSayWhatIsWrong(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	damaged := append(ed25519.PrivateKey{}, priv...)
	damaged[40] ^= 1
	privateTests := []struct{ name, text, want string }{
		{"the public key", manifest.KeyLine("acme", pub), "this is acme's public key"},
		{"no publisher", manifest.KeyLine("acme", priv)[5:], "has 1 words"},
		{"not base64", "acme !!!", "not base64"},
		{"a damaged key", manifest.KeyLine("acme", damaged), "damaged"},
		{"a short key", "acme AAAA", "has 3 bytes"},
	}
	for _, tt := range privateTests {
		if _, err := manifest.ParsePrivateKeyFile(tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePrivateKeyFile(%s) = %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	trustedTests := []struct{ name, text, want string }{
		{"a private key", "# ok\n" + manifest.KeyLine("acme", priv), "line 2: this is a private key"},
		{"three words", "acme beta " + manifest.KeyLine("x", pub)[2:], "line 1: want PUBLISHER and a base64 public key, got 3 words"},
		{"a publisher with a slash", manifest.KeyLine("acme/eu", pub), "line 1: publisher \"acme/eu\" must be one word"},
	}
	for _, tt := range trustedTests {
		if _, err := manifest.ParseTrusted(strings.NewReader(tt.text)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTrusted(%s) = %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
}
