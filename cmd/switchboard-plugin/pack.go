package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"switchboard/plugins/bundle"
	"switchboard/plugins/manifest"
)

func pack(_ context.Context, fs *flagSet, args []string, out io.Writer) error {
	output := fs.String("o", "", "archive to write (default ID-VERSION"+bundle.Ext+" in the current folder)")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	dir := pos[0]
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if !fi.IsDir() {
		return usagef("pack takes the plugin's folder (plugin.json and the executables), and %s is a file", dir)
	}
	archive := *output
	if archive == "" {
		// The name comes from the manifest; Pack reads and checks it again.
		m, err := bundle.Draft(dir)
		if err != nil {
			return err
		}
		if strings.ContainsAny(m.Version, `/\`) {
			return fmt.Errorf("plugin.json: version %q does not make a file name; fix it or give -o", m.Version)
		}
		archive = m.ID + "-" + m.Version + bundle.Ext
	}
	m, err := bundle.Pack(dir, archive)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "packed %s %s into %s (unsigned; sign it next)\n", m.ID, m.Version, archive)
	printExecutables(out, m)
	return nil
}

func printExecutables(out io.Writer, m manifest.Manifest) {
	for _, p := range bundle.Platforms(m) {
		e := m.Executables[p]
		fmt.Fprintf(out, "  %-15s %s  sha256 %s\n", p, e.Path, e.SHA256)
	}
}

func sign(_ context.Context, fs *flagSet, args []string, out io.Writer) error {
	keyFile := fs.String("key", "", "the publisher's private key file (PUBLISHER.key from keygen)")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	if err := required("key", *keyFile, "the private key file keygen wrote (PUBLISHER.key)"); err != nil {
		return err
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	key, err := manifest.ParsePrivateKeyFile(string(raw))
	if err != nil {
		return fmt.Errorf("key %s: %w", *keyFile, err)
	}
	m, err := bundle.Sign(pos[0], key)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "signed %s %s as %s: %s\n", m.ID, m.Version, m.Publisher, pos[0])
	return nil
}
