package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"switchboard/plugins/manifest"
)

// ignored reports whether a name is a hidden or partial file a copy is still
// writing: such names never make a plugin change.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part")
}

// settling is a plugin folder that changed and is waiting to stay unchanged
// for SettleDelay before it is loaded: `cp` creates an empty file first and
// fills it afterwards, and a half-copied plugin must never load.
type settling struct {
	last map[string]fileStamp
	seen bool // last holds a snapshot: a folder settles only when two agree
	// gone says the folder was missing at the last check: a removal, too,
	// takes two checks that agree, because an upgrade that moves the old
	// copy aside before it renames the new one in leaves a moment with no
	// folder at all.
	gone  bool
	timer *time.Timer
	// waited counts the longer waits given to a folder that settled but
	// looked unfinished (see incomplete).
	waited int
}

// A settled folder whose plugin is missing its executable, or whose
// manifest or executable does not match yet, may be a copy that paused
// (a slow disk, a starved copier) rather than a broken plugin: it gets
// incompleteWaits more waits of incompleteWait settle delays before it is
// refused. Any change to the folder meanwhile starts the settle over.
const (
	incompleteWaits = 2
	incompleteWait  = 5
)

func incomplete(err error) bool {
	switch manifest.CodeOf(err) {
	case manifest.CodeUnreadable, manifest.CodeMalformed, manifest.CodeExecutableAbsent, manifest.CodeBadChecksum:
		return true
	}
	return false
}

type fileStamp struct {
	size  int64
	mtime time.Time
}

func (c *catalog) watch(ctx context.Context, wg *sync.WaitGroup) (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch plugins folder: %w", err)
	}
	if err := w.Add(c.cfg.PluginsDir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch plugins folder: %w", err)
	}
	entries, _ := os.ReadDir(c.cfg.PluginsDir)
	for _, e := range entries {
		if e.IsDir() && !ignored(e.Name()) {
			_ = w.Add(filepath.Join(c.cfg.PluginsDir, e.Name()))
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				c.stopSettling()
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				c.onEvent(ctx, w, ev)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				c.log.Error("watching plugins folder", "error", err)
			}
		}
	}()
	return w, nil
}

func (c *catalog) onEvent(ctx context.Context, w *fsnotify.Watcher, ev fsnotify.Event) {
	rel, err := filepath.Rel(c.cfg.PluginsDir, ev.Name)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return
	}
	parts := strings.Split(rel, string(filepath.Separator))
	folder := parts[0]
	if ignored(folder) || ignored(parts[len(parts)-1]) {
		return
	}
	if len(parts) == 1 && ev.Has(fsnotify.Create) {
		if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
			_ = w.Add(ev.Name) // a new plugin folder: watch its files too
		}
	}
	c.schedule(ctx, folder)
}

// schedule (re)starts the settle check of a folder.
func (c *catalog) schedule(ctx context.Context, folder string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pending[folder]; ok {
		p.timer.Reset(c.cfg.SettleDelay)
		return
	}
	p := &settling{}
	p.timer = time.AfterFunc(c.cfg.SettleDelay, func() { c.settle(ctx, folder, p) })
	c.pending[folder] = p
}

// settle loads or removes the folder once its files stopped changing.
func (c *catalog) settle(ctx context.Context, folder string, p *settling) {
	if ctx.Err() != nil {
		return
	}
	snap, err := stamp(filepath.Join(c.cfg.PluginsDir, folder))
	c.mu.Lock()
	if c.pending[folder] != p {
		c.mu.Unlock()
		return
	}
	if err == nil {
		p.gone = false
	}
	if err == nil && (!p.seen || !maps.Equal(snap, p.last)) {
		p.last, p.seen = snap, true
		p.timer.Reset(c.cfg.SettleDelay)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	if err == nil && len(snap) > 0 {
		v, lerr := c.verify(folder)
		again, aerr := stamp(filepath.Join(c.cfg.PluginsDir, folder))
		c.mu.Lock()
		if c.pending[folder] != p {
			c.mu.Unlock()
			return
		}
		if aerr != nil || !maps.Equal(again, snap) {
			// It changed while it was verified: settle again.
			p.last = again
			p.timer.Reset(c.cfg.SettleDelay)
			c.mu.Unlock()
			return
		}
		if incomplete(lerr) && p.waited < incompleteWaits {
			p.waited++
			p.timer.Reset(incompleteWait * c.cfg.SettleDelay)
			c.mu.Unlock()
			return
		}
		delete(c.pending, folder)
		c.mu.Unlock()
		c.put(folder, v, lerr)
		return
	}
	c.mu.Lock()
	if c.pending[folder] != p {
		c.mu.Unlock()
		return
	}
	if errors.Is(err, fs.ErrNotExist) && !p.gone {
		p.gone, p.seen = true, false
		p.timer.Reset(c.cfg.SettleDelay)
		c.mu.Unlock()
		return
	}
	delete(c.pending, folder)
	c.mu.Unlock()
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(snap) == 0) {
		// Gone, or an empty folder: a copy into a new folder has not begun
		// (its first file schedules the folder again, and refusing it now
		// would alert the admin about a plugin nobody finished dropping in),
		// or a plugin's files were all deleted. Either way no plugin is here.
		c.remove(folder)
		return
	}
	c.load(folder) // the folder could not be read: say why
}

func (c *catalog) stopSettling() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for f, p := range c.pending {
		p.timer.Stop()
		delete(c.pending, f)
	}
}

// stamp records the size and modification time of every file in dir.
func stamp(dir string) (map[string]fileStamp, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fs.ErrNotExist // a stray file is no plugin
	}
	out := map[string]fileStamp{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fileStamp{size: info.Size(), mtime: info.ModTime()}
		return nil
	})
	return out, err
}
