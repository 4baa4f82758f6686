package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// bin holds the binaries TestMain builds: the command under test and the
// connectors it is run on.
var bin struct {
	dir                             string
	tool, httpchat, broken, webchat string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchboard-plugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin.dir = dir
	bin.tool = filepath.Join(dir, "switchboard-plugin")
	bin.httpchat = filepath.Join(dir, "httpchat")
	bin.broken = filepath.Join(dir, "broken")
	bin.webchat = filepath.Join(dir, "webchat")
	builds := map[string]string{
		bin.tool:     "switchboard/cmd/switchboard-plugin",
		bin.httpchat: "switchboard/plugins/examples/httpchat",
		bin.broken:   "switchboard/plugins/conformance/testdata/broken",
		bin.webchat:  "switchboard/plugins/connectors/webchat",
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(builds))
	for out, pkg := range builds {
		wg.Go(func() {
			if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
				errs <- fmt.Errorf("build %s: %v\n%s", pkg, err, b)
			}
		})
	}
	wg.Wait()
	close(errs)
	code := 1
	if err := errors.Join(collect(errs)...); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

// result is what a run of the command printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runTool runs switchboard-plugin in dir.
func runTool(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin.tool, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run switchboard-plugin %v: %v", args, err)
	}
	return r
}

// ok runs the command and fails the test unless it succeeded.
func ok(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := runTool(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("switchboard-plugin %s: %v", strings.Join(args, " "), r)
	}
	return r.stdout
}

// refused runs the command and fails the test unless it exited with code
// and said every one of the words on stderr.
func refused(t *testing.T, dir string, code int, args []string, words ...string) {
	t.Helper()
	r := runTool(t, dir, args...)
	if r.code != code {
		t.Fatalf("switchboard-plugin %s: want exit %d, got %v", strings.Join(args, " "), code, r)
	}
	for _, w := range words {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("switchboard-plugin %s: stderr does not say %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, b, 0o755)
}

const draft = `{"id": "httpchat", "name": "HTTP chat", "version": "%s", "publisher": "acme", "protocol_versions": [1]}`

// pluginFolder lays out a publisher's build folder: the draft plugin.json,
// the real httpchat for this machine and stand-ins for Windows and macOS
// (just their headers: pack reads no further).
func pluginFolder(t *testing.T, root, version string) string {
	t.Helper()
	dir := filepath.Join(root, "dist")
	write(t, filepath.Join(dir, "plugin.json"), fmt.Appendf(nil, draft, version), 0o644)
	copyFile(t, bin.httpchat, filepath.Join(dir, runtime.GOOS+"-"+runtime.GOARCH, "httpchat"))
	if runtime.GOOS != "windows" {
		write(t, filepath.Join(dir, "windows-amd64", "httpchat.exe"), fakePE(), 0o755)
	}
	if runtime.GOOS != "darwin" {
		write(t, filepath.Join(dir, "darwin-arm64", "httpchat"), fakeMachO(), 0o755)
	}
	write(t, filepath.Join(dir, "README.txt"), []byte("HTTP chat, the example connector.\n"), 0o644)
	return dir
}

// fakePE is the smallest file debug/pe reads as a Windows amd64 executable.
func fakePE() []byte {
	b := make([]byte, 0x40)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x40)
	b = append(b, "PE\x00\x00"...)
	coff := make([]byte, 20)
	binary.LittleEndian.PutUint16(coff[0:], 0x8664) // IMAGE_FILE_MACHINE_AMD64
	b = append(b, coff...)
	return append(b, make([]byte, 64)...) // debug/pe reads a little past the header
}

// fakeMachO is the smallest file debug/macho reads as a darwin/arm64
// executable.
func fakeMachO() []byte {
	b := make([]byte, 32)
	binary.LittleEndian.PutUint32(b[0:], 0xfeedfacf) // 64-bit magic
	binary.LittleEndian.PutUint32(b[4:], 0x0100000c) // CPU_TYPE_ARM64
	binary.LittleEndian.PutUint32(b[12:], 2)         // MH_EXECUTE
	return b
}

// entry is one member of a hand-made archive.
type entry struct {
	name     string
	typeflag byte
	body     string
	link     string
}

func writeTarGz(t *testing.T, path string, entries []entry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typeflag, Mode: 0o755, Size: int64(len(e.body)), Linkname: e.link}
		if e.typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil && e.typeflag == tar.TypeReg {
			t.Fatal(err)
		}
	}
	tw.Close()
	zw.Close()
	write(t, path, buf.Bytes(), 0o644)
}

// readTarGz returns an archive's entries.
func readTarGz(t *testing.T, path string) []entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out []entry
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, entry{name: hdr.Name, typeflag: hdr.Typeflag, body: string(b)})
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// snapshot lists every name under dir, to prove a refusal left no trace.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(dir, path); err == nil && rel != "." {
			names = append(names, rel)
		}
		return nil
	})
	return names
}
