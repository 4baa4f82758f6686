//go:build !linux

package main

import "time"

// threadUsage is not measured here (Linux only).
func threadUsage() (time.Duration, int64) { return 0, 0 }

// processCPU is not measured here (Linux only).
func processCPU() time.Duration { return 0 }
