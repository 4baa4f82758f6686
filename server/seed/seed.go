// Package seed creates a workspace: the first-run set-up (a workspace and
// its first admin) and the demo workspace in Russian, Ukrainian and
// English that the README's first command and the benchmarks use.
package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/server/password"
	"switchboard/server/store"
	"switchboard/wire"
)

// ErrExists is returned when the database already holds a workspace.
var ErrExists = errors.New("this server already has a workspace")

// Admin describes the workspace and first admin that Init creates.
type Admin struct {
	Workspace string
	Name      string
	Email     string
	Password  string
}

// Init creates the workspace, the built-in roles and the first admin.
func Init(ctx context.Context, st store.Store, a Admin, now time.Time) error {
	if strings.TrimSpace(a.Email) == "" || len(a.Password) < 8 {
		return errors.New("the first admin needs an e-mail and a password of at least 8 characters")
	}
	if a.Workspace == "" {
		a.Workspace = "Switchboard"
	}
	if a.Name == "" {
		a.Name = "Admin"
	}
	hash, err := password.Hash(a.Password)
	if err != nil {
		return err
	}
	return st.Write(ctx, func(tx store.Tx) error {
		if tx.Org().Workspace != nil {
			return ErrExists
		}
		w := writer{tx: tx}
		w.put(wire.KindWorkspace, "ws", &inbox.Workspace{ID: "ws", Name: a.Workspace, DefaultLanguage: "en",
			ReopenMessengerHours: inbox.DefaultReopenMessengerHours, ReopenEmailHours: inbox.DefaultReopenEmailHours, CreatedAt: now})
		for _, r := range inbox.DefaultRoles() {
			w.put(wire.KindRole, r.ID, r)
		}
		w.put(wire.KindOperator, "op-admin", &inbox.Operator{ID: "op-admin", Name: a.Name, Email: strings.ToLower(a.Email),
			Role: inbox.RoleAdmin, Active: true, CreatedAt: now})
		if w.err == nil {
			w.err = tx.SetCredential("op-admin", a.Email, hash)
		}
		return w.err
	})
}

// writer collects the first error of a run of puts.
type writer struct {
	tx  store.Tx
	err error
}

func (w *writer) put(kind wire.Kind, id string, v any) {
	if w.err != nil {
		return
	}
	if _, err := w.tx.PutOrg(kind, id, v); err != nil {
		w.err = fmt.Errorf("put %s %s: %w", kind, id, err)
	}
}

func (w *writer) apply(o *inbox.Outcome) {
	if w.err != nil {
		return
	}
	if _, err := w.tx.Apply(o); err != nil {
		w.err = err
	}
}
