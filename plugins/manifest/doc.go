// Package manifest reads, signs and verifies plugin.json, the file that
// makes a folder a connector plugin. The connector host uses it to refuse
// anything whose signature or checksum does not verify before it runs a
// byte of it; the switchboard-plugin command uses it to sign and verify.
// Key files and the trusted publishers file are described in keys.go.
//
// The signature is ed25519 by the publisher over the canonical encoding of
// the manifest with the signature left out (see Canonical), so it covers
// the executables' checksums and with them the executables.
package manifest
