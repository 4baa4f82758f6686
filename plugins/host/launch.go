package host

import (
	"crypto/sha256"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// Launch starts a verified plugin's executable and connects to it. go-plugin
// checks the executable's SHA-256 again right before it runs it, so a file
// swapped after verification is refused too.
func Launch(v *manifest.Verified, svc sdk.Host, socketDir string, log hclog.Logger) (*plugin.Client, *sdk.GRPCConnector, error) {
	cmd := exec.Command(v.Exec)
	cmd.Dir = v.Dir
	return LaunchCmd(v, cmd, svc, socketDir, log)
}

// LaunchCmd is Launch with the caller's command, for callers that inspect
// the process afterwards (the conformance kit checks its exit status).
func LaunchCmd(v *manifest.Verified, cmd *exec.Cmd, svc sdk.Host, socketDir string, log hclog.Logger) (*plugin.Client, *sdk.GRPCConnector, error) {
	sets := sdk.VersionedPlugins(nil, svc)
	offered := map[int]plugin.PluginSet{}
	for _, p := range v.Protocol {
		if s, ok := sets[p]; ok {
			offered[p] = s
		}
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: offered,
		Cmd:              cmd,
		SecureConfig:     &plugin.SecureConfig{Checksum: v.Checksum, Hash: sha256.New()},
		AutoMTLS:         true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: socketDir},
		StartTimeout:     20 * time.Second,
		Logger:           log.Named(v.Manifest.ID),
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		if msg := strings.ToLower(err.Error()); strings.Contains(msg, "incompatible api version") {
			return nil, nil, &manifest.Error{Code: manifest.CodeProtocol, Plugin: v.Manifest.ID,
				Msg: fmt.Sprintf("the executable speaks no protocol version this host speaks (%v)", Protocols), Err: err}
		}
		if strings.Contains(strings.ToLower(err.Error()), "checksum") {
			return nil, nil, &manifest.Error{Code: manifest.CodeBadChecksum, Plugin: v.Manifest.ID,
				Msg: "the executable changed after it was verified", Err: err}
		}
		return nil, nil, fmt.Errorf("start plugin %s: %w", v.Manifest.ID, err)
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		client.Kill()
		return nil, nil, fmt.Errorf("start plugin %s: %w", v.Manifest.ID, err)
	}
	conn, ok := raw.(*sdk.GRPCConnector)
	if !ok {
		client.Kill()
		return nil, nil, fmt.Errorf("start plugin %s: dispensed %T, not a connector", v.Manifest.ID, raw)
	}
	return client, conn, nil
}
