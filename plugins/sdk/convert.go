package sdk

import (
	"time"

	pb "switchboard/plugins/proto"
)

// The functions below translate between the generated wire types and the Go
// types of this package. They are the only place that knows both.

func windowToProto(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d / time.Second)
}

func windowFromProto(s int64) time.Duration {
	if s < 0 {
		return -1
	}
	return time.Duration(s) * time.Second
}

func descriptionToProto(d Description) *pb.DescribeResponse {
	c := d.Capabilities
	out := &pb.DescribeResponse{
		Id: d.ID, Name: d.Name, Version: d.Version, ChannelKind: d.ChannelKind,
		SettingsSchema: d.SettingsSchema,
		Capabilities: &pb.Capabilities{
			EditWindowSeconds:   windowToProto(c.EditWindow),
			DeleteWindowSeconds: windowToProto(c.DeleteWindow),
			ReplyTo:             c.ReplyTo, Typing: c.Typing, ReadReceipts: c.ReadReceipts,
			StartByPhone: c.StartByPhone, EmailThreading: c.EmailThreading,
		},
	}
	if a := c.Attachments; a != nil {
		out.Capabilities.Attachments = &pb.AttachmentLimits{
			MaxBytes: a.MaxBytes, MimeTypes: a.MIMETypes, MaxPerMessage: int32(a.MaxPerMessage),
		}
	}
	return out
}

func descriptionFromProto(p *pb.DescribeResponse) Description {
	c := p.GetCapabilities()
	d := Description{
		ID: p.GetId(), Name: p.GetName(), Version: p.GetVersion(), ChannelKind: p.GetChannelKind(),
		SettingsSchema: p.GetSettingsSchema(),
		Capabilities: Capabilities{
			EditWindow:   windowFromProto(c.GetEditWindowSeconds()),
			DeleteWindow: windowFromProto(c.GetDeleteWindowSeconds()),
			ReplyTo:      c.GetReplyTo(), Typing: c.GetTyping(), ReadReceipts: c.GetReadReceipts(),
			StartByPhone: c.GetStartByPhone(), EmailThreading: c.GetEmailThreading(),
		},
	}
	if a := c.GetAttachments(); a != nil {
		d.Capabilities.Attachments = &AttachmentLimits{
			MaxBytes: a.GetMaxBytes(), MIMETypes: a.GetMimeTypes(), MaxPerMessage: int(a.GetMaxPerMessage()),
		}
	}
	return d
}

func fieldErrorsToProto(fs []FieldError) []*pb.FieldError {
	out := make([]*pb.FieldError, len(fs))
	for i, f := range fs {
		out[i] = &pb.FieldError{Field: f.Field, Code: f.Code, Message: f.Message}
	}
	return out
}

func fieldErrorsFromProto(fs []*pb.FieldError) []FieldError {
	var out []FieldError
	for _, f := range fs {
		out = append(out, FieldError{Field: f.GetField(), Code: f.GetCode(), Message: f.GetMessage()})
	}
	return out
}

func contactToProto(c Contact) *pb.Contact {
	return &pb.Contact{ExternalId: c.ExternalID, DisplayName: c.DisplayName, Phone: c.Phone,
		Email: c.Email, Username: c.Username, AvatarBlobId: c.AvatarBlobID}
}

func contactsToProto(cs []Contact) []*pb.Contact {
	if len(cs) == 0 {
		return nil
	}
	out := make([]*pb.Contact, len(cs))
	for i, c := range cs {
		out[i] = contactToProto(c)
	}
	return out
}

func contactsFromProto(ps []*pb.Contact) []Contact {
	if len(ps) == 0 {
		return nil
	}
	out := make([]Contact, len(ps))
	for i, p := range ps {
		out[i] = contactFromProto(p)
	}
	return out
}

func contactFromProto(c *pb.Contact) Contact {
	return Contact{ExternalID: c.GetExternalId(), DisplayName: c.GetDisplayName(), Phone: c.GetPhone(),
		Email: c.GetEmail(), Username: c.GetUsername(), AvatarBlobID: c.GetAvatarBlobId()}
}

func attachmentsToProto(as []Attachment) []*pb.Attachment {
	var out []*pb.Attachment
	for _, a := range as {
		out = append(out, &pb.Attachment{Name: a.Name, MimeType: a.MIMEType, Size: a.Size, BlobId: a.BlobID, Url: a.URL})
	}
	return out
}

func attachmentsFromProto(as []*pb.Attachment) []Attachment {
	var out []Attachment
	for _, a := range as {
		out = append(out, Attachment{Name: a.GetName(), MIMEType: a.GetMimeType(), Size: a.GetSize(),
			BlobID: a.GetBlobId(), URL: a.GetUrl()})
	}
	return out
}

// EventToProto turns an event into its wire form. Journal uses it to store
// events; it is exported for connectors that keep their own queues.
func EventToProto(e Event) *pb.InboundEvent {
	out := &pb.InboundEvent{Cursor: e.Cursor, ChatId: e.ChatID}
	if !e.OccurredAt.IsZero() {
		out.OccurredAtUnixMs = e.OccurredAt.UnixMilli()
	}
	switch {
	case e.Message != nil:
		m := e.Message
		out.Kind = &pb.InboundEvent_Message{Message: &pb.InboundMessage{
			ExternalId: m.ExternalID, From: contactToProto(m.From), Text: m.Text,
			ReplyToExternalId: m.ReplyToExternalID, Attachments: attachmentsToProto(m.Attachments),
			ThreadId: m.ThreadID, Subject: m.Subject, Cc: contactsToProto(m.CC),
		}}
	case e.Edit != nil:
		out.Kind = &pb.InboundEvent_Edit{Edit: &pb.InboundEdit{ExternalId: e.Edit.ExternalID, Text: e.Edit.Text}}
	case e.Delete != nil:
		out.Kind = &pb.InboundEvent_Delete{Delete: &pb.InboundDelete{ExternalId: e.Delete.ExternalID}}
	case e.Delivery != nil:
		out.Kind = &pb.InboundEvent_Delivery{Delivery: &pb.DeliveryUpdate{
			ExternalId: e.Delivery.ExternalID, State: pb.DeliveryState(e.Delivery.State), Reason: e.Delivery.Reason}}
	case e.Typing != nil:
		out.Kind = &pb.InboundEvent_Typing{Typing: &pb.Typing{From: contactToProto(e.Typing.From)}}
	case e.Profile != nil:
		out.Kind = &pb.InboundEvent_ClientProfile{ClientProfile: &pb.ClientProfile{Contact: contactToProto(*e.Profile)}}
	case e.Action != nil:
		out.Kind = &pb.InboundEvent_ClientAction{ClientAction: &pb.ClientAction{
			Contact: contactToProto(e.Action.Contact), Action: e.Action.Action, Details: e.Action.Details}}
	}
	return out
}

// EventFromProto is the inverse of EventToProto.
func EventFromProto(p *pb.InboundEvent) Event {
	e := Event{Cursor: p.GetCursor(), ChatID: p.GetChatId()}
	if ms := p.GetOccurredAtUnixMs(); ms != 0 {
		e.OccurredAt = time.UnixMilli(ms).UTC()
	}
	switch k := p.GetKind().(type) {
	case *pb.InboundEvent_Message:
		m := k.Message
		e.Message = &Message{ExternalID: m.GetExternalId(), From: contactFromProto(m.GetFrom()), Text: m.GetText(),
			ReplyToExternalID: m.GetReplyToExternalId(), Attachments: attachmentsFromProto(m.GetAttachments()),
			ThreadID: m.GetThreadId(), Subject: m.GetSubject(), CC: contactsFromProto(m.GetCc())}
	case *pb.InboundEvent_Edit:
		e.Edit = &Edit{ExternalID: k.Edit.GetExternalId(), Text: k.Edit.GetText()}
	case *pb.InboundEvent_Delete:
		e.Delete = &Delete{ExternalID: k.Delete.GetExternalId()}
	case *pb.InboundEvent_Delivery:
		e.Delivery = &Delivery{ExternalID: k.Delivery.GetExternalId(), State: DeliveryState(k.Delivery.GetState()),
			Reason: k.Delivery.GetReason()}
	case *pb.InboundEvent_Typing:
		e.Typing = &Typing{From: contactFromProto(k.Typing.GetFrom())}
	case *pb.InboundEvent_ClientProfile:
		c := contactFromProto(k.ClientProfile.GetContact())
		e.Profile = &c
	case *pb.InboundEvent_ClientAction:
		e.Action = &Action{Contact: contactFromProto(k.ClientAction.GetContact()), Action: k.ClientAction.GetAction(),
			Details: k.ClientAction.GetDetails()}
	}
	return e
}

func outboundToProto(m OutboundMessage) *pb.SendRequest {
	return &pb.SendRequest{IdempotencyKey: m.IdempotencyKey, ChatId: m.ChatID, Text: m.Text,
		ReplyToExternalId: m.ReplyToExternalID, Attachments: attachmentsToProto(m.Attachments),
		SenderName: m.SenderName, ThreadId: m.ThreadID, Subject: m.Subject, Phone: m.Phone,
		Template: templateToProto(m.Template)}
}

func templateToProto(t *Template) *pb.Template {
	if t == nil {
		return nil
	}
	return &pb.Template{Name: t.Name, Language: t.Language, Params: t.Params}
}

func templateFromProto(p *pb.Template) *Template {
	if p == nil {
		return nil
	}
	return &Template{Name: p.GetName(), Language: p.GetLanguage(), Params: p.GetParams()}
}

func outboundFromProto(p *pb.SendRequest) OutboundMessage {
	return OutboundMessage{IdempotencyKey: p.GetIdempotencyKey(), ChatID: p.GetChatId(), Text: p.GetText(),
		ReplyToExternalID: p.GetReplyToExternalId(), Attachments: attachmentsFromProto(p.GetAttachments()),
		SenderName: p.GetSenderName(), ThreadID: p.GetThreadId(), Subject: p.GetSubject(), Phone: p.GetPhone(),
		Template: templateFromProto(p.GetTemplate())}
}
