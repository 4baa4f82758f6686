// Command appmemory prepares a replica for measuring the desktop app's
// memory (see run.sh): it marks the replica as an operator's on a server
// and stores a session token for them in the Secret Service, so the app
// resumes that session at start — offline when the server is not there —
// and shows the inbox over the replica.
//
// go run -tags sqlite_fts5 ./bench/appmemory REPLICA SERVER OPERATOR
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/zalando/go-keyring"

	"switchboard/app/replica"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: appmemory REPLICA SERVER OPERATOR")
		os.Exit(2)
	}
	path, server, op := os.Args[1], os.Args[2], os.Args[3]
	ctx := context.Background()
	rp, err := replica.Open(ctx, path)
	if err == nil {
		err = rp.SetOwner(ctx, replica.Owner{Server: server, OperatorID: op})
		rp.Close()
	}
	if err == nil {
		// The app's keychain entry (app/tokens.go): service and account.
		err = keyring.Set("Switchboard", op+"@"+server, "appmemory-token")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "appmemory:", err)
		os.Exit(1)
	}
}
