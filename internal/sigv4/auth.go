package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

const (
	// MaxClockSkew is how far the signing time may be from the server clock.
	MaxClockSkew = 15 * time.Minute
	// MaxPresignExpiry is the largest X-Amz-Expires a presigned URL may carry.
	MaxPresignExpiry = 7 * 24 * time.Hour
)

const (
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"
	scopeTerminator = "aws4_request"
)

// Auth describes the SigV4 authentication a request carries, from either the
// Authorization header or presigned query parameters.
type Auth struct {
	AccessKeyID string
	ScopeDate   string // YYYYMMDD from the credential scope
	Region      string
	Service     string
	// Time is the signing time (X-Amz-Date, or the Date header), in UTC.
	Time time.Time
	// SignedHeaders are the lowercase header names in the order the client
	// listed them.
	SignedHeaders []string
	Signature     string // hex, as sent
	Presigned     bool
	// Expires is X-Amz-Expires; zero for header auth.
	Expires time.Duration
	// SecurityToken is X-Amz-Security-Token (header or query). It is not
	// part of what Verify checks beyond being signed when sent.
	SecurityToken string
}

// Scope is the credential scope: date/region/service/aws4_request.
func (a *Auth) Scope() string {
	return a.ScopeDate + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

// ExpiresAt is when a presigned URL stops being valid; zero for header auth.
func (a *Auth) ExpiresAt() time.Time {
	if !a.Presigned {
		return time.Time{}
	}
	return a.Time.Add(a.Expires)
}

// ParseRequest extracts the SigV4 authentication from r without checking the
// signature. A request with no authentication at all gives an *Error of kind
// MissingAuthentication; malformed authentication gives IncompleteSignature.
func ParseRequest(r *http.Request) (*Auth, error) {
	var headerValues []string
	for _, v := range r.Header.Values("Authorization") {
		if strings.TrimSpace(v) != "" {
			headerValues = append(headerValues, v)
		}
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	presigned := query.Has("X-Amz-Algorithm") || query.Has("X-Amz-Credential") || query.Has("X-Amz-Signature")

	switch {
	case len(headerValues) == 0 && !presigned:
		return nil, &Error{Kind: MissingAuthentication, Message: messageMissingToken}
	case len(headerValues) > 0 && presigned:
		return nil, incomplete(true, "Only one authentication mechanism may be used: the Authorization header or the X-Amz-* query parameters, not both.")
	case presigned:
		return parsePresignedQuery(query)
	case len(headerValues) > 1:
		return nil, incomplete(false, "The request has more than one Authorization header.")
	}

	a, err := parseAuthorizationHeader(headerValues[0])
	if err != nil {
		return nil, err
	}
	if a.Time, err = signingTimeFromHeaders(r.Header); err != nil {
		return nil, err
	}
	if err := a.checkScopeDate(); err != nil {
		return nil, err
	}
	a.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	return a, nil
}

// parseAuthorizationHeader parses
// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
// The signing time comes from other headers, so a.Time is left unset.
func parseAuthorizationHeader(value string) (*Auth, error) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
	if algorithm != Algorithm {
		return nil, incomplete(false, "Unsupported authorization algorithm %q: only %s is accepted.", algorithm, Algorithm)
	}

	fields := make(map[string]string, 3)
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, incomplete(false, "%q is not a key=value pair (no equals sign) in the Authorization header.", part)
		}
		key = strings.TrimSpace(key)
		if _, dup := fields[key]; dup {
			return nil, incomplete(false, "The Authorization header names %s more than once.", key)
		}
		fields[key] = strings.TrimSpace(val)
	}

	var missing []string
	for _, name := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, incomplete(false, "The Authorization header requires the %s parameter%s.", strings.Join(missing, ", "), plural(len(missing)))
	}

	a := &Auth{Signature: fields["Signature"]}
	if err := a.setCredential(fields["Credential"]); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(fields["SignedHeaders"]); err != nil {
		return nil, err
	}
	return a, nil
}

var presignedParameters = []string{
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
	"X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
}

// parsePresignedQuery parses query-string authentication.
func parsePresignedQuery(query url.Values) (*Auth, error) {
	values := make(map[string]string, len(presignedParameters))
	var missing []string
	for _, name := range presignedParameters {
		switch vs := query[name]; {
		case len(vs) == 0 || vs[0] == "":
			missing = append(missing, name)
		case len(vs) > 1:
			return nil, incomplete(true, "The query parameter %s appears more than once.", name)
		default:
			values[name] = vs[0]
		}
	}
	if len(missing) > 0 {
		return nil, incomplete(true, "Query-string authentication requires the %s parameters; missing: %s.",
			strings.Join(presignedParameters, ", "), strings.Join(missing, ", "))
	}
	if values["X-Amz-Algorithm"] != Algorithm {
		return nil, incomplete(true, "Unsupported X-Amz-Algorithm %q: only %s is accepted.", values["X-Amz-Algorithm"], Algorithm)
	}

	a := &Auth{Presigned: true, Signature: values["X-Amz-Signature"], SecurityToken: query.Get("X-Amz-Security-Token")}
	if err := a.setCredential(values["X-Amz-Credential"]); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(values["X-Amz-SignedHeaders"]); err != nil {
		return nil, err
	}
	t, err := time.Parse(amzDateLayout, values["X-Amz-Date"])
	if err != nil {
		return nil, incomplete(true, "X-Amz-Date %q is not in the ISO 8601 basic format YYYYMMDDTHHMMSSZ.", values["X-Amz-Date"])
	}
	a.Time = t
	seconds, err := strconv.ParseInt(values["X-Amz-Expires"], 10, 64)
	if err != nil || seconds < 0 {
		return nil, incomplete(true, "X-Amz-Expires %q must be a non-negative number of seconds.", values["X-Amz-Expires"])
	}
	if seconds > int64(MaxPresignExpiry/time.Second) {
		return nil, incomplete(true, "X-Amz-Expires must be at most a week (%d seconds), got %d.", int64(MaxPresignExpiry/time.Second), seconds)
	}
	a.Expires = time.Duration(seconds) * time.Second
	if err := a.checkScopeDate(); err != nil {
		return nil, err
	}
	return a, nil
}

// setCredential parses AKID/YYYYMMDD/region/service/aws4_request.
func (a *Auth) setCredential(credential string) error {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 {
		return incomplete(a.Presigned, "Credential %q must have the form <access key ID>/<YYYYMMDD>/<region>/<service>/%s.", credential, scopeTerminator)
	}
	accessKeyID, date, region, service, terminator := parts[0], parts[1], parts[2], parts[3], parts[4]
	switch {
	case accessKeyID == "":
		return incomplete(a.Presigned, "Credential %q has an empty access key ID.", credential)
	case region == "":
		return incomplete(a.Presigned, "Credential %q has an empty region.", credential)
	case service == "":
		return incomplete(a.Presigned, "Credential %q has an empty service name.", credential)
	case terminator != scopeTerminator:
		return incomplete(a.Presigned, "Credential scope must end with %s, not %q.", scopeTerminator, terminator)
	}
	if _, err := time.Parse(scopeDateLayout, date); err != nil || len(date) != len(scopeDateLayout) {
		return incomplete(a.Presigned, "Credential date %q is not a YYYYMMDD date.", date)
	}
	a.AccessKeyID, a.ScopeDate, a.Region, a.Service = accessKeyID, date, region, service
	return nil
}

func (a *Auth) setSignedHeaders(list string) error {
	names := strings.Split(list, ";")
	hasHost := false
	for _, name := range names {
		if !isLowercaseToken(name) {
			return incomplete(a.Presigned, "SignedHeaders %q must be a semicolon-separated list of lowercase header names.", list)
		}
		if name == "host" {
			hasHost = true
		}
	}
	if !hasHost {
		return incomplete(a.Presigned, "'Host' must be a signed header (SignedHeaders is %q).", list)
	}
	a.SignedHeaders = names
	return nil
}

func (a *Auth) checkScopeDate() error {
	if requestDate := a.Time.Format(scopeDateLayout); requestDate != a.ScopeDate {
		return incomplete(a.Presigned, "The credential scope date %s does not match the request date %s (from %s).",
			a.ScopeDate, requestDate, a.Time.Format(amzDateLayout))
	}
	return nil
}

// signingTimeFromHeaders reads X-Amz-Date, falling back to Date.
func signingTimeFromHeaders(h http.Header) (time.Time, error) {
	if v := h.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(amzDateLayout, v)
		if err != nil {
			return time.Time{}, incomplete(false, "X-Amz-Date %q is not in the ISO 8601 basic format YYYYMMDDTHHMMSSZ.", v)
		}
		return t, nil
	}
	if v := h.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return time.Time{}, incomplete(false, "Date header %q is not an HTTP date.", v)
		}
		return t.UTC(), nil
	}
	return time.Time{}, incomplete(false, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

func isLowercaseToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
