package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/sdk"
)

// Services is what one channel's plugin may call back: its own key-value
// state and blobs, and the host's log. With a directory it writes through to
// files there, so state survives a restart of the host; without, it lives in
// memory.
type Services struct {
	dir string // "" for memory only
	log hclog.Logger

	// store, when set, keeps the blobs instead of the folder or memory.
	store BlobStore

	// mu guards state and blobs.
	mu    sync.Mutex
	state map[string][]byte
	blobs map[string]sdk.Blob
}

var _ sdk.Host = (*Services)(nil)

// BlobStore keeps the channels' attachment blobs somewhere shared instead
// of each channel's folder: the team server's file store, so a file a
// customer sent is what operators fetch, and a file an operator attached
// is what the plugin reads. Ids are the store's.
type BlobStore interface {
	BlobPut(ctx context.Context, b sdk.Blob) (id string, err error)
	BlobGet(ctx context.Context, id string) (sdk.Blob, error)
}

// maxBlob bounds one attachment (the SDK raises gRPC's message limit to fit).
const maxBlob = sdk.MaxBlobBytes

// NewServices makes the host services for one channel; dir "" keeps them in
// memory. The conformance kit uses it to run a plugin without a Host.
func NewServices(dir string, log hclog.Logger) (*Services, error) {
	s := &Services{dir: dir, log: log, state: map[string][]byte{}, blobs: map[string]sdk.Blob{}}
	if dir == "" {
		return s, nil
	}
	for _, sub := range []string{"state", "blobs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("plugin state folder: %w", err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "state"))
	if err != nil {
		return nil, fmt.Errorf("plugin state folder: %w", err)
	}
	for _, e := range entries {
		key, err := hex.DecodeString(e.Name())
		if err != nil {
			continue // a temporary file of an interrupted write
		}
		v, err := os.ReadFile(filepath.Join(dir, "state", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("plugin state %q: %w", key, err)
		}
		s.state[string(key)] = v
	}
	return s, nil
}

// writeFile replaces a file atomically, so a crash leaves the old or the new
// value, never half of one.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (s *Services) StateGet(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.state[key]
	return v, ok, nil
}

func (s *Services) StatePut(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		if err := writeFile(filepath.Join(s.dir, "state", hex.EncodeToString([]byte(key))), value); err != nil {
			return fmt.Errorf("state put %q: %w", key, err)
		}
	}
	s.state[key] = append([]byte(nil), value...)
	return nil
}

func (s *Services) StateDelete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		err := os.Remove(filepath.Join(s.dir, "state", hex.EncodeToString([]byte(key))))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("state delete %q: %w", key, err)
		}
	}
	delete(s.state, key)
	return nil
}

func (s *Services) StateList(_ context.Context, prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.state {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

type blobMeta struct {
	Name     string `json:"name"`
	MIMEType string `json:"mime_type"`
}

// BlobPut stores content-addressed: the same file twice is stored once.
func (s *Services) BlobPut(ctx context.Context, b sdk.Blob) (string, error) {
	if len(b.Data) > maxBlob {
		return "", &sdk.ChannelError{Code: "attachment_too_large",
			Message: fmt.Sprintf("%d bytes, the host stores at most %d", len(b.Data), maxBlob)}
	}
	if s.store != nil {
		return s.store.BlobPut(ctx, b)
	}
	sum := sha256.Sum256(b.Data)
	id := hex.EncodeToString(sum[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		meta, _ := json.Marshal(blobMeta{Name: b.Name, MIMEType: b.MIMEType})
		base := filepath.Join(s.dir, "blobs", id)
		if err := writeFile(base, b.Data); err != nil {
			return "", fmt.Errorf("blob put: %w", err)
		}
		if err := writeFile(base+".json", meta); err != nil {
			return "", fmt.Errorf("blob put: %w", err)
		}
		return id, nil
	}
	s.blobs[id] = sdk.Blob{Name: b.Name, MIMEType: b.MIMEType, Data: append([]byte(nil), b.Data...)}
	return id, nil
}

func (s *Services) BlobGet(ctx context.Context, id string) (sdk.Blob, error) {
	if s.store != nil {
		return s.store.BlobGet(ctx, id)
	}
	if _, err := hex.DecodeString(id); err != nil || len(id) != 64 {
		return sdk.Blob{}, fmt.Errorf("blob get %q: not a blob id", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" {
		b, ok := s.blobs[id]
		if !ok {
			return sdk.Blob{}, fmt.Errorf("blob get %q: %w", id, os.ErrNotExist)
		}
		return b, nil
	}
	base := filepath.Join(s.dir, "blobs", id)
	data, err := os.ReadFile(base)
	if err != nil {
		return sdk.Blob{}, fmt.Errorf("blob get: %w", err)
	}
	var meta blobMeta
	if raw, err := os.ReadFile(base + ".json"); err == nil {
		_ = json.Unmarshal(raw, &meta)
	}
	return sdk.Blob{Name: meta.Name, MIMEType: meta.MIMEType, Data: data}, nil
}

func (s *Services) Log(_ context.Context, level sdk.LogLevel, msg string, fields map[string]string) {
	args := make([]any, 0, 2*len(fields))
	for k, v := range fields {
		args = append(args, k, v)
	}
	switch level {
	case sdk.LogDebug:
		s.log.Debug(msg, args...)
	case sdk.LogWarn:
		s.log.Warn(msg, args...)
	case sdk.LogError:
		s.log.Error(msg, args...)
	default:
		s.log.Info(msg, args...)
	}
}
