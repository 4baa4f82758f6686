package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "switchboard/plugins/proto"
)

// GRPCConnector is the host's handle on a running plugin: a Connector (and
// every optional interface) whose calls cross into the plugin's process.
// A call the plugin does not support fails with ErrUnsupported.
type GRPCConnector struct {
	client pb.ConnectorClient
	broker *plugin.GRPCBroker
	host   Host

	// once starts the host services on the broker; brokerID is set by it.
	once     sync.Once
	brokerID uint32
}

var (
	_ Connector      = (*GRPCConnector)(nil)
	_ Editor         = (*GRPCConnector)(nil)
	_ Deleter        = (*GRPCConnector)(nil)
	_ ReadMarker     = (*GRPCConnector)(nil)
	_ ContactChecker = (*GRPCConnector)(nil)
	_ TypingSender   = (*GRPCConnector)(nil)
	_ HealthChecker  = (*GRPCConnector)(nil)
)

func (c *GRPCConnector) Describe(ctx context.Context) (Description, error) {
	r, err := c.client.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return Description{}, fromStatus("describe", err)
	}
	return descriptionFromProto(r), nil
}

// Configure ignores req.Host: the host's services were fixed when the plugin
// was dispensed and are offered through the broker.
func (c *GRPCConnector) Configure(ctx context.Context, req ConfigureRequest) ([]FieldError, error) {
	r, err := c.client.Configure(ctx, &pb.ConfigureRequest{
		ChannelId: req.ChannelID, SettingsJson: string(req.Settings), HostServicesBrokerId: c.serveHost(),
	})
	if err != nil {
		return nil, fromStatus("configure", err)
	}
	return fieldErrorsFromProto(r.GetErrors()), nil
}

// serveHost starts the host services on a broker connection, once.
func (c *GRPCConnector) serveHost() uint32 {
	if c.host == nil || c.broker == nil {
		return 0
	}
	c.once.Do(func() {
		c.brokerID = c.broker.NextId()
		go c.broker.AcceptAndServe(c.brokerID, func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, grpc.MaxRecvMsgSize(maxMessageBytes), grpc.MaxSendMsgSize(maxMessageBytes))
			s := grpc.NewServer(opts...)
			pb.RegisterHostServicesServer(s, &hostServer{impl: c.host})
			return s
		})
	})
	return c.brokerID
}

func (c *GRPCConnector) Receive(ctx context.Context, after string, emit func(Event) error) error {
	stream, err := c.client.Receive(ctx, &pb.ReceiveRequest{AfterCursor: after})
	if err != nil {
		return fromStatus("receive", err)
	}
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fromStatus("receive", err)
		}
		if err := emit(EventFromProto(ev)); err != nil {
			return fmt.Errorf("receive: deliver %s: %w", ev.GetCursor(), err)
		}
	}
}

func (c *GRPCConnector) Ack(ctx context.Context, cursor string) error {
	_, err := c.client.Ack(ctx, &pb.AckRequest{Cursor: cursor})
	return fromStatus("ack", err)
}

func (c *GRPCConnector) Send(ctx context.Context, m OutboundMessage) (SendResult, error) {
	r, err := c.client.Send(ctx, outboundToProto(m))
	if err != nil {
		return SendResult{}, fromStatus("send", err)
	}
	return SendResult{ExternalID: r.GetExternalId(), State: DeliveryState(r.GetState()), Reason: r.GetReason()}, nil
}

func (c *GRPCConnector) Edit(ctx context.Context, chatID, externalID, text string) error {
	_, err := c.client.Edit(ctx, &pb.EditRequest{ChatId: chatID, ExternalId: externalID, Text: text})
	return fromStatus("edit", err)
}

func (c *GRPCConnector) Delete(ctx context.Context, chatID, externalID string) error {
	_, err := c.client.Delete(ctx, &pb.DeleteRequest{ChatId: chatID, ExternalId: externalID})
	return fromStatus("delete", err)
}

func (c *GRPCConnector) MarkRead(ctx context.Context, chatID, upTo string) error {
	_, err := c.client.MarkRead(ctx, &pb.MarkReadRequest{ChatId: chatID, UpToExternalId: upTo})
	return fromStatus("mark read", err)
}

// SendTyping fails with ErrUnsupported when the plugin does not implement
// it, including plugins built before the call existed.
func (c *GRPCConnector) SendTyping(ctx context.Context, chatID, senderName string) error {
	_, err := c.client.SendTyping(ctx, &pb.SendTypingRequest{ChatId: chatID, SenderName: senderName})
	return fromStatus("send typing", err)
}

func (c *GRPCConnector) CheckContact(ctx context.Context, q ContactQuery) (ContactResult, error) {
	r, err := c.client.CheckContact(ctx, &pb.CheckContactRequest{Phone: q.Phone, Address: q.Address})
	if err != nil {
		return ContactResult{}, fromStatus("check contact", err)
	}
	return ContactResult{Reachable: r.GetReachable(), ChatID: r.GetChatId()}, nil
}

// Health fails when the plugin does not answer or says its channel is down.
func (c *GRPCConnector) Health(ctx context.Context) error {
	r, err := c.client.Health(ctx, &pb.HealthRequest{})
	if err != nil {
		return fromStatus("health", err)
	}
	if !r.GetOk() {
		return &ChannelError{Code: "channel_unhealthy", Message: r.GetMessage()}
	}
	return nil
}
