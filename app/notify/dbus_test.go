//go:build linux || freebsd || netbsd || openbsd

// The notification tests watch beeep on the D-Bus session bus, which is
// how it notifies on these systems only.

package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"switchboard/app/notify/dbustest"
	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

// rec is the notification server on the private session bus every test of
// this package shares: godbus dials the session bus once per process.
var rec *dbustest.Recorder

func TestMain(m *testing.M) {
	os.Exit(runWithBus(m))
}

func runWithBus(m *testing.M) int {
	dir, err := os.MkdirTemp("", "notify-dbus")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bus, err := dbustest.StartBus(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify tests need a private D-Bus:", err)
		return 1
	}
	pid := bus.Pid()
	defer func() {
		bus.Close()
		// No stray daemon: the process is gone once Close returns.
		if err := syscall.Kill(pid, 0); err == nil {
			fmt.Fprintf(os.Stderr, "dbus-daemon %d still runs after Close\n", pid)
		}
	}()
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	rec, err = dbustest.NewRecorder(bus.Address)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer rec.Close()
	return m.Run()
}

// desk is one operator's desktop as far as alerts go: a real replica fed
// with wire changes, the Alerter over it and the beeep backend talking to
// the recorder over D-Bus.
type desk struct {
	t   *testing.T
	rp  *replica.Replica
	al  *Alerter
	seq int64
}

func newDesk(t *testing.T, opts Options) *desk {
	t.Helper()
	rp, err := replica.Open(context.Background(), filepath.Join(t.TempDir(), "replica.db"))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 16)
	al := NewAlerter(Config{Notifier: NewBeeep("Switchboard"), Options: opts, OnError: func(err error) { errs <- err }})
	d := &desk{t: t, rp: rp, al: al}
	t.Cleanup(func() {
		al.Close()
		rp.Close()
		select {
		case err := <-errs:
			t.Errorf("notifier error: %v", err)
		default:
		}
	})
	if _, err := rp.Apply(context.Background(), d.orgChanges()); err != nil {
		t.Fatal(err)
	}
	al.SignIn("anna", rp)
	al.Connecting()
	al.Online()
	rec.Reset()
	return d
}

// orgChanges are the workspace and clients as the server sends them.
func (d *desk) orgChanges() []wire.Change {
	org := testOrg()
	var seed []wire.Change
	for _, op := range org.Operators {
		seed = append(seed, d.change(wire.KindOperator, op.ID, op))
	}
	for _, r := range inbox.DefaultRoles() {
		seed = append(seed, d.change(wire.KindRole, r.ID, r))
	}
	for _, g := range org.Groups {
		seed = append(seed, d.change(wire.KindGroup, g.ID, g))
	}
	for _, l := range org.Lines {
		seed = append(seed, d.change(wire.KindLine, l.ID, l))
	}
	seed = append(seed, d.change(wire.KindWorkspace, "ws", org.Workspace),
		d.change(wire.KindClient, "c-ivan", &inbox.Client{ID: "c-ivan", OriginalName: "Ivan Petrov"}),
		d.change(wire.KindClient, "c-spam", &inbox.Client{ID: "c-spam", OriginalName: "Spammer", Blacklisted: true}),
		d.change(wire.KindClient, "c-evil", &inbox.Client{ID: "c-evil", OriginalName: "Evil"}))
	return seed
}

func (d *desk) change(kind wire.Kind, id string, v any) wire.Change {
	data, err := json.Marshal(v)
	if err != nil {
		d.t.Fatal(err)
	}
	d.seq++
	return wire.Change{Seq: d.seq, Kind: kind, ID: id, Op: wire.OpPut, Data: data}
}

// apply stores changes in the replica and feeds what they did to the
// Alerter, as the app's sync sink does.
func (d *desk) apply(cs ...wire.Change) {
	d.t.Helper()
	a, err := d.rp.Apply(context.Background(), cs)
	if err != nil {
		d.t.Fatal(err)
	}
	d.al.Applied(a)
}

// fresh stamps a dialog or message with the time now, as the server would.
func freshDialog(d *inbox.Dialog) *inbox.Dialog {
	t := time.Now()
	d.CreatedAt, d.ModifiedAt = t, t
	if d.Status == inbox.StatusUnassigned {
		d.QueuedAt = t
	}
	return d
}

func (d *desk) newDialog(id, clientID string, mutate ...func(*inbox.Dialog)) wire.Change {
	dl := freshDialog(dlg(id, inbox.StatusUnassigned, append([]func(*inbox.Dialog){client(clientID)}, mutate...)...))
	return d.change(wire.KindDialog, id, dl)
}

// sentinel raises one alert known to pass every rule and waits for the
// recorder to hold want+1 calls: what came before it has arrived by then,
// so "no alert" is asserted without sleeping.
func (d *desk) sentinel(want int) []dbustest.Call {
	d.t.Helper()
	d.apply(d.newDialog(fmt.Sprintf("sentinel-%d", d.seq), "c-ivan", inLine("l-vip")))
	calls := rec.Wait(want+1, 10*time.Second)
	if len(calls) != want+1 {
		d.t.Fatalf("recorder holds %d calls, want %d and the sentinel: %+v", len(calls), want, calls)
	}
	if last := calls[len(calls)-1]; last.Title != "New dialog in VIP" {
		d.t.Fatalf("last call %q, want the sentinel", last.Title)
	}
	return calls[:want]
}

func checkCall(t *testing.T, c dbustest.Call, title, body string, urgency int) {
	t.Helper()
	if c.AppName != "Switchboard" || c.Title != title || c.Body != body || c.Urgency() != urgency {
		t.Errorf("Notify(app %q, title %q, body %q, urgency %d), want (Switchboard, %q, %q, %d)",
			c.AppName, c.Title, c.Body, c.Urgency(), title, body, urgency)
	}
}

func TestDBusNewUnassignedDialog(t *testing.T) {
	d := newDesk(t, Options{})
	d.apply(d.newDialog("d1", "c-ivan"))
	calls := d.sentinel(1)
	checkCall(t, calls[0], "New dialog in Support", "Ivan Petrov: Hello, my order is late", 1)
}

func TestDBusMention(t *testing.T) {
	d := newDesk(t, Options{})
	theirs := freshDialog(dlg("d1", inbox.StatusInProgress, assignee("oleg"), inLine("l-sales")))
	m := &inbox.Message{ID: "m1", DialogID: "d1", Kind: inbox.MsgComment, AuthorID: "oleg",
		Text: "@Anna can you check the refund?", Mentions: []string{"anna"}, CreatedAt: time.Now()}
	d.apply(d.change(wire.KindDialog, "d1", theirs), d.change(wire.KindMessage, "m1", m))
	calls := d.sentinel(1)
	checkCall(t, calls[0], "Oleg mentioned you", "@Anna can you check the refund?\nDialog: Ivan Petrov", 2)
}

func TestDBusBurstInOneBatch(t *testing.T) {
	d := newDesk(t, Options{})
	var cs []wire.Change
	for i := range 50 {
		cs = append(cs, d.newDialog(fmt.Sprintf("b%d", i), "c-ivan"))
	}
	d.apply(cs...)
	calls := d.sentinel(1)
	checkCall(t, calls[0], "50 new dialogs in Support", "Ivan Petrov", 1)
}

func TestDBusBurstOverTime(t *testing.T) {
	// 50 dialogs over about a quarter of a second, one commit each: the
	// first alerts at once, the rest as one alert when the window closes.
	// The window is wide enough that a loaded machine (CI under -race)
	// still fits the whole burst in it; the policy's tests pin the timing.
	d := newDesk(t, Options{Window: 3 * time.Second})
	for i := range 50 {
		d.apply(d.newDialog(fmt.Sprintf("b%d", i), "c-ivan"))
		time.Sleep(5 * time.Millisecond)
	}
	calls := rec.Wait(2, 10*time.Second)
	if len(calls) != 2 {
		t.Fatalf("burst gave %d calls, want 2: %+v", len(calls), calls)
	}
	checkCall(t, calls[0], "New dialog in Support", "Ivan Petrov: Hello, my order is late", 1)
	checkCall(t, calls[1], "50 new dialogs in Support", "Ivan Petrov", 1)
	d.sentinel(2)
}

func TestDBusBlacklistedClientGivesNone(t *testing.T) {
	d := newDesk(t, Options{})
	d.apply(d.newDialog("d1", "c-spam", blacklisted))
	d.sentinel(0)
}

func TestDBusDoNotDisturbGivesNone(t *testing.T) {
	d := newDesk(t, Options{})
	d.al.SetSettings(Settings{DoNotDisturb: true})
	d.apply(d.newDialog("d1", "c-ivan"))
	d.al.SetSettings(Settings{})
	d.sentinel(0)
}

func TestDBusOpenDialogGivesNone(t *testing.T) {
	// Two sentinels in a row: a window this short keeps them apart.
	d := newDesk(t, Options{Window: time.Millisecond})
	mine := freshDialog(dlg("d1", inbox.StatusInProgress, assignee("anna")))
	d.apply(d.change(wire.KindDialog, "d1", mine))
	checkCall(t, d.sentinel(1)[0], "Dialog assigned to you", "Ivan Petrov: Hello, my order is late", 1)
	time.Sleep(2 * time.Millisecond)
	rec.Reset()
	d.al.SetViewing("d1")
	m := &inbox.Message{ID: "m1", DialogID: "d1", Kind: inbox.MsgInbound, Text: "Any news?", CreatedAt: time.Now()}
	d.apply(d.change(wire.KindMessage, "m1", m))
	d.sentinel(0)
	// Looking elsewhere, the same dialog's next message alerts.
	d.al.SetViewing("")
	time.Sleep(2 * time.Millisecond)
	rec.Reset()
	m2 := &inbox.Message{ID: "m2", DialogID: "d1", Kind: inbox.MsgInbound, Text: "Hello?", CreatedAt: time.Now()}
	d.apply(d.change(wire.KindMessage, "m2", m2))
	checkCall(t, d.sentinel(1)[0], "New message: Ivan Petrov", "Hello?", 1)
}

func TestDBusHostileTextArrivesAsText(t *testing.T) {
	d := newDesk(t, Options{})
	d.apply(d.newDialog("d1", "c-evil", func(dl *inbox.Dialog) { dl.LastMessageText = `<img src=x onerror=alert(1)> & <b>hi</b>` }))
	calls := d.sentinel(1)
	checkCall(t, calls[0], "New dialog in Support", "Evil: &lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;hi&lt;/b&gt;", 1)
	if strings.Contains(calls[0].Body, "<") {
		t.Errorf("body %q carries markup", calls[0].Body)
	}
}

func TestDBusCatchUpGivesOneSummary(t *testing.T) {
	d := newDesk(t, Options{})
	d.al.Connecting() // the connection dropped; the catch-up pulls what happened meanwhile
	for i := range 3 {
		d.apply(d.newDialog(fmt.Sprintf("away%d", i), "c-ivan"))
	}
	d.al.Online()
	calls := d.sentinel(1)
	checkCall(t, calls[0], "While you were away", "3 new dialogs in your lines", 1)
}

func TestDBusAResyncDuringCatchUpGivesNoSummary(t *testing.T) {
	d := newDesk(t, Options{})
	d.al.Connecting()
	d.apply(d.newDialog("away-before-resync", "c-ivan"))
	// The operator's lines changed wholesale: the replica empties and
	// fills again from the start; everything that comes is history.
	d.seq++
	d.apply(wire.Change{Seq: d.seq, Kind: wire.KindResync, ID: "anna", Op: wire.OpPut, Data: []byte(`{}`)})
	d.apply(d.orgChanges()...)
	d.apply(d.newDialog("away-before-resync", "c-ivan"))
	for i := range 3 {
		d.apply(d.newDialog(fmt.Sprintf("refilled%d", i), "c-ivan"))
	}
	d.al.Online()
	d.sentinel(0)
}
