package delivery

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"time"
)

// logTimeFormat and digestTimeFormat are the timestamps in object names.
const (
	logTimeFormat    = "20060102T1504Z"
	digestTimeFormat = "20060102T150405Z"
	// isoFormat is how digests write times.
	isoFormat = "2006-01-02T15:04:05Z"
)

func keyPrefix(prefix string) string {
	if prefix == "" {
		return ""
	}
	return prefix + "/"
}

// logKey is where a log file goes:
// <prefix/>AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
func logKey(s *snapshot, region string, at time.Time, unique string) string {
	at = at.UTC()
	return keyPrefix(s.KeyPrefix) + "AWSLogs/" + s.Account + "/CloudTrail/" + region + "/" + at.Format("2006/01/02") + "/" +
		s.Account + "_CloudTrail_" + region + "_" + at.Format(logTimeFormat) + "_" + unique + ".json.gz"
}

// digestKey is where a digest goes; its date and stamp are the digest's end.
func digestKey(s *snapshot, sourceRegion string, end time.Time) string {
	end = end.UTC()
	return keyPrefix(s.KeyPrefix) + "AWSLogs/" + s.Account + "/CloudTrail-Digest/" + sourceRegion + "/" + end.Format("2006/01/02") + "/" +
		s.Account + "_CloudTrail-Digest_" + sourceRegion + "_" + s.Name + "_" + s.HomeRegion + "_" + end.Format(digestTimeFormat) + ".json.gz"
}

const uniqueAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// uniqueString is the 16-character unique part of a log file name, derived
// from what identifies the file so that a redone delivery rewrites the
// same object.
func uniqueString(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	var b strings.Builder
	for i := 0; i < 16; i++ {
		b.WriteByte(uniqueAlphabet[int(sum[i])%len(uniqueAlphabet)])
	}
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
