package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/url"
	"regexp"
	"strings"

	"switchboard/plugins/sdk"
)

// settings of a WhatsApp Cloud API channel: one business phone number.
type settings struct {
	// PhoneNumberID is the Cloud API's id of the business number (not
	// the number itself): WhatsApp Manager → API Setup.
	PhoneNumberID string `json:"phone_number_id"`
	// AccessToken is a system user's permanent token with
	// whatsapp_business_messaging. A secret: never logged, never put in
	// an error, never echoed back.
	AccessToken string `json:"access_token"`
	// AppSecret signs every webhook notification (X-Hub-Signature-256).
	// A secret.
	AppSecret string `json:"app_secret"`
	// VerifyToken is the word the admin typed into the app's webhook
	// settings; Meta sends it back when it checks the callback URL. A
	// secret.
	VerifyToken string `json:"verify_token"`
	// Listen is where the webhook endpoint serves, host:port; a reverse
	// proxy with TLS puts it on the public URL Meta calls.
	Listen string `json:"listen"`
	// APIURL is the Graph API base with its version.
	APIURL string `json:"api_url"`
	// SignMessages appends the operator's name to every answer.
	SignMessages bool `json:"sign_messages"`
}

const defaultAPIURL = "https://graph.facebook.com/v21.0"

// settingsSchema marks the three secrets writeOnly (JSON Schema's word for
// a value sent but never read back) and x-secret (the settings form masks
// them).
const settingsSchema = `{
  "type": "object",
  "required": ["phone_number_id", "access_token", "app_secret", "verify_token", "listen"],
  "properties": {
    "phone_number_id": {"type": "string", "title": "Phone number ID (WhatsApp Manager → API Setup)", "pattern": "^[0-9]{5,20}$"},
    "access_token": {"type": "string", "title": "Permanent access token of a system user", "writeOnly": true, "x-secret": true},
    "app_secret": {"type": "string", "title": "App secret (App settings → Basic)", "writeOnly": true, "x-secret": true},
    "verify_token": {"type": "string", "title": "Webhook verify token (any phrase; type the same into the app's webhook settings)", "minLength": 8, "writeOnly": true, "x-secret": true},
    "listen": {"type": "string", "title": "Address the webhook endpoint serves on (host:port)", "default": "127.0.0.1:8091"},
    "api_url": {"type": "string", "title": "Graph API base", "format": "uri", "default": "https://graph.facebook.com/v21.0"},
    "sign_messages": {"type": "boolean", "title": "Sign answers with the operator's name", "default": false}
  },
  "additionalProperties": false
}`

var (
	phoneIDPattern = regexp.MustCompile(`^[0-9]{5,20}$`)
	tokenPattern   = regexp.MustCompile(`^[A-Za-z0-9_.|-]{20,1000}$`)
	secretPattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	versionPattern = regexp.MustCompile(`/v[0-9]+\.[0-9]+$`)
)

// parseSettings decodes and checks settings, reporting every problem. No
// message repeats a secret.
func parseSettings(raw []byte) (settings, []sdk.FieldError) {
	var s settings
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
	add := func(field, code, msg string) {
		fes = append(fes, sdk.FieldError{Field: field, Code: code, Message: msg})
	}
	s.PhoneNumberID = strings.TrimSpace(s.PhoneNumberID)
	switch {
	case s.PhoneNumberID == "":
		add("/phone_number_id", "validation_required", "the phone number ID is required; WhatsApp Manager shows it under API Setup")
	case !phoneIDPattern.MatchString(s.PhoneNumberID):
		add("/phone_number_id", "validation_phone_number_id_format",
			"the phone number ID is the long number WhatsApp Manager shows under API Setup, not the phone number itself")
	}
	s.AccessToken = strings.TrimSpace(s.AccessToken)
	switch {
	case s.AccessToken == "":
		add("/access_token", "validation_required", "the access token is required; create a system user's permanent token in Business Settings")
	case !tokenPattern.MatchString(s.AccessToken):
		add("/access_token", "validation_token_format", "an access token is one word of letters and digits (EAAG...); copy it whole")
	}
	s.AppSecret = strings.TrimSpace(s.AppSecret)
	switch {
	case s.AppSecret == "":
		add("/app_secret", "validation_required", "the app secret is required to check that notifications come from Meta")
	case !secretPattern.MatchString(s.AppSecret):
		add("/app_secret", "validation_app_secret_format", "an app secret is 32 hexadecimal characters (App settings → Basic → App secret → Show)")
	}
	switch {
	case s.VerifyToken == "":
		add("/verify_token", "validation_required", "the verify token is required: any phrase, typed again into the app's webhook settings")
	case len(s.VerifyToken) < 8 || strings.TrimSpace(s.VerifyToken) != s.VerifyToken:
		add("/verify_token", "validation_too_short", "the verify token needs at least 8 characters and no spaces around it")
	}
	if s.Listen == "" {
		add("/listen", "validation_required", "the webhook endpoint's address is required, host:port")
	} else if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
		add("/listen", "validation_invalid_address", "the webhook endpoint's address must be host:port, such as 127.0.0.1:8091")
	}
	if s.APIURL == "" {
		s.APIURL = defaultAPIURL
	}
	s.APIURL = strings.TrimRight(strings.TrimSpace(s.APIURL), "/")
	if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" ||
		!versionPattern.MatchString(u.Path) {
		add("/api_url", "validation_invalid_url", "the Graph API base must be an http or https address ending in its version, such as "+defaultAPIURL)
	}
	return s, fes
}
