// Package bundle is a connector plugin as a publisher ships it: one
// .tar.gz archive holding a folder with plugin.json and an executable per
// platform. Pack makes the archive from a build folder (finding each
// executable's platform from its header and filling in the checksums),
// Sign signs it, Verify checks it as a host would, and Install puts it into
// a host's plugins folder in one rename, so the host's watcher never sees
// half of it.
//
// The switchboard-plugin command is a thin shell over this package; the
// desktop app's and the server's admin screens can install the same way.
package bundle
