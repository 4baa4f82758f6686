package relay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
	"switchboard/server/store"
)

// blobs keeps the plugins' attachment blobs in the team server's file
// store: a file a customer sent is then fetched by operators under the
// same id (GET /api/v1/files/{id}), and a file an operator attached is what
// the plugin reads when it sends the message.
type blobs struct{ st store.Store }

var _ host.BlobStore = blobs{}

func (b blobs) BlobPut(ctx context.Context, blob sdk.Blob) (string, error) {
	f, err := b.st.PutFile(ctx, bytes.NewReader(blob.Data), sdk.MaxBlobBytes, "")
	if errors.Is(err, store.ErrTooLarge) {
		return "", &sdk.ChannelError{Code: "attachment_too_large",
			Message: fmt.Sprintf("%d bytes, the server stores at most %d", len(blob.Data), sdk.MaxBlobBytes)}
	}
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

// BlobGet returns the bytes and the type sniffed when they were stored;
// the name and declared type travel with the message's attachment.
func (b blobs) BlobGet(ctx context.Context, id string) (sdk.Blob, error) {
	f, err := b.st.File(ctx, id)
	if err != nil {
		return sdk.Blob{}, fmt.Errorf("blob get %q: %w", id, err)
	}
	if f.Size > sdk.MaxBlobBytes {
		return sdk.Blob{}, &sdk.ChannelError{Code: "attachment_too_large",
			Message: fmt.Sprintf("%d bytes, a plugin reads at most %d", f.Size, sdk.MaxBlobBytes)}
	}
	rc, err := b.st.OpenFile(ctx, id)
	if err != nil {
		return sdk.Blob{}, fmt.Errorf("blob get %q: %w", id, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return sdk.Blob{}, fmt.Errorf("blob get %q: %w", id, err)
	}
	return sdk.Blob{MIMEType: f.Type, Data: data}, nil
}
