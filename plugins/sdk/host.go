package sdk

import "context"

// Host is what the connector host offers a connector: state that survives
// restarts, attachment storage and a log. Keys and blob ids are private to
// the channel.
type Host interface {
	StateGet(ctx context.Context, key string) (value []byte, found bool, err error)
	StatePut(ctx context.Context, key string, value []byte) error
	StateDelete(ctx context.Context, key string) error
	// StateList returns the keys with the prefix, sorted.
	StateList(ctx context.Context, prefix string) ([]string, error)
	BlobPut(ctx context.Context, b Blob) (id string, err error)
	BlobGet(ctx context.Context, id string) (Blob, error)
	Log(ctx context.Context, level LogLevel, msg string, fields map[string]string)
}

// MaxBlobBytes bounds one blob: BlobPut and BlobGet carry a whole file in
// one message, and both sides of this SDK raise gRPC's 4 MiB default to
// fit it.
const MaxBlobBytes = 50 << 20

// maxMessageBytes is the gRPC message limit of the host services: a blob
// and its envelope.
const maxMessageBytes = MaxBlobBytes + 1<<20

// Blob is an attachment's content.
type Blob struct {
	Name     string
	MIMEType string
	Data     []byte
}

// LogLevel grades a log line.
type LogLevel int

const (
	LogDebug LogLevel = iota + 1
	LogInfo
	LogWarn
	LogError
)
