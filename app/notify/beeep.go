//go:build linux || freebsd || netbsd || openbsd || windows || darwin

package notify

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"github.com/gen2brain/beeep"
)

// beeepMu serialises calls: beeep keeps the app name in a package variable.
var beeepMu sync.Mutex

// Beeep raises alerts through the OS: on Linux a D-Bus call to
// org.freedesktop.Notifications on the session bus, on Windows a toast, on
// macOS Notification Center (terminal-notifier or AppleScript). Critical
// alerts use beeep.Alert, which also asks for a sound.
type Beeep struct {
	// AppName is what the notification daemon shows as the sender.
	AppName string
	// Icon is a path to a PNG or a stock icon name; "" for none.
	Icon string
}

// NewBeeep returns the OS notifier for appName.
func NewBeeep(appName string) *Beeep { return &Beeep{AppName: appName} }

func (b *Beeep) Notify(ctx context.Context, a Alert) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	beeepMu.Lock()
	defer beeepMu.Unlock()
	beeep.AppName = b.AppName
	body := a.Body
	if markupBody {
		body = markupEscaper.Replace(body)
	}
	if a.Urgency >= UrgencyCritical {
		return beeep.Alert(a.Title, body, b.Icon)
	}
	return beeep.Notify(a.Title, body, b.Icon)
}

// markupBody is true where the notification daemon may read the body as
// markup (the freedesktop spec's body-markup: <b>, <a href>, <img>): a
// customer's "<img src=...>" must arrive as text, so &, < and > are
// escaped. Windows toasts and macOS take plain text.
var markupBody = runtime.GOOS != "windows" && runtime.GOOS != "darwin"

var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var _ Notifier = (*Beeep)(nil)
