package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"switchboard/wire"
)

// apiError is an answer with a status and a wire.Error body. Code is stable
// and doubles as the UI's i18n key; Message is plain English.
type apiError struct {
	Status int
	Body   wire.Error
}

func (e *apiError) Error() string { return e.Body.Code + ": " + e.Body.Message }

func errorf(status int, code, format string, a ...any) *apiError {
	return &apiError{Status: status, Body: wire.Error{Code: code, Message: fmt.Sprintf(format, a...)}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errorf(http.StatusInternalServerError, "server.error", "The server could not complete the request.")
	}
	writeJSON(w, ae.Status, ae.Body)
}

// decodeJSON reads one JSON value into dst, refusing unknown fields,
// trailing data and bodies over max bytes, each with its own code.
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errorf(http.StatusUnsupportedMediaType, "request.content_type", "Send the request body as application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return errorf(http.StatusBadRequest, "request.malformed", "The request body holds more than one JSON value.")
		}
		if _, err := dec.Token(); err != io.EOF {
			return errorf(http.StatusBadRequest, "request.malformed", "The request body holds data after its JSON value.")
		}
		return nil
	}
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		return errorf(http.StatusRequestEntityTooLarge, "request.too_large", "The request body is larger than %d bytes.", max)
	case errors.As(err, &syntax):
		return errorf(http.StatusBadRequest, "request.malformed", "The request body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typeErr):
		e := errorf(http.StatusBadRequest, "request.wrong_type", "Field %q must be %s.", typeErr.Field, typeErr.Type)
		e.Body.Fields = map[string]string{typeErr.Field: "wrong_type"}
		return e
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "request.malformed", "The request body is empty or cut short.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := errorf(http.StatusBadRequest, "request.unknown_field", "Field %q is not part of this request.", field)
		e.Body.Fields = map[string]string{field: "unknown"}
		return e
	}
	return errorf(http.StatusBadRequest, "request.malformed", "The request body could not be read.")
}
