// Package identity owns the description of who is calling: the authenticated
// principal, the account and region a request is scoped to, and the request
// facts (request ID, source IP, user agent, TLS) that event records need.
//
// The gateway puts a Caller into the request context after authentication;
// domain packages read it with FromContext and never see HTTP. This package
// imports only the standard library.
package identity
