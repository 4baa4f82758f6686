// Package connectorv1 is the generated Go code of connector.proto, the
// connector protocol v1. Do not edit the .pb.go files: change the .proto and
// run `go generate ./plugins/proto` from the repository root.
package connectorv1

//go:generate bash gen.sh
