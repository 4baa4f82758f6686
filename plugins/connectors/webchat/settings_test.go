package main

import (
	"strings"
	"testing"
)

func TestSettingsAreValidatedFieldByField(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantField string
		wantCode  string
	}{
		{"a listen address is enough", `{"listen":"127.0.0.1:0"}`, "", ""},
		{"a missing listen address is required", `{}`, "/listen", "validation_required"},
		{"a listen address without a port is invalid", `{"listen":"localhost"}`, "/listen", "validation_invalid_address"},
		{"a title past 80 characters is too long", `{"listen":":1","title":"` + strings.Repeat("ж", 81) + `"}`, "/title", "validation_too_long"},
		{"an origin with a path is invalid", `{"listen":":1","allowed_origins":["a.com/x"]}`, "/allowed_origins/0", "validation_invalid_origin"},
		{"an unknown field is refused", `{"listen":":1","colour":"red"}`, "", "validation_invalid_json"},
		{"text that is not JSON is refused", `{listen`, "", "validation_invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fes := parseSettings([]byte(tt.raw))
			if tt.wantCode == "" {
				if len(fes) != 0 {
					t.Fatalf("parseSettings(%s) = %v, want no errors", tt.raw, fes)
				}
				return
			}
			if len(fes) == 0 || fes[0].Field != tt.wantField || fes[0].Code != tt.wantCode {
				t.Fatalf("parseSettings(%s) = %+v, want %s %s", tt.raw, fes, tt.wantField, tt.wantCode)
			}
		})
	}
}
