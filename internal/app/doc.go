// Package app is Cairn's composition root: it opens storage in the data
// directory, builds the domain services, wires them into the generated
// handler tables and the gateway, and runs the HTTP server with a graceful
// shutdown and a release of memory when the server falls idle (idle.go).
// It is the only package that knows every concrete
// implementation; cmd/cairn and the tests start servers through Start.
package app
