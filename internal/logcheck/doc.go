// Package logcheck validates a trail's delivered log files against its
// signed digest chain with the rules `aws cloudtrail validate-logs` applies:
// it lists the digests of the period, walks the chain from the newest
// digest backwards through previousDigestS3Object, checks each digest's
// location, public key and SHA256withRSA signature, and checks every log
// file a valid digest lists against its SHA-256 hash. `cairn validate-logs`
// runs it against any Cairn (or S3) endpoint.
package logcheck
