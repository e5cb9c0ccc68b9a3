package api

import (
	"context"
	"errors"
)

// Input is a generated request structure.
type Input interface {
	// ValidateConstraints records every violation of the model's constraint
	// traits (required, length, range, pattern, enum) found in the value.
	ValidateConstraints(v *Validator)
}

// Operation describes one modelled operation for a protocol codec: how to
// make its input, and how to call the handler registered for it.
type Operation struct {
	Name       string
	Idempotent bool
	// HTTPMethod and HTTPPath are the REST binding, empty for awsJson.
	HTTPMethod string
	HTTPPath   string
	// Errors lists the error codes the model allows this operation.
	Errors []string
	// NewInput returns a zero input structure to decode into.
	NewInput func() Input
	// Invoke calls the registered handler. Operations without a handler
	// answer the service's not-implemented error.
	Invoke func(ctx context.Context, in Input) (any, error)
	// Implemented reports whether a handler is registered.
	Implemented bool
}

// ViolationMapper lets a service answer constraint violations of an
// operation with its own, more specific exception. It returns nil to let
// the generic ValidationException stand, and ErrViolationsAccepted when
// the service accepts input the model's constraints are stricter about
// than the service (the handler then checks it).
type ViolationMapper func(operation string, violations []Violation) error

// ErrViolationsAccepted is returned by a ViolationMapper that lets the
// request through despite its violations.
var ErrViolationsAccepted = errors.New("api: constraint violations accepted by the service")
