package wire

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Compressed live frames. A client that asks for them
// (GET /api/v1/sync/live?after=N&compress=deflate) receives its changes
// frames as binary WebSocket messages:
//
//	byte 0      DeflateFrameVersion
//	bytes 1–8   the frame's head, big-endian (the seq it brings the client to)
//	the rest    the JSON text frame, compressed as raw DEFLATE (RFC 1951)
//
// The server compresses each frame once for every subscriber that sees the
// same changes, so a busy workspace's fan-out moves a fraction of the bytes
// (support talk compresses about eightfold: keys, ids and timestamps
// repeat). The head travels uncompressed so a client can skip a frame it
// has already applied without inflating it. Every other frame (presence,
// typing, alerts) stays a small text message, and a client that does not
// ask gets text frames only.
const (
	LiveCompressParam   = "compress"
	LiveCompressDeflate = "deflate"
	DeflateFrameVersion = 1
)

// MaxInflatedFrame bounds what one compressed frame may inflate to: far
// above any real frame (the live feed sends at most 2,000 changes at once),
// far below what would hurt a desktop.
const MaxInflatedFrame = 256 << 20

var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed) // BestSpeed is a valid level
	return w
}}

// EncodeDeflateFrame returns the binary message for the JSON text frame
// text, whose head is head.
func EncodeDeflateFrame(head int64, text []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(9 + len(text)/4)
	buf.WriteByte(DeflateFrameVersion)
	var h [8]byte
	binary.BigEndian.PutUint64(h[:], uint64(head))
	buf.Write(h[:])
	w := deflaters.Get().(*flate.Writer)
	w.Reset(&buf)
	// Writing to a bytes.Buffer cannot fail.
	_, _ = w.Write(text)
	_ = w.Close()
	deflaters.Put(w)
	return buf.Bytes()
}

// DeflateFrameHead reads the head of a binary frame without inflating it.
func DeflateFrameHead(b []byte) (int64, error) {
	if len(b) < 9 {
		return 0, errors.New("compressed frame: shorter than its header")
	}
	if b[0] != DeflateFrameVersion {
		return 0, fmt.Errorf("compressed frame: unknown format %d", b[0])
	}
	return int64(binary.BigEndian.Uint64(b[1:9])), nil
}

// Inflater inflates binary frames, reusing its decompressor and buffer from
// frame to frame (one per connection; not safe for concurrent use).
type Inflater struct {
	// Limit bounds the inflated size (0: MaxInflatedFrame).
	Limit int64
	r     io.ReadCloser
	src   bytes.Reader
	out   bytes.Buffer
}

// Inflate returns the JSON text frame inside the binary frame b. The result
// is valid until the next call.
func (in *Inflater) Inflate(b []byte) ([]byte, error) {
	if _, err := DeflateFrameHead(b); err != nil {
		return nil, err
	}
	in.src.Reset(b[9:])
	if in.r == nil {
		in.r = flate.NewReader(&in.src)
	} else if err := in.r.(flate.Resetter).Reset(&in.src, nil); err != nil {
		return nil, fmt.Errorf("compressed frame: %w", err)
	}
	limit := in.Limit
	if limit <= 0 {
		limit = MaxInflatedFrame
	}
	in.out.Reset()
	n, err := in.out.ReadFrom(io.LimitReader(in.r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("compressed frame: %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("compressed frame: inflates past its limit of %d bytes", limit)
	}
	return in.out.Bytes(), nil
}
