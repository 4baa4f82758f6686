package main

import "testing"

// TestEveryChangeBecomesOneAlert runs the benchmark small, so CI proves the
// whole path (server commit → live feed → replica → policy → beeep →
// D-Bus) works; the timings are the benchmark's business, not the test's.
func TestEveryChangeBecomesOneAlert(t *testing.T) {
	r, err := run(20)
	if err != nil {
		t.Fatal(err)
	}
	if r.arrived != r.samples {
		t.Errorf("%d of %d changes raised their alert", r.arrived, r.samples)
	}
	t.Log(r)
}
