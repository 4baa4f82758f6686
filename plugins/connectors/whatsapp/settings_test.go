package main

import (
	"strings"
	"testing"
)

func TestSettingsAreValidatedFieldByField(t *testing.T) {
	const (
		token  = "EAAG-secret_Token.value0123456789"
		secret = "0123456789abcdef0123456789abcdef"
		verify = "my-verify-phrase"
	)
	base := `"phone_number_id":"106540352242922","access_token":"` + token + `","app_secret":"` + secret + `","verify_token":"` + verify + `","listen":"127.0.0.1:8091"`
	tests := []struct {
		name      string
		raw       string
		wantField string
		wantCode  string
	}{
		{"the required fields are enough", `{` + base + `}`, "", ""},
		{"a local Graph API server", `{` + base + `,"api_url":"http://127.0.0.1:9000/v21.0/"}`, "", ""},
		{"nothing at all lists the first missing field", `{}`, "/phone_number_id", "validation_required"},
		{"the phone number instead of its ID", `{` + strings.Replace(base, "106540352242922", "+1 555 078 3881", 1) + `}`, "/phone_number_id", "validation_phone_number_id_format"},
		{"a token with spaces inside", `{` + strings.Replace(base, token, "EAAG secret token value 0123456789", 1) + `}`, "/access_token", "validation_token_format"},
		{"an app secret that is not 32 hex", `{` + strings.Replace(base, secret, "not-the-app-secret", 1) + `}`, "/app_secret", "validation_app_secret_format"},
		{"a short verify token", `{` + strings.Replace(base, verify, "short", 1) + `}`, "/verify_token", "validation_too_short"},
		{"a listen address without a port", `{` + strings.Replace(base, "127.0.0.1:8091", "localhost", 1) + `}`, "/listen", "validation_invalid_address"},
		{"an API base without its version", `{` + base + `,"api_url":"https://graph.facebook.com"}`, "/api_url", "validation_invalid_url"},
		{"an unknown field is refused", `{` + base + `,"webhook_url":"x"}`, "", "validation_invalid_json"},
		{"text that is not JSON is refused", `{token`, "", "validation_invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, fes := parseSettings([]byte(tt.raw))
			for _, f := range fes {
				for _, secretText := range []string{"secret_Token", secret, verify, "secret token"} {
					if strings.Contains(f.Message, secretText) {
						t.Fatalf("a field error repeats a secret: %+v", f)
					}
				}
			}
			if tt.wantCode == "" {
				if len(fes) != 0 || s.AccessToken != token || strings.HasSuffix(s.APIURL, "/") {
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
