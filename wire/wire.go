// Package wire holds the types of the sync protocol (v1) that the team
// server and the desktop app exchange over HTTP and WebSocket. It is the
// only place the two meet: the server never imports the app, the app never
// imports the server.
//
// The protocol in short (docs/sync.md has the whole of it):
//
//   - The server keeps a change log: every committed change to an entity
//     gets a strictly increasing Seq. A client pulls pages of changes after
//     the last Seq it applied (GET /api/v1/sync/pull?after=N), then follows
//     the live feed (WebSocket /api/v1/sync/live?after=N).
//   - Each client receives only what its operator may see. When a dialog
//     leaves an operator's sight, the operator receives a Change with
//     Op "del" for the dialog; the client drops the dialog, its messages and
//     its log.
//   - Writes are commands (POST /api/v1/commands) with a client-made id; the
//     server is idempotent on it and answers each with a CommandResult.
package wire

import (
	"encoding/json"
	"time"
)

// ProtocolVersion is the newest sync protocol this build speaks.
const ProtocolVersion = 1

// SupportedVersions lists every protocol version this build speaks.
var SupportedVersions = []int{1}

// ProtocolHeader carries the client's protocol version on every request.
const ProtocolHeader = "Switchboard-Protocol"

// A pull answer repeats its page's Next and More in these headers, so a
// client can ask for the next page while it still reads this one.
const (
	PullNextHeader = "Switchboard-Pull-Next"
	PullMoreHeader = "Switchboard-Pull-More"
)

// Kind names an entity type in the change log.
type Kind string

const (
	KindWorkspace Kind = "workspace"
	KindOperator  Kind = "operator"
	KindRole      Kind = "role"
	KindGroup     Kind = "group"
	KindLine      Kind = "line"
	KindChannel   Kind = "channel"
	KindClient    Kind = "client"
	KindNote      Kind = "note" // a ClientNote
	KindTask      Kind = "task" // a ClientTask
	KindDialog    Kind = "dialog"
	KindMessage   Kind = "message"
	KindEvent     Kind = "event" // a DialogEvent
	KindTemplate  Kind = "template"
	KindTag       Kind = "tag"
	// KindResync tells one operator that its sight changed wholesale (its
	// groups or lines changed): drop the replica and pull from seq 0.
	KindResync Kind = "resync"
)

// Op is what a change does to its entity.
type Op string

const (
	OpPut Op = "put" // insert or replace the entity with Data
	OpDel Op = "del" // remove it (for a dialog: with its messages and log)
)

// Change is one entry of the change log as a client receives it.
type Change struct {
	Seq  int64           `json:"seq"`
	Kind Kind            `json:"kind"`
	ID   string          `json:"id"`
	Op   Op              `json:"op"`
	Data json.RawMessage `json:"data,omitempty"` // the inbox entity as JSON, for OpPut
}

// PullResponse is one page of GET /api/v1/sync/pull.
type PullResponse struct {
	Changes []Change `json:"changes"`
	// Next is the Seq to pass as after= for the next page.
	Next int64 `json:"next"`
	// More is true when another page follows right away.
	More bool `json:"more"`
	// Head is the newest Seq in the log when the page was read; a client
	// shows bootstrap progress as Next/Head.
	Head int64 `json:"head"`
}

// CommandEnvelope is one command as it travels: ID is made by the client
// (a UUID) and makes the command idempotent; Type is the inbox command's
// name; Payload its JSON.
type CommandEnvelope struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	// IssuedAt is when the operator acted, by the desktop's clock; the
	// server records it beside its own time.
	IssuedAt time.Time `json:"issuedAt,omitzero"`
}

// CommandsRequest is the body of POST /api/v1/commands. The server executes
// the commands in order and answers one result per command.
type CommandsRequest struct {
	Commands []CommandEnvelope `json:"commands"`
}

// CommandResult is the server's answer to one command.
type CommandResult struct {
	ID string `json:"id"`
	OK bool   `json:"ok"`
	// Code and Message explain a rejection; Code is a stable i18n key.
	Code    string            `json:"code,omitempty"`
	Message string            `json:"message,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
	// Seq is the change-log position of the command's last change; a client
	// that applied Seq has seen the command's effect.
	Seq int64 `json:"seq,omitempty"`
}

// CommandsResponse is the answer to POST /api/v1/commands.
type CommandsResponse struct {
	Results []CommandResult `json:"results"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"` // field -> code, for validation errors
	// Args fill the placeholders of the code's translation ("max": the
	// largest file the server takes).
	Args map[string]string `json:"args,omitempty"`
}

// VersionResponse is the answer to GET /api/v1/version.
type VersionResponse struct {
	Server    string `json:"server"`
	Protocols []int  `json:"protocols"`
}

// LoginRequest is the body of POST /api/v1/auth/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoginResponse carries the bearer token for later requests.
type LoginResponse struct {
	Token       string `json:"token"`
	OperatorID  string `json:"operatorId"`
	WorkspaceID string `json:"workspaceId"`
}

// Frame types on the live WebSocket.
const (
	FrameChanges  = "changes"  // server -> client: Changes
	FramePresence = "presence" // both ways: OperatorID, Online
	FrameTyping   = "typing"   // both ways: DialogID, OperatorID, Typing
	FrameViewing  = "viewing"  // both ways: DialogID, OperatorID, Viewing
	// FrameClientTyping says the customer of DialogID is typing (server to
	// desktop); it holds a few seconds unless repeated.
	FrameClientTyping = "client_typing"
	FrameAlert        = "alert" // server -> client: Text (e.g. a channel failed)
)

// Frame is one message on the live WebSocket. Which fields are set depends
// on Type.
type Frame struct {
	Type       string   `json:"type"`
	Changes    []Change `json:"changes,omitempty"`
	Head       int64    `json:"head,omitempty"`
	OperatorID string   `json:"operatorId,omitempty"`
	DialogID   string   `json:"dialogId,omitempty"`
	Online     bool     `json:"online,omitempty"`
	Typing     bool     `json:"typing,omitempty"`
	Viewing    bool     `json:"viewing,omitempty"`
	Text       string   `json:"text,omitempty"`
	// Reply marks a typing frame as typing a reply the customer will get
	// (not a comment for the team): the customer's channel may show it.
	Reply bool `json:"reply,omitempty"`
}
