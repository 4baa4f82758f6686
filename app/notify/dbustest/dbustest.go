// Package dbustest runs a private D-Bus session bus and a notification
// server on it that records every call, so tests and benchmarks can watch
// real org.freedesktop.Notifications traffic without a desktop.
//
//	bus, err := dbustest.StartBus(dir)   // dbus-daemon --session on a socket in dir
//	os.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
//	rec, err := dbustest.NewRecorder(bus.Address)
//	... rec.Wait(1, time.Second) ...
//	rec.Close(); bus.Close()
//
// godbus keeps one session connection per process, made from
// DBUS_SESSION_BUS_ADDRESS on first use: start one bus per test process
// (in TestMain) and set the variable before anything notifies.
package dbustest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Bus is a running private dbus-daemon.
type Bus struct {
	Address string
	cmd     *exec.Cmd
}

// StartBus starts dbus-daemon --session listening on a socket in dir and
// returns once it printed its address.
func StartBus(dir string) (*Bus, error) {
	path, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, fmt.Errorf("dbus-daemon is not installed (Debian package dbus): %w", err)
	}
	cmd := exec.Command(path, "--session", "--nofork", "--nosyslog", "--address=unix:dir="+dir, "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer // it warns about fd limits it may not raise; shown only on failure
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dbus-daemon: %w", err)
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("dbus-daemon printed no address: %s", stderr.String())
		}
		return &Bus{Address: addr, cmd: cmd}, nil
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, errors.New("dbus-daemon did not print its address within 10 s")
	}
}

// Close kills the daemon and waits for it to exit.
func (b *Bus) Close() error {
	if b == nil || b.cmd == nil || b.cmd.Process == nil {
		return nil
	}
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	return nil
}

// Pid is the daemon's process id.
func (b *Bus) Pid() int { return b.cmd.Process.Pid }

// Call is one Notify call as the server received it.
type Call struct {
	AppName    string
	ReplacesID uint32
	Icon       string
	Title      string // the spec's summary
	Body       string
	Actions    []string
	Hints      map[string]dbus.Variant
	Timeout    int32
	At         time.Time // when the server received it
}

// Urgency is the call's urgency hint (0 low, 1 normal, 2 critical), or -1
// when the call had none.
func (c Call) Urgency() int {
	v, ok := c.Hints["urgency"]
	if !ok {
		return -1
	}
	switch u := v.Value().(type) {
	case byte:
		return int(u)
	case int32:
		return int(u)
	}
	return -1
}

const (
	busName = "org.freedesktop.Notifications"
	objPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// Recorder owns org.freedesktop.Notifications on a bus and records every
// Notify call.
type Recorder struct {
	conn *dbus.Conn

	// mu guards the fields below.
	mu      sync.Mutex
	calls   []Call
	nextID  uint32
	changed chan struct{} // closed and replaced on every call
	// OnNotify, when set, sees each call as it arrives (benchmarks time
	// arrivals with it).
	onNotify func(Call)
}

// NewRecorder connects to the bus at address, exports the notification
// server's methods and takes its well-known name.
func NewRecorder(address string) (*Recorder, error) {
	conn, err := dbus.Connect(address)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", address, err)
	}
	r := &Recorder{conn: conn, changed: make(chan struct{})}
	if err := conn.Export(server{r}, objPath, busName); err != nil {
		conn.Close()
		return nil, fmt.Errorf("export the notification server: %w", err)
	}
	reply, err := conn.RequestName(busName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("own %s: reply %v, %v", busName, reply, err)
	}
	return r, nil
}

// OnNotify sets a function that sees every call as it arrives.
func (r *Recorder) OnNotify(f func(Call)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onNotify = f
}

// Calls returns the calls so far.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// Reset forgets the calls so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// Wait returns the calls once there are at least n, or what there is when
// timeout passes.
func (r *Recorder) Wait(n int, timeout time.Duration) []Call {
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		if len(r.calls) >= n {
			out := append([]Call(nil), r.calls...)
			r.mu.Unlock()
			return out
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return r.Calls()
		}
	}
}

// Close releases the name and the connection.
func (r *Recorder) Close() error {
	_, _ = r.conn.ReleaseName(busName)
	return r.conn.Close()
}

// server is the exported object; its methods are the spec's.
type server struct{ r *Recorder }

func (s server) Notify(appName string, replacesID uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	c := Call{AppName: appName, ReplacesID: replacesID, Icon: icon, Title: summary, Body: body,
		Actions: actions, Hints: hints, Timeout: timeout, At: time.Now()}
	r := s.r
	r.mu.Lock()
	r.nextID++
	id := r.nextID
	r.calls = append(r.calls, c)
	close(r.changed)
	r.changed = make(chan struct{})
	f := r.onNotify
	r.mu.Unlock()
	if f != nil {
		f(c)
	}
	return id, nil
}

func (s server) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "body-markup", "actions"}, nil
}

func (s server) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "switchboard-test", "switchboard", "1.0", "1.2", nil
}

func (s server) CloseNotification(id uint32) *dbus.Error { return nil }

// NotifyDirect makes one bare Notify call on conn and waits for the answer:
// the round trip a benchmark compares with.
func NotifyDirect(conn *dbus.Conn, title, body string) error {
	call := conn.Object(busName, objPath).Call(busName+".Notify", 0, "bench", uint32(0), "", title, body,
		[]string{}, map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}, int32(5000))
	return call.Err
}
