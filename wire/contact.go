package wire

// ContactCheckRequest is the body of POST /api/v1/channels/{id}/check-contact:
// before starting a dialog by phone number (or address), the desktop asks
// the channel whether the customer can be written to there.
type ContactCheckRequest struct {
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
}

// ContactCheck is the channel's answer. ChatID is the channel's id for the
// customer (the contact's external id the outgoing dialog writes to).
type ContactCheck struct {
	Reachable bool   `json:"reachable"`
	ChatID    string `json:"chatId,omitempty"`
}
