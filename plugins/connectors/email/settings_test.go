package main

import (
	"strings"
	"testing"
)

func TestParseSettings(t *testing.T) {
	base := `"address":"support@example.com","imap":{"host":"imap.example.com","username":"u","password":"p"},"smtp":{"host":"smtp.example.com"}`
	tests := []struct {
		name      string
		raw       string
		wantField string // "" for valid settings
		wantCode  string
	}{
		{"minimal settings", "{" + base + "}", "", ""},
		{"not JSON", "{", "", "validation_invalid_json"},
		{"an unknown field", `{` + base + `,"token":"x"}`, "", "validation_invalid_json"},
		{"no address", `{"imap":{"host":"h","username":"u","password":"p"},"smtp":{"host":"h"}}`, "/address", "validation_required"},
		{"an address with a name", `{"address":"Shop <s@example.com>","imap":{"host":"h","username":"u","password":"p"},"smtp":{"host":"h"}}`, "/address", "validation_invalid_email"},
		{"no IMAP password", `{"address":"s@example.com","imap":{"host":"h","username":"u"},"smtp":{"host":"h"}}`, "/imap/password", "validation_required"},
		{"plain text to a remote server", `{` + strings.Replace(base, `"host":"imap.example.com"`, `"host":"imap.example.com","security":"none"`, 1) + `}`, "/imap/security", "validation_insecure"},
		{"a bad port", `{` + strings.Replace(base, `"host":"smtp.example.com"`, `"host":"smtp.example.com","port":70000`, 1) + `}`, "/smtp/port", "validation_out_of_range"},
		{"moving into the folder read", `{` + strings.Replace(base, `"password":"p"`, `"password":"p","after_processing":"move","move_to":"inbox"`, 1) + `}`, "/imap/move_to", "validation_same_folder"},
		{"a CA that is no certificate", `{` + base + `,"ca_cert":"hello"}`, "/ca_cert", "validation_invalid_certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fes := parseSettings([]byte(tt.raw))
			if tt.wantCode == "" {
				if len(fes) > 0 {
					t.Fatalf("parseSettings = %v, want none", fes)
				}
				return
			}
			for _, fe := range fes {
				if fe.Field == tt.wantField && fe.Code == tt.wantCode {
					return
				}
			}
			t.Fatalf("parseSettings = %v, want %s at %q", fes, tt.wantCode, tt.wantField)
		})
	}
}

func TestSettingsDefaultsAndSecrets(t *testing.T) {
	s, fes := parseSettings([]byte(`{"address":"Support@Example.com","imap":{"host":"imap.example.com","username":"u","password":"hunter2"},"smtp":{"host":"smtp.example.com"}}`))
	if len(fes) > 0 {
		t.Fatal(fes)
	}
	if s.IMAP.Port != 993 || s.IMAP.Security != "tls" || s.SMTP.Port != 587 || s.SMTP.Security != "starttls" ||
		s.IMAP.Folder != "INBOX" || s.IMAP.AfterProcessing != "seen" || s.SMTP.Username != "u" || s.SMTP.Password != "hunter2" {
		t.Errorf("defaults = %+v", s)
	}
	_, fes = parseSettings([]byte(`{"address":"s@example.com","imap":{"host":"h","username":"u","password":"hunter2","port":"x"},"smtp":{"host":"h"}}`))
	if len(fes) != 1 || strings.Contains(fes[0].Message, "hunter2") {
		t.Errorf("a type error = %v, want one that does not quote the settings", fes)
	}
	if !strings.Contains(settingsSchema, `"password": {"type": "string", "title": "Password or app password", "writeOnly": true`) {
		t.Error("the IMAP password is not marked writeOnly in the schema")
	}
}
