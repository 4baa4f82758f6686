package fakebotapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// upload is a file sent with multipart/form-data.
type upload struct {
	name string
	data []byte
}

// params are a request's parameters. The reference allows four ways to pass
// them — URL query string, application/x-www-form-urlencoded,
// application/json (except for uploading files) and multipart/form-data —
// and all four are read here. Values that are objects or arrays arrive as
// JSON text in the form encodings; in JSON bodies they are re-encoded so
// every value is a string here.
type params struct {
	values  map[string]string
	uploads map[string]upload
}

const maxUpload = 60 << 20

func readParams(r *http.Request) (params, error) {
	p := params{values: map[string]string{}, uploads: map[string]upload{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}
	if r.Method != http.MethodPost {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]json.RawMessage
		dec := json.NewDecoder(io.LimitReader(r.Body, maxUpload))
		if err := dec.Decode(&body); err != nil && err != io.EOF {
			return p, badRequest("can't parse JSON object")
		}
		for k, raw := range body {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				p.values[k] = s
				continue
			}
			var buf bytes.Buffer
			_ = json.Compact(&buf, raw)
			p.values[k] = buf.String()
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return p, badRequest("can't parse form")
		}
		for k, v := range r.PostForm {
			p.values[k] = v[0]
		}
	case "multipart/form-data":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			return p, badRequest("can't read the request")
		}
		if len(body) == 0 {
			return p, nil // a form without fields: a method without parameters
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			return p, badRequest("can't parse multipart form")
		}
		for k, v := range r.MultipartForm.Value {
			p.values[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return p, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return p, err
			}
			p.uploads[k] = upload{name: fhs[0].Filename, data: data}
		}
	}
	return p, nil
}

func (p params) str(k string) string { return p.values[k] }

func (p params) has(k string) bool {
	_, ok := p.values[k]
	return ok
}

// int64 reads an integer parameter; a missing one is 0, a malformed one an
// error in the reference's words.
func (p params) int64(k string) (int64, error) {
	v, ok := p.values[k]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, badRequest("invalid " + k + " specified")
	}
	return n, nil
}

func (p params) json(k string, v any) error {
	raw, ok := p.values[k]
	if !ok || raw == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return badRequest("can't parse " + k + " JSON object")
	}
	return nil
}
