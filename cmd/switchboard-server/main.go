// Command switchboard-server is the Switchboard team server.
//
//	switchboard-server [flags]            run (first run creates the data directory)
//	switchboard-server --demo [flags]     run, filling an empty database with the demo workspace
//	switchboard-server init --email E --password P [--workspace W] [--name N] [flags]
//
// With no flags it listens on 127.0.0.1:8750 and keeps its SQLite file in
// the user's config directory; --db postgres://... selects PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"switchboard/plugins/manifest"
	"switchboard/server"
	"switchboard/server/relay"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard-server:", err)
		os.Exit(1)
	}
}

type options struct {
	listen, data, db, hostKey string
	plugins, trusted          string
	demo, devClock            bool
	maxFileMB                 int64
	email, password, name, ws string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cmd := "run"
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = rest[0], rest[1:]
	}
	var o options
	fs := flag.NewFlagSet("switchboard-server "+cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8750", "address to serve the API on")
	fs.StringVar(&o.data, "data", defaultDataDir(), "data directory (the SQLite file with the attachments, plugin state)")
	fs.StringVar(&o.db, "db", "", "database: empty for SQLite in the data directory, or postgres://...")
	fs.StringVar(&o.hostKey, "host-key", os.Getenv("SWITCHBOARD_HOST_KEY"), "key connector hosts use to post inbound events")
	fs.BoolVar(&o.demo, "demo", false, "fill an empty database with the demo workspace")
	fs.BoolVar(&o.devClock, "dev-clock", false, "tests and demos only: a clock that POST /api/v1/dev/clock moves forward")
	fs.Int64Var(&o.maxFileMB, "max-file-mb", server.DefaultMaxFileBytes>>20, "the largest attachment operators may upload, in MiB (files are kept in the database)")
	fs.StringVar(&o.plugins, "plugins", "", "connector plugins folder, watched for plugins dropped in (default DATA/plugins; \"off\" hosts none)")
	fs.StringVar(&o.trusted, "trusted", "", "trusted publishers file, lines of \"publisher public-key\" (default DATA/trusted-publishers)")
	if cmd == "init" {
		fs.StringVar(&o.email, "email", "", "the first admin's e-mail")
		fs.StringVar(&o.password, "password", "", "the first admin's password (8+ characters)")
		fs.StringVar(&o.name, "name", "Admin", "the first admin's name")
		fs.StringVar(&o.ws, "workspace", "Switchboard", "the workspace's name")
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	st, where, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	switch cmd {
	case "init":
		if err := seed.Init(ctx, st, seed.Admin{Workspace: o.ws, Name: o.name, Email: o.email, Password: o.password}, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(out, "created workspace %q with admin %s in %s\n", o.ws, o.email, where)
		return nil
	case "run":
		return serve(ctx, st, where, o, out)
	}
	return fmt.Errorf("unknown command %q (want run or init)", cmd)
}

// newRelay hosts the connector plugins of the plugins folder, trusting the
// publishers of the trusted file.
func newRelay(srv *server.Server, st store.Store, o options, log *slog.Logger) (*relay.Relay, error) {
	dir, trustFile := o.plugins, o.trusted
	if dir == "" {
		dir = filepath.Join(o.data, "plugins")
	}
	if trustFile == "" {
		trustFile = filepath.Join(o.data, "trusted-publishers")
	}
	trusted, err := manifest.LoadTrusted(trustFile)
	if err != nil {
		return nil, err
	}
	log.Info("hosting connector plugins", "folder", dir, "trusted_publishers", len(trusted))
	return relay.New(relay.Config{Server: srv, Store: st, PluginsDir: dir, DataDir: filepath.Join(o.data, "relay"),
		Trusted: trusted, Log: log})
}

func defaultDataDir() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "switchboard-server")
	}
	return "switchboard-data"
}

func openStore(ctx context.Context, o options) (store.Store, string, error) {
	if strings.HasPrefix(o.db, "postgres://") || strings.HasPrefix(o.db, "postgresql://") {
		st, err := sqlstore.OpenPostgres(ctx, o.db)
		return st, "PostgreSQL", err
	}
	path := o.db
	if path == "" {
		if err := os.MkdirAll(o.data, 0o700); err != nil {
			return nil, "", fmt.Errorf("create data directory: %w", err)
		}
		path = filepath.Join(o.data, "switchboard.db")
	}
	st, err := sqlstore.OpenSQLite(ctx, path)
	return st, path, err
}

func serve(ctx context.Context, st store.Store, where string, o options, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(out, nil))
	if o.demo {
		switch err := seed.Demo(ctx, st, time.Now()); {
		case errors.Is(err, seed.ErrExists):
			log.Info("demo: the database already has a workspace; leaving it as it is")
		case err != nil:
			return fmt.Errorf("demo workspace: %w", err)
		default:
			log.Info("demo workspace created", "sign_in", "admin@demo.switchboard / "+seed.DemoPassword)
		}
	}
	org, err := st.Org(ctx)
	if err != nil {
		return err
	}
	if org.Workspace == nil {
		log.Warn("no workspace yet: run `switchboard-server init --email you@example.com --password ...` or start with --demo")
	}
	cfg := server.Config{Store: st, Log: log, HostKey: o.hostKey, MaxFileBytes: o.maxFileMB << 20}
	if o.devClock {
		cfg.DevClock = new(server.DevClock)
		log.Warn("dev clock on: anyone who reaches this server may move its time (POST /api/v1/dev/clock)")
	}
	srv := server.New(cfg)
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	if o.plugins != "off" {
		r, err := newRelay(srv, st, o, log)
		if err != nil {
			return err
		}
		go func() { _ = r.Run(ctx) }()
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Run(ctx)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		srv.Close()
	}()
	log.Info("switchboard-server listening", "addr", "http://"+ln.Addr().String(), "db", where, "version", server.Version)
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
