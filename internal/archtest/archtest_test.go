// Package archtest enforces the house rules of DESIGN.md: which of our
// packages may import which. It asks the go tool for every package's
// transitive dependencies, so a rule cannot be dodged through a middleman.
package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "switchboard"

type pkg struct {
	ImportPath string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps=false", "-json=ImportPath,Deps", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list returned no packages")
	}
	return pkgs
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

func isOurs(path string) bool { return under(path, module) }

func isWails(path string) bool { return under(path, "github.com/wailsapp/wails") }

// rule says what a package must not depend on, transitively.
type rule struct {
	name    string
	applies func(pkg string) bool
	forbids func(dep string) bool
}

var rules = []rule{
	{
		name:    "inbox imports nothing of ours",
		applies: func(p string) bool { return under(p, module+"/inbox") },
		forbids: func(d string) bool { return isOurs(d) && !under(d, module+"/inbox") },
	},
	{
		name:    "wire imports nothing of ours but inbox",
		applies: func(p string) bool { return under(p, module+"/wire") },
		forbids: func(d string) bool {
			return isOurs(d) && !under(d, module+"/wire") && !under(d, module+"/inbox")
		},
	},
	{
		name:    "transcript imports nothing of ours but inbox",
		applies: func(p string) bool { return under(p, module+"/transcript") },
		forbids: func(d string) bool {
			return isOurs(d) && !under(d, module+"/transcript") && !under(d, module+"/inbox")
		},
	},
	{
		name:    "server never imports app",
		applies: func(p string) bool { return under(p, module+"/server") || under(p, module+"/cmd/switchboard-server") },
		forbids: func(d string) bool { return under(d, module+"/app") },
	},
	{
		name:    "app never imports server",
		applies: func(p string) bool { return under(p, module+"/app") },
		forbids: func(d string) bool { return under(d, module+"/server") || under(d, module+"/cmd") },
	},
	{
		name: "nothing but main.go and app imports Wails",
		applies: func(p string) bool {
			return p != module && !under(p, module+"/app")
		},
		forbids: isWails,
	},
	{
		name: "app's own packages (replica, sync client, alerts, channel hosting) import no Wails",
		applies: func(p string) bool {
			return under(p, module+"/app/replica") || under(p, module+"/app/syncclient") || under(p, module+"/app/notify") ||
				under(p, module+"/app/chanhost")
		},
		forbids: isWails,
	},
	{
		name:    "plugins/sdk imports neither Wails nor the server nor the app",
		applies: func(p string) bool { return under(p, module+"/plugins/sdk") },
		forbids: func(d string) bool {
			return isWails(d) || under(d, module+"/server") || under(d, module+"/app")
		},
	},
	{
		name:    "internal/integration is tests only: its code imports neither the server nor the app",
		applies: func(p string) bool { return under(p, module+"/internal/integration") },
		forbids: func(d string) bool { return under(d, module+"/server") || under(d, module+"/app") },
	},
	{
		name:    "nothing imports internal/integration",
		applies: func(p string) bool { return !under(p, module+"/internal/integration") },
		forbids: func(d string) bool { return under(d, module+"/internal/integration") },
	},
	{
		name:    "the plugin tool imports only plugins: no server, app or Wails",
		applies: func(p string) bool { return under(p, module+"/cmd/switchboard-plugin") },
		forbids: func(d string) bool {
			return isWails(d) || (isOurs(d) && !under(d, module+"/plugins"))
		},
	},
	{
		// One implementation of connector hosting for the server's relay and
		// the desktop: it reaches the team server only through its
		// TeamServer interface.
		name:    "plugins/hosting imports neither Wails nor the server nor the app",
		applies: func(p string) bool { return under(p, module+"/plugins/hosting") },
		forbids: func(d string) bool {
			return isWails(d) || under(d, module+"/server") || under(d, module+"/app")
		},
	},
	{
		name:    "plugins never import the server or the app",
		applies: func(p string) bool { return under(p, module+"/plugins") },
		forbids: func(d string) bool { return under(d, module+"/server") || under(d, module+"/app") },
	},
	{
		// First-party connectors are built as a partner's would be.
		name:    "connectors import of ours only the public SDK",
		applies: func(p string) bool { return under(p, module+"/plugins/connectors") },
		forbids: func(d string) bool {
			return isOurs(d) && !under(d, module+"/plugins/sdk") && !under(d, module+"/plugins/proto")
		},
	},
}

func TestHouseRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range pkgs {
				if !r.applies(p.ImportPath) {
					continue
				}
				for _, d := range p.Deps {
					if r.forbids(d) {
						t.Errorf("%s depends on %s", p.ImportPath, d)
					}
				}
			}
		})
	}
}

// TestRulesBite proves each rule would catch a violation, so a typo in a
// predicate cannot turn a rule into one that never fails.
func TestRulesBite(t *testing.T) {
	cases := []struct {
		rule     string
		pkg, dep string
	}{
		{"inbox imports nothing of ours", module + "/inbox", module + "/wire"},
		{"wire imports nothing of ours but inbox", module + "/wire", module + "/server"},
		{"transcript imports nothing of ours but inbox", module + "/transcript", module + "/wire"},
		{"server never imports app", module + "/server/store", module + "/app/replica"},
		{"server never imports app", module + "/cmd/switchboard-server", module + "/app"},
		{"app never imports server", module + "/app/syncclient", module + "/server"},
		{"nothing but main.go and app imports Wails", module + "/server", "github.com/wailsapp/wails/v2/pkg/runtime"},
		{"app's own packages (replica, sync client, alerts, channel hosting) import no Wails", module + "/app/notify", "github.com/wailsapp/wails/v2/pkg/runtime"},
		{"app's own packages (replica, sync client, alerts, channel hosting) import no Wails", module + "/app/chanhost", "github.com/wailsapp/wails/v2/pkg/runtime"},
		{"plugins/hosting imports neither Wails nor the server nor the app", module + "/plugins/hosting", module + "/server"},
		{"plugins/hosting imports neither Wails nor the server nor the app", module + "/plugins/hosting", module + "/app/syncclient"},
		{"plugins/sdk imports neither Wails nor the server nor the app", module + "/plugins/sdk", "github.com/wailsapp/wails/v2"},
		{"plugins never import the server or the app", module + "/plugins/host", module + "/server/store"},
		{"internal/integration is tests only: its code imports neither the server nor the app", module + "/internal/integration", module + "/server"},
		{"nothing imports internal/integration", module + "/app", module + "/internal/integration"},
		{"the plugin tool imports only plugins: no server, app or Wails", module + "/cmd/switchboard-plugin", module + "/inbox"},
		{"connectors import of ours only the public SDK", module + "/plugins/connectors/email", module + "/plugins/host"},
	}
	for _, c := range cases {
		found := false
		for _, r := range rules {
			if r.name != c.rule {
				continue
			}
			found = true
			if !r.applies(c.pkg) || !r.forbids(c.dep) {
				t.Errorf("rule %q does not catch %s -> %s", c.rule, c.pkg, c.dep)
			}
		}
		if !found {
			t.Errorf("no rule named %q", c.rule)
		}
	}
	// And the allowed edges stay allowed.
	allowed := []struct{ pkg, dep string }{
		{module, "github.com/wailsapp/wails/v2"},
		{module + "/app", "github.com/wailsapp/wails/v2/pkg/runtime"},
		{module + "/server", module + "/inbox"},
		{module + "/app/replica", module + "/wire"},
		{module + "/wire", module + "/inbox"},
		{module + "/plugins/hosting", module + "/wire"},
		{module + "/app/chanhost", module + "/plugins/hosting"},
		{module + "/server/relay", module + "/plugins/hosting"},
	}
	for _, a := range allowed {
		for _, r := range rules {
			if r.applies(a.pkg) && r.forbids(a.dep) {
				t.Errorf("rule %q forbids the allowed edge %s -> %s", r.name, a.pkg, a.dep)
			}
		}
	}
}
