package sdk

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "switchboard/plugins/proto"
)

// ProtocolVersion is the connector protocol this package speaks.
const ProtocolVersion = 1

// PluginName is the key of the connector in go-plugin's plugin map.
const PluginName = "connector"

// Handshake keeps a connector from being started by anything but a
// connector host, and a host from starting a binary that is not a connector.
// It is not a security measure; the manifest's checksum and signature are.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "SWITCHBOARD_CONNECTOR",
	MagicCookieValue: "6f1e2d0c-connector-v1",
}

// ConnectorPlugin is the go-plugin glue for protocol v1. On the plugin's side
// Impl is served; on the host's side Host is offered to the plugin through
// the broker and Dispense returns a Connector talking to the plugin.
type ConnectorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Connector
	Host Host
}

var _ plugin.GRPCPlugin = (*ConnectorPlugin)(nil)

// GRPCServer registers the plugin's side.
func (p *ConnectorPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterConnectorServer(s, &grpcServer{impl: p.Impl, broker: broker})
	return nil
}

// GRPCClient builds the host's side.
func (p *ConnectorPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &GRPCConnector{client: pb.NewConnectorClient(c), broker: broker, host: p.Host}, nil
}

// VersionedPlugins is the plugin map per protocol version. A future v2 adds
// an entry here; hosts and plugins pick the highest version both speak.
func VersionedPlugins(impl Connector, host Host) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		1: {PluginName: &ConnectorPlugin{Impl: impl, Host: host}},
	}
}

// Serve runs the connector until the host ends it. It is the whole main
// function of a connector.
func Serve(c Connector) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: VersionedPlugins(c, nil),
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}
