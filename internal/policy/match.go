package policy

import "strings"

// wildcardMatch reports whether s matches pattern, where * matches any run
// of characters (including none) and ? exactly one character. Matching is
// case-sensitive.
func wildcardMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, resume := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, resume = pi, ti
			pi++
		case star >= 0:
			resume++
			pi, ti = star+1, resume
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// isARNShaped reports whether s has the six colon-separated fields of an
// ARN: arn:partition:service:region:account:resource.
func isARNShaped(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn"
}

// arnPatternMatches compares an ARN with a pattern the way IAM's Arn
// operators do: field by field, each field allowing * and ? wildcards that
// do not cross into the next field. The pattern "*" matches any ARN.
func arnPatternMatches(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	patternFields := strings.SplitN(pattern, ":", 6)
	arnFields := strings.SplitN(arn, ":", 6)
	if len(patternFields) != 6 || len(arnFields) != 6 {
		return false
	}
	for i := range patternFields {
		if !wildcardMatch(patternFields[i], arnFields[i]) {
			return false
		}
	}
	return true
}
