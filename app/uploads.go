package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"switchboard/app/syncclient"
	"switchboard/inbox"
	"switchboard/wire"
)

// EventFileProgress reports a file's upload: FileProgress.
const EventFileProgress = "files:progress"

// File upload states the UI shows.
const (
	UploadUploading = "uploading"
	UploadDone      = "done"
	UploadFailed    = "failed"
)

// FileProgress is how far a file's upload got. Code and Args say why it
// failed (file.too_large with the server's max, network.unreachable...).
type FileProgress struct {
	FileID string            `json:"fileId"`
	Sent   int64             `json:"sent"`
	Total  int64             `json:"total"`
	State  string            `json:"state"`
	Code   string            `json:"code,omitempty"`
	Args   map[string]string `json:"args,omitempty"`
}

// uploads sends the app's files to the server, each once per session: the
// composer starts a file's upload as soon as it is attached, and the
// outbox waits for it (Prepare) before sending the message that carries
// it, uploading it then if it never finished.
type uploads struct {
	files *fileStore
	emit  func(FileProgress)

	// mu guards the fields below.
	mu       sync.Mutex
	inflight map[string]*uploadJob // by file id
	known    map[string]bool       // files the server has for this session
}

type uploadJob struct {
	done chan struct{}
	err  error
}

func newUploads(files *fileStore, emit func(FileProgress)) *uploads {
	return &uploads{files: files, emit: emit, inflight: map[string]*uploadJob{}, known: map[string]bool{}}
}

// forget drops what is known of the server: another session begins.
func (u *uploads) forget() {
	u.mu.Lock()
	u.known = map[string]bool{}
	u.mu.Unlock()
}

// ensure makes sure the server has the file for this operator: known
// already, uploading now (it waits), or uploaded here from the app's copy.
func (u *uploads) ensure(ctx context.Context, cl *syncclient.Client, id string) error {
	u.mu.Lock()
	if u.known[id] {
		u.mu.Unlock()
		// The same bytes attached again (a file sent before): the server
		// has them, and the composer that waits for this file hears so.
		u.emit(FileProgress{FileID: id, State: UploadDone})
		return nil
	}
	job := u.inflight[id]
	if job == nil {
		job = &uploadJob{done: make(chan struct{})}
		u.inflight[id] = job
		go u.run(cl, id, job)
	}
	u.mu.Unlock()
	select {
	case <-job.done:
		return job.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run uploads one file. It is not tied to whoever asked first: a composer
// that moved on does not stop the upload the outbox will wait for.
func (u *uploads) run(cl *syncclient.Client, id string, job *uploadJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Hour)
	defer cancel()
	job.err = u.upload(ctx, cl, id)
	u.mu.Lock()
	delete(u.inflight, id)
	if job.err == nil {
		u.known[id] = true
	}
	u.mu.Unlock()
	close(job.done)
}

func (u *uploads) upload(ctx context.Context, cl *syncclient.Client, id string) error {
	f, err := u.files.open(id)
	if errors.Is(err, os.ErrNotExist) {
		// Not on this computer (wiped, or attached elsewhere): fine if the
		// server has it for us already.
		if ok, herr := cl.HasFile(ctx, id); herr != nil {
			return herr
		} else if ok {
			u.emit(FileProgress{FileID: id, State: UploadDone})
			return nil
		}
		u.emit(FileProgress{FileID: id, State: UploadFailed, Code: CodeFileMissing})
		return &syncclient.Refused{Code: CodeFileMissing, Message: "The file is no longer on this computer. Attach it again."}
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	total := st.Size()
	pr := &progressReader{r: f, report: func(sent int64) {
		u.emit(FileProgress{FileID: id, Sent: sent, Total: total, State: UploadUploading})
	}}
	u.emit(FileProgress{FileID: id, Total: total, State: UploadUploading})
	got, err := cl.UploadFile(ctx, pr, total)
	var se *syncclient.Error
	switch {
	case errors.As(err, &se) && se.Status == http.StatusRequestEntityTooLarge:
		u.emit(FileProgress{FileID: id, Sent: pr.sent, Total: total, State: UploadFailed, Code: CodeFileTooLarge, Args: se.Args})
		return &syncclient.Refused{Code: CodeFileTooLarge, Message: se.Message, Args: se.Args}
	case err != nil:
		u.emit(FileProgress{FileID: id, Sent: pr.sent, Total: total, State: UploadFailed, Code: syncclient.CodeOf(err)})
		return err
	case got.ID != id:
		// The copy here no longer holds the bytes it is named by.
		u.emit(FileProgress{FileID: id, Total: total, State: UploadFailed, Code: CodeFileMissing})
		return &syncclient.Refused{Code: CodeFileMissing, Message: "The file changed on this computer. Attach it again."}
	}
	u.emit(FileProgress{FileID: id, Sent: total, Total: total, State: UploadDone})
	return nil
}

// progressReader counts what the upload read, reporting at most every
// 100 ms (and the last piece).
type progressReader struct {
	r      io.Reader
	sent   int64
	last   time.Time
	report func(sent int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.sent += int64(n)
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || err != nil {
		p.last = now
		p.report(p.sent)
	}
	return n, err
}

// prepareCommand is the outbox's Prepare: a message goes to the server
// only once the server has its files. A file the server refuses, or that
// is gone from this computer, rejects the message (naming the file); a
// lost connection leaves it waiting.
func (c *core) prepareCommand(ctx context.Context, cmd wire.CommandEnvelope) error {
	if cmd.Type != "message.send" {
		return nil
	}
	var p struct {
		Attachments []inbox.Attachment `json:"attachments"`
	}
	if err := json.Unmarshal(cmd.Payload, &p); err != nil || len(p.Attachments) == 0 {
		return nil // the server judges a malformed command
	}
	c.mu.Lock()
	cl := c.sync
	c.mu.Unlock()
	if cl == nil {
		return errors.New("not connected")
	}
	for _, a := range p.Attachments {
		err := c.uploads.ensure(ctx, cl, a.BlobID)
		var ref *syncclient.Refused
		if errors.As(err, &ref) {
			args := map[string]string{"name": a.Name}
			for k, v := range ref.Args {
				args[k] = v
			}
			return &syncclient.Refused{Code: ref.Code, Message: fmt.Sprintf("%s: %s", a.Name, ref.Message), Args: args}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
