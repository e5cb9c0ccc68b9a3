package api

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"time"
)

// Timestamp is a point in time serialized as epoch seconds, the timestamp
// format of the awsJson and restJson protocols. Fractions are kept to the
// millisecond.
type Timestamp struct {
	time.Time
}

// NewTimestamp returns a pointer to a Timestamp holding t.
func NewTimestamp(t time.Time) *Timestamp { return &Timestamp{Time: t} }

// MarshalJSON writes epoch seconds: an integer when there is no sub-second
// part, else a number with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(nil), nil
}

// AppendJSON appends the epoch seconds MarshalJSON writes.
func (t Timestamp) AppendJSON(b []byte) []byte {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(b, ms/1000, 10)
	}
	return strconv.AppendFloat(b, float64(ms)/1000, 'f', -1, 64)
}

var errTimestampType = errors.New("timestamp must be a number of epoch seconds between years 0001 and 9999")

// The range of timestamps Cairn accepts: years 0001 through 9999.
const (
	minEpochSeconds = -62135596800
	maxEpochSeconds = 253402300799
)

// UnmarshalJSON reads epoch seconds given as a JSON number.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < minEpochSeconds || f > maxEpochSeconds {
		return errTimestampType
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
	return nil
}
