package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"

	"switchboard/plugins/bundle"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
)

const trustedHelp = "the publishers you trust: a publisher's .pub file, or a file of such lines"

func verify(_ context.Context, fs *flagSet, args []string, out io.Writer) error {
	trustedFile := fs.String("trusted", "", trustedHelp)
	platform := fs.String("platform", "", "also require an executable for this GOOS/GOARCH")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	trusted, err := readTrusted(*trustedFile)
	if err != nil {
		return err
	}
	dir, done, err := bundle.Open(pos[0])
	if err != nil {
		return err
	}
	defer done()
	m, err := bundle.Verify(dir, trusted, host.Protocols, *platform)
	if err != nil {
		return fmt.Errorf("refused %s: %w", pos[0], err)
	}
	fmt.Fprintf(out, "ok: %s %s by %s, signature verified, checksums match for %s\n",
		m.ID, m.Version, m.Publisher, strings.Join(bundle.Platforms(m), ", "))
	return nil
}

func install(_ context.Context, fs *flagSet, args []string, out io.Writer) error {
	trustedFile := fs.String("trusted", "", trustedHelp)
	plugins := fs.String("plugins", "", "the plugins folder of the desktop app or server")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	if err := required("plugins", *plugins, "the plugins folder to install into"); err != nil {
		return err
	}
	trusted, err := readTrusted(*trustedFile)
	if err != nil {
		return err
	}
	res, err := bundle.Install(pos[0], *plugins, trusted, host.Protocols, manifest.Platform(runtime.GOOS, runtime.GOARCH))
	if err != nil {
		return fmt.Errorf("refused %s: %w", pos[0], err)
	}
	m := res.Manifest
	if res.Replaced != "" {
		fmt.Fprintf(out, "installed %s %s by %s into %s (replacing %s)\n", m.ID, m.Version, m.Publisher, res.Dir, res.Replaced)
	} else {
		fmt.Fprintf(out, "installed %s %s by %s into %s\n", m.ID, m.Version, m.Publisher, res.Dir)
	}
	return nil
}

func readTrusted(path string) (manifest.TrustedKeys, error) {
	if err := required("trusted", path, trustedHelp); err != nil {
		return nil, err
	}
	return manifest.ReadTrusted(path)
}
