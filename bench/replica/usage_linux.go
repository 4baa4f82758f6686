package main

import (
	"syscall"
	"time"
)

// threadUsage is the calling thread's CPU time and how many times it was
// preempted (involuntary context switches) so far.
func threadUsage() (time.Duration, int64) {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nivcsw
}

// processCPU is the CPU time every thread of this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
