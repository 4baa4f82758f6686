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

// settings of a VK community channel.
type settings struct {
	// Token is the community's access key with the "messages" right
	// (Manage → API usage → Access tokens). A secret: never logged,
	// never put in an error, never echoed back.
	Token string `json:"token"`
	// GroupID is the community's numeric id.
	GroupID int64 `json:"group_id"`
	// APIURL is the method endpoint; the tests' local server instead of
	// VK's.
	APIURL string `json:"api_url"`
	// PollWait is how long one long poll waits for events.
	PollWait int `json:"poll_wait_seconds"`
	// SignMessages appends the operator's name to every answer.
	SignMessages bool `json:"sign_messages"`
}

const (
	defaultAPIURL = "https://api.vk.com/method"
	// apiVersion is the version of the reference the connector follows.
	apiVersion = "5.199"
)

// settingsSchema marks the token secret: writeOnly is JSON Schema's word
// for a value sent but never read back, x-secret tells the form to mask it.
const settingsSchema = `{
  "type": "object",
  "required": ["token", "group_id"],
  "properties": {
    "token": {"type": "string", "title": "Community access key with the Messages right", "writeOnly": true, "x-secret": true},
    "group_id": {"type": "integer", "title": "Community ID (digits, without the minus)", "minimum": 1},
    "api_url": {"type": "string", "title": "VK API endpoint", "format": "uri", "default": "https://api.vk.com/method"},
    "poll_wait_seconds": {"type": "integer", "title": "Seconds one long poll waits for messages", "minimum": 1, "maximum": 90, "default": 25},
    "sign_messages": {"type": "boolean", "title": "Sign answers with the operator's name", "default": false}
  },
  "additionalProperties": false
}`

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{20,512}$`)

// parseSettings decodes and checks settings, reporting every problem. No
// message repeats the token.
func parseSettings(raw []byte) (settings, []sdk.FieldError) {
	s := settings{PollWait: 25}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		msg := "settings must be a JSON object with the fields of the schema"
		switch {
		case strings.Contains(err.Error(), "unknown field"):
			msg = "unknown setting: " + strings.TrimPrefix(err.Error(), "json: unknown field ")
		case strings.Contains(err.Error(), "group_id"):
			return s, []sdk.FieldError{{Field: "/group_id", Code: "validation_group_id_format", Message: "the community ID is a number, such as 229876543"}}
		}
		return s, []sdk.FieldError{{Field: "", Code: "validation_invalid_json", Message: msg}}
	}
	var fes []sdk.FieldError
	add := func(field, code, msg string) {
		fes = append(fes, sdk.FieldError{Field: field, Code: code, Message: msg})
	}
	s.Token = strings.TrimSpace(s.Token)
	switch {
	case s.Token == "":
		add("/token", "validation_required", "the community access key is required: Manage → API usage → Access tokens → Create")
	case !tokenPattern.MatchString(s.Token):
		add("/token", "validation_token_format", "an access key is one long word of letters and digits (vk1.a....); copy it whole")
	}
	if s.GroupID <= 0 {
		add("/group_id", "validation_required", "the community ID is required: the digits of club123456 in the community's address, or Manage → Settings")
	}
	if s.APIURL == "" {
		s.APIURL = defaultAPIURL
	}
	s.APIURL = strings.TrimRight(strings.TrimSpace(s.APIURL), "/")
	if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		add("/api_url", "validation_invalid_url", "the VK API endpoint must be an http or https address such as "+defaultAPIURL)
	}
	if s.PollWait < 1 || s.PollWait > 90 {
		add("/poll_wait_seconds", "validation_out_of_range", "the long poll wait is 1 to 90 seconds, not "+strconv.Itoa(s.PollWait))
	}
	return s, fes
}

func (s settings) pollWait() time.Duration { return time.Duration(s.PollWait) * time.Second }
