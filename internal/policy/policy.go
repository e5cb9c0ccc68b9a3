package policy

import (
	"strings"
)

// ResourceType of the resource a policy is attached to.
type ResourceType int

// Resource types that accept a resource-based policy.
const (
	Channel ResourceType = iota + 1
	EventDataStore
	Dashboard
)

func (t ResourceType) String() string {
	switch t {
	case Channel:
		return "channel"
	case EventDataStore:
		return "event data store"
	case Dashboard:
		return "dashboard"
	}
	return "unknown resource type"
}

// Resource is what the policy is attached to.
type Resource struct {
	Type         ResourceType
	ARN          string
	OwnerAccount string // when empty, the account field of ARN
}

// Request is one call to authorize.
type Request struct {
	PrincipalAccount string // 12-digit account of the caller; when empty, taken from PrincipalARN
	PrincipalARN     string // e.g. arn:aws:iam::111122223333:user/alice, ...:root, arn:aws:sts::...:assumed-role/R/s
	// PrincipalService is set, e.g. to "cloudtrail.amazonaws.com", when an
	// AWS service calls on its own behalf (a scheduled dashboard refresh).
	// Such a request is matched only by Service principals.
	PrincipalService string
	Action           string // e.g. "cloudtrail-data:PutAuditEvents", "cloudtrail:StartQuery"
	Resource         string // the resource ARN; empty means the resource the policy is attached to
	// Context holds the request's condition keys, e.g. "cloudtrail:ExternalId",
	// "aws:SourceArn", "aws:SourceAccount"; a key that is absent from the
	// request is absent from the map. Keys are matched case-insensitively,
	// as IAM does. aws:PrincipalAccount, when not given, is the caller's account.
	Context map[string]string
}

// Decision is the outcome of evaluating a policy for one request.
type Decision int

// Decisions, in IAM's order of precedence: an explicit Deny wins over an
// Allow, and a policy that neither allows nor denies is NotApplicable.
const (
	NotApplicable Decision = iota
	Allow
	Deny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NotApplicable"
}

// Policy is a validated resource-based policy.
type Policy struct {
	resource   Resource
	statements []statement
}

type effect int

const (
	effectAllow effect = iota
	effectDeny
)

type statement struct {
	sid        string
	effect     effect
	principals []principal
	actions    []string
	resources  []resourcePattern // empty: the resource the policy is attached to
	conditions []condition
}

// Evaluate decides r: an explicit Deny in any applicable statement wins,
// then an Allow, else NotApplicable. A statement applies when its principal,
// action and resource match and every one of its conditions holds.
func (p *Policy) Evaluate(r Request) Decision {
	decision := NotApplicable
	for i := range p.statements {
		s := &p.statements[i]
		if !s.applies(r, p.resource.ARN) {
			continue
		}
		if s.effect == effectDeny {
			return Deny
		}
		decision = Allow
	}
	return decision
}

// RequiresExternalID reports whether some Allow statement conditions on
// cloudtrail:ExternalId, that is whether PutAuditEvents callers other than
// the owner will need to pass an external ID.
func (p *Policy) RequiresExternalID() bool {
	for _, s := range p.statements {
		if s.effect != effectAllow {
			continue
		}
		for _, c := range s.conditions {
			if strings.EqualFold(c.key, externalIDKey) {
				return true
			}
		}
	}
	return false
}

func (s *statement) applies(r Request, attachedARN string) bool {
	return s.principalMatches(r) &&
		s.actionMatches(r.Action) &&
		s.resourceMatches(r, attachedARN) &&
		s.conditionsHold(r)
}

func (s *statement) principalMatches(r Request) bool {
	for _, p := range s.principals {
		if p.matches(r) {
			return true
		}
	}
	return false
}

func (s *statement) actionMatches(action string) bool {
	for _, a := range s.actions {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

func (s *statement) resourceMatches(r Request, attachedARN string) bool {
	target := r.Resource
	if target == "" {
		target = attachedARN
	}
	if len(s.resources) == 0 {
		return target == attachedARN
	}
	for _, pattern := range s.resources {
		if pattern.matches(r, target, attachedARN) {
			return true
		}
	}
	return false
}

func (s *statement) conditionsHold(r Request) bool {
	for _, c := range s.conditions {
		value, present := contextValue(r, c.key)
		if !c.holds(value, present) {
			return false
		}
	}
	return true
}

// contextValue looks key up in the request context the way IAM does:
// condition key names are case-insensitive.
func contextValue(r Request, key string) (string, bool) {
	if v, ok := r.Context[key]; ok {
		return v, true
	}
	for k, v := range r.Context {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	if strings.EqualFold(key, "aws:PrincipalAccount") && r.PrincipalService == "" {
		if account := requestAccount(r); account != "" {
			return account, true
		}
	}
	return "", false
}
