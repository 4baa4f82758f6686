package main

import (
	"archive/tar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var fixture struct {
	once sync.Once
	dir  string
}

// signedArchive copies acme's keys and a signed httpchat archive into root
// (made once: packing a real executable takes a moment).
func signedArchive(t *testing.T, root string) string {
	t.Helper()
	fixture.once.Do(func() {
		fixture.dir = filepath.Join(bin.dir, "fixture")
		os.Mkdir(fixture.dir, 0o755)
		ok(t, fixture.dir, "keygen", "acme")
		ok(t, fixture.dir, "pack", "-o", "httpchat.tar.gz", pluginFolder(t, fixture.dir, "1.0.0"))
		ok(t, fixture.dir, "sign", "-key", "acme.key", "httpchat.tar.gz")
	})
	for _, name := range []string{"acme.key", "acme.pub", "httpchat.tar.gz"} {
		b, err := os.ReadFile(filepath.Join(fixture.dir, name))
		if err != nil {
			t.Fatalf("the signed archive fixture: %v", err)
		}
		write(t, filepath.Join(root, name), b, 0o600)
	}
	return filepath.Join(root, "httpchat.tar.gz")
}

// rewrite copies the archive at path to a new one, changing the entries.
func rewrite(t *testing.T, path, to string, change func([]entry) []entry) string {
	t.Helper()
	writeTarGz(t, to, change(readTarGz(t, path)))
	return to
}

// refusedInstall checks that install refuses with the words and that the
// plugins folder is exactly as before.
func refusedInstall(t *testing.T, root, archive string, words ...string) {
	t.Helper()
	plugins := filepath.Join(root, "plugins")
	os.MkdirAll(filepath.Join(plugins, "other"), 0o755)
	before := snapshot(t, plugins)
	refused(t, root, 1, []string{"install", "-trusted", "acme.pub", "-plugins", plugins, archive}, words...)
	if after := snapshot(t, plugins); !slices.Equal(before, after) {
		t.Errorf("a refused install changed the plugins folder: %q, was %q", after, before)
	}
}

func TestATamperedExecutableIsRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	archive := signedArchive(t, root)
	tampered := rewrite(t, archive, filepath.Join(root, "tampered.tar.gz"), func(es []entry) []entry {
		for i, e := range es {
			if strings.HasSuffix(e.name, "linux-amd64/httpchat") {
				es[i].body += "\x00"
			}
		}
		return es
	})
	words := []string{"refused", "executable linux-amd64/httpchat has SHA-256", "the signed manifest says", "plugin_bad_checksum"}
	refused(t, root, 1, []string{"verify", "-trusted", "acme.pub", tampered}, words...)
	refusedInstall(t, root, tampered, words...)
}

func TestAChangedManifestOrAnotherKeyIsRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	archive := signedArchive(t, root)
	newer := rewrite(t, archive, filepath.Join(root, "newer.tar.gz"), func(es []entry) []entry {
		es[0].body = strings.Replace(es[0].body, `"version": "1.0.0"`, `"version": "9.9.9"`, 1)
		return es
	})
	refused(t, root, 1, []string{"verify", "-trusted", "acme.pub", newer}, "signature does not verify with acme's keys", "changed after signing")

	// Someone else calling themselves acme.
	other := filepath.Join(root, "impostor")
	os.Mkdir(other, 0o755)
	ok(t, other, "keygen", "acme")
	refused(t, root, 1, []string{"verify", "-trusted", filepath.Join(other, "acme.pub"), archive},
		"signature does not verify with acme's keys", "signed by someone else")
	refusedInstall(t, root, newer, "signature does not verify")

	// A publisher the admin has not trusted.
	ok(t, other, "keygen", "beta")
	refused(t, root, 1, []string{"verify", "-trusted", filepath.Join(other, "beta.pub"), archive},
		`publisher "acme" is not among the trusted publishers`)

	// Keys handed over the wrong way round.
	refused(t, root, 1, []string{"verify", "-trusted", "acme.key", archive}, "this is a private key", "never hand it out")
	refused(t, root, 1, []string{"sign", "-key", "acme.pub", archive}, "this is acme's public key", "private key (the .key file)")
	refused(t, root, 1, []string{"sign", "-key", filepath.Join(other, "beta.key"), archive},
		`plugin.json names publisher "acme", the key is "beta"'s`)
	write(t, filepath.Join(root, "garbage.pub"), []byte("acme\n"), 0o644)
	refused(t, root, 1, []string{"verify", "-trusted", "garbage.pub", archive}, "garbage.pub: line 1: want PUBLISHER and a base64 public key")
}

func TestABadManifestIsRefusedInWords(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ok(t, root, "keygen", "acme")
	dist := pluginFolder(t, root, "1.0.0")
	manifestPath := filepath.Join(dist, "plugin.json")
	tests := []struct {
		name, json string
		words      []string
	}{
		{"cut short", `{"id": "httpchat", "name": `, []string{"plugin.json is not valid", "unexpected EOF"}},
		{"a syntax error", `{"id" "httpchat"}`, []string{"plugin.json is not valid: syntax error at byte"}},
		{"an unknown field", `{"id": "httpchat", "colour": "red"}`, []string{`unknown field "colour"`}},
		{"a wrong type", `{"id": "httpchat", "protocol_versions": "1"}`, []string{`field "protocol_versions" should be []int`}},
		{"no name", `{"id": "httpchat", "version": "1.0.0", "publisher": "acme", "protocol_versions": [1]}`, []string{"name is empty"}},
		{"an upper-case id", `{"id": "HTTPChat", "name": "n", "version": "1", "publisher": "acme", "protocol_versions": [1]}`,
			[]string{`id "HTTPChat" must be lower-case`}},
		{"a path leaving the folder", `{"id": "httpchat", "name": "n", "version": "1", "publisher": "acme", "protocol_versions": [1],
			"executables": {"linux/amd64": {"path": "../../../bin/sh", "sha256": ""}}}`, []string{`path "../../../bin/sh" leaves the plugin folder`, "plugin_path_escapes"}},
		{"an absolute path", `{"id": "httpchat", "name": "n", "version": "1", "publisher": "acme", "protocol_versions": [1],
			"executables": {"linux/amd64": {"path": "/bin/sh", "sha256": ""}}}`, []string{`path "/bin/sh" leaves the plugin folder`}},
		{"an executable that is not there", `{"id": "httpchat", "name": "n", "version": "1", "publisher": "acme", "protocol_versions": [1],
			"executables": {"linux/amd64": {"path": "bin/httpchat", "sha256": ""}}}`, []string{"executable for linux/amd64, bin/httpchat, is not in"}},
		{"an executable for another platform", `{"id": "httpchat", "name": "n", "version": "1", "publisher": "acme", "protocol_versions": [1],
			"executables": {"windows/amd64": {"path": "darwin-arm64/httpchat", "sha256": ""}}}`,
			[]string{"executable for windows/amd64, darwin-arm64/httpchat, was built for darwin/arm64"}},
		{"a text file as the executable", `{"id": "httpchat", "name": "n", "version": "1", "publisher": "acme", "protocol_versions": [1],
			"executables": {"linux/amd64": {"path": "README.txt", "sha256": ""}}}`, []string{"README.txt, is not an executable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, manifestPath, []byte(tt.json), 0o644)
			refused(t, root, 1, []string{"pack", "-o", "x.tar.gz", dist}, tt.words...)
			refused(t, root, 1, []string{"sign", "-key", "acme.key", dist}, tt.words...)
			if _, err := os.Stat(filepath.Join(root, "x.tar.gz")); err == nil {
				t.Error("a refused pack left an archive behind")
			}
		})
	}
	os.Remove(manifestPath)
	refused(t, root, 1, []string{"pack", dist}, "has no plugin.json")
}

func TestHostileArchivesAreRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	archive := signedArchive(t, root)
	// Only the small files: each case is refused before any checksum.
	good := slices.DeleteFunc(readTarGz(t, archive), func(e entry) bool { return strings.Contains(e.name, "-") })
	tests := []struct {
		name  string
		extra entry
		words []string
	}{
		{"an entry climbing out", entry{name: "httpchat/../../escaped", typeflag: tar.TypeReg, body: "x"}, []string{`entry "httpchat/../../escaped" leaves the plugin's folder`}},
		{"an absolute entry", entry{name: "/tmp/escaped", typeflag: tar.TypeReg, body: "x"}, []string{`entry "/tmp/escaped" leaves the plugin's folder`}},
		{"a symbolic link", entry{name: "httpchat/link", typeflag: tar.TypeSymlink, link: "/etc/passwd"}, []string{`entry "httpchat/link" is a link`}},
		{"a second folder", entry{name: "other/file", typeflag: tar.TypeReg, body: "x"}, []string{"in different folders"}},
		{"a repeated file", entry{name: "httpchat/README.txt", typeflag: tar.TypeReg, body: "again"}, []string{`entry "httpchat/README.txt" appears twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hostile := filepath.Join(t.TempDir(), "hostile.tar.gz")
			writeTarGz(t, hostile, append(slices.Clone(good), tt.extra))
			refusedInstall(t, root, hostile, tt.words...)
			refused(t, root, 1, []string{"verify", "-trusted", "acme.pub", hostile}, tt.words...)
			if _, err := os.Stat(filepath.Join(root, "..", "escaped")); err == nil {
				t.Fatal("an archive entry was written outside the plugin's folder")
			}
		})
	}
	write(t, filepath.Join(root, "not.tar.gz"), []byte("PK\x03\x04 a zip file"), 0o644)
	refusedInstall(t, root, filepath.Join(root, "not.tar.gz"), "is not a .tar.gz plugin archive")
}

func TestTheCommandLineIsCheckedInWords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		args  []string
		words []string
	}{
		{[]string{}, []string{"no command given"}},
		{[]string{"publish", "x"}, []string{`unknown command "publish"`, "usage:"}},
		{[]string{"verify", "x.tar.gz"}, []string{"-trusted is required", ".pub file"}},
		{[]string{"install", "-trusted", "acme.pub", "x.tar.gz"}, []string{"-plugins is required"}},
		{[]string{"sign", "x.tar.gz"}, []string{"-key is required"}},
		{[]string{"pack", "a", "b"}, []string{"pack takes one FOLDER, got 2"}},
		{[]string{"verify", "-colour", "x"}, []string{"flag provided but not defined: -colour"}},
		{[]string{"conformance", "-settings", "{not json", "x"}, []string{"-settings is not JSON"}},
		{[]string{"conformance", "-inbound-url", "localhost:80", "x"}, []string{`-inbound-url "localhost:80" is not an http(s) URL`}},
	}
	for _, tt := range tests {
		refused(t, dir, 2, tt.args, tt.words...)
	}
	write(t, filepath.Join(dir, "acme.pub"), []byte("# nobody yet\n"), 0o644)
	refused(t, dir, 1, []string{"install", "-trusted", "acme.pub", "-plugins", filepath.Join(dir, "nowhere"), "x.tar.gz"}, "names no publisher")
	if out := ok(t, dir, "help"); !strings.Contains(out, "switchboard-plugin keygen") {
		t.Errorf("help says %q", out)
	}
}
