package main

import (
	"context"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

const dialTimeout = 20 * time.Second

// mailbox is one logged-in IMAP connection with the folder selected.
type mailbox struct {
	c        *imapclient.Client
	validity uint32
	uidNext  imap.UID
	// newMail receives a value when the server reports new messages.
	newMail chan struct{}
	stop    func() bool // ends the context watch
}

// openMailbox connects, logs in and selects the folder. It closes the
// connection when ctx ends, which ends any command in flight.
func openMailbox(ctx context.Context, s settings) (*mailbox, error) {
	m := &mailbox{newMail: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: tlsConfig(s, s.IMAP.Host),
		Dialer:    &net.Dialer{Timeout: dialTimeout},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case m.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var err error
	switch s.IMAP.Security {
	case securityTLS:
		m.c, err = imapclient.DialTLS(s.IMAP.addr(), opts)
	case securityStartTLS:
		m.c, err = imapclient.DialStartTLS(s.IMAP.addr(), opts)
		if err != nil && strings.Contains(err.Error(), "STARTTLS") {
			return nil, classifyErr("/imap", "starttls", err)
		}
	default:
		m.c, err = imapclient.DialInsecure(s.IMAP.addr(), opts)
	}
	if err != nil {
		return nil, classifyErr("/imap", "connect", err)
	}
	m.stop = context.AfterFunc(ctx, func() { m.c.Close() })
	if err := m.c.WaitGreeting(); err != nil {
		m.close()
		return nil, classifyErr("/imap", "connect", err)
	}
	if err := m.c.Login(s.IMAP.Username, s.IMAP.Password).Wait(); err != nil {
		m.close()
		return nil, classifyErr("/imap", "login", err)
	}
	sel, err := m.c.Select(s.IMAP.Folder, nil).Wait()
	if err != nil {
		m.close()
		return nil, classifyErr("/imap", "select", err)
	}
	m.validity, m.uidNext = sel.UIDValidity, sel.UIDNext
	return m, nil
}

func (m *mailbox) close() {
	m.stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.c.Logout().Wait()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	m.c.Close()
}

// ensureFolder creates a folder unless it exists.
func (m *mailbox) ensureFolder(name string) error {
	list, err := m.c.List("", name, nil).Collect()
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return nil
	}
	return m.c.Create(name, nil).Wait()
}

// uidsAfter lists the UIDs above after in order. fresh (no cursor yet)
// takes the mail still waiting: unread mail when processed mail is marked
// read, all of it when processed mail moves away.
func (m *mailbox) uidsAfter(after imap.UID, fresh bool, s settings) ([]imap.UID, error) {
	var crit imap.SearchCriteria
	var set imap.UIDSet
	set.AddRange(after+1, 0)
	crit.UID = []imap.UIDSet{set}
	if fresh && s.IMAP.AfterProcessing == afterSeen {
		crit.NotFlag = []imap.Flag{imap.FlagSeen}
	}
	data, err := m.c.UIDSearch(&crit, nil).Wait()
	if err != nil {
		return nil, err
	}
	var uids []imap.UID
	for _, u := range data.AllUIDs() {
		if u > after { // "n:*" always matches the last message
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	return uids, nil
}

// maxMailBytes bounds a mail fetched whole; a larger one is fetched as
// headers only and shown as too large.
const maxMailBytes = 25 << 20

// fetched is one message as read from the server.
type fetched struct {
	UID      imap.UID
	Size     int64
	Date     time.Time
	Raw      []byte
	HeadOnly bool
}

// fetch reads the messages with the given UIDs without marking them read.
func (m *mailbox) fetch(uids []imap.UID) ([]fetched, error) {
	sizes, err := m.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
	if err != nil {
		return nil, err
	}
	var whole, heads []imap.UID
	info := map[imap.UID]fetched{}
	for _, b := range sizes {
		info[b.UID] = fetched{UID: b.UID, Size: b.RFC822Size, Date: b.InternalDate}
		if b.RFC822Size > maxMailBytes {
			heads = append(heads, b.UID)
		} else {
			whole = append(whole, b.UID)
		}
	}
	get := func(set []imap.UID, sec *imap.FetchItemBodySection, headOnly bool) error {
		if len(set) == 0 {
			return nil
		}
		bufs, err := m.c.Fetch(imap.UIDSetNum(set...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sec}}).Collect()
		if err != nil {
			return err
		}
		for _, b := range bufs {
			f := info[b.UID]
			f.Raw, f.HeadOnly = b.FindBodySection(sec), headOnly
			info[b.UID] = f
		}
		return nil
	}
	if err := get(whole, &imap.FetchItemBodySection{Peek: true}, false); err != nil {
		return nil, err
	}
	if err := get(heads, &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}, true); err != nil {
		return nil, err
	}
	out := make([]fetched, 0, len(uids))
	for _, u := range uids {
		if f, ok := info[u]; ok && f.Raw != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// markProcessed marks read or moves the messages with UIDs in (from, to].
func (m *mailbox) markProcessed(from, to imap.UID, s settings) error {
	if to <= from {
		return nil
	}
	var set imap.UIDSet
	set.AddRange(from+1, to)
	if s.IMAP.AfterProcessing == afterMove {
		if m.c.Caps().Has(imap.CapMove) || m.c.Caps().Has(imap.CapIMAP4rev2) {
			_, err := m.c.Move(set, s.IMAP.MoveTo).Wait()
			return err
		}
		if _, err := m.c.Copy(set, s.IMAP.MoveTo).Wait(); err != nil {
			return err
		}
		if err := m.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return err
		}
		if m.c.Caps().Has(imap.CapUIDPlus) {
			return m.c.UIDExpunge(set).Close()
		}
		return nil // expunged when the next session closes the folder
	}
	return m.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
}

// wait returns when the server reports new mail, wake fires, the poll
// interval passes, or ctx ends. With IDLE the server tells at once.
func (m *mailbox) wait(ctx context.Context, s settings, wake <-chan struct{}) error {
	if s.IMAP.idle() && (m.c.Caps().Has(imap.CapIdle) || m.c.Caps().Has(imap.CapIMAP4rev2)) {
		idle, err := m.c.Idle()
		if err != nil {
			return err
		}
		var werr error
		select {
		case <-m.newMail:
		case <-wake:
		case <-ctx.Done():
			werr = ctx.Err()
		case <-time.After(10 * time.Minute): // look again now and then regardless
		}
		if err := idle.Close(); err != nil && werr == nil {
			return err
		}
		if err := idle.Wait(); err != nil && werr == nil {
			return err
		}
		return werr
	}
	t := time.NewTimer(s.IMAP.pollEvery())
	defer t.Stop()
	select {
	case <-m.newMail:
	case <-t.C:
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	return m.c.Noop().Wait()
}
