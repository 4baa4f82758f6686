package main

import (
	"encoding/json"
	"net"
	"strings"

	"switchboard/plugins/sdk"
)

// settings of a website-chat channel.
type settings struct {
	// Listen is the address the chat endpoint serves on, host:port.
	Listen string `json:"listen"`
	// Title heads the chat window.
	Title string `json:"title"`
	// AllowedOrigins are the sites (host patterns such as "shop.example.com")
	// whose pages may open the chat's WebSocket; empty allows only the
	// endpoint's own pages.
	AllowedOrigins []string `json:"allowed_origins"`
}

const settingsSchema = `{
  "type": "object",
  "required": ["listen"],
  "properties": {
    "listen": {"type": "string", "title": "Address to serve the chat on (host:port)", "default": "127.0.0.1:8090"},
    "title": {"type": "string", "title": "Chat window title", "maxLength": 80},
    "allowed_origins": {"type": "array", "title": "Sites that may embed the chat", "items": {"type": "string"}}
  },
  "additionalProperties": false
}`

// parseSettings decodes and validates settings, reporting every problem.
func parseSettings(raw []byte) (settings, []sdk.FieldError) {
	var s settings
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, []sdk.FieldError{{Field: "", Code: "validation_invalid_json", Message: err.Error()}}
	}
	var fes []sdk.FieldError
	if s.Listen == "" {
		fes = append(fes, sdk.FieldError{Field: "/listen", Code: "validation_required", Message: "listen address is required"})
	} else if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
		fes = append(fes, sdk.FieldError{Field: "/listen", Code: "validation_invalid_address", Message: "listen must be host:port"})
	}
	if len([]rune(s.Title)) > 80 {
		fes = append(fes, sdk.FieldError{Field: "/title", Code: "validation_too_long", Message: "title is longer than 80 characters"})
	}
	for i, o := range s.AllowedOrigins {
		if strings.TrimSpace(o) == "" || strings.ContainsAny(o, " /") {
			fes = append(fes, sdk.FieldError{Field: "/allowed_origins/" + itoa(i), Code: "validation_invalid_origin", Message: "origin must be a host pattern"})
		}
	}
	if s.Title == "" {
		s.Title = "Chat"
	}
	return s, fes
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
