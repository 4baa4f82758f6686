//go:build !(linux || freebsd || netbsd || openbsd || windows || darwin)

package notify

import (
	"context"
	"errors"
)

// Beeep has no backend on this OS: every alert reports ErrUnsupported.
type Beeep struct {
	AppName string
	Icon    string
}

// ErrUnsupported says this OS has no native notifications for us.
var ErrUnsupported = errors.New("native notifications are not supported on this system")

// NewBeeep returns a notifier that reports ErrUnsupported.
func NewBeeep(appName string) *Beeep { return &Beeep{AppName: appName} }

func (b *Beeep) Notify(context.Context, Alert) error { return ErrUnsupported }
