// Package auth decides who is calling: it implements the gateway's
// Authenticator over the SigV4 verifier and the credentials directory, in
// one of two modes. In sigv4 mode only known access keys are accepted and
// every signature, signing time and S3 payload is verified. In open mode
// (local development) any key is accepted and signatures are not checked; a
// 12-digit access key selects that account.
//
// The region of a request is the region of its credential scope; unsigned
// requests (open mode only) use the default region.
package auth
