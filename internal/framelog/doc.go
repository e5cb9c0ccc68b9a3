// Package framelog owns the on-disk framing that Cairn's append-only logs
// share (the journal and the event store's log): a frame is a uint32
// length of its body, a uint32 CRC-32C of the body, then the body, all
// little-endian; a segment file is frames one after another, named by a
// number. A frame whose header or CRC does not hold ends a segment: at
// the end of the last segment it is an append that was never
// acknowledged. What a body holds is the caller's.
package framelog
