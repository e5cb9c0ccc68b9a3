package policy

import "fmt"

// ValidationError is why Parse refused a document. Its Error text is meant
// for ResourcePolicyNotValidException: it names the statement and element
// at fault and says what to change.
type ValidationError struct {
	Statement int    // 1-based; 0 when the problem is with the policy as a whole
	Sid       string // the faulty statement's Sid, if it has one
	Message   string
}

func (e *ValidationError) Error() string {
	if e.Statement == 0 {
		return e.Message
	}
	if e.Sid != "" {
		return fmt.Sprintf("Statement %d (Sid %q): %s", e.Statement, e.Sid, e.Message)
	}
	return fmt.Sprintf("Statement %d: %s", e.Statement, e.Message)
}

func policyError(format string, args ...any) *ValidationError {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}
