package main

import (
	"path/filepath"
	"testing"
)

// The dev clock lets anyone who reaches the server move its time: it
// exists only when asked for by flag.
func TestDevClockOnlyWithTheFlag(t *testing.T) {
	bin := buildServer(t)
	move := map[string]string{"advance": "1h"}
	plain := start(t, bin, "--data", filepath.Join(t.TempDir(), "plain"), "--demo", "--plugins", "off")
	if code, body := post(t, plain+"/api/v1/dev/clock", "", move); code != 404 {
		t.Errorf("POST /api/v1/dev/clock on a default server = %d %s, want 404", code, body)
	}
	dev := start(t, bin, "--data", filepath.Join(t.TempDir(), "dev"), "--demo", "--plugins", "off", "--dev-clock")
	if code, body := post(t, dev+"/api/v1/dev/clock", "", move); code != 200 {
		t.Errorf("POST /api/v1/dev/clock with --dev-clock = %d %s, want 200", code, body)
	}
}
