// Command vk is the first-party VK connector: a community's messages.
// It reads them over the Bots Long Poll API (groups.getLongPollServer,
// then long polls with ts as the cursor) and answers through the VK API:
// text, photos and documents, replies, edits and deletions within VK's 24
// hours, read marks; customers' names and photos come from users.get.
//
// The poll moves to a newer ts only after the host acknowledged the
// events of the answer before it, so a crash loses nothing (receive.go);
// messages.send carries a random_id made from the host's idempotency key,
// so a retried send is not doubled. It is an ordinary connector built on
// plugins/sdk. docs/channels/vk.md tells an admin how to connect a
// community.
package main

import "switchboard/plugins/sdk"

func main() { sdk.Serve(newConnector()) }
