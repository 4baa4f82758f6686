package sdk

import (
	"reflect"
	"testing"
)

func TestAnOutboundMessageSurvivesTheWire(t *testing.T) {
	tests := []struct {
		name string
		m    OutboundMessage
	}{
		{"free text with a reply and a file", OutboundMessage{IdempotencyKey: "k", ChatID: "c", Text: "t", ReplyToExternalID: "r",
			Attachments: []Attachment{{Name: "a.pdf", MIMEType: "application/pdf", Size: 3, BlobID: "b"}}, SenderName: "Ann", Phone: "+79161234567"}},
		{"an approved template", OutboundMessage{IdempotencyKey: "k", Phone: "+79161234567", Text: "Your order 42 has shipped",
			Template: &Template{Name: "order_shipped", Language: "en_US", Params: []string{"42", "Friday"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outboundFromProto(outboundToProto(tt.m)); !reflect.DeepEqual(got, tt.m) {
				t.Fatalf("outboundFromProto(outboundToProto(m)) = %+v, want %+v", got, tt.m)
			}
		})
	}
}
