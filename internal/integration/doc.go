// Package integration tests the desktop's sync client and replica against
// the real team server in one process: the two sides are written apart
// and meet only through the wire types, so these tests are where a
// disagreement between them shows. It has no code of its own; it is the
// one package allowed to import both app/ and server/ (tests only).
package integration
