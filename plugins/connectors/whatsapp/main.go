// Command whatsapp is the first-party WhatsApp Cloud API connector. It
// serves the webhook Meta calls (the verify-token handshake, notifications
// signed with X-Hub-Signature-256) and answers through the Graph API:
// text, photos, documents, audio and video, replies, templates, read
// receipts, with the 24-hour customer service window enforced before a
// message leaves.
//
// A webhook is pushed once, so every notification is stored in the
// host's journal (sdk.Journal) before Meta is told 200; until then Meta
// sends it again, and items stored from an earlier attempt are not
// stored twice (webhook.go). It is an ordinary connector built on
// plugins/sdk. docs/channels/whatsapp.md tells an admin how to connect a
// number.
package main

import "switchboard/plugins/sdk"

func main() { sdk.Serve(newConnector()) }
