package inbox

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// AddableByHand reports whether an operator may type a contact of this
// kind: a phone number (WhatsApp) or an e-mail address. Other channels
// know a customer by an id only the channel hands out.
func (k ChannelKind) AddableByHand() bool { return k == KindWhatsApp || k == KindEmail }

// ContactOf turns what an operator typed into a contact on the channel: a
// phone number in international format for WhatsApp, an address for
// e-mail. The external id is the normalised value, so a customer who
// later writes from it lands on this client. Bad input is a *Refusal
// whose code says what is wrong.
func ContactOf(ch *Channel, value string) (Contact, error) {
	if ch == nil {
		return Contact{}, Refuse("channel.not_found", "There is no such channel.")
	}
	value = strings.TrimSpace(value)
	switch ch.Kind {
	case KindWhatsApp:
		p, err := normalPhone(value)
		if err != nil {
			return Contact{}, err
		}
		return Contact{ChannelID: ch.ID, Kind: ch.Kind, ExternalID: p, Handle: p, Manual: true}, nil
	case KindEmail:
		e, err := normalEmail(value)
		if err != nil {
			return Contact{}, err
		}
		return Contact{ChannelID: ch.ID, Kind: ch.Kind, ExternalID: e, Handle: e, Manual: true}, nil
	}
	return Contact{}, &Refusal{Code: "contact.not_addable",
		Message: "Contacts of " + ch.Name + " come from the channel itself and cannot be typed in.",
		Args:    map[string]string{"channel": ch.Name}}
}

func phoneRefusal() *Refusal {
	return &Refusal{Code: "contact.phone_invalid",
		Message: "Write the phone number in international format: + and 8 to 15 digits, e.g. +380671234567.",
		Args:    map[string]string{"field": "value"}}
}

// normalPhone keeps a phone number's + and digits. Spaces, dashes, dots
// and brackets people type are dropped; a leading 00 means +.
func normalPhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", phoneRefusal()
		}
	}
	p := b.String()
	if strings.HasPrefix(p, "00") {
		p = "+" + p[2:]
	}
	digits := strings.TrimPrefix(p, "+")
	if !strings.HasPrefix(p, "+") || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", phoneRefusal()
	}
	return p, nil
}

func emailRefusal() *Refusal {
	return &Refusal{Code: "contact.email_invalid",
		Message: "This is not an e-mail address; one looks like name@example.com.",
		Args:    map[string]string{"field": "value"}}
}

// normalEmail checks the shape of an address (one @, a local part, a
// domain with a dot and no odd characters) and lower-cases it: mail
// systems treat addresses without regard to case in practice.
func normalEmail(s string) (string, error) {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") ||
		utf8.RuneCountInString(s) > 254 || utf8.RuneCountInString(local) > 64 {
		return "", emailRefusal()
	}
	for _, r := range local {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>()[],;:"\`, r) {
			return "", emailRefusal()
		}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", emailRefusal()
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", emailRefusal()
	}
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "", emailRefusal()
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return "", emailRefusal()
			}
		}
	}
	if tld := labels[len(labels)-1]; utf8.RuneCountInString(tld) < 2 {
		return "", emailRefusal()
	}
	return strings.ToLower(s), nil
}
