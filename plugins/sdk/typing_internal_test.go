package sdk

import (
	"context"
	"errors"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "switchboard/plugins/proto"
)

// TestAPluginBuiltBeforeSendTypingIsReadAsUnsupported serves the connector
// service as a plugin built from the protocol before SendTyping existed
// (its service description lacks the method) over real gRPC: the host's
// call must come back as ErrUnsupported, which the relay takes as "this
// channel does not show typing", not as a failure.
func TestAPluginBuiltBeforeSendTypingIsReadAsUnsupported(t *testing.T) {
	old := pb.Connector_ServiceDesc
	old.Methods = nil
	for _, m := range pb.Connector_ServiceDesc.Methods {
		if m.MethodName != "SendTyping" {
			old.Methods = append(old.Methods, m)
		}
	}
	if len(old.Methods) != len(pb.Connector_ServiceDesc.Methods)-1 {
		t.Fatalf("the service has no SendTyping method to leave out")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	srv.RegisterService(&old, &grpcServer{impl: typingConnector{}})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &GRPCConnector{client: pb.NewConnectorClient(conn)}
	if err := c.SendTyping(context.Background(), "chat", "Ann"); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("SendTyping to an old plugin = %v, want ErrUnsupported", err)
	}
	// The rest of the old plugin still answers.
	if err := c.Health(context.Background()); err != nil {
		t.Fatalf("Health of the old plugin = %v", err)
	}
}

// typingConnector would show typing if its protocol knew the call.
type typingConnector struct{ Connector }

func (typingConnector) SendTyping(context.Context, string, string) error { return nil }
