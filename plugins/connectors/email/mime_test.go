package main

import (
	"strings"
	"testing"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestClassify(t *testing.T) {
	tests := []struct {
		name, headers string
		want          kind
	}{
		{"a person", "From: a@example.com\n", kindPerson},
		{"Auto-Submitted: no is a person", "From: a@example.com\nAuto-Submitted: no\n", kindPerson},
		{"a vacation reply", "From: a@example.com\nAuto-Submitted: auto-replied\n", kindAutoReply},
		{"an X-Autoreply", "From: a@example.com\nX-Autoreply: yes\n", kindAutoReply},
		{"a bulk mail", "From: a@example.com\nPrecedence: bulk\n", kindAutoReply},
		{"a null sender", "From: a@example.com\nReturn-Path: <>\n", kindAutoReply},
		{"a mailer daemon", "From: MAILER-DAEMON@mx.example.com\n", kindBounce},
		{"a delivery report", "From: postmaster@example.com\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\n", kindBounce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseMail(crlf(tt.headers + "Subject: s\n\nbody\n"))
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tt.want {
				t.Errorf("kind = %v, want %v", p.Kind, tt.want)
			}
		})
	}
}

func TestLegacyCharsetsAndHTMLOnlyMail(t *testing.T) {
	// "Привет" in windows-1251, as older Russian clients send it.
	raw := append(crlf("From: a@example.ru\nSubject: =?windows-1251?B?z/Do4uXy?=\nContent-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: 8bit\n\n"),
		0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)
	p, err := parseMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != "Привет" || p.Subject != "Привет" {
		t.Errorf("text %q subject %q, want the windows-1251 text decoded", p.Text, p.Subject)
	}
	html, err := parseMail(crlf("From: a@example.com\nSubject: s\nContent-Type: text/html; charset=utf-8\n\n<p>Hi <b>there</b></p><script>x()</script>\n"))
	if err != nil {
		t.Fatal(err)
	}
	if html.Text != "Hi there" {
		t.Errorf("HTML-only text = %q, want %q", html.Text, "Hi there")
	}
}
