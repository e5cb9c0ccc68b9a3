package api

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Violation is one failed constraint.
type Violation struct {
	// Path names the member as AWS does: lower camel case member names,
	// list elements as "<list>.<n>.member", map values as "<map>.<key>".
	Path string
	// Member is the model member name of the innermost element, as written
	// in the model (for example "MaxResults").
	Member string
	// Value is the offending value rendered for the message, "null" when absent.
	Value      string
	Constraint string
}

// Validator collects violations while generated code walks an input.
type Validator struct {
	path       []string
	member     []string
	Violations []Violation
}

// Enter descends into a structure member.
func (v *Validator) Enter(member string) {
	v.path = append(v.path, lowerFirst(member))
	v.member = append(v.member, member)
}

// EnterIndex descends into the i-th (zero-based) list element.
func (v *Validator) EnterIndex(i int) {
	v.path = append(v.path, strconv.Itoa(i+1)+".member")
	v.member = append(v.member, v.member[len(v.member)-1])
}

// EnterKey descends into a map value.
func (v *Validator) EnterKey(k string) {
	v.path = append(v.path, k)
	v.member = append(v.member, v.member[len(v.member)-1])
}

// Leave undoes the last Enter, EnterIndex or EnterKey.
func (v *Validator) Leave() {
	v.path = v.path[:len(v.path)-1]
	v.member = v.member[:len(v.member)-1]
}

func (v *Validator) add(member, value, constraint string) {
	path := strings.Join(v.path, ".")
	if member != "" {
		if path != "" {
			path += "."
		}
		path += lowerFirst(member)
	} else if len(v.member) > 0 {
		member = v.member[len(v.member)-1]
	}
	v.Violations = append(v.Violations, Violation{Path: path, Member: member, Value: value, Constraint: constraint})
}

// Required records a missing required member.
func (v *Validator) Required(member string, present bool) {
	if !present {
		v.add(member, "null", "Member must not be null")
	}
}

// StringLength checks a string's length in characters.
func (v *Validator) StringLength(member, s string, min, max int64) {
	n := int64(utf8.RuneCountInString(s))
	v.checkLength(member, quote(s), n, min, max)
}

// CollectionLength checks the number of elements of a list or map.
func (v *Validator) CollectionLength(member string, n int, min, max int64) {
	v.checkLength(member, "["+strconv.Itoa(n)+" elements]", int64(n), min, max)
}

// BlobLength checks a blob's length in bytes.
func (v *Validator) BlobLength(member string, n int, min, max int64) {
	v.checkLength(member, "[blob]", int64(n), min, max)
}

func (v *Validator) checkLength(member, rendered string, n, min, max int64) {
	if min >= 0 && n < min {
		v.add(member, rendered, "Member must have length greater than or equal to "+strconv.FormatInt(min, 10))
	}
	if max >= 0 && n > max {
		v.add(member, rendered, "Member must have length less than or equal to "+strconv.FormatInt(max, 10))
	}
}

// Range checks a number against inclusive bounds; a nil bound is open.
func (v *Validator) Range(member string, n float64, min, max *float64) {
	rendered := strconv.FormatFloat(n, 'f', -1, 64)
	if min != nil && n < *min {
		v.add(member, rendered, "Member must have value greater than or equal to "+strconv.FormatFloat(*min, 'f', -1, 64))
	}
	if max != nil && n > *max {
		v.add(member, rendered, "Member must have value less than or equal to "+strconv.FormatFloat(*max, 'f', -1, 64))
	}
}

// Pattern checks a string against the model's regular expression.
func (v *Validator) Pattern(member, s string, re *regexp.Regexp) {
	if !re.MatchString(s) {
		v.add(member, quote(s), "Member must satisfy regular expression pattern: "+re.String())
	}
}

// Enum checks a value against the model's enum values.
func (v *Validator) Enum(member, s string, values []string) {
	for _, allowed := range values {
		if s == allowed {
			return
		}
	}
	v.add(member, quote(s), "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func quote(s string) string { return "'" + s + "'" }

// RawValue is the offending value as given: Value without the quotes a
// string value is rendered with.
func (v Violation) RawValue() string {
	if len(v.Value) >= 2 && v.Value[0] == '\'' && v.Value[len(v.Value)-1] == '\'' {
		return v.Value[1 : len(v.Value)-1]
	}
	return v.Value
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ValidationError renders violations as AWS's ValidationException.
func ValidationError(vs []Violation) *CommonError {
	var b strings.Builder
	noun := "error"
	if len(vs) > 1 {
		noun = "errors"
	}
	fmt.Fprintf(&b, "%d validation %s detected: ", len(vs), noun)
	for i, x := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		if x.Value == "null" {
			fmt.Fprintf(&b, "Value null at '%s' failed to satisfy constraint: %s", x.Path, x.Constraint)
		} else {
			fmt.Fprintf(&b, "Value %s at '%s' failed to satisfy constraint: %s", x.Value, x.Path, x.Constraint)
		}
	}
	return &CommonError{Code: CodeValidation, Status: http.StatusBadRequest, Message: b.String()}
}

// MustCompilePattern compiles a model pattern, translating the ECMAScript
// \uXXXX escapes Smithy patterns may use into RE2 syntax.
func MustCompilePattern(p string) *regexp.Regexp {
	return regexp.MustCompile(TranslatePattern(p))
}

// TranslatePattern converts a Smithy (ECMAScript) pattern to RE2 syntax.
func TranslatePattern(p string) string {
	// A UTF-16 surrogate-pair range denotes the supplementary planes.
	p = strings.ReplaceAll(p, `\uD800\uDC00-\uDBFF\uDFFF`, `\x{10000}-\x{10FFFF}`)
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+5 < len(p) && p[i+1] == 'u' {
			b.WriteString(`\x{` + p[i+2:i+6] + `}`)
			i += 5
			continue
		}
		if p[i] == '\\' && i+1 < len(p) {
			b.WriteByte(p[i])
			b.WriteByte(p[i+1])
			i++
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// Float returns a pointer to f, for generated range bounds.
func Float(f float64) *float64 { return &f }
