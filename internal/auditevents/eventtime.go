package auditevents

import "time"

const (
	minYear = 1970
	minTime = "1970-01-01T00:00:00Z"
)

// normalizeTime appends to dst the timestamp s in UTC, whole seconds, in
// events.TimeFormat. s is yyyy-MM-ddTHH:mm:ss, then optionally a dot and 1
// to 9 digits, then optionally Z or ±hh:mm; without a suffix it is UTC.
// Fractions of a second are dropped. On failure reason says what is wrong.
//
// The earliest time accepted is the Unix epoch: besides being earlier than
// any audit event, it keeps eventTime away from Go's zero time, which the
// event store takes for a missing eventTime.
func normalizeTime(dst []byte, s string) (out []byte, t time.Time, reason string) {
	const form = "not of that form"
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return dst, time.Time{}, form
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	hour, ok4 := num(s[11:13])
	min, ok5 := num(s[14:16])
	sec, ok6 := num(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return dst, time.Time{}, form
	}
	rest := s[19:]
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return dst, time.Time{}, "the fraction of a second must have 1 to 9 digits"
		}
		rest = rest[n:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(rest[1:3])
		om, ok2 := num(rest[4:6])
		if !ok1 || !ok2 {
			return dst, time.Time{}, form
		}
		if oh > 23 || om > 59 {
			return dst, time.Time{}, "the offset is out of range"
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return dst, time.Time{}, form
	}
	switch {
	case month < 1 || month > 12:
		return dst, time.Time{}, "the month is out of range"
	case day < 1 || day > daysIn(month, year):
		return dst, time.Time{}, "the day is out of range for the month"
	case hour > 23:
		return dst, time.Time{}, "the hour is out of range"
	case min > 59:
		return dst, time.Time{}, "the minute is out of range"
	case sec > 59:
		return dst, time.Time{}, "the second is out of range"
	}
	const outside = "in UTC it is before " + minTime + " or after 9999-12-31T23:59:59Z"
	if offset == 0 {
		if year < minYear {
			return dst, time.Time{}, outside
		}
		return append(append(dst, s[:19]...), 'Z'), time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC), ""
	}
	t = time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC).Add(-time.Duration(offset) * time.Second)
	if y := t.Year(); y < minYear || y > 9999 {
		return dst, time.Time{}, outside
	}
	return appendTime(dst, t), t, ""
}

// num parses a field of decimal digits.
func num(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
