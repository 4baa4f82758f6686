package sdk

import (
	"context"
	"fmt"

	pb "switchboard/plugins/proto"
)

// hostClient is the plugin's view of the host's services.
type hostClient struct {
	client   pb.HostServicesClient
	brokerID uint32
}

var _ Host = (*hostClient)(nil)

func (h *hostClient) StateGet(ctx context.Context, key string) ([]byte, bool, error) {
	r, err := h.client.StateGet(ctx, &pb.StateGetRequest{Key: key})
	if err != nil {
		return nil, false, fmt.Errorf("state get %q: %w", key, err)
	}
	return r.GetValue(), r.GetFound(), nil
}

func (h *hostClient) StatePut(ctx context.Context, key string, value []byte) error {
	if _, err := h.client.StatePut(ctx, &pb.StatePutRequest{Key: key, Value: value}); err != nil {
		return fmt.Errorf("state put %q: %w", key, err)
	}
	return nil
}

func (h *hostClient) StateDelete(ctx context.Context, key string) error {
	if _, err := h.client.StateDelete(ctx, &pb.StateDeleteRequest{Key: key}); err != nil {
		return fmt.Errorf("state delete %q: %w", key, err)
	}
	return nil
}

func (h *hostClient) StateList(ctx context.Context, prefix string) ([]string, error) {
	r, err := h.client.StateList(ctx, &pb.StateListRequest{Prefix: prefix})
	if err != nil {
		return nil, fmt.Errorf("state list %q: %w", prefix, err)
	}
	return r.GetKeys(), nil
}

func (h *hostClient) BlobPut(ctx context.Context, b Blob) (string, error) {
	r, err := h.client.BlobPut(ctx, &pb.BlobPutRequest{Name: b.Name, MimeType: b.MIMEType, Data: b.Data})
	if err != nil {
		return "", fmt.Errorf("blob put %q: %w", b.Name, err)
	}
	return r.GetBlobId(), nil
}

func (h *hostClient) BlobGet(ctx context.Context, id string) (Blob, error) {
	r, err := h.client.BlobGet(ctx, &pb.BlobGetRequest{BlobId: id})
	if err != nil {
		return Blob{}, fmt.Errorf("blob get %q: %w", id, err)
	}
	return Blob{Name: r.GetName(), MIMEType: r.GetMimeType(), Data: r.GetData()}, nil
}

// Log is best effort: a log line lost because the host went away is not
// worth failing the connector's work for.
func (h *hostClient) Log(ctx context.Context, level LogLevel, msg string, fields map[string]string) {
	_, _ = h.client.Log(ctx, &pb.LogRequest{Level: pb.LogLevel(level), Message: msg, Fields: fields})
}

// hostServer serves a Host to the plugin; it runs in the host's process.
type hostServer struct {
	pb.UnimplementedHostServicesServer
	impl Host
}

var _ pb.HostServicesServer = (*hostServer)(nil)

func (s *hostServer) StateGet(ctx context.Context, r *pb.StateGetRequest) (*pb.StateGetResponse, error) {
	v, ok, err := s.impl.StateGet(ctx, r.GetKey())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.StateGetResponse{Value: v, Found: ok}, nil
}

func (s *hostServer) StatePut(ctx context.Context, r *pb.StatePutRequest) (*pb.StatePutResponse, error) {
	return &pb.StatePutResponse{}, toStatus(s.impl.StatePut(ctx, r.GetKey(), r.GetValue()))
}

func (s *hostServer) StateDelete(ctx context.Context, r *pb.StateDeleteRequest) (*pb.StateDeleteResponse, error) {
	return &pb.StateDeleteResponse{}, toStatus(s.impl.StateDelete(ctx, r.GetKey()))
}

func (s *hostServer) StateList(ctx context.Context, r *pb.StateListRequest) (*pb.StateListResponse, error) {
	keys, err := s.impl.StateList(ctx, r.GetPrefix())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.StateListResponse{Keys: keys}, nil
}

func (s *hostServer) BlobPut(ctx context.Context, r *pb.BlobPutRequest) (*pb.BlobPutResponse, error) {
	id, err := s.impl.BlobPut(ctx, Blob{Name: r.GetName(), MIMEType: r.GetMimeType(), Data: r.GetData()})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.BlobPutResponse{BlobId: id}, nil
}

func (s *hostServer) BlobGet(ctx context.Context, r *pb.BlobGetRequest) (*pb.BlobGetResponse, error) {
	b, err := s.impl.BlobGet(ctx, r.GetBlobId())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.BlobGetResponse{Name: b.Name, MimeType: b.MIMEType, Data: b.Data}, nil
}

func (s *hostServer) Log(ctx context.Context, r *pb.LogRequest) (*pb.LogResponse, error) {
	s.impl.Log(ctx, LogLevel(r.GetLevel()), r.GetMessage(), r.GetFields())
	return &pb.LogResponse{}, nil
}
