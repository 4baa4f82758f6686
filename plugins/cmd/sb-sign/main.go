// Command sb-sign makes and uses a connector publisher's signing key.
//
//	sb-sign keygen KEYFILE        write a new private key, print the public key
//	sb-sign sign KEYFILE DIR      fill in checksums of DIR/plugin.json and sign it
//	sb-sign verify PUBKEY DIR     check DIR as a host trusting PUBKEY would
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sb-sign:", err)
		os.Exit(1)
	}
}

const usage = "usage: sb-sign keygen KEYFILE | sign KEYFILE DIR | verify PUBKEY DIR"

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch {
	case args[0] == "keygen" && len(args) == 2:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		// O_EXCL: overwriting a publisher's key by accident is unrecoverable.
		f, err := os.OpenFile(args[1], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		if _, err := fmt.Fprintln(f, manifest.EncodePrivateKey(priv)); err != nil {
			f.Close()
			return fmt.Errorf("keygen: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		fmt.Fprintln(out, manifest.EncodePublicKey(pub))
		return nil
	case args[0] == "sign" && len(args) == 3:
		raw, err := os.ReadFile(args[1])
		if err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		key, err := manifest.ParsePrivateKey(string(raw))
		if err != nil {
			return fmt.Errorf("sign: key %s: %w", args[1], err)
		}
		m, err := manifest.SignDir(args[2], key)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "signed %s %s by %s (%d executables)\n", m.ID, m.Version, m.Publisher, len(m.Executables))
		return nil
	case args[0] == "verify" && len(args) == 3:
		pub, err := manifest.ParsePublicKey(args[1])
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		// The publisher named in the manifest is trusted with this key only.
		probe, err := os.Open(args[2] + "/" + manifest.FileName)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		m, err := manifest.Parse(probe)
		probe.Close()
		if err != nil {
			return err
		}
		v, err := manifest.Load(args[2], manifest.TrustedKeys{m.Publisher: {pub}},
			[]int{sdk.ProtocolVersion}, manifest.Platform(runtime.GOOS, runtime.GOARCH))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "ok %s %s, protocol %v, %s\n", v.Manifest.ID, v.Manifest.Version, v.Protocol, v.Exec)
		return nil
	}
	return errors.New(usage)
}
