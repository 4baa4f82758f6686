// Command email is the first-party e-mail connector. It reads one mailbox
// over IMAP (IDLE where the server offers it, polling otherwise), resumes
// by UID after a restart, and sends the operators' replies over SMTP with
// the headers that keep the customer's mail client threading them. Each
// conversation thread is one chat; automatic replies and bounces open none.
//
// It is an ordinary connector built on plugins/sdk and is started by the
// connector host like any partner's plugin.
package main

import "switchboard/plugins/sdk"

func main() { sdk.Serve(newConnector()) }
