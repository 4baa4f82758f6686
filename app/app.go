package app

import (
	"strings"

	"context"
	"net/http"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// App owns the lifecycle and the bound services. main builds it with New,
// binds Services() and hands Startup/Shutdown to wails.Run.
type App struct {
	core         *core
	Session      *Session
	Inbox        *Inbox
	Conversation *Conversation
	Clients      *Clients
	Search       *Search
	Alerts       *Alerts
	Team         *Team
	Notices      *Notices
	Supervisor   *Supervisor
	Admin        *Admin
	Templates    *Templates
	Preferences  *Preferences
	Outgoing     *Outgoing
	Files        *Files
}

// New builds the app; nothing is opened until Startup.
func New(cfg Config) *App {
	c := newCore(cfg)
	return &App{
		core:         c,
		Session:      &Session{c: c},
		Inbox:        &Inbox{c: c},
		Conversation: &Conversation{c: c},
		Clients:      &Clients{c: c},
		Search:       &Search{c: c},
		Alerts:       &Alerts{c: c},
		Team:         &Team{c: c},
		Notices:      &Notices{c: c},
		Supervisor:   &Supervisor{c: c},
		Admin:        &Admin{c: c},
		Templates:    &Templates{c: c},
		Preferences:  &Preferences{c: c},
		Outgoing:     &Outgoing{c: c},
		Files:        &Files{c: c},
	}
}

// Services lists what the UI may call.
func (a *App) Services() []any {
	return append([]any{a.Session, a.Inbox, a.Conversation, a.Clients, a.Search, a.Alerts, a.Team, a.Notices, a.Supervisor, a.Admin, a.Templates, a.Preferences, a.Outgoing, a.Files}, devServices(a.core)...)
}

// Startup is Wails' OnStartup: ctx is the runtime's, for emitting events.
func (a *App) Startup(ctx context.Context) {
	a.core.saveDialog = func(name, title string) (string, error) {
		opts := runtime.SaveDialogOptions{DefaultFilename: name, Title: title, CanCreateDirectories: true}
		if strings.HasSuffix(strings.ToLower(name), ".html") {
			opts.Filters = []runtime.FileFilter{{DisplayName: "HTML", Pattern: "*.html"}}
		}
		return runtime.SaveFileDialog(ctx, opts)
	}
	a.core.start(ctx, func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
}

// Shutdown is Wails' OnShutdown.
func (a *App) Shutdown(context.Context) {
	a.core.stop()
}

// FileHandler serves attachments to the window at /files/{id} (main puts
// it behind the asset server).
func (a *App) FileHandler() http.Handler { return a.core.FileHandler() }
