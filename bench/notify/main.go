// Command notify measures how long a change committed on the team server
// takes to become a native alert on an operator's desktop, and prints it
// beside what the bare pieces cost in the same run:
//
//   - commit → Notify: a new dialog (an inbound message from a new customer,
//     posted to /api/v1/ingest) or a mention (a colleague's comment, posted
//     to /api/v1/commands), until org.freedesktop.Notifications.Notify
//     reaches a recording notification server on a private D-Bus. Between
//     them: the server's commit and live feed, the desktop's sync client,
//     replica, alert policy and beeep;
//   - beeep.Notify alone, and a bare D-Bus Notify round trip.
//
// It runs a real in-process team server on SQLite with the demo workspace
// and signs in as Анна (op-anna).
//
//	go run -tags sqlite_fts5 ./bench/notify -samples 400
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	samples := flag.Int("samples", 400, "alerts to time, half new dialogs, half mentions")
	flag.Parse()
	r, err := run(*samples)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/notify:", err)
		os.Exit(1)
	}
	fmt.Println(r)
}
