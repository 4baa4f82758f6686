package main

import (
	"strings"
	"testing"
)

func TestSettingsAreValidatedFieldByField(t *testing.T) {
	const token = "vk1.a.secret_Token-value0123456789abcdef"
	tests := []struct {
		name      string
		raw       string
		wantField string
		wantCode  string
	}{
		{"a token and a community are enough", `{"token":"` + token + `","group_id":229876543}`, "", ""},
		{"spaces around a pasted token are forgiven", `{"token":"  ` + token + `\n","group_id":229876543}`, "", ""},
		{"a local API server", `{"token":"` + token + `","group_id":1,"api_url":"http://127.0.0.1:9000/method/"}`, "", ""},
		{"a missing token is required", `{"group_id":1}`, "/token", "validation_required"},
		{"a token with spaces inside is malformed", `{"token":"vk1 secret_Token value 0123456789","group_id":1}`, "/token", "validation_token_format"},
		{"a missing community is required", `{"token":"` + token + `"}`, "/group_id", "validation_required"},
		{"a community id in quotes", `{"token":"` + token + `","group_id":"club229876543"}`, "/group_id", "validation_group_id_format"},
		{"an API address without a scheme", `{"token":"` + token + `","group_id":1,"api_url":"api.vk.com/method"}`, "/api_url", "validation_invalid_url"},
		{"a wait past VK's 90 s", `{"token":"` + token + `","group_id":1,"poll_wait_seconds":120}`, "/poll_wait_seconds", "validation_out_of_range"},
		{"an unknown field is refused", `{"token":"` + token + `","group_id":1,"secret":"x"}`, "", "validation_invalid_json"},
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
