package queryresults

import "strings"

// appendRecord appends one CSV record, CRLF-terminated, following the rules
// in the package documentation. A nil value is NULL.
func appendRecord(dst []byte, fields []*string) []byte {
	if len(fields) == 1 && fields[0] == nil {
		// An empty line would be dropped by many readers; keep the row.
		return append(dst, '"', '"', '\r', '\n')
	}
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		if f != nil {
			dst = appendField(dst, *f)
		}
	}
	return append(dst, '\r', '\n')
}

// appendField appends one non-NULL field, quoted when RFC 4180 requires it
// and always when empty (to tell it from NULL).
func appendField(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '"', '"')
	}
	if !strings.ContainsAny(s, "\",\r\n") {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// headerRecord returns the header record for columns.
func headerRecord(columns []string) []byte {
	fields := make([]*string, len(columns))
	for i := range columns {
		fields[i] = &columns[i]
	}
	return appendRecord(nil, fields)
}
