package integration

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"switchboard/app/syncclient"
	"switchboard/wire"
)

// adminAs signs a demo person in and returns its admin API.
func adminAs(t *testing.T, base, email string) *syncclient.Admin {
	t.Helper()
	resp, err := syncclient.Login(context.Background(), http.DefaultClient, base, email, "demo1234")
	if err != nil {
		t.Fatalf("Login(%s): %v", email, err)
	}
	a, err := syncclient.NewAdmin(http.DefaultClient, base, resp.Token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTheDesktopsAdminAPIAgainstTheRealServer(t *testing.T) {
	base := teamServer(t)
	ctx := context.Background()
	admin := adminAs(t, base, "admin@demo.switchboard")

	org, err := admin.Org(ctx)
	if err != nil || len(org.Operators) == 0 || len(org.Lines) == 0 || len(org.Channels) == 0 {
		t.Fatalf("Org = %d operators, %d lines, %d channels, %v", len(org.Operators), len(org.Lines), len(org.Channels), err)
	}

	// A new operator, created with a password, can sign in with it.
	op := map[string]any{"name": "Olga", "email": "olga@demo.switchboard", "role": "operator", "active": true, "password": "olga-pass-1"}
	body, _ := json.Marshal(op)
	if _, err := admin.Put(ctx, "operators", "op-olga", body); err != nil {
		t.Fatalf("Put operator: %v", err)
	}
	if _, err := syncclient.Login(ctx, http.DefaultClient, base, "olga@demo.switchboard", "olga-pass-1"); err != nil {
		t.Errorf("the new operator cannot sign in: %v", err)
	}

	// A refusal names its field.
	bad, _ := json.Marshal(map[string]any{"name": "X", "email": "not-mail", "role": "operator", "active": true, "password": "12345678"})
	_, err = admin.Put(ctx, "operators", "op-x", bad)
	var se *syncclient.Error
	if !errors.As(err, &se) || se.Code != "validation.invalid" || se.Fields["email"] != "invalid" || se.Message == "" {
		t.Errorf("Put with a bad e-mail = %v, want validation.invalid on email", err)
	}
	if _, err := admin.Put(ctx, "operators", "../org", body); syncclient.CodeOf(err) != syncclient.CodeBadID {
		t.Errorf("Put with a path in the id = %v, want %s", err, syncclient.CodeBadID)
	}

	// Channel settings round-trip and stay out of the change log.
	ch := org.Channels[0].ID
	if err := admin.SaveChannelSettings(ctx, ch, json.RawMessage(`{"token": "s3cret", "poll": 5}`)); err != nil {
		t.Fatalf("SaveChannelSettings: %v", err)
	}
	got, err := admin.ChannelSettings(ctx, ch)
	if err != nil || string(got) != `{"token":"s3cret","poll":5}` {
		t.Errorf("ChannelSettings = %s, %v", got, err)
	}
	if conns, err := admin.Connectors(ctx); err != nil || conns == nil {
		t.Errorf("Connectors = %v, %v; want an empty list from a server hosting none", conns, err)
	}

	// Reports: a supervisor may, an operator may not.
	now := time.Now()
	sofia := adminAs(t, base, "sofia@demo.switchboard")
	rep, err := sofia.DialogReport(ctx, now.Add(-90*24*time.Hour).UnixMilli(), now.Add(time.Hour).UnixMilli(), wire.ReportByLine, "")
	if err != nil || len(rep.Rows) == 0 {
		t.Errorf("DialogReport as sofia = %+v, %v", rep, err)
	}
	anna := adminAs(t, base, "anna@demo.switchboard")
	if _, err := anna.Org(ctx); syncclient.CodeOf(err) != "auth.forbidden" {
		t.Errorf("Org as anna = %v, want auth.forbidden", err)
	}
	if _, err := anna.DialogReport(ctx, 0, now.UnixMilli(), wire.ReportByLine, ""); syncclient.CodeOf(err) != "auth.forbidden" {
		t.Errorf("DialogReport as anna = %v, want auth.forbidden", err)
	}
}
