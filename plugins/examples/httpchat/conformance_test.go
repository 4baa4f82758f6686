package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/plugins/conformance"
)

// TestConformance builds the connector and runs the conformance kit on it,
// as the host would run it.
func TestConformance(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "httpchat")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port for the chat
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conformance.Run(t, bin, conformance.Options{
		Settings:    []byte(`{"listen": "` + addr + `"}`),
		BadSettings: []byte(`{"listen": "nowhere"}`),
		// Inbound makes the chat receive n messages, as a customer would.
		Inbound: func(ctx context.Context, n int) error {
			for i := range n {
				resp, err := http.PostForm("http://"+addr+"/messages", url.Values{"chat": {"alice"}, "text": {fmt.Sprint("hello ", i)}})
				if err != nil {
					return err
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					return fmt.Errorf("POST /messages: %s", resp.Status)
				}
			}
			return nil
		},
		// Delivered checks that the customer sees an operator's answer.
		Delivered: func(ctx context.Context, chatID, text string) error {
			resp, err := http.Get("http://" + addr + "/messages?chat=" + url.QueryEscape(chatID))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), text) {
				return fmt.Errorf("the answers in %s are %q, want %q among them", chatID, body, text)
			}
			return nil
		},
	})
}
