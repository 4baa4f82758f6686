package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// App owns the lifecycle and the bound services. main builds it with New,
// binds Services() and hands Startup/Shutdown to wails.Run.
type App struct {
	core         *core
	Session      *Session
	Inbox        *Inbox
	Conversation *Conversation
	Search       *Search
}

// New builds the app; nothing is opened until Startup.
func New(cfg Config) *App {
	c := newCore(cfg)
	return &App{
		core:         c,
		Session:      &Session{c: c},
		Inbox:        &Inbox{c: c},
		Conversation: &Conversation{c: c},
		Search:       &Search{c: c},
	}
}

// Services lists what the UI may call.
func (a *App) Services() []any {
	return []any{a.Session, a.Inbox, a.Conversation, a.Search}
}

// Startup is Wails' OnStartup: ctx is the runtime's, for emitting events.
func (a *App) Startup(ctx context.Context) {
	a.core.start(ctx, func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
}

// Shutdown is Wails' OnShutdown.
func (a *App) Shutdown(context.Context) {
	a.core.stop()
}
