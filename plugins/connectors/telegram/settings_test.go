package main

import (
	"strings"
	"testing"
)

func TestSettingsAreValidatedFieldByField(t *testing.T) {
	const token = "123456789:AAE-secret_Token-value"
	tests := []struct {
		name      string
		raw       string
		wantField string
		wantCode  string
	}{
		{"a token is enough", `{"token":"` + token + `"}`, "", ""},
		{"spaces around a pasted token are forgiven", `{"token":"  ` + token + `\n"}`, "", ""},
		{"a local Bot API server", `{"token":"` + token + `","api_url":"http://127.0.0.1:8081/"}`, "", ""},
		{"a missing token is required", `{}`, "/token", "validation_required"},
		{"a token without its bot id is malformed", `{"token":"AAE-secret_Token-value"}`, "/token", "validation_token_format"},
		{"an API address without a scheme is invalid", `{"token":"` + token + `","api_url":"api.telegram.org"}`, "/api_url", "validation_invalid_url"},
		{"a poll timeout past Telegram's 50 s", `{"token":"` + token + `","poll_timeout_seconds":90}`, "/poll_timeout_seconds", "validation_out_of_range"},
		{"an unknown field is refused", `{"token":"` + token + `","webhook":"x"}`, "", "validation_invalid_json"},
		{"text that is not JSON is refused", `{token`, "", "validation_invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, fes := parseSettings([]byte(tt.raw))
			for _, f := range fes {
				if strings.Contains(f.Message, "secret_Token") {
					t.Fatalf("a field error repeats the token: %+v", f)
				}
			}
			if tt.wantCode == "" {
				if len(fes) != 0 || s.Token != token || strings.HasSuffix(s.APIURL, "/") {
					t.Fatalf("parseSettings(%s) = %+v, %v", tt.raw, s, fes)
				}
				return
			}
			if len(fes) == 0 || fes[0].Field != tt.wantField || fes[0].Code != tt.wantCode {
				t.Fatalf("parseSettings(%s) = %+v, want %s %s", tt.raw, fes, tt.wantField, tt.wantCode)
			}
		})
	}
}
