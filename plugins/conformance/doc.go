// Package conformance is the test kit a connector's author runs against
// the built binary before shipping it. It starts the binary as the host
// would (go-plugin handshake, mutual TLS, host services) and checks each
// requirement of the connector protocol, one Result per requirement:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, "./bin/myconnector", conformance.Options{
//			Settings:    []byte(`{"token":"test"}`),
//			BadSettings: []byte(`{"token":""}`),
//			Inbound:     func(ctx context.Context, n int) error { /* make the channel receive n messages */ },
//		})
//	}
//
// Check returns the results without a *testing.T, for the switchboard-plugin
// command and for tests of the kit itself.
package conformance
