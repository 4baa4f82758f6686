package manifest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// TrustedKeys are the publishers' public keys a host accepts, by publisher.
type TrustedKeys map[string][]ed25519.PublicKey

// Verified is a plugin whose manifest, signature and executable checked
// out, ready to launch.
type Verified struct {
	Manifest Manifest
	Dir      string // absolute
	Exec     string // absolute path of this platform's executable
	Checksum []byte // SHA-256 of Exec, for go-plugin's SecureConfig
	Protocol []int  // versions both the plugin and the host speak
}

// Sign sets m.Signature with the publisher's private key.
func Sign(m *Manifest, key ed25519.PrivateKey) {
	m.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, m.Canonical()))
}

// VerifySignature checks m's signature against the trusted keys of its
// publisher.
func VerifySignature(m Manifest, trusted TrustedKeys) error {
	keys, ok := trusted[m.Publisher]
	if !ok || len(keys) == 0 {
		return &Error{Code: CodeUnknownPublisher, Plugin: m.ID,
			Msg: fmt.Sprintf("publisher %q is not among the trusted publishers", m.Publisher)}
	}
	if m.Signature == "" {
		return &Error{Code: CodeBadSignature, Plugin: m.ID, Msg: "is not signed; its publisher signs it with switchboard-plugin sign"}
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return &Error{Code: CodeBadSignature, Plugin: m.ID, Msg: "signature is missing or not base64 ed25519"}
	}
	msg := m.Canonical()
	for _, k := range keys {
		if ed25519.Verify(k, msg, sig) {
			return nil
		}
	}
	return &Error{Code: CodeBadSignature, Plugin: m.ID,
		Msg: fmt.Sprintf("signature does not verify with %s's keys; the manifest was changed after signing or signed by someone else", m.Publisher)}
}

// FileSHA256 returns the SHA-256 of a file.
func FileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash %s: %w", path, err)
	}
	return h.Sum(nil), nil
}

// Load reads and verifies the plugin in dir for the given platform: the
// manifest parses, its signature verifies against trusted, it shares a
// protocol version with the host, and the platform's executable exists
// inside dir with the signed checksum.
func Load(dir string, trusted TrustedKeys, hostProtocols []int, platform string) (*Verified, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &Error{Code: CodeUnreadable, Plugin: dir, Msg: "folder path: " + err.Error(), Err: err}
	}
	f, err := os.Open(filepath.Join(abs, FileName))
	if err != nil {
		return nil, &Error{Code: CodeUnreadable, Plugin: filepath.Base(abs), Msg: "cannot read plugin.json: " + err.Error(), Err: err}
	}
	m, err := Parse(f)
	f.Close()
	if err != nil {
		if e, ok := err.(*Error); ok && e.Plugin == "" {
			e.Plugin = filepath.Base(abs)
		}
		return nil, err
	}
	if err := VerifySignature(m, trusted); err != nil {
		return nil, err
	}
	var common []int
	for _, v := range m.ProtocolVersions {
		if slices.Contains(hostProtocols, v) {
			common = append(common, v)
		}
	}
	if len(common) == 0 {
		return nil, &Error{Code: CodeProtocol, Plugin: m.ID,
			Msg: fmt.Sprintf("speaks protocol versions %v, this host speaks %v", m.ProtocolVersions, hostProtocols)}
	}
	exe, ok := m.Executables[platform]
	if !ok {
		return nil, &Error{Code: CodeNoExecutable, Plugin: m.ID, Msg: "has no executable for " + platform}
	}
	path := filepath.Join(abs, filepath.Clean(exe.Path))
	sum, err := FileSHA256(path)
	if err != nil {
		return nil, &Error{Code: CodeExecutableAbsent, Plugin: m.ID, Msg: "cannot read executable " + exe.Path + ": " + err.Error(), Err: err}
	}
	if hex.EncodeToString(sum) != exe.SHA256 {
		return nil, &Error{Code: CodeBadChecksum, Plugin: m.ID,
			Msg: fmt.Sprintf("executable %s has SHA-256 %x, the signed manifest says %s", exe.Path, sum, exe.SHA256)}
	}
	return &Verified{Manifest: m, Dir: abs, Exec: path, Checksum: sum, Protocol: common}, nil
}
