// Command switchboard is the operator's desktop app: a Wails window over the
// local replica, synced with the team server.
//
// Settings come from the environment, because a dev build hands its own
// command line (-assetdir, -devserver, -loglevel) to Wails:
//
//	SWITCHBOARD_DATA_DIR  where the replica lives (default: the user config dir)
//	SWITCHBOARD_SERVER    the server address the sign-in form starts with
package main

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"switchboard/app"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func run() error {
	dataDir, err := dataDir()
	if err != nil {
		return err
	}
	server := os.Getenv("SWITCHBOARD_SERVER")
	if server == "" {
		server = "http://127.0.0.1:8750" // switchboard-server's default
	}
	a := app.New(app.Config{DataDir: dataDir, DefaultServer: server})
	return wails.Run(&options.App{
		Title:       "Switchboard",
		Width:       1280,
		Height:      800,
		MinWidth:    900,
		MinHeight:   600,
		AssetServer: &assetserver.Options{Assets: assets, Handler: a.FileHandler()},
		OnStartup:   a.Startup,
		OnShutdown:  a.Shutdown,
		Bind:        a.Services(),
	})
}

func dataDir() (string, error) {
	dir := os.Getenv("SWITCHBOARD_DATA_DIR")
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find the config dir: %w", err)
		}
		dir = filepath.Join(base, "switchboard")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data dir %s: %w", dir, err)
	}
	return dir, nil
}
