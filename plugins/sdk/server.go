package sdk

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "switchboard/plugins/proto"
)

// grpcServer adapts a Connector to the generated server interface; it runs
// in the plugin's process.
type grpcServer struct {
	pb.UnimplementedConnectorServer
	impl   Connector
	broker *plugin.GRPCBroker

	// mu guards host: Configure may be called again with new settings.
	mu   sync.Mutex
	host *hostClient
}

var _ pb.ConnectorServer = (*grpcServer)(nil)

func (s *grpcServer) Describe(ctx context.Context, _ *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	d, err := s.impl.Describe(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return descriptionToProto(d), nil
}

func (s *grpcServer) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	host, err := s.hostFor(req.GetHostServicesBrokerId())
	if err != nil {
		return nil, toStatus(err)
	}
	cr := ConfigureRequest{ChannelID: req.GetChannelId(), Settings: []byte(req.GetSettingsJson())}
	if host != nil {
		cr.Host = host
	}
	fes, err := s.impl.Configure(ctx, cr)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ConfigureResponse{Errors: fieldErrorsToProto(fes)}, nil
}

// hostFor dials the host's services once per broker id.
func (s *grpcServer) hostFor(id uint32) (*hostClient, error) {
	if id == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.host != nil && s.host.brokerID == id {
		return s.host, nil
	}
	conn, err := s.broker.DialWithOptions(id, grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		return nil, fmt.Errorf("dial host services %d: %w", id, err)
	}
	s.host = &hostClient{client: pb.NewHostServicesClient(conn), brokerID: id}
	return s.host, nil
}

func (s *grpcServer) Receive(req *pb.ReceiveRequest, stream pb.Connector_ReceiveServer) error {
	err := s.impl.Receive(stream.Context(), req.GetAfterCursor(), func(e Event) error {
		return stream.Send(EventToProto(e))
	})
	if errors.Is(err, context.Canceled) && stream.Context().Err() != nil {
		return nil // the host hung up; that is how a stream ends
	}
	return toStatus(err)
}

func (s *grpcServer) Ack(ctx context.Context, req *pb.AckRequest) (*pb.AckResponse, error) {
	return &pb.AckResponse{}, toStatus(s.impl.Ack(ctx, req.GetCursor()))
}

func (s *grpcServer) Send(ctx context.Context, req *pb.SendRequest) (*pb.SendResponse, error) {
	r, err := s.impl.Send(ctx, outboundFromProto(req))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SendResponse{ExternalId: r.ExternalID, State: pb.DeliveryState(r.State), Reason: r.Reason}, nil
}

func (s *grpcServer) Edit(ctx context.Context, req *pb.EditRequest) (*pb.EditResponse, error) {
	e, ok := s.impl.(Editor)
	if !ok {
		return nil, toStatus(ErrUnsupported)
	}
	return &pb.EditResponse{}, toStatus(e.Edit(ctx, req.GetChatId(), req.GetExternalId(), req.GetText()))
}

func (s *grpcServer) Delete(ctx context.Context, req *pb.DeleteRequest) (*pb.DeleteResponse, error) {
	d, ok := s.impl.(Deleter)
	if !ok {
		return nil, toStatus(ErrUnsupported)
	}
	return &pb.DeleteResponse{}, toStatus(d.Delete(ctx, req.GetChatId(), req.GetExternalId()))
}

func (s *grpcServer) MarkRead(ctx context.Context, req *pb.MarkReadRequest) (*pb.MarkReadResponse, error) {
	m, ok := s.impl.(ReadMarker)
	if !ok {
		return nil, toStatus(ErrUnsupported)
	}
	return &pb.MarkReadResponse{}, toStatus(m.MarkRead(ctx, req.GetChatId(), req.GetUpToExternalId()))
}

func (s *grpcServer) SendTyping(ctx context.Context, req *pb.SendTypingRequest) (*pb.SendTypingResponse, error) {
	t, ok := s.impl.(TypingSender)
	if !ok {
		return nil, toStatus(ErrUnsupported)
	}
	return &pb.SendTypingResponse{}, toStatus(t.SendTyping(ctx, req.GetChatId(), req.GetSenderName()))
}

func (s *grpcServer) CheckContact(ctx context.Context, req *pb.CheckContactRequest) (*pb.CheckContactResponse, error) {
	c, ok := s.impl.(ContactChecker)
	if !ok {
		return nil, toStatus(ErrUnsupported)
	}
	r, err := c.CheckContact(ctx, ContactQuery{Phone: req.GetPhone(), Address: req.GetAddress()})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.CheckContactResponse{Reachable: r.Reachable, ChatId: r.ChatID}, nil
}

func (s *grpcServer) Health(ctx context.Context, _ *pb.HealthRequest) (*pb.HealthResponse, error) {
	h, ok := s.impl.(HealthChecker)
	if !ok {
		return &pb.HealthResponse{Ok: true}, nil
	}
	if err := h.Health(ctx); err != nil {
		return &pb.HealthResponse{Ok: false, Message: err.Error()}, nil
	}
	return &pb.HealthResponse{Ok: true}, nil
}
