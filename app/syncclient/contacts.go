package syncclient

import (
	"context"
	"net/http"

	"switchboard/wire"
)

// CheckContact asks the channel, through the team server, whether a phone
// number can be written to there (before starting a dialog by phone). The
// channel's own refusal comes back as an *Error whose code starts with
// "contact." (contact.phone_invalid).
func (a *Admin) CheckContact(ctx context.Context, channelID, phone string) (wire.ContactCheck, error) {
	if err := checkID(channelID); err != nil {
		return wire.ContactCheck{}, err
	}
	var out wire.ContactCheck
	err := a.api.do(ctx, http.MethodPost, "/api/v1/channels/"+channelID+"/check-contact", nil, wire.ContactCheckRequest{Phone: phone}, &out)
	return out, err
}
