// Command telegram is the first-party Telegram bot connector. It reads a
// bot's private chats (and the chats of a Telegram Business account the bot
// is connected to) by long polling getUpdates, and answers through the Bot
// API: text, photos and documents, replies, edits and deletions.
//
// The update offset is the connector's cursor: an update is confirmed to
// Telegram only after the host acknowledged its events, so a crash loses
// nothing (see receive.go). It is an ordinary connector built on
// plugins/sdk and is started by the connector host like any partner's
// plugin. docs/channels/telegram.md tells an admin how to connect a bot.
package main

import "switchboard/plugins/sdk"

func main() { sdk.Serve(newConnector()) }
