package manifest

import (
	"bufio"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
)

// A publisher's key pair lives in two one-line text files, each naming the
// publisher, so that a key is never used under the wrong name by accident:
//
//	acme.key   acme <base64 ed25519 private key, 64 bytes>   (mode 0600, stays with the publisher)
//	acme.pub   acme <base64 ed25519 public key, 32 bytes>    (given to every admin)
//
// The sizes differ, so one file handed over for the other is recognised and
// refused in words.
//
// A trusted publishers file is .pub lines one after another: the publishers
// a host accepts plugins from. A publisher may have several keys (while it
// changes keys); '#' starts a comment, blank lines are ignored.

// CheckPublisher says what is wrong with a publisher name, if anything.
func CheckPublisher(name string) error {
	if !publisherPattern.MatchString(name) {
		return fmt.Errorf("publisher %q must be one word of letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

// KeyLine renders a key file's line for a publisher and a public or a
// private key.
func KeyLine(publisher string, key []byte) string {
	return publisher + " " + base64.StdEncoding.EncodeToString(key) + "\n"
}

// ParsePublicKey reads a base64 ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	switch {
	case err != nil:
		return nil, fmt.Errorf("public key is not base64: %v", err)
	case len(b) == ed25519.PrivateKeySize:
		return nil, fmt.Errorf("this is a private key (a .key file): never hand it out; trust the publisher's .pub file instead")
	case len(b) != ed25519.PublicKeySize:
		return nil, fmt.Errorf("public key has %d bytes, an ed25519 public key has %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// PrivateKey is a publisher's signing key as read from its key file.
type PrivateKey struct {
	Publisher string
	Key       ed25519.PrivateKey
}

// ParsePrivateKeyFile reads a private key file: "PUBLISHER KEY".
func ParsePrivateKeyFile(text string) (PrivateKey, error) {
	fields := strings.Fields(text)
	if len(fields) != 2 {
		return PrivateKey{}, fmt.Errorf("a private key file holds one line, the publisher and a base64 key; this one has %d words", len(fields))
	}
	if err := CheckPublisher(fields[0]); err != nil {
		return PrivateKey{}, err
	}
	b, err := base64.StdEncoding.DecodeString(fields[1])
	switch {
	case err != nil:
		return PrivateKey{}, fmt.Errorf("the key is not base64: %v", err)
	case len(b) == ed25519.PublicKeySize:
		return PrivateKey{}, fmt.Errorf("this is %s's public key (the .pub file); signing needs the private key (the .key file)", fields[0])
	case len(b) != ed25519.PrivateKeySize:
		return PrivateKey{}, fmt.Errorf("the key has %d bytes, an ed25519 private key has %d", len(b), ed25519.PrivateKeySize)
	}
	key := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
	if !key.Equal(ed25519.PrivateKey(b)) {
		return PrivateKey{}, fmt.Errorf("the key is damaged: its public half does not belong to its private half")
	}
	return PrivateKey{Publisher: fields[0], Key: key}, nil
}

// ParseTrusted reads a trusted publishers file (or a single .pub file).
func ParseTrusted(r io.Reader) (TrustedKeys, error) {
	keys := TrustedKeys{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want PUBLISHER and a base64 public key, got %d words", n, len(fields))
		}
		if err := CheckPublisher(fields[0]); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		pub, err := ParsePublicKey(fields[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		keys[fields[0]] = append(keys[fields[0]], pub)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return keys, nil
}

// ReadTrusted reads a trusted publishers file. A file naming no publisher
// is an error: a host trusting nobody refuses every plugin.
func ReadTrusted(path string) (TrustedKeys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trusted publishers: %w", err)
	}
	defer f.Close()
	keys, err := ParseTrusted(f)
	if err != nil {
		return nil, fmt.Errorf("trusted publishers %s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("trusted publishers %s names no publisher", path)
	}
	return keys, nil
}
