package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// failingReader yields data, then fails as a dropped connection would.
type failingReader struct{ data []byte }

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errors.New("connection reset")
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// testFiles: a file is stored once by its SHA-256, streams back whole
// across chunks, and remembers who uploaded it.
func testFiles(t *testing.T, open Opener) {
	s, reopen := open(t)
	ctx := context.Background()
	// Three and a half chunks of a pattern no chunk boundary hides.
	big := bytes.Repeat([]byte("switchboard-0123456789"), (7<<20)/2/22+1)
	f, err := s.PutFile(ctx, bytes.NewReader(big), 8<<20, opAnna)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != sum(big) || f.Size != int64(len(big)) || !strings.HasPrefix(f.Type, "text/plain") {
		t.Fatalf("PutFile = %+v, want id %s, size %d, sniffed text/plain", f, sum(big), len(big))
	}
	read := func(s store.Store, id string) []byte {
		t.Helper()
		rc, err := s.OpenFile(ctx, id)
		if err != nil {
			t.Fatalf("OpenFile(%s): %v", id, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read file %s: %v", id, err)
		}
		return b
	}
	if got := read(s, f.ID); !bytes.Equal(got, big) {
		t.Fatalf("read back %d bytes, want the %d stored", len(got), len(big))
	}
	// Another instance on the same database serves it too.
	s2 := reopen()
	defer s2.Close()
	if got := read(s2, f.ID); !bytes.Equal(got, big) {
		t.Fatalf("the second instance read %d bytes, want %d", len(got), len(big))
	}

	// The same bytes again: one file, a second uploader recorded.
	again, err := s2.PutFile(ctx, bytes.NewReader(big), 8<<20, opTaras)
	if err != nil || again.ID != f.ID || !again.CreatedAt.Equal(f.CreatedAt) {
		t.Fatalf("PutFile again = %+v, %v; want the first record %+v", again, err, f)
	}
	for _, op := range []string{opAnna, opTaras} {
		if ok, err := s.Uploaded(ctx, f.ID, op); err != nil || !ok {
			t.Errorf("Uploaded(%s) = %v, %v; want true", op, ok, err)
		}
	}
	if ok, _ := s.Uploaded(ctx, f.ID, opSup); ok {
		t.Errorf("Uploaded(%s) = true for someone who never uploaded it", opSup)
	}

	// An empty file and a PNG: sniffed types come from the bytes.
	empty, err := s.PutFile(ctx, bytes.NewReader(nil), 10, opAnna)
	if err != nil || empty.Size != 0 || empty.ID != sum(nil) {
		t.Fatalf("empty file = %+v, %v", empty, err)
	}
	if got := read(s, empty.ID); len(got) != 0 {
		t.Errorf("the empty file read back %d bytes", len(got))
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	if p, err := s.PutFile(ctx, bytes.NewReader(png), 1000, ""); err != nil || p.Type != "image/png" {
		t.Errorf("PNG = %+v, %v; want type image/png", p, err)
	}

	if _, err := s.File(ctx, sum([]byte("never stored"))); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("File(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.OpenFile(ctx, sum([]byte("never stored"))); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OpenFile(unknown) = %v, want ErrNotFound", err)
	}
}

// testFileLimits: a file over the limit or cut short keeps nothing; the
// leftovers of an upload that died are purged; many uploads of the same
// bytes at once end with one file.
func testFileLimits(t *testing.T, open Opener) {
	s, _ := open(t)
	ctx := context.Background()
	data := bytes.Repeat([]byte{7}, 3<<20)
	if _, err := s.PutFile(ctx, bytes.NewReader(data), 2<<20, opAnna); !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("PutFile over the limit = %v, want ErrTooLarge", err)
	}
	if _, err := s.File(ctx, sum(data)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused file was recorded: %v", err)
	}
	if _, err := s.PutFile(ctx, &failingReader{data: data}, 8<<20, opAnna); err == nil {
		t.Fatal("an upload whose connection dropped was stored")
	}
	if ok, _ := s.Uploaded(ctx, sum(data), opAnna); ok {
		t.Error("a dropped upload counts as uploaded")
	}
	// Purging touches only chunks no file names and older than the cut.
	kept, err := s.PutFile(ctx, bytes.NewReader([]byte("kept")), 100, opAnna)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeStaleUploads(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rc, err := s.OpenFile(ctx, kept.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); err != nil || string(b) != "kept" {
		t.Errorf("after a purge the stored file reads %q, %v", b, err)
	}

	var wg sync.WaitGroup
	ids := make([]string, 6)
	errs := make([]error, 6)
	for i := range ids {
		wg.Go(func() {
			f, err := s.PutFile(ctx, bytes.NewReader(data), 8<<20, opTaras)
			ids[i], errs[i] = f.ID, err
		})
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != sum(data) {
			t.Fatalf("concurrent upload %d = %s, %v", i, ids[i], errs[i])
		}
	}
	rc, err = s.OpenFile(ctx, sum(data))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(rc); !bytes.Equal(b, data) {
		t.Errorf("after concurrent uploads the file reads %d bytes, want %d", len(b), len(data))
	}
}

// testFileMessages: the messages carrying a file are found by the file,
// and the command reader knows who uploaded what.
func testFileMessages(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	f, err := s.PutFile(ctx, strings.NewReader("invoice"), 100, opAnna)
	if err != nil {
		t.Fatal(err)
	}
	o := newDialog(1, lineA)
	o.Messages[0].Attachments = []inbox.Attachment{{ID: "ms-1-1", BlobID: f.ID, Name: "invoice.pdf", MIME: "application/pdf", Size: f.Size}}
	apply(t, s, o)
	apply(t, s, newDialog(2, lineB))
	ms, err := s.FileMessages(ctx, f.ID, 10)
	if err != nil || len(ms) != 1 || ms[0].ID != "ms-1" || ms[0].DialogID != "dl-1" {
		t.Fatalf("FileMessages = %v, %v; want ms-1 of dl-1", ms, err)
	}
	if ms, _ := s.FileMessages(ctx, sum([]byte("other")), 10); len(ms) != 0 {
		t.Errorf("FileMessages(other) = %d messages, want none", len(ms))
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		fr, ok := tx.(inbox.FileReader)
		if !ok {
			t.Fatal("the store's transaction is no inbox.FileReader: the rules could not check uploads")
		}
		if size, ok, err := fr.UploadedFile(f.ID, opAnna); err != nil || !ok || size != 7 {
			t.Errorf("UploadedFile(anna) = %d, %v, %v; want 7, true", size, ok, err)
		}
		if _, ok, _ := fr.UploadedFile(f.ID, opTaras); ok {
			t.Error("UploadedFile(taras) = true for someone who never uploaded it")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
