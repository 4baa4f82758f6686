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
