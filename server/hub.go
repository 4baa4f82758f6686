package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// hub fans committed changes out to live subscribers. It reads the log once
// per wake-up (a local commit, or a NOTIFY from another instance) and
// filters in memory with the same rule Pull applies in SQL, so 200
// subscribers cost one query, not 200.
type hub struct {
	st  store.Store
	log *slog.Logger

	wake chan struct{}

	// mu guards the fields below.
	mu     sync.Mutex
	head   int64 // the newest seq fanned out
	subs   map[*sub]struct{}
	online map[string]int // operator id -> open connections here
	// remote is who the database last said is online on any instance;
	// anywhere is remote and online together: the presence every
	// connection is told about.
	remote, anywhere map[string]bool
	// presenceChanged says the online set changed; true when somebody
	// came online (their lines then get a pass of auto-assignment).
	presenceChanged chan bool

	// inMu guards the fields below: what writers announce. It is never
	// held for long, so a write handing over its changes does not wait
	// for a fan-out (which holds mu).
	inMu sync.Mutex
	// known is the newest head announced (committed, handOver); mustRead
	// says a change of unknown head happened, or a read was cut short.
	known    int64
	mustRead bool
	// handed holds what local writes logged, not yet sent (handOver).
	handed []store.Committed
}

// sub is one live connection.
type sub struct {
	op  string
	out chan outFrame
	// deflate says the client asked for compressed changes frames.
	deflate bool
	from    int64 // changes at or below this seq come from its catch-up pull
	// closed is closed when the hub drops a subscriber that fell behind.
	closed chan struct{}
	once   sync.Once
}

// outFrame is an encoded frame: a JSON text message, or a binary one (a
// compressed changes frame, wire.EncodeDeflateFrame).
type outFrame struct {
	b      []byte
	binary bool
}

func (s *sub) drop() { s.once.Do(func() { close(s.closed) }) }

// subBuffer is how many frames may wait for a slow connection before the
// hub drops it; the client reconnects and catches up by pull.
const subBuffer = 1024

func newHub(st store.Store, log *slog.Logger) *hub {
	return &hub{st: st, log: log, wake: make(chan struct{}, 1), subs: map[*sub]struct{}{}, online: map[string]int{},
		remote: map[string]bool{}, anywhere: map[string]bool{},
		presenceChanged: make(chan bool, 1)}
}

// committed tells the hub the log grew to head (0: to where, it must read).
func (h *hub) committed(head int64) {
	h.inMu.Lock()
	if head > 0 {
		h.known = max(h.known, head)
	} else {
		h.mustRead = true
	}
	h.inMu.Unlock()
	h.signal()
}

func (h *hub) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *hub) run(ctx context.Context) {
	if head, err := h.st.Head(ctx); err == nil {
		h.mu.Lock()
		h.head = head
		h.mu.Unlock()
		h.committed(head)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		}
		if err := h.fanOut(ctx); err != nil && ctx.Err() == nil {
			h.log.Error("live fan-out", "err", err)
			time.Sleep(100 * time.Millisecond)
			h.committed(0)
		}
	}
}

// handOver takes what a local write logged (store.OnCommitted): the hub
// sends it as it is when it follows on from what was sent last, instead of
// reading the log back. It must not block: it runs right after the commit.
func (h *hub) handOver(c store.Committed) {
	h.inMu.Lock()
	if c.Complete {
		h.handed = append(h.handed, c)
	}
	h.known = max(h.known, c.To)
	h.inMu.Unlock()
	h.signal()
}

// takeHanded returns a handed-over commit that starts at after, dropping
// those already sent; ok is false when none does (the next commit was not
// handed over, or came from another instance: read the log). h.inMu is
// held.
func (h *hub) takeHanded(after int64) (store.Committed, bool) {
	keep := h.handed[:0]
	var found store.Committed
	ok := false
	for _, c := range h.handed {
		switch {
		case c.To <= after:
		case c.From == after && !ok:
			found, ok = c, true
		default:
			keep = append(keep, c)
		}
	}
	clear(h.handed[len(keep):])
	h.handed = keep
	return found, ok
}

func (h *hub) fanOut(ctx context.Context) error {
	for {
		h.mu.Lock()
		after, idle := h.head, len(h.subs) == 0
		h.mu.Unlock()
		h.inMu.Lock()
		c, handed := h.takeHanded(after)
		read := !handed && (h.mustRead || after < h.known)
		if read {
			h.mustRead = false
		}
		h.inMu.Unlock()
		if !handed && !read {
			return nil // everything announced has been sent
		}
		if idle {
			// Nobody listens: move past the log without reading it. A
			// subscriber that joins later catches up by pull.
			head := c.To
			if !handed {
				var err error
				if head, err = h.st.Head(ctx); err != nil {
					h.readAgain()
					return err
				}
			}
			h.mu.Lock()
			stillIdle := len(h.subs) == 0
			if stillIdle {
				h.head = max(h.head, head)
			}
			h.mu.Unlock()
			if !stillIdle && handed {
				h.putBack(c) // for the newcomer
			}
			continue
		}
		changes, to := c.Changes, c.To
		if !handed {
			var err error
			if changes, err = h.st.ChangesAfter(ctx, after, liveReadLimit); err != nil {
				h.readAgain()
				return err
			}
			if len(changes) == 0 {
				return nil
			}
			to = changes[len(changes)-1].Seq
			if len(changes) == liveReadLimit {
				h.readAgain() // more to read
			}
		}
		org, err := c.Org, error(nil)
		if org == nil {
			// Not handed, or handed without it: another instance's
			// commit, a write that changed the org.
			org, err = h.st.Org(ctx)
		}
		if err != nil {
			if handed {
				h.putBack(c)
			} else {
				h.readAgain()
			}
			return err
		}
		h.mu.Lock()
		h.head = max(h.head, to)
		// Most subscribers see the same changes (a line's operators, every
		// supervisor): encode (and compress) each distinct selection once.
		enc := map[encKey]outFrame{}
		for s := range h.subs {
			h.deliver(org, s, changes, to, enc)
		}
		h.mu.Unlock()
	}
}

// putBack keeps a handed commit fanOut could not send yet.
func (h *hub) putBack(c store.Committed) {
	h.inMu.Lock()
	h.handed = append(h.handed, c)
	h.inMu.Unlock()
}

// readAgain says the log must be read on the next pass (a read failed or
// was cut short).
func (h *hub) readAgain() {
	h.inMu.Lock()
	h.mustRead = true
	h.inMu.Unlock()
}

// liveReadLimit is how many changes the hub reads from the log at once.
const liveReadLimit = 2000

// encKey names an encoded selection of changes: a hash of their seqs, and
// whether it is the compressed frame.
type encKey struct {
	sel     uint64
	deflate bool
}

// deliver sends a subscriber what it may see. h.mu is held.
func (h *hub) deliver(org *inbox.Org, s *sub, changes []store.Logged, head int64, enc map[encKey]outFrame) {
	v := store.ViewerOf(org, s.op)
	key := fnv.New64a()
	var picked []int
	var b [8]byte
	for i := range changes {
		if changes[i].Seq > s.from && changes[i].Visible(v) {
			picked = append(picked, i)
			binary.LittleEndian.PutUint64(b[:], uint64(changes[i].Seq))
			key.Write(b[:])
		}
	}
	if len(picked) == 0 {
		return
	}
	k := encKey{sel: key.Sum64()}
	text, ok := enc[k]
	if !ok {
		text = outFrame{b: encodeChanges(changes, picked, head)}
		enc[k] = text
	}
	if !s.deflate {
		h.send(s, text)
		return
	}
	k.deflate = true
	frame, ok := enc[k]
	if !ok {
		frame = outFrame{b: wire.EncodeDeflateFrame(head, text.b), binary: true}
		enc[k] = frame
	}
	h.send(s, frame)
}

// encodeChanges writes the changes frame of changes[picked] by hand, as
// encodePull does a page: the entities' JSON comes from the log, and
// encoding/json would re-validate and re-compact all of it for every frame.
func encodeChanges(changes []store.Logged, picked []int, head int64) []byte {
	size := 64
	for _, i := range picked {
		size += len(changes[i].Data) + len(changes[i].ID) + 64
	}
	b := make([]byte, 0, size)
	b = append(b, `{"type":"`+wire.FrameChanges+`","changes":[`...)
	for j, i := range picked {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendChange(b, &changes[i].Change)
	}
	b = append(b, `],"head":`...)
	b = strconv.AppendInt(b, head, 10)
	return append(b, '}')
}

func encodeFrame(f wire.Frame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("encode frame: %v", err)) // wire types always encode
	}
	return b
}

// send queues a frame or drops a subscriber that stopped reading. h.mu is
// held.
func (h *hub) send(s *sub, f outFrame) {
	select {
	case s.out <- f:
	default:
		h.log.Warn("live subscriber fell behind; dropping it", "operator", s.op)
		delete(h.subs, s)
		s.drop()
	}
}

// join registers a subscriber; it returns the seq up to which the caller
// must catch up by pull (everything after comes live), and the operators
// online now.
func (h *hub) join(op string, deflate bool) (*sub, int64, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &sub{op: op, out: make(chan outFrame, subBuffer), deflate: deflate, from: h.head, closed: make(chan struct{})}
	h.subs[s] = struct{}{}
	h.online[op]++
	if h.online[op] == 1 {
		if !h.anywhere[op] {
			h.anywhere[op] = true
			h.broadcast(wire.Frame{Type: wire.FramePresence, OperatorID: op, Online: true}, nil)
		}
		h.notePresence(true)
	}
	online := make([]string, 0, len(h.anywhere))
	for id := range h.anywhere {
		online = append(online, id)
	}
	return s, s.from, online
}

func (h *hub) leave(s *sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
	h.online[s.op]--
	if h.online[s.op] <= 0 {
		delete(h.online, s.op)
		// Offline is told once the database says the operator is connected
		// to no instance (reconcile, right after the presence is saved).
		h.notePresence(false)
	}
}

// reconcile takes who the database says is online on any instance (when
// ok; else the last answer stands), adds who is connected here, and tells
// every connection who came and who went.
func (h *hub) reconcile(db []string, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ok {
		h.remote = make(map[string]bool, len(db))
		for _, id := range db {
			h.remote[id] = true
		}
	}
	now := make(map[string]bool, len(h.remote)+len(h.online))
	for id := range h.remote {
		now[id] = true
	}
	for id := range h.online {
		now[id] = true
	}
	var came, went []string
	for id := range now {
		if !h.anywhere[id] {
			came = append(came, id)
		}
	}
	for id := range h.anywhere {
		if !now[id] {
			went = append(went, id)
		}
	}
	slices.Sort(came)
	slices.Sort(went)
	for _, id := range came {
		h.broadcast(wire.Frame{Type: wire.FramePresence, OperatorID: id, Online: true}, nil)
	}
	for _, id := range went {
		h.broadcast(wire.Frame{Type: wire.FramePresence, OperatorID: id, Online: false}, nil)
	}
	h.anywhere = now
}

// notePresence signals a change of the online set, merging with a signal
// still pending. h.mu is held.
func (h *hub) notePresence(cameOnline bool) {
	select {
	case old := <-h.presenceChanged:
		cameOnline = cameOnline || old
	default:
	}
	h.presenceChanged <- cameOnline
}

// onlineNow lists the operators connected to this instance.
func (h *hub) onlineNow() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.online))
	for id := range h.online {
		out = append(out, id)
	}
	return out
}

// broadcast sends a frame to every subscriber that passes keep (nil: all).
// h.mu is held.
func (h *hub) broadcast(f wire.Frame, keep func(*sub) bool) {
	b := outFrame{b: encodeFrame(f)}
	for s := range h.subs {
		if keep == nil || keep(s) {
			h.send(s, b)
		}
	}
}

// relay passes a typing or viewing frame to those who see the dialog,
// leaving out the operator it came from (f.OperatorID; from is its
// connection when it came from here).
func (h *hub) relay(org *inbox.Org, d *inbox.Dialog, from *sub, f wire.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.broadcast(f, func(s *sub) bool {
		return s != from && (f.OperatorID == "" || s.op != f.OperatorID) && org.SeesDialog(s.op, d)
	})
}
