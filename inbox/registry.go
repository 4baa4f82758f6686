package inbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// registry maps a command's wire name to a constructor of its zero value.
var registry = map[string]func() Command{}

func register(f func() Command) { registry[f().Type()] = f }

// validator is a command that checks its own fields after decoding.
type validator interface{ validate() error }

// CommandTypes lists every command's wire name, sorted.
func CommandTypes() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// DecodeCommand builds the command named typ from its JSON payload. Unknown
// types and malformed payloads are refusals, so the operator sees why.
func DecodeCommand(typ string, payload []byte) (Command, error) {
	f, ok := registry[typ]
	if !ok {
		return nil, &Refusal{Code: "command.unknown", Message: "This server does not know the command " + quote(typ) + ".", Args: map[string]string{"type": typ}}
	}
	cmd := f()
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cmd); err != nil {
		return nil, malformed(typ, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Refusal{Code: "command.malformed", Message: "The " + typ + " command has data after its JSON."}
	}
	if v, ok := cmd.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

func malformed(typ string, err error) *Refusal {
	r := &Refusal{Code: "command.malformed", Message: "The " + typ + " command could not be read: " + err.Error() + ".", Args: map[string]string{}}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		r.Args["field"] = jsonPath(te.Field)
	} else if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		r.Args["field"] = strings.Trim(f, `"`)
	}
	return r
}

// missing refuses a command that lacks a required field.
func missing(typ, field string) *Refusal {
	return &Refusal{Code: "command.malformed", Message: "The " + typ + " command needs " + field + ".", Args: map[string]string{"field": field}}
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return `"` + s + `"`
}

// jsonPath drops the Go names of embedded structs from a decoder's field
// path ("DialogRef.dialogId" -> "dialogId").
func jsonPath(p string) string {
	parts := strings.Split(p, ".")
	out := parts[:0]
	for _, s := range parts {
		if s != "" && (s[0] < 'A' || s[0] > 'Z') {
			out = append(out, s)
		}
	}
	return strings.Join(out, ".")
}
