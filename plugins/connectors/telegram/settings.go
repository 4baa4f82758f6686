package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"switchboard/plugins/sdk"
)

// settings of a Telegram bot channel.
type settings struct {
	// Token is the bot's token from @BotFather. It is a secret: never
	// logged, never put in an error, never echoed back.
	Token string `json:"token"`
	// APIURL is the Bot API server; a local Bot API server or the tests'
	// fake one instead of Telegram's.
	APIURL string `json:"api_url"`
	// PollTimeout is how long one getUpdates call waits for updates.
	PollTimeout int `json:"poll_timeout_seconds"`
	// SignMessages appends the operator's name to every answer, since a
	// bot has one name for the whole team.
	SignMessages bool `json:"sign_messages"`
}

const defaultAPIURL = "https://api.telegram.org"

// settingsSchema marks the token secret twice over: writeOnly is JSON
// Schema's own word for a value that is sent but never read back, and
// x-secret tells the settings form to mask it.
const settingsSchema = `{
  "type": "object",
  "required": ["token"],
  "properties": {
    "token": {"type": "string", "title": "Bot token from @BotFather", "pattern": "^[0-9]+:[A-Za-z0-9_-]+$",
              "writeOnly": true, "x-secret": true},
    "api_url": {"type": "string", "title": "Bot API server", "format": "uri", "default": "https://api.telegram.org"},
    "poll_timeout_seconds": {"type": "integer", "title": "Seconds one long poll waits for messages", "minimum": 1, "maximum": 50, "default": 25},
    "sign_messages": {"type": "boolean", "title": "Sign answers with the operator's name", "default": false}
  },
  "additionalProperties": false
}`

var tokenPattern = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$`)

// parseSettings decodes and checks settings, reporting every problem. No
// message repeats the token.
func parseSettings(raw []byte) (settings, []sdk.FieldError) {
	s := settings{PollTimeout: 25}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		msg := "settings must be a JSON object with the fields of the schema"
		if strings.Contains(err.Error(), "unknown field") {
			msg = "unknown setting: " + strings.TrimPrefix(err.Error(), "json: unknown field ")
		}
		return s, []sdk.FieldError{{Field: "", Code: "validation_invalid_json", Message: msg}}
	}
	var fes []sdk.FieldError
	s.Token = strings.TrimSpace(s.Token)
	switch {
	case s.Token == "":
		fes = append(fes, sdk.FieldError{Field: "/token", Code: "validation_required", Message: "the bot token is required; @BotFather gives it"})
	case !tokenPattern.MatchString(s.Token):
		fes = append(fes, sdk.FieldError{Field: "/token", Code: "validation_token_format",
			Message: "a bot token is digits, a colon and letters (123456789:AAH...); copy it whole from @BotFather"})
	}
	if s.APIURL == "" {
		s.APIURL = defaultAPIURL
	}
	s.APIURL = strings.TrimRight(strings.TrimSpace(s.APIURL), "/")
	if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		fes = append(fes, sdk.FieldError{Field: "/api_url", Code: "validation_invalid_url",
			Message: "the Bot API server must be an http or https address such as " + defaultAPIURL})
	}
	if s.PollTimeout < 1 || s.PollTimeout > 50 {
		fes = append(fes, sdk.FieldError{Field: "/poll_timeout_seconds", Code: "validation_out_of_range",
			Message: "the long poll timeout is 1 to 50 seconds, not " + strconv.Itoa(s.PollTimeout)})
	}
	return s, fes
}

func (s settings) pollTimeout() time.Duration { return time.Duration(s.PollTimeout) * time.Second }
