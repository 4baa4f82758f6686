package syncclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// UploadedFile is the server's record of an uploaded file.
type UploadedFile struct {
	ID   string `json:"id"` // hex SHA-256
	Size int64  `json:"size"`
	Type string `json:"type"`
}

// UploadFile streams size bytes of r to the server (POST /api/v1/files).
// The request has no overall timeout: a large file on a slow link takes
// what it takes; cancel ctx to stop it. A file over the server's limit is
// an *Error with code file.too_large and the limit in Args["max"].
func (c *Client) UploadFile(ctx context.Context, r io.Reader, size int64) (UploadedFile, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api.url("/api/v1/files", nil), io.NopCloser(r))
	if err != nil {
		return UploadedFile{}, fmt.Errorf("upload: %w", err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	c.api.header(req.Header)
	resp, err := c.files().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return UploadedFile{}, ctx.Err()
		}
		return UploadedFile{}, &Error{Code: CodeUnreachable, Message: "The team server cannot be reached.", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return UploadedFile{}, errorFromResponse(resp)
	}
	var f UploadedFile
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		return UploadedFile{}, &Error{Code: CodeServer, Status: resp.StatusCode, Err: fmt.Errorf("decode upload answer: %w", err)}
	}
	return f, nil
}

// HasFile reports whether the server holds the file and lets this
// operator fetch it (uploaded it, or sees a message carrying it).
func (c *Client) HasFile(ctx context.Context, id string) (bool, error) {
	resp, err := c.api.send(ctx, http.MethodHead, "/api/v1/files/"+url.PathEscape(id), nil, nil)
	if e, ok := err.(*Error); ok && e.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return true, nil
}

// OpenFile streams a file from the server; the caller closes it. The
// length is -1 when the server did not say.
func (c *Client) OpenFile(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api.url("/api/v1/files/"+url.PathEscape(id), nil), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("download: %w", err)
	}
	c.api.header(req.Header)
	resp, err := c.files().Do(req)
	if err != nil {
		return nil, 0, &Error{Code: CodeUnreachable, Message: "The team server cannot be reached.", Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, 0, errorFromResponse(resp)
	}
	n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		n = -1
	}
	return resp.Body, n, nil
}

// files is the HTTP client for file transfers: the configured client's
// transport without its overall timeout, which a large file would outlast.
func (c *Client) files() *http.Client {
	return &http.Client{Transport: c.cfg.HTTP.Transport, CheckRedirect: c.cfg.HTTP.CheckRedirect, Jar: c.cfg.HTTP.Jar}
}
