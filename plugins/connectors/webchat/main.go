// Command webchat is the first-party website-chat connector. It serves an
// HTTP and WebSocket endpoint that a site's widget (or the standalone chat
// page it also serves) talks to: a visitor introduces themselves, writes,
// and sees the operators' answers live. Each visitor is one chat, known by a
// cookie, so a returning visitor finds their history.
//
// It is an ordinary connector built on plugins/sdk and is started by the
// connector host like any partner's plugin.
package main

import "switchboard/plugins/sdk"

func main() { sdk.Serve(newConnector()) }
