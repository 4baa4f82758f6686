package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"switchboard/plugins/manifest"
)

// keygen writes PUBLISHER.key (0600) and PUBLISHER.pub. It never overwrites
// a key: losing a publisher's key means every admin must trust a new one.
func keygen(_ context.Context, fs *flagSet, args []string, out io.Writer) error {
	dir := fs.String("dir", ".", "folder to write the key files into")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	publisher := pos[0]
	if err := manifest.CheckPublisher(publisher); err != nil {
		return usagef("%v (it is the \"publisher\" of your plugin.json)", err)
	}
	keyPath := filepath.Join(*dir, publisher+".key")
	pubPath := filepath.Join(*dir, publisher+".pub")
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists; keygen never overwrites a key (move it away first if you really mean to replace it)", p)
		}
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if err := writeNew(keyPath, manifest.KeyLine(publisher, priv), 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, manifest.KeyLine(publisher, pub), 0o644); err != nil {
		os.Remove(keyPath)
		return err
	}
	fmt.Fprintf(out, "wrote %s: the private key; keep it secret and backed up, never commit it\n", keyPath)
	fmt.Fprintf(out, "wrote %s: the public key; give it to the admins who install your plugins\n", pubPath)
	return nil
}

// writeNew creates path with the text, refusing to replace a file.
func writeNew(path, text string, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil { // whatever the umask says
		f.Close()
		return err
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
