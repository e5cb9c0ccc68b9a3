// Package gateway is Cairn's HTTP front end: one listener serving the
// CloudTrail API (AWS JSON 1.1 on POST /), CloudTrail Data (REST-JSON on
// POST /PutAuditEvents), the built-in S3 bucket store (path style), and
// Cairn's own /_cairn/ endpoints.
//
// For every request it assigns a request ID, routes by credential scope,
// X-Amz-Target and path, authenticates through an Authenticator, puts an
// identity.Caller into the context, decodes with the protocol codec, runs
// the generated constraint checks (letting the service map violations to
// its own exceptions), invokes the handler, and writes the result. Every
// error leaves through one function per protocol.
//
// It never imports domain or storage packages: the composition root hands
// it operation tables, an Authenticator and an S3 handler.
package gateway
