package host

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/manifest"
)

// PluginInfo describes a verified plugin.
type PluginInfo struct {
	ID, Name, Version, Publisher string
	Dir                          string
	Checksum                     []byte
}

// Kinds of PluginEvent.
const (
	PluginLoaded   = "loaded"
	PluginUpgraded = "upgraded"
	PluginRefused  = "refused"
	PluginRemoved  = "removed"
)

// PluginEvent reports a change of the catalog.
type PluginEvent struct {
	Kind   string
	Folder string // the plugin's folder name inside the plugins folder
	Plugin PluginInfo
	Err    error // why it was refused
}

func infoOf(v *manifest.Verified) PluginInfo {
	m := v.Manifest
	return PluginInfo{ID: m.ID, Name: m.Name, Version: m.Version, Publisher: m.Publisher, Dir: v.Dir, Checksum: v.Checksum}
}

// catalog is the set of verified plugins in the plugins folder.
type catalog struct {
	cfg Config
	log hclog.Logger

	// mu guards the fields below. changed is closed and replaced whenever
	// byID changes, waking channels that wait for or run a plugin.
	mu       sync.Mutex
	byID     map[string]*manifest.Verified
	idOfDir  map[string]string // folder name -> plugin id
	refusals map[string]error  // folder name -> why
	changed  chan struct{}
	pending  map[string]*settling
}

func newCatalog(cfg Config, log hclog.Logger) *catalog {
	return &catalog{cfg: cfg, log: log, byID: map[string]*manifest.Verified{}, idOfDir: map[string]string{},
		refusals: map[string]error{}, changed: make(chan struct{}), pending: map[string]*settling{}}
}

// get returns the plugin with the id (nil if none) and a channel closed at
// the next change of the catalog.
func (c *catalog) get(id string) (*manifest.Verified, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id], c.changed
}

func (c *catalog) list() []PluginInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]PluginInfo, 0, len(c.byID))
	for _, v := range c.byID {
		out = append(out, infoOf(v))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (c *catalog) refusalsCopy() map[string]error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]error, len(c.refusals))
	for k, v := range c.refusals {
		out[k] = v
	}
	return out
}

// start loads what is in the folder now and watches it from then on.
func (c *catalog) start(ctx context.Context, wg *sync.WaitGroup) error {
	w, err := c.watch(ctx, wg)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(c.cfg.PluginsDir)
	if err != nil {
		w.Close()
		return fmt.Errorf("read plugins folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && !ignored(e.Name()) {
			c.load(e.Name())
		}
	}
	return nil
}

// load verifies the plugin in folder and puts it in the catalog, or records
// why it was refused.
func (c *catalog) load(folder string) {
	v, err := c.verify(folder)
	c.put(folder, v, err)
}

// verify loads and verifies the plugin in folder.
func (c *catalog) verify(folder string) (*manifest.Verified, error) {
	return manifest.Load(filepath.Join(c.cfg.PluginsDir, folder), c.cfg.Trusted, Protocols, c.cfg.Platform)
}

// put records what verify found in folder: the plugin, or why it was
// refused.
func (c *catalog) put(folder string, v *manifest.Verified, err error) {
	c.mu.Lock()
	var ev PluginEvent
	switch {
	case err != nil:
		c.refusals[folder] = err
		c.dropLocked(folder)
		ev = PluginEvent{Kind: PluginRefused, Folder: folder, Err: err}
	case c.idOfDir[folder] == "" && c.byID[v.Manifest.ID] != nil:
		err = &manifest.Error{Code: manifest.CodeInvalid, Plugin: v.Manifest.ID,
			Msg: fmt.Sprintf("folder %q repeats the id of %s", folder, c.byID[v.Manifest.ID].Dir)}
		c.refusals[folder] = err
		ev = PluginEvent{Kind: PluginRefused, Folder: folder, Err: err}
	default:
		delete(c.refusals, folder)
		prev := c.byID[v.Manifest.ID]
		if old := c.idOfDir[folder]; old != "" && old != v.Manifest.ID {
			c.dropLocked(folder) // the folder now holds a different plugin
			prev = nil
		}
		if prev != nil && bytes.Equal(prev.Checksum, v.Checksum) && prev.Manifest.Version == v.Manifest.Version {
			c.mu.Unlock()
			return // touched, not changed
		}
		c.byID[v.Manifest.ID] = v
		c.idOfDir[folder] = v.Manifest.ID
		c.broadcastLocked()
		ev = PluginEvent{Kind: PluginLoaded, Folder: folder, Plugin: infoOf(v)}
		if prev != nil {
			ev.Kind = PluginUpgraded
		}
	}
	c.mu.Unlock()
	if ev.Err != nil {
		c.log.Warn("plugin refused", "folder", folder, "error", ev.Err)
	}
	c.notify(ev)
}

// remove forgets the plugin of a folder that disappeared.
func (c *catalog) remove(folder string) {
	c.mu.Lock()
	id := c.idOfDir[folder]
	v := c.byID[id]
	c.dropLocked(folder)
	_, wasRefused := c.refusals[folder]
	delete(c.refusals, folder)
	c.mu.Unlock()
	if v != nil {
		c.notify(PluginEvent{Kind: PluginRemoved, Folder: folder, Plugin: infoOf(v)})
	} else if wasRefused {
		c.notify(PluginEvent{Kind: PluginRemoved, Folder: folder})
	}
}

func (c *catalog) dropLocked(folder string) {
	if id := c.idOfDir[folder]; id != "" {
		delete(c.byID, id)
		delete(c.idOfDir, folder)
		c.broadcastLocked()
	}
}

func (c *catalog) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *catalog) notify(ev PluginEvent) {
	if c.cfg.PluginChanged != nil {
		c.cfg.PluginChanged(ev)
	}
}
